"""The reminder jobs of SPEC §6. Each is `job(now) -> rows written` and reads and writes in one
transaction, which `run_job` commits (the deliverer commits each batch). Every reminder carries a
deterministic `dedupe_key`, so a job run twice (or by two schedulers at once) writes nothing twice.

Dedupe keys (the rules of repetition are in them):
- `meeting-reminder:{meeting}:{user}:{ics_sequence}` — once per meeting and member; a re-issued
  invite (time or place changed, sequence raised) is sent again with the new invite.
- `action-item-due:{item}:{due_on}:{user}` — once per item and due date.
- `action-item-overdue:{item}:{due_on}:{user}:{iso week}` — overdue items nag their owner once a week.
- `action-item-escalation:{item}:{due_on}:{user}` — 7+ days overdue: once to each CX leader.
- `measurement-due:{initiative}:{milestone}:{user}` — milestones 30/60/90 days after delivery.
- `review-due:{review}:{user}` — a post-implementation review due within 7 days: once to the owner.
- `ambassador-inactive:{ambassador}:{user}:{iso week}`, `ambassador-inactivity:{user}:{iso week}`.
- `weekly-digest:{user}:{iso week}`, `daily-digest:{user}:{date}`.
"""
from datetime import datetime, timedelta
from functools import partial

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.orm import selectinload

from cxgov.ambassadors.models import Ambassador, AmbassadorAction
from cxgov.extensions import db
from cxgov.formatting import day
from cxgov.initiatives import reviews
from cxgov.initiatives.models import Impact, Initiative
from cxgov.journeys.models import Journey, Measurement
from cxgov.notifications import digest
from cxgov.notifications.delivery import deliver_notifications as _deliver
from cxgov.notifications.models import Notification
from cxgov.notifications.services import Reminder, iso_week, local_date, write
from cxgov.org.models import User
from cxgov.steering import pack
from cxgov.steering.models import ActionItem, Committee, CommitteeMember, Meeting
from cxgov.transaction import transactional

MEETING_WINDOW = timedelta(hours=48)
ESCALATION_DAYS = 7
MEASUREMENT_MILESTONES = (30, 60, 90)
# A milestone missed (scheduler down) is still sent within this many days after it.
MILESTONE_GRACE_DAYS = 30
REVIEW_NOTICE_DAYS = 7
INACTIVITY_DAYS = 30


def _active_users(*roles):
    return db.session.scalars(
        sa.select(User).where(User.role.in_(roles), User.active.is_(True)).order_by(User.id)).all()


def meeting_reminders(now: datetime) -> int:
    """Scheduled meetings starting within 48 h: agenda, invite and pre-read pack (PDF) to every
    committee member. The pack is built and stored once per meeting with a new reminder."""
    meetings = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.status == "scheduled", Meeting.starts_at > now,
               Meeting.starts_at <= now + MEETING_WINDOW)
        .options(selectinload(Meeting.agenda_items),
                 selectinload(Meeting.committee).selectinload(Committee.members)
                 .selectinload(CommitteeMember.user))
        .order_by(Meeting.starts_at, Meeting.id)).all()
    reminders = []
    for meeting in meetings:
        for member in meeting.committee.members:
            user = member.user
            if not user.active:
                continue
            reminders.append(Reminder(
                user_id=user.id, kind="meeting_reminder",
                dedupe_key=f"meeting-reminder:{meeting.id}:{user.id}:{meeting.ics_sequence}",
                subject=_l("Reminder: %(title)s", title=meeting.title),
                context={"meeting": meeting, "user": user, "member": member},
                entity="meeting", entity_id=meeting.id))
    _store_packs(reminders, now)
    return write(reminders, now)


def _store_packs(reminders, now):
    """The pre-read pack of each meeting with a reminder not written before, built and stored once
    (steering.pack.store): the mails attach it (notifications.mail)."""
    keys = [r.dedupe_key for r in reminders]
    if not keys:
        return
    written = set(db.session.scalars(sa.select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys))))
    for meeting_id in dict.fromkeys(r.entity_id for r in reminders if r.dedupe_key not in written):
        pack.store(meeting_id, now)


