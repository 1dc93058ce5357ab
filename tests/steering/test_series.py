"""Meeting series (SPEC §9): a new rule reschedules the meetings, the invite read by an
independent library (recurring-ical-events) gives the meetings there are, PARTSTAT per member."""
from datetime import datetime, timezone

import icalendar
import recurring_ical_events
from sqlalchemy import func, select

from cxgov.extensions import db
from cxgov.steering.models import Attendance, Meeting, MeetingSeries
from tests import factories
from tests.steering.helpers import PAST, client_for, governance_world

WEEKLY = {"title": "Weekly CX steering", "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=6",
          "first_starts_at": "2027-01-05T09:00:00+00:00", "duration_minutes": 60, "location": "Board room"}
UTC = timezone.utc


def _utc(text):
    return datetime.fromisoformat(text).astimezone(UTC)


def _calendar_instants(body, start=datetime(2000, 1, 1, tzinfo=UTC), end=datetime(2100, 1, 1, tzinfo=UTC)):
    """The starts of the events an independent library reads in the invite, in UTC, in order."""
    calendar = icalendar.Calendar.from_ical(body)
    return sorted(event.start.astimezone(UTC) for event in recurring_ical_events.of(calendar).between(start, end))


def _series(app, ids, body=WEEKLY):
    created = client_for(app, ids["chair"]).post(f"/api/committees/{ids['committee']}/series", json=body)
    assert created.status_code == 201, created.json
    return created.json


def _invited(app, meeting_id):
    with app.app_context():
        return db.session.scalar(select(func.count(Attendance.id)).where(Attendance.meeting_id == meeting_id))


# -- a new rule ------------------------------------------------------------------------------------

