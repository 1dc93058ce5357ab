"""Notifications as data: writing reminders exactly once, and the in-app inbox.

A reminder is written with a deterministic `dedupe_key` by one INSERT … ON CONFLICT DO NOTHING,
so running a job twice, or two schedulers at once, never writes the same reminder twice:
the database decides, not a check-then-insert.
"""
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

import sqlalchemy as sa
from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from cxgov import i18n
from cxgov.errors import NotFound
from cxgov.extensions import db
from cxgov.formatting import local_time, local_zone
from cxgov.notifications import links
from cxgov.notifications.models import Notification

# Kinds that are digests themselves: mailed at once even to users who chose a daily digest.
DIGEST_KINDS = frozenset({"daily_digest", "weekly_digest"})
# Kinds mailed at once whatever the person chose, never gathered into a daily digest: the digests,
# and a "set your password" link (it expires, and its person may not be able to sign in yet).
AT_ONCE_KINDS = DIGEST_KINDS | {"password_set_link"}
CHUNK = 200


@dataclass
class Reminder:
    """One notification to write: its text is rendered from templates/email/<kind>.txt|.html, and
    its subject (a lazy string, or a function of no argument) read, in its recipient's language
    and time zone (`i18n.speaking_to`)."""

    user_id: int
    kind: str
    dedupe_key: str
    subject: object
    context: dict = field(default_factory=dict)
    entity: str | None = None
    entity_id: int | None = None


# -- time in the deployment's time zone -----------------------------------------------------------

def local_date(now: datetime):
    """The calendar day `now` falls on where the organisation works (CXGOV_TIMEZONE)."""
    return now.astimezone(local_zone()).date()


def iso_week(day) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


# -- writing ----------------------------------------------------------------------------------

def render_bodies(kind: str, context: dict) -> tuple[str, str]:
    # A mail names the zone of its times: its reader may be elsewhere.
    # Every footer names the account settings, where the person chooses how reminders reach them.
    context = {"local_time": partial(local_time, zone_name=True), "account_link": links.account_settings(),
               **context}
    return (render_template(f"email/{kind}.txt", **context),
            render_template(f"email/{kind}.html", **context))


def subject_text(subject):
    """A reminder's subject as its reader reads it (called inside `i18n.speaking_to`)."""
    return str(subject() if callable(subject) else subject)


def _recipients(user_ids):
    """{id: User} of the people reminders go to: whose language and time zone they are written in."""
    from cxgov.org.models import User

    if not user_ids:
        return {}
    ids = sorted(user_ids)
    found = {}
    for start in range(0, len(ids), CHUNK):
        found.update((user.id, user) for user in db.session.scalars(
            sa.select(User).where(User.id.in_(ids[start:start + CHUNK]))))
    return found


def _insert():
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(Notification)


def write(reminders, now: datetime) -> int:
    """Write the reminders not written before; return how many rows were really inserted.

    Keys already present are skipped before rendering (cheap), and the INSERT ignores a key
    another run wrote in the meantime (safe). The caller commits."""
    by_key = {}
    for reminder in reminders:
        by_key.setdefault(reminder.dedupe_key, reminder)
    keys = list(by_key)
    existing = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        existing.update(db.session.scalars(
            sa.select(Notification.dedupe_key).where(Notification.dedupe_key.in_(chunk))))
    rows = []
    recipients = _recipients({by_key[key].user_id for key in keys if key not in existing})
    for key in keys:
        if key in existing:
            continue
        reminder = by_key[key]
        link = links.absolute(links.path(reminder.kind, reminder.entity, reminder.entity_id,
                                         reminder.context.get("item")))
        with i18n.speaking_to(recipients.get(reminder.user_id)):
            body, body_html = render_bodies(reminder.kind, {"link": link, **reminder.context})
            subject = subject_text(reminder.subject)
        rows.append({
            "user_id": reminder.user_id, "kind": reminder.kind, "subject": subject[:255],
            "body": body, "body_html": body_html, "entity": reminder.entity,
            "entity_id": reminder.entity_id, "dedupe_key": key, "created_at": now, "attempts": 0,
        })
    inserted = 0
    for start in range(0, len(rows), CHUNK):
        stmt = (_insert().values(rows[start:start + CHUNK])
                .on_conflict_do_nothing(index_elements=["dedupe_key"])
                .returning(Notification.id))
        inserted += len(db.session.execute(stmt).all())
    return inserted


def insert_one(row: dict) -> int | None:
    """Insert one notification row unless its key exists; its id, or None when it existed."""
    stmt = (_insert().values(**row).on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(Notification.id))
    return db.session.execute(stmt).scalar()


# -- the inbox --------------------------------------------------------------------------------

def inbox_query(user, unread: bool | None = None, kind: str | None = None):
    stmt = (sa.select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))
    if unread is True:
        stmt = stmt.where(Notification.read_at.is_(None))
    elif unread is False:
        stmt = stmt.where(Notification.read_at.is_not(None))
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return stmt


def unread_count(user) -> int:
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def own_notification(user, notification_id: int) -> Notification:
    """The user's own notification; someone else's is as missing as one that does not exist."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound(_("Notification %(id)s does not exist.", id=notification_id))
    return notification


def mark_read(user, notification_id: int, now: datetime) -> Notification:
    notification = own_notification(user, notification_id)
    if notification.read_at is None:
        notification.read_at = now
        db.session.flush()
    return notification


def mark_all_read(user, now: datetime) -> int:
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount
