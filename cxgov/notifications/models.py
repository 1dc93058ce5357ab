"""Notifications: one message to one user. Reminders are rows, deduplicated by `dedupe_key`."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxgov.db import fk, utcnow
from cxgov.extensions import db
from cxgov.org.models import User


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_nonnegative"),
        # The deliverer sweeps unsent rows only.
        sa.Index(
            "ix_notifications_unsent",
            "next_attempt_at",
            sqlite_where=sa.text("sent_at IS NULL"),
            postgresql_where=sa.text("sent_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = fk("users.id", ondelete="CASCADE", nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(40), index=True)
    subject: Mapped[str] = mapped_column(sa.String(255))
    body: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    # What the reminder is about, e.g. ("meeting", 12): lets mail attach the invite.
    entity: Mapped[str | None] = mapped_column(sa.String(40))
    entity_id: Mapped[int | None]
    dedupe_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # Set when mailing it failed for good (a permanent refusal, or every attempt used): it is no
    # longer tried, and admins see it at GET /api/notifications/failed. It stays in the inbox.
    failed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