def action_item_reminders(now: datetime) -> int:
    """Open items due tomorrow and overdue ones to their owner; 7+ days overdue to the CX leaders."""
    today = local_date(now)
    week = iso_week(today)
    items = db.session.scalars(
        sa.select(ActionItem)
        .where(ActionItem.status == "open", ActionItem.due_on <= today + timedelta(days=1))
        .options(selectinload(ActionItem.owner))
        .order_by(ActionItem.due_on, ActionItem.id)).all()
    leaders = None
    reminders = []
    for item in items:
        owner = item.owner
        days_overdue = (today - item.due_on).days
        context = {"item": item, "days_overdue": days_overdue, "today": today}
        if days_overdue == -1:
            if owner.active:
                reminders.append(Reminder(
                    owner.id, "action_item_due", f"action-item-due:{item.id}:{item.due_on}:{owner.id}",
                    _l("Due tomorrow: %(title)s", title=item.title), context, "action_item", item.id))
            continue
        if days_overdue <= 0:
            continue  # due today: the morning of the day before was the reminder
        if owner.active:
            reminders.append(Reminder(
                owner.id, "action_item_overdue",
                f"action-item-overdue:{item.id}:{item.due_on}:{owner.id}:{week}",
                lazy_ngettext("Overdue by %(days)s day: %(title)s", "Overdue by %(days)s days: %(title)s",
                              days_overdue, days=days_overdue, title=item.title),
                context, "action_item", item.id))
        if days_overdue >= ESCALATION_DAYS:
            if leaders is None:
                leaders = _active_users("cx_leader")
            for leader in leaders:
                reminders.append(Reminder(
                    leader.id, "action_item_escalation",
                    f"action-item-escalation:{item.id}:{item.due_on}:{leader.id}",
                    lazy_ngettext("Action item %(days)s day overdue: %(title)s",
                                  "Action item %(days)s days overdue: %(title)s",
                                  days_overdue, days=days_overdue, title=item.title),
                    {**context, "leader": leader}, "action_item", item.id))
    return write(reminders, now)


def measurement_due(now: datetime) -> int:
    """Delivered 30/60/90 days ago and an impact metric not measured since: owner and journey owner.

    A milestone is sent on its day or, should that run be missed, on any day until the next
    milestone (or 30 days after the last); only the latest milestone reached is sent."""
    today = local_date(now)
    earliest = today - timedelta(days=max(MEASUREMENT_MILESTONES) + MILESTONE_GRACE_DAYS - 1)
    latest = today - timedelta(days=min(MEASUREMENT_MILESTONES))
    initiatives = db.session.scalars(
        sa.select(Initiative)
        .where(Initiative.status.in_(("delivered", "closed")),
               Initiative.delivered_on >= earliest, Initiative.delivered_on <= latest)
        .options(selectinload(Initiative.owner),
                 selectinload(Initiative.journey).selectinload(Journey.owner),
                 selectinload(Initiative.impacts).selectinload(Impact.metric))
        .order_by(Initiative.id)).all()
    initiatives = [i for i in initiatives if i.impacts]
    reminders = _reviews_due_soon(today)
    if not initiatives:
        return write(reminders, now)
    # Which (initiative, metric, journey) were measured after delivery: one query for all.
    measured = set(db.session.execute(
        sa.select(Impact.initiative_id, Impact.metric_id, Impact.journey_id)
        .join(Initiative, Initiative.id == Impact.initiative_id)
        .join(Measurement, sa.and_(Measurement.metric_id == Impact.metric_id,
                                   Measurement.journey_id == Impact.journey_id,
                                   Measurement.period_start > Initiative.delivered_on))
        .where(Impact.initiative_id.in_([i.id for i in initiatives]))
        .distinct()).all())
    for initiative in initiatives:
        days = (today - initiative.delivered_on).days
        reached = [m for m in MEASUREMENT_MILESTONES if days >= m]
        milestone = reached[-1]
        next_milestone = next((m for m in MEASUREMENT_MILESTONES if m > milestone),
                              milestone + MILESTONE_GRACE_DAYS)
        if days >= next_milestone:
            continue
        missing = [impact for impact in initiative.impacts
                   if (initiative.id, impact.metric_id, impact.journey_id) not in measured]
        if not missing:
            continue
        recipients = {user.id: user for user in (initiative.owner, initiative.journey.owner) if user.active}
        for user in recipients.values():
            reminders.append(Reminder(
                user.id, "measurement_due", f"measurement-due:{initiative.id}:{milestone}:{user.id}",
                _l("Time to measure the impact of %(title)s (%(days)s days after delivery)",
                   title=initiative.title, days=milestone),
                {"initiative": initiative, "milestone": milestone, "missing": missing, "user": user},
                "initiative", initiative.id))
    return write(reminders, now)


