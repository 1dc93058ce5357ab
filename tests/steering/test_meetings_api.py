"""Committees, meetings, agenda ordering, attendance, decisions and published minutes."""
from datetime import datetime, timezone

from sqlalchemy import select

from cxgov.extensions import db
from cxgov.initiatives.models import Initiative
from cxgov.steering.models import (
    AgendaItem,
    Attendance,
    Committee,
    CommitteeMember,
    Decision,
    Meeting,
    MinutesCorrection,
)
from tests import factories
from tests.steering.helpers import PAST, attend_all, client_for, count, get, governance_world


def test_committee_with_members(login_as, app):
    leader = login_as("cx_leader")
    with app.app_context():
        department = factories.create_department()
        person = factories.create_user(department_id=department.id)
        person_id, department_id = person.id, department.id
    created = leader.post(
        "/api/committees", json={"name": "CX steering", "charter": "Steer CX", "chair_id": leader.user_id}
    )
    assert created.status_code == 201 and created.headers["ETag"]
    committee_id = created.json["id"]
    added = leader.post(
        f"/api/committees/{committee_id}/members", json={"user_id": person_id, "member_role": "secretary"}
    )
    assert added.status_code == 201
    assert added.json["department_id"] == department_id  # defaults to the user's own department
    assert leader.post(f"/api/committees/{committee_id}/members", json={"user_id": person_id}).status_code == 409
    body = leader.get(f"/api/committees/{committee_id}").json
    assert [m["user"]["id"] for m in body["members"]] == [person_id]
    assert leader.post("/api/committees", json={"name": "CX steering"}).status_code == 409
    member_id = added.json["id"]
    changed = leader.patch(f"/api/committees/{committee_id}/members/{member_id}", json={"member_role": "chair"})
    assert changed.json["member_role"] == "chair"
    assert leader.delete(f"/api/committees/{committee_id}/members/{member_id}").status_code == 204
    members = leader.get(f"/api/committees/{committee_id}/members").json
    assert members == {"items": [], "total": 0, "page": 1, "page_size": 50}


def test_committee_bad_input_names_fields_and_writes_nothing(login_as, app):
    leader = login_as("cx_leader")
    response = leader.post("/api/committees", json={"name": "", "chair_id": 9999, "colour": "red"})
    assert response.status_code == 422
    assert set(response.json["errors"]) >= {"name", "colour"}
    response = leader.post("/api/committees", json={"name": "X", "chair_id": 9999})
    assert response.status_code == 422 and "chair_id" in response.json["errors"]
    response = leader.post("/api/committees", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert count(app, Committee) == 0
    with app.app_context():
        committee_id = factories.create_committee().id
    response = leader.post(f"/api/committees/{committee_id}/members", json={"user_id": 9999, "member_role": "boss"})
    assert response.status_code == 422 and set(response.json["errors"]) == {"member_role"}
    response = leader.post(f"/api/committees/{committee_id}/members", json={"user_id": 9999})
    assert response.status_code == 422 and set(response.json["errors"]) == {"user_id"}
    assert count(app, CommitteeMember) == 0


def test_a_committee_with_meetings_is_not_deleted(login_as, app):
    ids = governance_world(app)
    assert login_as("admin").delete(f"/api/committees/{ids['committee']}").status_code == 409
    assert count(app, Committee) == 1


def test_creating_a_meeting_invites_every_member(login_as, app):
    ids = governance_world(app)
    leader = login_as("cx_leader")
    response = leader.post("/api/meetings", json={
        "committee_id": ids["committee"], "title": "December steering", "starts_at": "2026-12-10T10:00:00+01:00",
        "duration_minutes": 90, "location": "Room 4",
    })
    assert response.status_code == 201
    body = response.json
    assert body["status"] == "scheduled" and body["ics_sequence"] == 0
    assert body["ics_uid"].endswith("@cxgov")
    assert body["starts_at"] == "2026-12-10T09:00:00+00:00"
    attendance = leader.get(f"/api/meetings/{body['id']}/attendance").json["items"]
    assert sorted(row["user_id"] for row in attendance) == sorted([ids["chair"], ids["secretary"], ids["member"]])
    assert {row["status"] for row in attendance} == {"invited"}


def test_meeting_bad_input(login_as, app):
    ids = governance_world(app)
    leader = login_as("cx_leader")
    before = count(app, Meeting)
    response = leader.post("/api/meetings", json={"committee_id": ids["committee"], "title": "",
                                                  "starts_at": "2026-12-10T10:00:00", "duration_minutes": 0})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"title", "starts_at", "duration_minutes"}
    response = leader.post(
        "/api/meetings", json={"committee_id": 999, "title": "T", "starts_at": "2026-12-10T10:00:00Z"}
    )
    assert response.status_code == 422 and set(response.json["errors"]) == {"committee_id"}
    response = leader.patch(f"/api/meetings/{ids['meeting']}", json={"committee_id": 5, "status": "over"})
    assert response.status_code == 422 and set(response.json["errors"]) == {"committee_id", "status"}
    assert count(app, Meeting) == before


