"""Credentials: API tokens and remember-me tokens (only a SHA-256 digest of either is stored),
and browser sessions ended by signing out.

Each token carries the credential generation of its user at issue; a token whose generation is
no longer the user's (`users.credential_generation`, bumped by a password change, deactivation,
a role change or signing out everywhere) is dead, as is a browser session holding an older one.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxgov.db import fk, utcnow
from cxgov.extensions import db
from cxgov.org.models import User


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = fk("users.id", ondelete="CASCADE", nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class RememberToken(db.Model):
    """"Keep me signed in": a random token in the browser's cookie, one per sign-in."""

    __tablename__ = "remember_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = fk("users.id", ondelete="CASCADE", nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class EndedSession(db.Model):
    """A browser session its user signed out of: its cookie, if captured, opens nothing. Kept
    until the session would have ended anyway (`ends_at`, its absolute limit)."""

    __tablename__ = "ended_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = fk("users.id", ondelete="CASCADE", nullable=False)
    ends_at: Mapped[datetime] = mapped_column(index=True)


class PasswordSetLink(db.Model):
    """A one-time "set your password" link an admin hands a new (or locked-out) person: a random
    token (only its SHA-256 digest stored), expiring after CXGOV_PASSWORD_LINK_HOURS, used once."""

    __tablename__ = "password_set_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = fk("users.id", ondelete="CASCADE", nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = fk("users.id", ondelete="SET NULL")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
