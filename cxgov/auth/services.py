"""Signing in: password checks and API tokens (only their SHA-256 digest is stored)."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload

from cxgov.auth.models import ApiToken
from cxgov.auth.passwords import hash_password, needs_rehash, verify_password
from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.org.models import User


def normalise_email(email: str) -> str:
    return email.strip().lower()


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
    user.last_login_at = utcnow()
    return user


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user):
    """A new API token for `user`: returns (the raw token, shown once, and its row)."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        token_hash=_digest(raw),
        expires_at=utcnow() + timedelta(hours=current_app.config["CXGOV_TOKEN_TTL_HOURS"]),
    )
    db.session.add(token)
    db.session.flush()
    return raw, token


# Built once: every API request runs it, and building a statement costs more than running it.
_USER_FOR_TOKEN = (
    select(User, ApiToken.id)
    .join(ApiToken, ApiToken.user_id == User.id)
    .options(lazyload(User.department))  # loaded when a request needs it, not on every one
    .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None),
           ApiToken.expires_at > bindparam("now"), User.active.is_(True))
)


def user_for_token(raw: str):
    """(the active user, the token's id) of a live raw bearer token, or None if it is unknown,
    expired or revoked, or its user is deactivated: one query."""
    if not raw or len(raw) > 200:
        return None
    found = db.session.execute(_USER_FOR_TOKEN, {"digest": _digest(raw), "now": utcnow()}).first()
    return None if found is None else tuple(found)


def revoke_token(token):
    token.revoked_at = utcnow()