def test_meeting_list_filters(login_as, app):
    ids = governance_world(app)
    with app.app_context():
        committee = db.session.get(Committee, ids["committee"])
        factories.create_meeting(committee, starts_at=datetime(2027, 1, 5, 9, tzinfo=timezone.utc), status="cancelled")
        factories.create_meeting(factories.create_committee(), starts_at=datetime(2027, 2, 5, 9, tzinfo=timezone.utc))
    api = login_as("member")
    assert api.get("/api/meetings").json["total"] == 3
    assert api.get(f"/api/meetings?committee_id={ids['committee']}").json["total"] == 2
    assert api.get("/api/meetings?status=cancelled").json["total"] == 1
    body = api.get("/api/meetings?from=2027-01-01T00:00:00Z&to=2027-02-01T00:00:00Z").json
    assert [m["title"] for m in body["items"]] and body["total"] == 1
    assert api.get("/api/meetings?from=yesterday").status_code == 422


def test_invite_sequence_rises_only_when_the_invite_changes(login_as, app):
    ids = governance_world(app)
    leader = login_as("cx_leader")
    url = f"/api/meetings/{ids['meeting']}"
    assert leader.patch(url, json={"title": "Renamed"}).json["ics_sequence"] == 0
    assert leader.patch(url, json={"location": "Room 9"}).json["ics_sequence"] == 1
    assert leader.patch(url, json={"location": "Room 9"}).json["ics_sequence"] == 1
    assert leader.patch(url, json={"starts_at": "2026-12-02T09:00:00Z"}).json["ics_sequence"] == 2
    assert leader.patch(url, json={"duration_minutes": 30}).json["ics_sequence"] == 3
    assert leader.patch(url, json={"status": "cancelled"}).json["ics_sequence"] == 4
    assert leader.patch(url, json={"status": "scheduled"}).json["ics_sequence"] == 5


def test_marking_a_meeting_held_does_not_reissue_the_invite(login_as, app):
    ids = governance_world(app, starts_at=PAST)
    attend_all(app, ids)
    body = login_as("cx_leader").patch(f"/api/meetings/{ids['meeting']}", json={"status": "held"}).json
    assert (body["status"], body["ics_sequence"]) == ("held", 0)


def test_if_match_is_honoured(login_as, app):
    ids = governance_world(app)
    leader = login_as("cx_leader")
    url = f"/api/meetings/{ids['meeting']}"
    etag = leader.get(url).headers["ETag"]
    assert leader.patch(url, json={"title": "One"}, headers={"If-Match": etag}).status_code == 200
    assert leader.patch(url, json={"title": "Two"}, headers={"If-Match": etag}).status_code == 412
    assert leader.get(url).json["title"] == "One"


