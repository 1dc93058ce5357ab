"""Signing in: password checks, API tokens and remember-me tokens (only their SHA-256 digest is
stored), and ending credentials: one token, one browser session, or all of a user's at once
(`end_all_credentials`, by bumping the user's credential generation: `cxgov.org.services`)."""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from cxgov.auth.models import ApiToken, EndedSession, RememberToken
from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.org.models import User
from cxgov.org.passwords import hash_password, needs_rehash, verify_password
from cxgov.org.services import end_all_credentials, normalise_email  # noqa: F401  (signing in and out uses them)


def find_user_by_email(email: str):
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str):
    """The active user with this email and password, or None. Upgrades outdated hashes."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        verify_password(None, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    note_sign_in(user)
    return user


def note_sign_in(user):
    """Keep when `user` last signed in. A sign-in is no edit of the user: it neither bumps their
    version (so two sign-ins of one account at the same moment never conflict, and an admin's
    If-Match on the user stays valid) nor counts as a change in the audit trail, which records the
    sign-in itself."""
    now = utcnow()
    db.session.execute(sa.update(User.__table__).where(User.__table__.c.id == user.id)
                       .values(last_login_at=now, updated_at=User.__table__.c.updated_at))
    set_committed_value(user, "last_login_at", now)


def record_sign_in(user, via, address, token_id=None):
    """Audit a sign-in (`via` page, api or remember_me); an API sign-in names the token it issued."""
    from cxgov.audit.services import record_event

    details = {"via": via, "address": address}
    if token_id is not None:
        details["token_id"] = token_id
    record_event("sign_in", "user", user.id, actor_id=user.id, **details)


def record_failed_sign_in(account, via, address):
    """Audit a failed sign-in on the user it named, if any. What was typed is not kept: people
    type their password into the email field too."""
    from cxgov.audit.services import record_event

    user = find_user_by_email(account)
    record_event("sign_in_failed", "user", user.id if user is not None else None,
                 via=via, address=address, account="known" if user is not None else "unknown")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user):
    """A new API token for `user`: returns (the raw token, shown once, and its row)."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        token_hash=_digest(raw),
        generation=user.credential_generation,
        expires_at=utcnow() + timedelta(hours=current_app.config["CXGOV_TOKEN_TTL_HOURS"]),
    )
    db.session.add(token)
    db.session.flush()
    return raw, token


def keep_token(token_id, user):
    """After `end_all_credentials`, let the token signing this very request go on working."""
    token = db.session.get(ApiToken, token_id)
    if token is not None and token.user_id == user.id:
        token.generation = user.credential_generation


def keep_request_token(user):
    """`keep_token` for the API token of the request being served, if it signs one."""
    if has_request_context() and g.get("api_token_id") is not None:
        keep_token(g.api_token_id, user)


def issue_remember_token(user):
    """A new remember-me token for `user` (one per sign-in): returns the raw token for the cookie."""
    raw = secrets.token_urlsafe(32)
    db.session.add(RememberToken(
        user_id=user.id, token_hash=_digest(raw), generation=user.credential_generation,
        expires_at=utcnow() + current_app.config["REMEMBER_COOKIE_DURATION"],
    ))
    db.session.flush()
    return raw


def user_for_remember_token(raw):
    """The active user of a live remember-me token (not expired, revoked or outlived by its
    user's credential generation), or None."""
    if not raw or len(raw) > 200:
        return None
    return db.session.scalar(
        select(User).join(RememberToken, RememberToken.user_id == User.id)
        .where(RememberToken.token_hash == _digest(raw), RememberToken.revoked_at.is_(None),
               RememberToken.expires_at > utcnow(), RememberToken.generation == User.credential_generation,
               User.active.is_(True))
    )


def revoke_remember_token(raw, user):
    """Signing out: the remember-me token of this browser (if it is the user's) stops working."""
    if not raw or len(raw) > 200:
        return
    token = db.session.scalar(select(RememberToken).where(RememberToken.token_hash == _digest(raw)))
    if token is not None and token.user_id == user.id and token.revoked_at is None:
        token.revoked_at = utcnow()


def end_session(user, session_id, ends_at):
    """Signing out: the browser session `session_id` opens nothing any more, even if its cookie
    was captured. Records of sessions past their absolute limit are dropped on the way."""
    now = utcnow()
    db.session.execute(delete(EndedSession).where(EndedSession.ends_at <= now))
    if isinstance(session_id, str) and ends_at > now:
        db.session.add(EndedSession(session_id=session_id, user_id=user.id, ends_at=ends_at))
    db.session.flush()


def session_user(user_id, generation, session_id):
    """The active user of a browser session signed in under credential generation `generation`,
    unless the session was signed out of or the generation has moved on: one query."""
    ended = select(EndedSession.id).where(EndedSession.session_id == session_id).exists()
    found = db.session.execute(select(User, ended).where(User.id == user_id)).first()
    if found is None:
        return None
    user, was_ended = found
    if was_ended or not user.active or user.credential_generation != generation:
        return None
    return user


# Built once: every API request runs it, and building a statement costs more than running it.
_USER_FOR_TOKEN = (
    select(User, ApiToken.id)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None),
           ApiToken.expires_at > bindparam("now"), ApiToken.generation == User.credential_generation,
           User.active.is_(True))
    .options(lazyload(User.department))  # loaded when a request needs it, not on every one
)


def user_for_token(raw: str):
    """(the active user, the token's id) of a live raw bearer token, or None if it is unknown,
    expired or revoked, or its user is deactivated or signed out everywhere since: one indexed
    query, so a change to the user or the token takes effect on the next request."""
    if not raw or len(raw) > 200:
        return None
    found = db.session.execute(_USER_FOR_TOKEN, {"digest": _digest(raw), "now": utcnow()}).first()
    return None if found is None else tuple(found)


def revoke_token(token):
    token.revoked_at = utcnow()

