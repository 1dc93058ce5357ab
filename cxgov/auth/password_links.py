"""One-time "set your password" links (an admin creates a person without choosing their
password, or hands a new link to someone locked out).

The token is random (`secrets.token_urlsafe`), only its SHA-256 digest is stored; a link expires
after CXGOV_PASSWORD_LINK_HOURS and works once. Issuing a new link for a person ends their
unused ones. Setting the password goes through `cxgov.org.services.set_password` (the password
rules of `cxgov.org.passwords`; every earlier credential of the person ends).
"""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from cxgov import policy
from cxgov.audit.services import record_event
from cxgov.auth.models import PasswordSetLink
from cxgov.db import utcnow
from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.org import services as org
from cxgov.org.passwords import MAX_LENGTH, password_problem

GONE = _l("This link no longer works: it was used already, has expired, or was replaced by a newer one. "
          "Ask an administrator for a new link.")


def _digest(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(actor, user):
    """A new link for `user` (admins only): (the raw token, shown or mailed once, and its row).
    Any unused link the person had stops working."""
    policy.require(policy.manage_org, actor)
    now = utcnow()
    db.session.execute(update(PasswordSetLink)
                       .where(PasswordSetLink.user_id == user.id, PasswordSetLink.used_at.is_(None))
                       .values(used_at=now))
    raw = secrets.token_urlsafe(32)
    link = PasswordSetLink(user_id=user.id, token_hash=_digest(raw), created_by_id=actor.id, created_at=now,
                           expires_at=now + timedelta(hours=current_app.config["CXGOV_PASSWORD_LINK_HOURS"]))
    db.session.add(link)
    db.session.flush()
    return raw, link


def live_link(raw):
    """The unused, unexpired link of an active person for the raw token, or None."""
    if not raw or len(raw) > 200:
        return None
    link = db.session.scalar(select(PasswordSetLink).where(PasswordSetLink.token_hash == _digest(raw)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow() or not link.user.active:
        return None
    return link


def use(raw, password):
    """Set the password of the link's person and spend the link; returns the person. Invalid when
    the link no longer works or the password breaks a rule (nothing is then written)."""
    link = live_link(raw)
    if link is None:
        raise Invalid(str(GONE))
    problem = password_problem(password) if len(password) <= MAX_LENGTH else \
        _("Use at most %(most)s characters.", most=MAX_LENGTH)
    if problem:
        raise Invalid(_("Choose another password."), errors={"password": [problem]})
    link.used_at = utcnow()
    org.set_password(link.user, password)
    record_event("password_set", "user", link.user_id, actor_id=link.user_id, via="link")
    return link.user
