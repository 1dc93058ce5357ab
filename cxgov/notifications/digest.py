"""What the weekly digest says, and the daily digest that gathers a user's reminders into one mail."""
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from cxgov import i18n
from cxgov.ambassadors import recognition
from cxgov.extensions import db
from cxgov.formatting import currency, day
from cxgov.initiatives import calc
from cxgov.initiatives.models import Initiative
from cxgov.notifications.models import Notification
from cxgov.notifications.services import AT_ONCE_KINDS, insert_one, local_date, render_bodies
from cxgov.org.models import User
from cxgov.roi.benefits import portfolio_benefits
from cxgov.roi.services import default_rate, figures_statement, recorded_years, rows_of
from cxgov.steering.models import ActionItem, Decision


def roi_to_date(rate: Decimal | None = None) -> dict:
    """Portfolio ROI on the actual basis of the initiatives with actual cash flows, from the ROI
    report's own query."""
    rate = default_rate() if rate is None else rate
    rows = rows_of(db.session.connection().execute(figures_statement([], "actual", rate)))
    rows = [row for row in rows if row.has_flows]
    totals = calc.portfolio(rows)
    totals["initiatives"] = len(rows)
    totals["discount_rate"] = rate
    totals["years"] = recorded_years([], "actual")
    return totals


# The digest's benefits line reads the portfolio the executive's home shows: the funded initiatives.
BENEFITS_ARGS = {"portfolio": "funded"}


def benefits_to_date(today) -> dict:
    """The benefits realisation line (SPEC §8.6): the totals of the benefits report of the funded
    portfolio, as the executive's home shows them, and its threshold."""
    report = portfolio_benefits(BENEFITS_ARGS, today)
    return {**report["totals"], "threshold": report["threshold"], "as_of": report["as_of"]}


def weekly_context(now: datetime) -> dict:
    """Decided and delivered in the seven days before `now`, overdue action items, ROI to date,
    the benefits realised to date, and the ambassador network's recognitions: the most active
    ambassadors of those seven days and their ideas delivered as initiatives."""
    today = local_date(now)
    week_ago = now - timedelta(days=7)
    decisions = db.session.scalars(
        sa.select(Decision).where(Decision.created_at >= week_ago, Decision.created_at < now)
        .options(selectinload(Decision.meeting)).order_by(Decision.created_at, Decision.id)).all()
    delivered = db.session.scalars(
        sa.select(Initiative)
        .where(Initiative.delivered_on >= today - timedelta(days=7), Initiative.delivered_on < today,
               Initiative.status.in_(("delivered", "closed")))
        .options(selectinload(Initiative.owner)).order_by(Initiative.delivered_on, Initiative.id)).all()
    overdue = db.session.scalars(
        sa.select(ActionItem).where(ActionItem.status == "open", ActionItem.due_on < today)
        .options(selectinload(ActionItem.owner)).order_by(ActionItem.due_on, ActionItem.id)).all()
    week = (today - timedelta(days=7), today - timedelta(days=1))
    return {"decisions": decisions, "delivered": delivered, "overdue": overdue, "today": today,
            "roi": roi_to_date(), "benefits": benefits_to_date(today), "currency": currency(),
            "ambassadors": recognition.most_active(*week), "ideas_delivered": recognition.ideas_delivered(*week)}


def daily_digest(now: datetime) -> int:
    """Gather the pending reminders of users who chose a daily digest into one notification.

    The digest row is mailed by the deliverer like any other (with its retries); the gathered
    rows are marked sent in the same transaction, as the digest now carries them (the caller,
    `jobs.run_job`, commits). One digest per user per day (`daily-digest:{user}:{date}`): a second
    run the same day gathers nothing. Without MAIL_SERVER nothing is mailed, so nothing is
    gathered either."""
    from cxgov.notifications.mail import mail_enabled

    if not mail_enabled():
        return 0
    today = local_date(now)
    rows = db.session.scalars(
        sa.select(Notification).join(Notification.user)
        .where(Notification.sent_at.is_(None), Notification.created_at <= now,
               Notification.kind.not_in(AT_ONCE_KINDS),
               User.active.is_(True), User.digest_preference == "daily")
        .order_by(Notification.user_id, Notification.created_at, Notification.id)).all()
    by_user = {}
    readers = {}
    for row in rows:
        readers[row.user_id] = row.user
        by_user.setdefault(row.user_id, []).append(row)
    written = 0
    for user_id, items in by_user.items():
        with i18n.speaking_to(readers[user_id]):
            body, body_html = render_bodies("daily_digest", {"items": items, "today": today})
            subject = ngettext("Your cxgov reminders for %(day)s (%(count)s)",
                               "Your cxgov reminders for %(day)s (%(count)s)",
                               len(items), day=day(today), count=len(items))
        digest_id = insert_one({
            "user_id": user_id, "kind": "daily_digest",
            "subject": subject[:255],
            "body": body, "body_html": body_html, "dedupe_key": f"daily-digest:{user_id}:{today}",
            "created_at": now, "attempts": 0,
            # Its items are in the inbox already: the digest is their envelope, not news.
            "read_at": now,
        })
        if digest_id is None:
            continue
        db.session.execute(
            sa.update(Notification).where(Notification.id.in_([item.id for item in items]),
                                          Notification.sent_at.is_(None))
            .values(sent_at=now).execution_options(synchronize_session=False))
        written += 1
    return written