def test_a_meeting_cannot_be_held_before_it_starts(login_as, app):
    ids = governance_world(app, starts_at=datetime(2099, 1, 1, tzinfo=timezone.utc))
    response = login_as("cx_leader").patch(f"/api/meetings/{ids['meeting']}", json={"status": "held"})
    assert response.status_code == 422 and "status" in response.json["errors"]


# -- agenda ------------------------------------------------------------------------------------

def _titles(api, meeting_id):
    items = api.get(f"/api/meetings/{meeting_id}/agenda-items").json["items"]
    assert [item["position"] for item in items] == list(range(len(items)))
    return [item["title"] for item in items]


def test_agenda_items_stay_densely_ordered(login_as, app):
    ids = governance_world(app)
    leader = login_as("cx_leader")
    base = f"/api/meetings/{ids['meeting']}/agenda-items"
    b = leader.post(base, json={"title": "B"}).json
    first = leader.post(base, json={"title": "First", "position": 0}).json
    assert _titles(leader, ids["meeting"]) == ["First", "Welcome", "B"]
    leader.patch(f"{base}/{b['id']}", json={"position": 0})
    assert _titles(leader, ids["meeting"]) == ["B", "First", "Welcome"]
    response = leader.put(f"{base}/order", json={"ids": [ids["item"], first["id"], b["id"]]})
    assert [item["title"] for item in response.json] == ["Welcome", "First", "B"]
    assert leader.delete(f"{base}/{first['id']}").status_code == 204
    assert _titles(leader, ids["meeting"]) == ["Welcome", "B"]
    assert leader.patch(f"{base}/{b['id']}", json={"position": 5}).status_code == 422
    response = leader.put(f"{base}/order", json={"ids": [ids["item"]]})
    assert response.status_code == 422 and "ids" in response.json["errors"]
    assert _titles(leader, ids["meeting"]) == ["Welcome", "B"]


def test_agenda_bad_input(login_as, app):
    ids = governance_world(app)
    leader = login_as("cx_leader")
    base = f"/api/meetings/{ids['meeting']}/agenda-items"
    response = leader.post(base, json={"title": "", "kind": "chat", "duration_minutes": -5})
    assert response.status_code == 422 and set(response.json["errors"]) == {"title", "kind", "duration_minutes"}
    response = leader.post(base, json={"title": "X", "initiative_id": 999})
    assert response.status_code == 422 and set(response.json["errors"]) == {"initiative_id"}
    response = leader.post(base, json={"title": "X", "source_key": "action_item:1"})
    assert response.status_code == 422 and "source_key" in response.json["errors"]
    assert count(app, AgendaItem) == 1
    other = governance_world(app)
    assert leader.get(f"{base}/{other['item']}").status_code == 404


# -- attendance --------------------------------------------------------------------------------

def test_attendance_upsert(login_as, app):
    ids = governance_world(app)
    leader = login_as("cx_leader")
    base = f"/api/meetings/{ids['meeting']}/attendance"
    assert leader.put(f"{base}/{ids['member']}", json={"status": "accepted"}).status_code == 201
    assert leader.put(f"{base}/{ids['member']}", json={"status": "attended"}).status_code == 200
    assert leader.post(base, json={"user_id": ids["member"], "status": "absent"}).status_code == 200
    assert [(row["user_id"], row["status"]) for row in leader.get(base).json["items"]] == [(ids["member"], "absent")]
    response = leader.put(f"{base}/{ids['member']}", json={"status": "asleep"})
    assert response.status_code == 422 and "status" in response.json["errors"]
    response = leader.put(f"{base}/9999", json={"status": "attended"})
    assert response.status_code == 422 and "user_id" in response.json["errors"]
    assert count(app, Attendance) == 1


