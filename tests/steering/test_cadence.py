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


# -- quorum -------------------------------------------------------------------------------------

def _attend(app, meeting_id, *user_ids, status="attended"):
    with app.app_context():
        for user_id in user_ids:
            db.session.add(Attendance(meeting_id=meeting_id, user_id=user_id, status=status))
        db.session.commit()


def test_the_default_quorum_is_more_than_half_the_members(app):
    ids = governance_world(app, starts_at=PAST)  # three members: the quorum is two
    leader = client_for(app, ids["chair"])
    committee = leader.get(f"/api/committees/{ids['committee']}").json
    assert (committee["quorum"], committee["effective_quorum"]) == (None, 2)
    url = f"/api/meetings/{ids['meeting']}"
    _attend(app, ids["meeting"], ids["member"])
    refused = leader.patch(url, json={"status": "held"})
    assert refused.status_code == 409 and "quorum_note" in refused.json["errors"]
    assert "Only 1 of the 2 members" in refused.json["detail"]
    assert leader.get(url).json["status"] == "scheduled"
    _attend(app, ids["meeting"], ids["secretary"])
    held = leader.patch(url, json={"status": "held"})
    assert held.status_code == 200 and held.json["status"] == "held" and held.json["quorum_note"] is None


def test_below_quorum_a_note_lets_the_meeting_be_held_and_is_kept(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    url = f"/api/meetings/{ids['meeting']}"
    # a guest who attended does not count, nor does a member who was absent
    with app.app_context():
        from tests import factories
        guest = factories.create_user(name="Guest").id
        db.session.commit()
    _attend(app, ids["meeting"], guest, ids["chair"])
    _attend(app, ids["meeting"], ids["member"], status="absent")
    assert leader.patch(url, json={"status": "held", "quorum_note": "   "}).status_code == 409
    held = leader.patch(url, json={"status": "held", "quorum_note": " Budget vote deferred to email. "})
    assert held.status_code == 200 and held.json["quorum_note"] == "Budget vote deferred to email."
    assert leader.get(url).json["quorum_note"] == "Budget vote deferred to email."


def test_a_committee_sets_its_own_quorum(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    committee_url = f"/api/committees/{ids['committee']}"
    for bad in (0, -1, "two", 1.5, 10**6):
        refused = leader.patch(committee_url, json={"quorum": bad})
        assert refused.status_code == 422 and "quorum" in refused.json["errors"], bad
    assert leader.patch(committee_url, json={"quorum": 1}).json["effective_quorum"] == 1
    _attend(app, ids["meeting"], ids["member"])
    assert leader.patch(f"/api/meetings/{ids['meeting']}", json={"status": "held"}).status_code == 200
    assert leader.patch(committee_url, json={"quorum": None}).json["effective_quorum"] == 2


def test_the_meeting_page_shows_present_against_quorum_and_takes_a_note(app):
    ids = governance_world(app, starts_at=PAST)
    _attend(app, ids["meeting"], ids["member"])
    client = sign_in_session(app, app.test_client(), ids["chair"])
    page = f"/meetings/{ids['meeting']}"
    html = client.get(page).get_data(as_text=True)
    assert "Present: <strong>1</strong> of 3 members · quorum 2" in html
    assert 'name="quorum_note"' in html and "Below quorum" in html
    client.post(f"{page}/status", data={"status": "held", "csrf_token": csrf_token(client, page)})
    html = client.get(page).get_data(as_text=True)
    assert "quorum_note" in html or "say why" in html
    assert client_for(app, ids["chair"]).get(f"/api/meetings/{ids['meeting']}").json["status"] == "scheduled"
    client.post(f"{page}/status", data={"status": "held", "quorum_note": "Two members were ill.",
                                        "csrf_token": csrf_token(client, page)})
    html = client.get(page).get_data(as_text=True)
    assert "Held below quorum: Two members were ill." in html
