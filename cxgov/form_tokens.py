"""One-time form tokens: a page form that creates something acts once per token.

Every creating form carries a random token issued when the page is rendered. The first POST
records the token's digest in `form_submissions`, in the same transaction as what it creates;
the unique constraint on the digest decides between two POSTs racing with the same token (a
double click, two tabs): the second waits for the first and then finds its row. A resubmission
creates nothing and is sent where the first one went. Tokens older than `KEEP_FOR` are pruned
whenever a new one is recorded.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import delete, select
from sqlalchemy.orm import Mapped, mapped_column

from cxgov.db import fk, utcnow
from cxgov.extensions import db

KEEP_FOR = timedelta(days=7)
FIELD = "form_token"


class FormSubmission(db.Model):
    __tablename__ = "form_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = fk("users.id", ondelete="CASCADE", nullable=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    outcome_url: Mapped[str] = mapped_column(sa.String(2000), default="")


def new_token():
    return secrets.token_urlsafe(32)


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def usable(token):
    """A token as issued: URL-safe text of a sane length (anything else is ignored, not stored)."""
    return isinstance(token, str) and 16 <= len(token) <= 200 and token.isascii() and token.isprintable()


def find(token):
    return db.session.scalar(select(FormSubmission).where(FormSubmission.token_hash == digest(token)))


def record(token, user_id, now=None):
    """Claim `token` in the current transaction (flushed: a concurrent claim of the same token
    blocks here until the other transaction ends, then fails with IntegrityError)."""
    now = now or utcnow()
    claim = FormSubmission(token_hash=digest(token), user_id=user_id, created_at=now, outcome_url="")
    db.session.add(claim)
    db.session.flush()
    db.session.execute(delete(FormSubmission).where(FormSubmission.created_at < now - KEEP_FOR))
    return claim