def test_a_meetings_parts_answer_pages(login_as, app):
    ids = governance_world(app)
    leader = login_as("cx_leader")
    base = f"/api/meetings/{ids['meeting']}"
    assert leader.post(f"{base}/agenda-items", json={"title": "Returns pilot"}).status_code == 201
    first = leader.get(f"{base}/agenda-items?page_size=1").json
    second = leader.get(f"{base}/agenda-items?page_size=1&page=2").json
    assert (first["total"], first["page"], first["page_size"]) == (2, 1, 1)
    assert [row["title"] for row in first["items"] + second["items"]] == ["Welcome", "Returns pilot"]
    decisions = leader.get(f"{base}/decisions").json
    assert [row["id"] for row in decisions["items"]] == [ids["decision"]] and decisions["total"] == 1
    members = leader.get(f"/api/committees/{ids['committee']}/members?page_size=2").json
    assert members["total"] == 3 and len(members["items"]) == 2
    assert leader.get(f"{base}/decisions?page_size=0").status_code == 422
    assert leader.get("/api/meetings/9999/attendance").status_code == 404


# -- decisions and published minutes -----------------------------------------------------------

def _hold_and_publish(app, leader, meeting_id):
    url = f"/api/meetings/{meeting_id}"
    body = {"status": "held", "minutes": "We met and decided.", "quorum_note": "Decided by the members present."}
    assert leader.patch(url, json=body).status_code == 200
    response = leader.post(f"{url}/minutes/publish")
    assert response.status_code == 200, response.json
    assert response.json["minutes_published_at"]
    return url


def test_decision_rules(login_as, app):
    ids = governance_world(app, starts_at=PAST)  # decisions are recorded once the meeting has begun
    leader = login_as("cx_leader")
    base = f"/api/meetings/{ids['meeting']}/decisions"
    response = leader.post(base, json={"text": "Go", "kind": "approve_initiative"})
    assert response.status_code == 422 and set(response.json["errors"]) == {"initiative_id"}
    response = leader.post(base, json={"text": "", "kind": "maybe"})
    assert response.status_code == 422 and set(response.json["errors"]) == {"text", "kind"}
    response = leader.post(base, json={"text": "Go", "kind": "other", "corrects_id": 999})
    assert response.status_code == 422 and set(response.json["errors"]) == {"corrects_id"}
    assert count(app, Decision) == 1
    created = leader.post(base, json={"text": "Go", "kind": "reject_initiative", "initiative_id": ids["initiative"]})
    assert created.status_code == 201 and created.json["recorded_by_id"] == leader.user_id
    assert leader.patch(f"{base}/{created.json['id']}", json={"text": "Stop"}).json["text"] == "Stop"


def test_minutes_publish_only_when_held(login_as, app):
    ids = governance_world(app, starts_at=PAST)
    leader = login_as("cx_leader")
    url = f"/api/meetings/{ids['meeting']}"
    leader.patch(url, json={"minutes": "Draft"})
    response = leader.post(f"{url}/minutes/publish")
    assert response.status_code == 409
    assert get(app, Meeting, ids["meeting"]).minutes_published_at is None
    assert leader.post(f"{url}/minutes/corrections", json={"text": "Too early"}).status_code == 409


def test_publish_needs_minutes_and_happens_once(login_as, app):
    ids = governance_world(app, starts_at=PAST)
    leader = login_as("cx_leader")
    url = f"/api/meetings/{ids['meeting']}"
    attend_all(app, ids)
    leader.patch(url, json={"status": "held"})
    assert leader.post(f"{url}/minutes/publish").status_code == 409
    leader.patch(url, json={"minutes": "Text"})
    assert leader.post(f"{url}/minutes/publish").status_code == 200
    assert leader.post(f"{url}/minutes/publish").status_code == 409


