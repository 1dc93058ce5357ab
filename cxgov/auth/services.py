"""Signing in: password checks and API tokens (only their SHA-256 digest is stored)."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

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


def token_from_raw(raw: str):
    """The live token row for a raw bearer token, or None (unknown, expired or revoked)."""
    if not raw or len(raw) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
    if token is None or token.revoked_at is not None or token.expires_at <= utcnow():
        return None
    if not token.user.active:
        return None
    return token


def revoke_token(token):
    token.revoked_at = utcnow()

