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
from sqlalchemy import select

from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.formatting import local_zone
from cxgov.rest import apply_changes
from cxgov.steering import services, standing
from cxgov.steering.models import Attendance, CommitteeMember, Meeting, MeetingSeries

MAX_OCCURRENCES = 60
# What a change of the series carries over to its meetings (`first_starts_at` as a shift in time).
CARRIED = ("title", "duration_minutes", "location")


def _refuse(message):
    raise Invalid("rrule is not a bounded recurrence rule.", errors={"rrule": [f"RRULE: {message}"]})


def occurrences(rule, first_starts_at):
    """The instants of `rule` from `first_starts_at` (in the organisation's time zone), at most
    MAX_OCCURRENCES; Invalid naming `rrule` when the rule is malformed, unbounded or too long."""
    text = (rule or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:"):]
    upper = text.upper()
    if not text or any(c in text for c in "\r\n") or "DTSTART" in upper:
        _refuse("give one rule such as FREQ=MONTHLY;BYDAY=1TU;COUNT=12 (no DTSTART, one line).")
    if "COUNT=" not in upper and "UNTIL=" not in upper:
        _refuse(f"unbounded; give COUNT or UNTIL (at most {MAX_OCCURRENCES} meetings).")
    start = first_starts_at.astimezone(local_zone())
    try:
        parsed = rrulestr(text, dtstart=start)
        found = list(itertools.islice(iter(parsed), MAX_OCCURRENCES + 1))
    except (ValueError, TypeError, OverflowError, KeyError, IndexError) as error:
        _refuse(f"not understood ({error}).")
    if not found:
        _refuse("it gives no meeting at all.")
    if len(found) > MAX_OCCURRENCES:
        _refuse(f"more than {MAX_OCCURRENCES} meetings; give a smaller COUNT or an earlier UNTIL.")
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
    user_ids = db.session.scalars(select(CommitteeMember.user_id)
                                  .where(CommitteeMember.committee_id == committee.id)).all()
    meetings = [Meeting(committee_id=committee.id, series_id=series.id, occurrence_at=instant, starts_at=instant,
                        title=series.title, duration_minutes=series.duration_minutes, location=series.location,
                        status="scheduled", ics_uid=f"{uuid.uuid4()}@cxgov", ics_sequence=0)
                for instant in instants]
    db.session.add_all(meetings)
    db.session.flush()
    db.session.add_all(Attendance(meeting_id=m.id, user_id=user_id, status="invited")
                       for m in meetings for user_id in user_ids)
    db.session.flush()
    standing.fill_next(actor, series.id, now)
    return series


def series_meetings(series):
    return db.session.scalars(select(Meeting).where(Meeting.series_id == series.id)
                              .order_by(Meeting.occurrence_at, Meeting.id)).all()


def update_series(actor, series, data):
    """Change the series; its meetings not yet held follow, except those changed on their own.
    A new `first_starts_at` shifts every occurrence by the same amount."""
    services.require_governance(actor)
    shift = None
    if "first_starts_at" in data:
        occurrences(series.rrule, data["first_starts_at"])
        shift = data["first_starts_at"] - series.first_starts_at
    changed = apply_changes(series, data)
    if not changed:
        return series
    series.ics_sequence += 1
    for meeting in series_meetings(series):
        if shift:
            meeting.occurrence_at = meeting.occurrence_at + shift
        if meeting.status == "held" or meeting.series_detached or services.is_published(meeting):
            continue
        changes = {name: getattr(series, name) for name in CARRIED if name in changed}
        if shift:
            changes["starts_at"] = meeting.starts_at + shift
        if apply_changes(meeting, changes).keys() & set(services.INVITE_FIELDS):
            meeting.ics_sequence += 1
    db.session.flush()
    return series