def test_the_secretary_publishes_and_corrects_minutes(app, login_as):
    ids = governance_world(app, starts_at=PAST)
    leader = login_as("cx_leader")
    url = f"/api/meetings/{ids['meeting']}"
    attend_all(app, ids)
    leader.patch(url, json={"status": "held"})
    secretary = client_for(app, ids["secretary"])
    assert secretary.patch(url, json={"minutes": "Secretary's notes"}).status_code == 200
    assert client_for(app, ids["member"]).post(f"{url}/minutes/publish").status_code == 403
    assert login_as("executive").post(f"{url}/minutes/publish").status_code == 403
    assert secretary.post(f"{url}/minutes/publish").status_code == 200
    assert secretary.post(f"{url}/minutes/corrections", json={"text": "Item 2 was deferred."}).status_code == 201
    assert client_for(app, ids["member"]).post(f"{url}/minutes/corrections", json={"text": "x"}).status_code == 403
    response = secretary.post(f"{url}/minutes/corrections", json={"text": ""})
    assert response.status_code == 422 and "text" in response.json["errors"]
    assert [c["text"] for c in leader.get(f"{url}/minutes/corrections").json["items"]] == ["Item 2 was deferred."]


def test_published_minutes_and_decisions_are_immutable(login_as, app):
    ids = governance_world(app, starts_at=PAST)
    leader = login_as("cx_leader")
    url = _hold_and_publish(app, leader, ids["meeting"])
    decision_url = f"{url}/decisions/{ids['decision']}"
    refused = [
        leader.patch(url, json={"minutes": "Rewritten"}),
        client_for(app, ids["secretary"]).patch(url, json={"minutes": "Rewritten"}),
        leader.patch(url, json={"status": "scheduled"}),
        leader.delete(url),
        leader.patch(decision_url, json={"text": "Rewritten"}),
        leader.delete(decision_url),
        leader.post(f"{url}/decisions", json={"text": "Late addition", "kind": "other"}),
        leader.post(f"{url}/agenda-items", json={"title": "Late"}),
        leader.put(f"{url}/attendance/{ids['member']}", json={"status": "attended"}),
        leader.post(f"{url}/agenda-items/suggested"),
    ]
    assert [r.status_code for r in refused] == [409] * len(refused)
    assert refused[6].json["errors"] == {"corrects_id": ["Required once the minutes are published."]}
    meeting = get(app, Meeting, ids["meeting"])
    assert meeting.minutes == "We met and decided." and meeting.status == "held"
    assert get(app, Decision, ids["decision"]).text == "Approved the pilot"
    # corrections are new records referencing the old one
    correction = leader.post(f"{url}/decisions", json={"text": "Approved the pilot for Q1 only", "kind": "other",
                                                       "corrects_id": ids["decision"]})
    assert correction.status_code == 201 and correction.json["corrects_id"] == ids["decision"]
    assert leader.post(f"{url}/minutes/corrections", json={"text": "Typo in item 1."}).status_code == 201
    assert count(app, MinutesCorrection) == 1


def test_a_decision_that_moved_an_initiative_is_kept(login_as, app):
    ids = governance_world(app, starts_at=PAST)
    with app.app_context():
        factories.complete_plan(db.session.get(Initiative, ids["initiative"]))
    leader = login_as("cx_leader")
    response = leader.post(f"/api/initiatives/{ids['initiative']}/transitions",
                           json={"to": "approved", "decision_id": ids["decision"]})
    assert response.status_code == 201
    assert leader.delete(f"/api/meetings/{ids['meeting']}/decisions/{ids['decision']}").status_code == 409
    assert (
        leader.patch(f"/api/meetings/{ids['meeting']}/decisions/{ids['decision']}", json={"text": "x"}).status_code
        == 409
    )
    assert leader.delete(f"/api/meetings/{ids['meeting']}").status_code == 409
    with app.app_context():
        assert db.session.scalar(select(Decision.text).where(Decision.id == ids["decision"])) == "Approved the pilot"


def test_cancelled_meetings_take_no_decisions(login_as, app):
    ids = governance_world(app)
    leader = login_as("cx_leader")
    leader.patch(f"/api/meetings/{ids['meeting']}", json={"status": "cancelled"})
    assert leader.post(f"/api/meetings/{ids['meeting']}/decisions", json={"text": "x"}).status_code == 409
