"""Meeting series (SPEC §9): a committee's meetings on a rhythm, from an RFC 5545 RRULE.

The rule is parsed and expanded by python-dateutil (`rrulestr`), never by hand, in the
organisation's time zone so that a monthly 09:00 meeting stays at 09:00 across daylight saving.
A rule must be bounded (COUNT or UNTIL) and give at most MAX_OCCURRENCES meetings.

Each occurrence is a meeting with `series_id` and `occurrence_at` (the instant the rule gives it,
which the invite's RECURRENCE-ID names). Changing the series changes its meetings not yet held,
except those changed on their own (`series_detached`, set by the meeting service).
"""
import itertools
import uuid

from dateutil.rrule import rrulestr
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.formatting import local_zone
from cxgov.rest import apply_changes
from cxgov.steering import services, standing
from cxgov.steering.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingSeries,
)

MAX_OCCURRENCES = 60
# What a change of the series carries over to its meetings (`first_starts_at` as a shift in time).
CARRIED = ("title", "duration_minutes", "location")


def _refuse(message):
    raise Invalid(_("rrule is not a bounded recurrence rule."), errors={"rrule": [message]})


def occurrences(rule, first_starts_at):
    """The instants of `rule` from `first_starts_at` (in the organisation's time zone), at most
    MAX_OCCURRENCES; Invalid naming `rrule` when the rule is malformed, unbounded or too long."""
    text = (rule or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:"):]
    upper = text.upper()
    if not text or any(c in text for c in "\r\n") or "DTSTART" in upper:
        _refuse(_("RRULE: give one rule such as %(example)s (no DTSTART, one line).",
                  example="FREQ=MONTHLY;BYDAY=1TU;COUNT=12"))
    if "COUNT=" not in upper and "UNTIL=" not in upper:
        _refuse(_("RRULE: unbounded; give COUNT or UNTIL (at most %(most)s meetings).", most=MAX_OCCURRENCES))
    start = first_starts_at.astimezone(local_zone())
    try:
        parsed = rrulestr(text, dtstart=start)
        found = list(itertools.islice(iter(parsed), MAX_OCCURRENCES + 1))
    except (ValueError, TypeError, OverflowError, KeyError, IndexError) as error:
        _refuse(_("RRULE: not understood (%(error)s).", error=error))
    if not found:
        _refuse(_("RRULE: it gives no meeting at all."))
    if len(found) > MAX_OCCURRENCES:
        _refuse(_("RRULE: more than %(most)s meetings; give a smaller COUNT or an earlier UNTIL.",
                  most=MAX_OCCURRENCES))
    return found


def create_series(actor, committee, data, now=None):
    """The series and its meetings, every committee member invited to each; the next meeting to
    come (after `now`) has its agenda filled from the committee's standing sections."""
    services.require_governance(actor)
    instants = occurrences(data["rrule"], data["first_starts_at"])
    series = MeetingSeries(committee_id=committee.id, ics_uid=f"{uuid.uuid4()}@cxgov", ics_sequence=0,
                           title=data["title"], rrule=data["rrule"].strip(), first_starts_at=data["first_starts_at"],
                           duration_minutes=data.get("duration_minutes", 60), location=data.get("location"))
    db.session.add(series)
    db.session.flush()
    meetings = [Meeting(committee_id=committee.id, series_id=series.id, occurrence_at=instant, starts_at=instant,
                        title=series.title, duration_minutes=series.duration_minutes, location=series.location,
                        status="scheduled", ics_uid=f"{uuid.uuid4()}@cxgov", ics_sequence=0)
                for instant in instants]
    db.session.add_all(meetings)
    db.session.flush()
    _invite_members(committee.id, meetings)
    db.session.flush()
    standing.fill_next(actor, series.id, now)
    return series


def series_meetings(series):
    """The series' meetings in the order of the rule, their attendance loaded (for the invite)."""
    return db.session.scalars(select(Meeting).where(Meeting.series_id == series.id)
                              .options(selectinload(Meeting.attendance))
                              .order_by(Meeting.occurrence_at, Meeting.id)).all()


def _has_record(meeting_ids):
    """The meetings among `meeting_ids` that carry something of their own: an agenda item, a
    decision, an action item or a member's answer (anything but `invited`)."""
    if not meeting_ids:
        return set()
    found = set()
    for model, extra in ((AgendaItem, ()), (Decision, ()), (ActionItem, ()),
                         (Attendance, (Attendance.status != "invited",))):
        found |= set(db.session.scalars(select(model.meeting_id).where(model.meeting_id.in_(meeting_ids), *extra)))
    return found


def _invite_members(committee_id, meetings):
    user_ids = db.session.scalars(select(CommitteeMember.user_id)
                                  .where(CommitteeMember.committee_id == committee_id)).all()
    db.session.add_all(Attendance(meeting_id=m.id, user_id=user_id, status="invited")
                       for m in meetings for user_id in user_ids)


def _follows(meeting):
    """Whether changes of the series reach this meeting: not held, not published, not changed on its own."""
    return not (meeting.status == "held" or meeting.series_detached or services.is_published(meeting))


def _reschedule(series, meetings, instants):
    """Bring the meetings in line with a new rule (SPEC §9). A meeting that follows the series and
    whose occurrence the rule no longer gives is removed when nothing was recorded on it (no agenda
    item, decision, action item or member's answer), otherwise cancelled (kept on record, its invite
    re-issued as a cancellation). Held, published and detached meetings stay as they are. Each
    occurrence the rule newly gives gets a meeting, every member invited."""
    wanted = set(instants)
    for meeting in meetings:  # cancelled by an earlier rule, and given again by this one
        if _follows(meeting) and meeting.status == "cancelled" and meeting.occurrence_at in wanted:
            meeting.status = "scheduled"
            meeting.ics_sequence += 1
    dropped = [m for m in meetings if _follows(m) and m.occurrence_at not in wanted and m.status != "cancelled"]
    recorded = _has_record([m.id for m in dropped])
    for meeting in dropped:
        if meeting.id in recorded:
            meeting.status = "cancelled"
            meeting.ics_sequence += 1
        else:
            db.session.delete(meeting)
    have = {m.occurrence_at for m in meetings if m not in dropped}
    added = [Meeting(committee_id=series.committee_id, series_id=series.id, occurrence_at=instant,
                     starts_at=instant, title=series.title, duration_minutes=series.duration_minutes,
                     location=series.location, status="scheduled", ics_uid=f"{uuid.uuid4()}@cxgov", ics_sequence=0)
             for instant in instants if instant not in have]
    db.session.add_all(added)
    db.session.flush()
    _invite_members(series.committee_id, added)


def update_series(actor, series, data):
    """Change the series; its meetings not yet held follow, except those changed on their own.
    A new `first_starts_at` moves the n-th occurrence to the n-th from the new start; a new `rrule`
    (checked like a new series') reschedules them (`_reschedule`). Any change raises the series'
    SEQUENCE, so calendars replace the recurring event they hold."""
    services.require_governance(actor)
    rule = data.get("rrule", series.rrule).strip()
    first = data.get("first_starts_at", series.first_starts_at)
    if "rrule" in data or "first_starts_at" in data:
        instants = occurrences(rule, first)
    if "rrule" in data:
        data = {**data, "rrule": rule}
    moved = {}
    if "first_starts_at" in data and data["first_starts_at"] != series.first_starts_at:
        # The n-th occurrence moves to the n-th of the rule from the new start: the same local
        # time on either side of a daylight saving change.
        moved = dict(zip(occurrences(series.rrule, series.first_starts_at),
                         occurrences(series.rrule, data["first_starts_at"]), strict=False))
        shift = data["first_starts_at"] - series.first_starts_at
    changed = apply_changes(series, data)
    if not changed:
        return series
    series.ics_sequence += 1
    meetings = series_meetings(series)
    for meeting in meetings:
        delta = None
        if moved:
            before = meeting.occurrence_at
            meeting.occurrence_at = moved.get(before, before + shift)
            delta = meeting.occurrence_at - before
        if not _follows(meeting):
            continue
        changes = {name: getattr(series, name) for name in CARRIED if name in changed}
        if delta:
            changes["starts_at"] = meeting.starts_at + delta
        if apply_changes(meeting, changes).keys() & set(services.INVITE_FIELDS):
            meeting.ics_sequence += 1
    if changed.keys() & {"rrule", "first_starts_at"}:
        _reschedule(series, meetings, instants)
        db.session.flush()
        # The next meeting may be a new one: it starts from the standing sections too.
        standing.fill_next(actor, series.id)
    db.session.flush()
    return series