def _reviews_due_soon(today):
    """SPEC §8.4: a post-implementation review due within 7 days (or overdue by no more than the
    grace days) and still without a verdict: to the initiative's owner, once per review."""
    rows = db.session.execute(
        reviews.due_reviews(today + timedelta(days=REVIEW_NOTICE_DAYS),
                            since=today - timedelta(days=MILESTONE_GRACE_DAYS))
        .options(selectinload(Initiative.owner))).all()
    return [Reminder(initiative.owner.id, "review_due", f"review-due:{review.id}:{initiative.owner.id}",
                     partial(_review_subject, review.number, initiative.title, review.due_on),
                     {"initiative": initiative, "review": review, "user": initiative.owner},
                     "initiative", initiative.id)
            for review, initiative in rows if initiative.owner.active]


def _review_subject(number, title, due_on):
    return _("Review %(number)s of %(title)s is due on %(day)s", number=number, title=title, day=day(due_on))


def ambassador_inactivity(now: datetime) -> int:
    """Active ambassadors with no action logged in 30 days: to each, and one list to the CX leaders.

    An ambassador assigned less than 30 days ago is not inactive yet."""
    today = local_date(now)
    week = iso_week(today)
    cutoff = today - timedelta(days=INACTIVITY_DAYS)
    last_action = (sa.select(AmbassadorAction.ambassador_id,
                             sa.func.max(AmbassadorAction.occurred_on).label("last_on"))
                   .group_by(AmbassadorAction.ambassador_id).subquery())
    rows = db.session.execute(
        sa.select(Ambassador, last_action.c.last_on)
        .join(Ambassador.user)
        .outerjoin(last_action, last_action.c.ambassador_id == Ambassador.id)
        .where(Ambassador.ended_on.is_(None), Ambassador.started_on <= cutoff, User.active.is_(True),
               sa.or_(last_action.c.last_on.is_(None), last_action.c.last_on <= cutoff))
        .options(selectinload(Ambassador.user), selectinload(Ambassador.department))
        .order_by(Ambassador.id)).all()
    inactive = [{"ambassador": ambassador, "last_on": last_on} for ambassador, last_on in rows]
    reminders = []
    for entry in inactive:
        ambassador = entry["ambassador"]
        reminders.append(Reminder(
            ambassador.user_id, "ambassador_inactive",
            f"ambassador-inactive:{ambassador.id}:{ambassador.user_id}:{week}",
            _l("No CX action logged for %(department)s in %(days)s days",
               department=ambassador.department.name, days=INACTIVITY_DAYS),
            {**entry, "days": INACTIVITY_DAYS}, "ambassador", ambassador.id))
    if inactive:
        for leader in _active_users("cx_leader"):
            reminders.append(Reminder(
                leader.id, "ambassador_inactivity", f"ambassador-inactivity:{leader.id}:{week}",
                lazy_ngettext("%(count)s ambassador inactive for %(days)s days",
                              "%(count)s ambassadors inactive for %(days)s days",
                              len(inactive), count=len(inactive), days=INACTIVITY_DAYS),
                {"inactive": inactive, "days": INACTIVITY_DAYS}))
    return write(reminders, now)


def weekly_digest(now: datetime) -> int:
    """To CX leaders and executives: decided, delivered, overdue, and the ROI to date."""
    recipients = _active_users("cx_leader", "executive")
    if not recipients:
        return 0
    week = iso_week(local_date(now))
    context = digest.weekly_context(now)
    reminders = [Reminder(user.id, "weekly_digest", f"weekly-digest:{user.id}:{week}",
                          _l("CX governance this week (%(week)s)", week=week), {**context, "user": user})
                 for user in recipients]
    return write(reminders, now)


def daily_digest(now: datetime) -> int:
    return digest.daily_digest(now)


def deliver_notifications(now: datetime) -> int:
    return _deliver(now)


def run_imports(now: datetime) -> int:
    """Large measurement imports waiting in the background, and any abandoned by a dead process."""
    from cxgov.journeys.import_jobs import run_queued

    return run_queued(now)


JOBS = {
    "meeting-reminders": meeting_reminders,
    "action-item-reminders": action_item_reminders,
    "measurement-due": measurement_due,
    "ambassador-inactivity": ambassador_inactivity,
    "weekly-digest": weekly_digest,
    "daily-digest": daily_digest,
    "deliver-notifications": deliver_notifications,
    "run-imports": run_imports,
}


class UnknownJob(LookupError):
    pass


def run_job(name: str, now: datetime) -> int:
    """Run the job called `name` once at `now` (an aware instant), in one transaction: committed
    when the job ends, rolled back when it fails."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        job = JOBS[name]
    except KeyError:
        raise UnknownJob(f"unknown job {name!r}; jobs: {', '.join(JOBS)}") from None  # for operators
    with transactional():
        return job(now)
