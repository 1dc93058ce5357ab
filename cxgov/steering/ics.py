"""The iCalendar invite of a steering meeting (RFC 5545), built with the `icalendar` library.

The event's UID is the meeting's `ics_uid` and never changes; `ics_sequence` is raised by
the meeting service whenever the invite is re-issued (time, place or status changed), so
calendar clients update the event they already have instead of adding a second one.

Its words (the agenda in DESCRIPTION) are in the reader's language: the recipient's when the
invite is mailed to a person (`recipient`), else the language of whoever downloads it (a feed for
the committee). SUMMARY is the meeting's own title, as written. Times carry the organisation's
time zone (TZID), which calendar clients show in their own.
"""
from contextlib import nullcontext
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, vCalAddress, vRecur, vText

from cxgov.db import load, utcnow
from cxgov.formatting import local_zone
from cxgov.i18n import speaking_to
from cxgov.steering.series import occurrences  # the same expansion that made the meetings


def _address(email, name, **params):
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


# A member's attendance as their participation status (RFC 5545 PARTSTAT). Marked `absent` reads
# DECLINED: the meeting is over and they did not take part, so no answer is awaited any more.
PARTSTAT = {"invited": "NEEDS-ACTION", "accepted": "ACCEPTED", "declined": "DECLINED",
            "attended": "ACCEPTED", "absent": "DECLINED"}


def partstats(meeting):
    """Each member's PARTSTAT for `meeting` by user id (attendance must be loaded)."""
    return {row.user_id: PARTSTAT[row.status] for row in meeting.attendance}


def _add_attendees(event, committee, answers):
    """The committee's members as ATTENDEE lines with their name (CN) and PARTSTAT; a member
    with no answer on record NEEDS-ACTION."""
    for member in load(committee, "members").members:
        user = member.user
        event.add("attendee", _address(user.email, user.name, role="REQ-PARTICIPANT",
                                       partstat=answers.get(user.id, "NEEDS-ACTION"), rsvp="TRUE"), encode=0)


def agenda_text(meeting):
    lines = [_("Agenda — %(title)s", title=meeting.title)]
    for number, item in enumerate(load(meeting, "agenda_items").agenda_items, start=1):
        if item.duration_minutes:
            lines.append(_("%(number)s. %(title)s (%(minutes)s min)", number=number, title=item.title,
                           minutes=item.duration_minutes))
        else:
            lines.append(f"{number}. {item.title}")
    if not meeting.agenda_items:
        lines.append(_("(agenda to follow)"))
    return "\n".join(lines)


def build_invite(meeting, recipient=None) -> bytes:
    """The meeting as a VCALENDAR with one VEVENT: organiser, attendees, times with time zone;
    `recipient`: the person it is mailed to, whose language its text is in."""
    with speaking_to(recipient) if recipient is not None else nullcontext():
        return _build_invite(meeting)


def _build_invite(meeting):
    tz = local_zone()
    cancelled = meeting.status == "cancelled"
    calendar = Calendar()
    calendar.add("prodid", "-//cxgov//steering committee//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")

    event = Event()
    event.add("uid", meeting.ics_uid)
    event.add("sequence", meeting.ics_sequence)
    event.add("dtstamp", utcnow())
    start = meeting.starts_at.astimezone(tz)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", meeting.title)
    if meeting.location:
        event.add("location", meeting.location)
    event.add("description", agenda_text(meeting))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")

    committee = meeting.committee
    chair = committee.chair
    if chair is not None:
        event.add("organizer", _address(chair.email, chair.name))
    else:
        sender = current_app.config["MAIL_DEFAULT_SENDER"]
        event.add("organizer", _address(sender, "cxgov"))
    _add_attendees(event, committee, partstats(load(meeting, "attendance")))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def build_series_invite(series, meetings) -> bytes:
    """A meeting series as one recurring VEVENT (its RRULE from the first start) and, for each
    meeting that is not as the rule makes it (moved, renamed, resized, relocated, or a member's
    answer differs from the one on the recurring event), an override VEVENT with the same UID
    naming its occurrence in RECURRENCE-ID.

    Occurrences whose meeting was cancelled or deleted are left out (EXDATE). A meeting kept
    although the rule no longer gives its occurrence (held, or changed on its own, before the rule
    changed) is added back by RDATE. The recurring event's PARTSTAT of a member is their answer
    when it is the same for every meeting of the series not yet held, NEEDS-ACTION otherwise.
    `meetings` must have their attendance loaded."""
    tz = local_zone()
    calendar = Calendar()
    calendar.add("prodid", "-//cxgov//steering committee//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    committee = series.committee
    chair = committee.chair
    organizer = _address(chair.email, chair.name) if chair is not None else _address(
        current_app.config["MAIL_DEFAULT_SENDER"], "cxgov")

    def event_for(starts_at, title, duration, location, answers):
        event = Event()
        event.add("uid", series.ics_uid)
        event.add("sequence", series.ics_sequence)
        event.add("dtstamp", utcnow())
        start = starts_at.astimezone(tz)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=duration))
        event.add("summary", title)
        if location:
            event.add("location", location)
        event.add("status", "CONFIRMED")
        event.add("organizer", organizer)
        _add_attendees(event, committee, answers)
        return event

    rule = series.rrule.strip()
    rule = rule[len("RRULE:"):] if rule.upper().startswith("RRULE:") else rule
    ruled = occurrences(series.rrule, series.first_starts_at)
    in_rule = set(ruled)
    dated = [m for m in meetings if m.occurrence_at is not None]
    live = [m for m in dated if m.status != "cancelled"]
    answers = {m.id: partstats(m) for m in live}
    upcoming = [answers[m.id] for m in live if m.status == "scheduled"] or list(answers.values())
    user_ids = {user_id for one in upcoming for user_id in one}
    common = {}
    for user_id in user_ids:
        seen = {one.get(user_id, "NEEDS-ACTION") for one in upcoming}
        common[user_id] = seen.pop() if len(seen) == 1 else "NEEDS-ACTION"

    main = event_for(series.first_starts_at, series.title, series.duration_minutes, series.location, common)
    main.add("rrule", vRecur.from_ical(rule))
    kept = {m.occurrence_at for m in live}
    missing = [instant for instant in ruled if instant not in kept]
    if missing:
        main.add("exdate", [instant.astimezone(tz) for instant in missing])
    extra = sorted(m.occurrence_at for m in live if m.occurrence_at not in in_rule)
    if extra:
        main.add("rdate", [instant.astimezone(tz) for instant in extra])
    calendar.add_component(main)
    members = {member.user_id for member in load(committee, "members").members}
    for meeting in live:
        mine = {user_id: answers[meeting.id].get(user_id, "NEEDS-ACTION") for user_id in members}
        as_ruled = (meeting.starts_at == meeting.occurrence_at and meeting.title == series.title
                    and meeting.duration_minutes == series.duration_minutes and meeting.location == series.location
                    and all(mine[u] == common.get(u, "NEEDS-ACTION") for u in members))
        if as_ruled:
            continue
        override = event_for(meeting.starts_at, meeting.title, meeting.duration_minutes, meeting.location,
                             answers[meeting.id])
        override.add("recurrence-id", meeting.occurrence_at.astimezone(tz))
        calendar.add_component(override)
    calendar.add_missing_timezones()
    return calendar.to_ical()
