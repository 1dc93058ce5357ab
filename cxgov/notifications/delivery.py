"""The sweeper: mail pending notifications, mark them sent, retry failures with back-off.

Pending rows are claimed in small batches; on PostgreSQL with FOR UPDATE SKIP LOCKED, so two
deliverers never claim the same row. SQLite ignores the clause (two deliverers would both read
the same pending rows and both send them): there one deliverer runs at a time, holding an
exclusive lock on the file `instance/deliver-notifications.lock` (an SQLite database lives on one
machine, so a file lock reaches every process that can use it); a second deliverer waits for the
first and then finds nothing left to send.
A failure keeps the row pending with the error and the time of the next attempt: an SMTP
outage delays mail, it never loses it. A permanent failure (`mail.is_permanent`), or the
MAX_ATTEMPTS-th failure, marks the row failed (`failed_at`): it is not tried again and admins
list it (GET /api/notifications/failed). Each batch is its own transaction, committed before the
next is claimed.
"""
import fcntl
import logging
import os
from contextlib import contextmanager
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import contains_eager

from cxgov.extensions import db
from cxgov.notifications.mail import Mailer, compose, describe_error, is_permanent, mail_enabled
from cxgov.notifications.models import Notification
from cxgov.notifications.services import AT_ONCE_KINDS
from cxgov.org.models import User
from cxgov.transaction import transactional

log = logging.getLogger(__name__)

BATCH_SIZE = 20
MAX_BACKOFF_MINUTES = 60
MAX_ATTEMPTS = 10  # about four hours of back-off


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failure, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), MAX_BACKOFF_MINUTES))


def pending(now: datetime):
    """Unsent rows due for an attempt, of active users who want immediate mail (digests and
    set-password links always)."""
    return (
        sa.select(Notification)
        .join(Notification.user)
        .options(contains_eager(Notification.user))
        .where(
            Notification.sent_at.is_(None),
            Notification.failed_at.is_(None),
            sa.or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
            User.active.is_(True),
            sa.or_(User.digest_preference == "immediate", Notification.kind.in_(AT_ONCE_KINDS)),
        )
        .order_by(Notification.id)
    )


def claim(now: datetime, limit: int):
    stmt = pending(now).limit(limit).with_for_update(skip_locked=True, of=Notification)
    return db.session.scalars(stmt).unique().all()


@contextmanager
def one_deliverer():
    """On SQLite: wait for, then hold, the deliverers' file lock. PostgreSQL needs none (SKIP LOCKED)."""
    if db.engine.dialect.name != "sqlite":
        yield
        return
    path = os.path.join(current_app.instance_path, "deliver-notifications.lock")
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file is closed, or the process ends
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def deliver_notifications(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Send what is due; return how many mails went out."""
    if not mail_enabled():
        return 0
    with one_deliverer():
        return _deliver(now, batch_size)


def _deliver(now, batch_size):
    sent = 0
    mailer = Mailer()
    try:
        while True:
            with transactional():
                batch = claim(now, batch_size)
                for notification in batch:
                    try:
                        mailer.send(compose(notification, now))
                    except Exception as error:  # noqa: BLE001 — any failure keeps the row pending
                        notification.attempts += 1
                        notification.last_error = describe_error(error)
                        notification.next_attempt_at = now + backoff(notification.attempts)
                        if is_permanent(error) or notification.attempts >= MAX_ATTEMPTS:
                            notification.failed_at, notification.next_attempt_at = now, None
                        log.warning("notification %s not sent (attempt %s): %s", notification.id,
                                    notification.attempts, notification.last_error)
                    else:
                        notification.sent_at = now
                        notification.next_attempt_at = None
                        sent += 1
            if not batch:
                return sent
    finally:
        mailer.close()