def test_a_new_rule_reschedules_the_meetings_that_follow_the_series(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    created = _series(app, ids)
    m = [row["id"] for row in created["meetings"]]  # Jan 5, 12, 19, 26, Feb 2, 9
    moved = leader.patch(f"/api/meetings/{m[1]}", json={"starts_at": "2027-01-13T15:00:00+00:00"})
    assert moved.json["series_detached"] is True
    with app.app_context():  # something recorded on the fourth: an agenda item
        factories.add_agenda_item(db.session.get(Meeting, m[3]), title="Journey review")
        db.session.commit()
    url = f"/api/series/{created['id']}"
    changed = leader.patch(url, json={"rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=4"})
    assert changed.status_code == 200, changed.json
    assert changed.json["rrule"] == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=4"
    assert changed.json["ics_sequence"] == created["ics_sequence"] + 1
    by_id = {row["id"]: row for row in changed.json["meetings"]}
    # kept: the occurrences the new rule still gives (Jan 5, 19, Feb 2), and the one moved on its own
    for kept in (m[0], m[2], m[4]):
        assert by_id[kept]["status"] == "scheduled"
    assert by_id[m[1]]["status"] == "scheduled"
    assert _utc(by_id[m[1]]["starts_at"]) == datetime(2027, 1, 13, 15, tzinfo=UTC)
    # no longer in the rule: cancelled when something was recorded on it, removed otherwise
    assert by_id[m[3]]["status"] == "cancelled" and by_id[m[3]]["ics_sequence"] == 1
    assert m[5] not in by_id
    with app.app_context():
        assert db.session.get(Meeting, m[5]) is None
    # the occurrence the rule newly gives has a meeting, every member invited
    new = [row for row in changed.json["meetings"] if row["id"] not in m]
    assert [_utc(row["starts_at"]) for row in new] == [datetime(2027, 2, 16, 9, tzinfo=UTC)]
    assert new[0]["series_id"] == created["id"] and _invited(app, new[0]["id"]) == 3
    # the invite: the rule's four, the moved one, not the cancelled one
    assert _calendar_instants(leader.get(f"{url}/invite.ics").data) == [
        datetime(2027, 1, 5, 9, tzinfo=UTC), datetime(2027, 1, 13, 15, tzinfo=UTC),
        datetime(2027, 1, 19, 9, tzinfo=UTC),
        datetime(2027, 2, 2, 9, tzinfo=UTC), datetime(2027, 2, 16, 9, tzinfo=UTC)]

    # back to the first rule: the cancelled meeting is scheduled again, the removed one made anew,
    # the one only the second rule gave (nothing recorded on it) removed
    again = leader.patch(url, json={"rrule": WEEKLY["rrule"]}).json
    by_start = {_utc(row["occurrence_at"]): row for row in again["meetings"]}
    assert len(again["meetings"]) == 6 and all(row["status"] == "scheduled" for row in again["meetings"])
    assert by_start[datetime(2027, 1, 26, 9, tzinfo=UTC)]["id"] == m[3]
    assert by_start[datetime(2027, 1, 26, 9, tzinfo=UTC)]["ics_sequence"] == 2
    assert datetime(2027, 2, 16, 9, tzinfo=UTC) not in by_start
    assert again["ics_sequence"] == created["ics_sequence"] + 2


def test_held_meetings_stay_when_the_rule_no_longer_gives_them(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    created = _series(app, ids, {**WEEKLY, "first_starts_at": "2026-10-06T09:00:00+00:00"})
    second = created["meetings"][1]["id"]
    with app.app_context():
        db.session.get(Meeting, second).status = "held"
        db.session.commit()
    changed = leader.patch(f"/api/series/{created['id']}", json={"rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=1"}).json
    assert [row["id"] for row in changed["meetings"]] == [created["meetings"][0]["id"], second]
    assert changed["meetings"][1]["status"] == "held"
    # the invite still has it (RDATE): the calendar keeps what happened
    body = leader.get(f"/api/series/{created['id']}/invite.ics").data
    assert _calendar_instants(body) == [datetime(2026, 10, 6, 9, tzinfo=UTC), datetime(2026, 10, 13, 9, tzinfo=UTC)]


def test_a_bad_rule_is_refused_naming_rrule_and_nothing_changes(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    created = _series(app, ids)
    url = f"/api/series/{created['id']}"
    for rule in ("FREQ=WEEKLY", "FREQ=DAILY;COUNT=61", "FREQ=SOMETIMES;COUNT=2", "FREQ=MONTHLY;BYDAY=9XX;COUNT=2",
                 "hello", "", "FREQ=WEEKLY;COUNT=2\nDTSTART:20270101T000000Z"):
        refused = leader.patch(url, json={"rrule": rule})
        assert refused.status_code == 422 and set(refused.json["errors"]) == {"rrule"}, rule
    after = leader.get(url).json
    assert after["rrule"] == WEEKLY["rrule"] and after["ics_sequence"] == created["ics_sequence"]
    assert after["meetings"] == created["meetings"]


def test_only_governance_changes_the_rule(app, login_as):
    ids = governance_world(app, starts_at=PAST)
    created = _series(app, ids)
    url = f"/api/series/{created['id']}"
    for client in (client_for(app, ids["member"]), client_for(app, ids["secretary"]), login_as("member")):
        assert client.patch(url, json={"rrule": "FREQ=WEEKLY;COUNT=2"}).status_code == 403
    with app.app_context():
        assert db.session.get(MeetingSeries, created["id"]).rrule == WEEKLY["rrule"]
        assert db.session.scalar(select(func.count(Meeting.id)).where(Meeting.series_id == created["id"])) == 6
    assert login_as("admin").patch(url, json={"rrule": "FREQ=WEEKLY;COUNT=2"}).status_code == 200


# -- the invite read by recurring-ical-events -------------------------------------------------------

def test_twelve_first_tuesdays_one_moved_one_cancelled_read_by_an_independent_library(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    created = _series(app, ids, {**WEEKLY, "rrule": "FREQ=MONTHLY;BYDAY=1TU;COUNT=12",
                                 "first_starts_at": "2027-01-05T09:00:00+00:00"})
    url = f"/api/series/{created['id']}/invite.ics"
    expected = [_utc(row["starts_at"]) for row in created["meetings"]]
    assert len(expected) == 12 and all(s.weekday() == 1 and s.day <= 7 for s in expected)
    assert _calendar_instants(leader.get(url).data) == expected
    fourth = created["meetings"][3]
    moved = leader.patch(f"/api/meetings/{fourth['id']}", json={"starts_at": "2027-04-08T15:00:00+00:00"})
    assert moved.status_code == 200
    expected[3] = datetime(2027, 4, 8, 15, tzinfo=UTC)
    assert _calendar_instants(leader.get(url).data) == expected
    calendar = icalendar.Calendar.from_ical(leader.get(url).data)
    april = recurring_ical_events.of(calendar).between(datetime(2027, 4, 1, tzinfo=UTC),
                                                       datetime(2027, 5, 1, tzinfo=UTC))
    assert [e.start.astimezone(UTC) for e in april] == [datetime(2027, 4, 8, 15, tzinfo=UTC)]
    cancelled = leader.patch(f"/api/meetings/{created['meetings'][6]['id']}", json={"status": "cancelled"})
    assert cancelled.status_code == 200
    del expected[6]
    assert _calendar_instants(leader.get(url).data) == expected


def test_a_series_across_a_daylight_saving_change_keeps_its_local_time(app):
    app.config["CXGOV_TIMEZONE"] = "Europe/Paris"
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    # Tuesdays 09:00 in Paris from 16 March 2027; summer time starts on Sunday 28 March
    created = _series(app, ids, {**WEEKLY, "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=4",
                                 "first_starts_at": "2027-03-16T09:00:00+01:00"})
    expected = [datetime(2027, 3, 16, 8, tzinfo=UTC), datetime(2027, 3, 23, 8, tzinfo=UTC),
                datetime(2027, 3, 30, 7, tzinfo=UTC), datetime(2027, 4, 6, 7, tzinfo=UTC)]
    assert [_utc(row["starts_at"]) for row in created["meetings"]] == expected
    url = f"/api/series/{created['id']}/invite.ics"
    assert _calendar_instants(leader.get(url).data) == expected
    # moved across the change on its own: one hour later on 30 March, local time
    leader.patch(f"/api/meetings/{created['meetings'][2]['id']}", json={"starts_at": "2027-03-30T10:00:00+02:00"})
    expected[2] = datetime(2027, 3, 30, 8, tzinfo=UTC)
    assert _calendar_instants(leader.get(url).data) == expected
    # the whole series an hour later: every meeting at 10:00 Paris time, summer and winter
    shifted = leader.patch(f"/api/series/{created['id']}", json={"first_starts_at": "2027-03-16T10:00:00+01:00"}).json
    starts = {row["id"]: _utc(row["starts_at"]) for row in shifted["meetings"]}
    assert starts[created["meetings"][3]["id"]] == datetime(2027, 4, 6, 8, tzinfo=UTC)
    assert starts[created["meetings"][0]["id"]] == datetime(2027, 3, 16, 9, tzinfo=UTC)
    assert _calendar_instants(leader.get(url).data) == sorted(starts.values())


# -- PARTSTAT -----------------------------------------------------------------------------------------

def _partstats(event):
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    return {str(a.params["CN"]): str(a.params["PARTSTAT"]) for a in attendees}


def test_the_meeting_invite_says_each_members_answer(app):
    ids = governance_world(app, starts_at=datetime(2099, 3, 1, 9, tzinfo=UTC))
    client_for(app, ids["member"]).put(f"/api/meetings/{ids['meeting']}/attendance/me", json={"status": "accepted"})
    client_for(app, ids["secretary"]).put(f"/api/meetings/{ids['meeting']}/attendance/me", json={"status": "declined"})
    body = client_for(app, ids["chair"]).get(f"/api/meetings/{ids['meeting']}/invite.ics").data
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert _partstats(event) == {"Member Person": "ACCEPTED", "Secretary Person": "DECLINED",
                                 "Chair Person": "NEEDS-ACTION"}


def test_attended_reads_accepted_and_absent_declined(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    url = f"/api/meetings/{ids['meeting']}/attendance"
    leader.put(f"{url}/{ids['member']}", json={"status": "attended"})
    leader.put(f"{url}/{ids['secretary']}", json={"status": "absent"})
    body = leader.get(f"/api/meetings/{ids['meeting']}/invite.ics").data
    event = icalendar.Calendar.from_ical(body).walk("VEVENT")[0]
    assert _partstats(event) == {"Member Person": "ACCEPTED", "Secretary Person": "DECLINED",
                                 "Chair Person": "NEEDS-ACTION"}


def test_the_series_invite_says_each_members_answer_per_occurrence(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    created = _series(app, ids, {**WEEKLY, "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=3",
                                 "first_starts_at": "2099-01-06T09:00:00+00:00"})
    for row in created["meetings"]:  # the member accepts all three, the secretary declines the second
        client_for(app, ids["member"]).put(f"/api/meetings/{row['id']}/attendance/me", json={"status": "accepted"})
    second = created["meetings"][1]
    client_for(app, ids["secretary"]).put(f"/api/meetings/{second['id']}/attendance/me", json={"status": "declined"})
    calendar = icalendar.Calendar.from_ical(leader.get(f"/api/series/{created['id']}/invite.ics").data)
    events = calendar.walk("VEVENT")
    main = next(e for e in events if "RECURRENCE-ID" not in e)
    assert _partstats(main) == {"Member Person": "ACCEPTED", "Secretary Person": "NEEDS-ACTION",
                                "Chair Person": "NEEDS-ACTION"}
    overrides = [e for e in events if "RECURRENCE-ID" in e]
    assert [o.decoded("RECURRENCE-ID").astimezone(UTC) for o in overrides] == [_utc(second["occurrence_at"])]
    assert _partstats(overrides[0])["Secretary Person"] == "DECLINED"
    occurrences = recurring_ical_events.of(calendar).between(datetime(2099, 1, 1, tzinfo=UTC),
                                                             datetime(2099, 2, 1, tzinfo=UTC))
    assert [_partstats(e)["Secretary Person"] for e in occurrences] == ["NEEDS-ACTION", "DECLINED", "NEEDS-ACTION"]
