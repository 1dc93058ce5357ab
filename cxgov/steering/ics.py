"""The iCalendar invite of a steering meeting (RFC 5545), built with the `icalendar` library.

The event's UID is the meeting's `ics_uid` and never changes; `ics_sequence` is raised by
the meeting service whenever the invite is re-issued (time, place or status changed), so
calendar clients update the event they already have instead of adding a second one.
"""
from datetime import timedelta

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vRecur, vText

from cxgov.db import load, utcnow
from cxgov.formatting import local_zone
from cxgov.steering.series import occurrences  # the same expansion that made the meetings


def _address(email, name, **params):
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def agenda_text(meeting):
    lines = [f"Agenda — {meeting.title}"]
    for number, item in enumerate(load(meeting, "agenda_items").agenda_items, start=1):
        minutes = f" ({item.duration_minutes} min)" if item.duration_minutes else ""
        lines.append(f"{number}. {item.title}{minutes}")
    if not meeting.agenda_items:
        lines.append("(agenda to follow)")
    return "\n".join(lines)


def build_invite(meeting) -> bytes:
    """The meeting as a VCALENDAR with one VEVENT: organiser, attendees, times with time zone."""
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
    for member in load(committee, "members").members:
        user = member.user
        event.add("attendee", _address(user.email, user.name, role="REQ-PARTICIPANT",
                                       partstat="NEEDS-ACTION", rsvp="TRUE"), encode=0)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _attendees(event, committee):
    for member in load(committee, "members").members:
        user = member.user
        event.add("attendee", _address(user.email, user.name, role="REQ-PARTICIPANT",
                                       partstat="NEEDS-ACTION", rsvp="TRUE"), encode=0)


def build_series_invite(series, meetings) -> bytes:
    """A meeting series as one recurring VEVENT (its RRULE from the first start) and, for each
    meeting that is not as the rule makes it (moved, renamed, resized, relocated or cancelled), an
    override VEVENT with the same UID naming its occurrence in RECURRENCE-ID. Occurrences whose
    meeting was deleted are left out (EXDATE)."""
    tz = local_zone()
    calendar = Calendar()
    calendar.add("prodid", "-//cxgov//steering committee//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    committee = series.committee
    chair = committee.chair
    organizer = _address(chair.email, chair.name) if chair is not None else _address(
        current_app.config["MAIL_DEFAULT_SENDER"], "cxgov")

    def event_for(starts_at, title, duration, location, cancelled=False):
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
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("organizer", organizer)
        _attendees(event, committee)
        return event

    rule = series.rrule.strip()
    rule = rule[len("RRULE:"):] if rule.upper().startswith("RRULE:") else rule
    main = event_for(series.first_starts_at, series.title, series.duration_minutes, series.location)
    main.add("rrule", vRecur.from_ical(rule))
    kept = {m.occurrence_at for m in meetings if m.occurrence_at is not None}
    missing = [instant for instant in occurrences(series.rrule, series.first_starts_at) if instant not in kept]
    if missing:
        main.add("exdate", [instant.astimezone(tz) for instant in missing])
    calendar.add_component(main)
    for meeting in meetings:
        if meeting.occurrence_at is None:
            continue
        as_ruled = (meeting.starts_at == meeting.occurrence_at and meeting.title == series.title
                    and meeting.duration_minutes == series.duration_minutes and meeting.location == series.location
                    and meeting.status != "cancelled")
        if as_ruled:
            continue
        override = event_for(meeting.starts_at, meeting.title, meeting.duration_minutes, meeting.location,
                             cancelled=meeting.status == "cancelled")
        override.add("recurrence-id", meeting.occurrence_at.astimezone(tz))
        calendar.add_component(override)
    calendar.add_missing_timezones()
    return calendar.to_ical()
