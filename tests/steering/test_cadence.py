"""Steering cadence (SPEC §9): members answer invitations, quorum, outcomes per agenda item."""
from datetime import datetime, timezone

from sqlalchemy import select

from cxgov.extensions import db
from cxgov.steering.models import Attendance
from tests.conftest import csrf_token, sign_in_session
from tests.steering.helpers import PAST, client_for, count, governance_world

FUTURE = datetime(2099, 3, 1, 9, 0, tzinfo=timezone.utc)


def _status(app, meeting_id, user_id):
    with app.app_context():
        return db.session.scalar(select(Attendance.status).where(Attendance.meeting_id == meeting_id,
                                                                 Attendance.user_id == user_id))


# -- answering an invitation ------------------------------------------------------------------

def test_a_member_accepts_then_declines_their_invitation(app):
    ids = governance_world(app, starts_at=FUTURE)
    member = client_for(app, ids["member"])
    url = f"/api/meetings/{ids['meeting']}/attendance/me"
    accepted = member.put(url, json={"status": "accepted"})
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    assert accepted.json["user_id"] == ids["member"] and accepted.headers["ETag"]
    assert _status(app, ids["meeting"], ids["member"]) == "accepted"
    assert member.put(url, json={"status": "declined"}).json["status"] == "declined"
    assert _status(app, ids["meeting"], ids["member"]) == "declined"
    assert count(app, Attendance) == 1  # one row for the member, changed in place


def test_only_members_answer_and_only_accept_or_decline(app, login_as):
    ids = governance_world(app, starts_at=FUTURE)
    url = f"/api/meetings/{ids['meeting']}/attendance/me"
    for outsider in (login_as("cx_leader"), login_as("admin"), login_as("member")):
        refused = outsider.put(url, json={"status": "accepted"})
        assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert count(app, Attendance) == 0
    member = client_for(app, ids["member"])
    for status in ("attended", "absent", "invited", "maybe"):
        refused = member.put(url, json={"status": status})
        assert refused.status_code == 422 and "status" in refused.json["errors"]
    assert member.put(url, json={"status": "accepted", "note": "x"}).status_code == 422
    assert member.put("/api/meetings/999999/attendance/me", json={"status": "accepted"}).status_code == 404
    assert count(app, Attendance) == 0


def test_a_held_or_cancelled_meeting_takes_no_answer(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    leader.patch(f"/api/meetings/{ids['meeting']}", json={"status": "cancelled"})
    refused = client_for(app, ids["member"]).put(f"/api/meetings/{ids['meeting']}/attendance/me",
                                                 json={"status": "accepted"})
    assert refused.status_code == 409
    assert _status(app, ids["meeting"], ids["member"]) is None


def test_a_member_answers_on_the_meeting_page(app):
    ids = governance_world(app, starts_at=FUTURE)
    client = sign_in_session(app, app.test_client(), ids["member"])
    page = f"/meetings/{ids['meeting']}"
    html = client.get(page).get_data(as_text=True)
    assert "Your answer" in html and ">Accept<" in html and ">Decline<" in html
    response = client.post(f"{page}/attendance/me", data={"status": "accepted", "csrf_token": csrf_token(client, page)})
    assert response.status_code == 302
    assert _status(app, ids["meeting"], ids["member"]) == "accepted"
    assert "You accepted the invitation" in client.get(page).get_data(as_text=True)


def test_the_answer_form_is_only_for_members(app, page_as):
    ids = governance_world(app, starts_at=FUTURE)
    leader = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"
    assert "Your answer" not in leader.get(page).get_data(as_text=True)
    response = leader.post(f"{page}/attendance/me", data={"status": "accepted", "csrf_token": csrf_token(leader, page)})
    assert response.status_code == 403
    assert count(app, Attendance) == 0
