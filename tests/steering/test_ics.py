"""GET /api/meetings/{id}/invite.ics: a valid iCalendar event that re-issues keep updating."""
from datetime import datetime, timedelta, timezone

from icalendar import Calendar

from tests.steering.helpers import governance_world


def _event(response):
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return calendar, events[0]


def test_invite_carries_organiser_attendees_times_and_agenda(login_as, app):
    ids = governance_world(app)
    leader = login_as("cx_leader")
    leader.post(f"/api/meetings/{ids['meeting']}/agenda-items", json={"title": "Approve the returns pilot",
                                                                      "duration_minutes": 20})
    calendar, event = _event(login_as("member").get(f"/api/meetings/{ids['meeting']}/invite.ics"))
    assert str(calendar["method"]) == "REQUEST"
    with app.app_context():
        from cxgov.extensions import db
        from cxgov.org.models import User

        emails = {db.session.get(User, ids[k]).email for k in ("chair", "secretary", "member")}
        chair_email = db.session.get(User, ids["chair"]).email
    attendees = event.get("attendee")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert {str(a).removeprefix("mailto:") for a in attendees} == emails
    assert str(event["organizer"]) == f"mailto:{chair_email}"
    start = event.decoded("dtstart")
    assert start.tzinfo is not None
    assert start == datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    assert event.decoded("dtend") - start == timedelta(minutes=90)
    assert "TZID" in event["dtstart"].params or start.utcoffset() == timedelta(0)
    assert str(event["location"]) == "Board room"
    assert "Approve the returns pilot (20 min)" in str(event["description"])
    assert str(event["uid"]).endswith("@cxgov")


def test_invite_honours_the_configured_time_zone(login_as, app):
    app.config["CXGOV_TIMEZONE"] = "Europe/Paris"
    ids = governance_world(app)
    _, event = _event(login_as("member").get(f"/api/meetings/{ids['meeting']}/invite.ics"))
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert event.decoded("dtstart") == datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def test_reissued_invite_keeps_uid_and_raises_sequence(login_as, app):
    ids = governance_world(app)
    leader = login_as("cx_leader")
    created = leader.post("/api/meetings", json={"committee_id": ids["committee"], "title": "January",
                                                 "starts_at": "2027-01-12T09:00:00Z"}).json
    url = f"/api/meetings/{created['id']}"
    _, first = _event(leader.get(f"{url}/invite.ics"))
    leader.patch(url, json={"starts_at": "2027-01-13T09:00:00Z"})
    _, second = _event(leader.get(f"{url}/invite.ics"))
    assert str(second["uid"]) == str(first["uid"]) == created["ics_uid"]
    assert int(second["sequence"]) == int(first["sequence"]) + 1
    assert second.decoded("dtstart") == datetime(2027, 1, 13, 9, 0, tzinfo=timezone.utc)
    leader.patch(url, json={"status": "cancelled"})
    calendar, third = _event(leader.get(f"{url}/invite.ics"))
    assert str(calendar["method"]) == "CANCEL" and str(third["status"]) == "CANCELLED"
    assert int(third["sequence"]) == int(second["sequence"]) + 1


def test_missing_meeting_invite_is_404(login_as):
    assert login_as("member").get("/api/meetings/999/invite.ics").status_code == 404


def test_openapi_documents_the_steering_operations(app):
    with app.test_request_context():
        spec = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    invite = spec["paths"]["/api/meetings/{meeting_id}/invite.ics"]["get"]["responses"]
    assert "text/calendar" in invite["200"]["content"] and "404" in invite
    transitions = spec["paths"]["/api/initiatives/{initiative_id}/transitions"]["post"]["responses"]
    assert {"201", "403", "409", "422"} <= set(transitions)
    for path in ("/api/committees/{committee_id}/members/{member_id}", "/api/action-items/{item_id}",
                 "/api/meetings/{meeting_id}/agenda-items/order", "/api/meetings/{meeting_id}/minutes/publish"):
        assert path in spec["paths"]


def _without_stamp(data):
    """The invite without DTSTAMP, the instant it was made (it differs between two requests)."""
    return b"\n".join(line for line in data.splitlines() if not line.startswith(b"DTSTAMP"))


def test_the_meeting_page_links_a_page_invite_a_signed_in_browser_can_open(app, page_as, login_as):
    ids = governance_world(app)
    page = page_as("member")
    html = page.get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
    assert f'href="/meetings/{ids["meeting"]}/invite.ics"' in html
    assert "/api/meetings" not in html  # the API's invite takes bearer tokens only
    response = page.get(f"/meetings/{ids['meeting']}/invite.ics")
    calendar, event = _event(response)
    assert response.headers["Content-Disposition"] == f'attachment; filename="meeting-{ids["meeting"]}.ics"'
    api = login_as("member").get(f"/api/meetings/{ids['meeting']}/invite.ics")
    assert _without_stamp(response.data) == _without_stamp(api.data)


def test_the_page_invite_needs_a_session_and_a_meeting(app, client, page_as):
    ids = governance_world(app)
    response = client.get(f"/meetings/{ids['meeting']}/invite.ics")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert page_as("member").get("/meetings/999999/invite.ics").status_code == 404
