"""The initiative lifecycle (SPEC §2): POST /api/initiatives/{id}/transitions."""
from datetime import date, datetime, timedelta, timezone

import pytest

from cxgov.db import today
from cxgov.extensions import db
from cxgov.initiatives import lifecycle
from cxgov.initiatives.models import Initiative, Transition
from cxgov.steering.models import Decision
from tests import factories
from tests.steering.helpers import client_for, count, get

# The meeting that took the decisions (the transitions are dated after it).
MEETING = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def setup(app):
    with app.app_context():
        owner = factories.create_user()
        initiative = factories.complete_plan(factories.create_initiative(owner=owner))
        meeting = factories.create_meeting(starts_at=MEETING)
        approve = factories.create_decision(meeting, initiative=initiative, kind="approve_initiative")
        reject = factories.create_decision(meeting, initiative=initiative, kind="reject_initiative")
        other = factories.create_initiative()
        elsewhere = factories.create_decision(meeting, initiative=other, kind="approve_initiative")
        return {"owner": owner.id, "initiative": initiative.id, "approve": approve.id, "reject": reject.id,
                "elsewhere": elsewhere.id, "meeting": meeting.id}


def _url(ids):
    return f"/api/initiatives/{ids['initiative']}/transitions"


def _set_status(app, initiative_id, status):
    with app.app_context():
        db.session.get(Initiative, initiative_id).status = status
        db.session.commit()


def test_full_happy_path_with_history(login_as, app, setup):
    leader = login_as("cx_leader")
    owner = client_for(app, setup["owner"])
    url = _url(setup)
    approved = leader.post(url, json={"to": "approved", "decision_id": setup["approve"], "note": "Go",
                                      "on": "2026-11-02"})
    assert approved.status_code == 201, approved.json
    assert (approved.json["from_status"], approved.json["to_status"]) == ("proposed", "approved")
    assert approved.json["effective_on"] == "2026-11-02" and approved.json["actor_id"] == leader.user_id
    assert owner.post(url, json={"to": "in_progress", "on": "2026-11-05"}).status_code == 201
    assert owner.post(url, json={"to": "delivered", "on": "2026-11-20"}).status_code == 201
    closing = leader.post(url, json={"to": "closed"})
    assert closing.status_code == 409 and closing.json["missing"] == ["final_review"]
    reviews = leader.get(f"/api/initiatives/{setup['initiative']}/reviews").json["items"]
    assert leader.post(f"/api/reviews/{reviews[-1]['id']}/verdict", json={"verdict": "achieved"}).status_code == 200
    assert leader.post(url, json={"to": "closed"}).status_code == 201
    initiative = get(app, Initiative, setup["initiative"])
    assert initiative.status == "closed"
    assert initiative.start_on == date(2026, 11, 5) and initiative.delivered_on == date(2026, 11, 20)
    page = login_as("executive").get(url).json
    assert (page["total"], page["page"], page["page_size"]) == (4, 1, 50)
    history = page["items"]
    assert [(t["from_status"], t["to_status"]) for t in history] == [
        ("proposed", "approved"), ("approved", "in_progress"), ("in_progress", "delivered"), ("delivered", "closed")]
    assert history[0]["decision_id"] == setup["approve"] and history[0]["note"] == "Go"
    assert history[-1]["effective_on"] == today().isoformat()


def test_start_on_is_kept_when_already_set(login_as, app, setup):
    with app.app_context():
        initiative = db.session.get(Initiative, setup["initiative"])
        initiative.status, initiative.start_on = "approved", date(2026, 1, 1)
        db.session.commit()
    assert login_as("admin").post(_url(setup), json={"to": "in_progress", "on": "2026-11-01"}).status_code == 201
    assert get(app, Initiative, setup["initiative"]).start_on == date(2026, 1, 1)


def test_illegal_jump_is_409_with_allowed_targets(login_as, app, setup):
    response = login_as("cx_leader").post(_url(setup), json={"to": "delivered"})
    assert response.status_code == 409
    assert response.json["allowed"] == ["approved", "rejected", "cancelled"]
    _set_status(app, setup["initiative"], "closed")
    response = login_as("admin").post(_url(setup), json={"to": "cancelled"})
    assert response.status_code == 409 and response.json["allowed"] == []
    assert count(app, Transition) == 0


@pytest.mark.parametrize("status, allowed", sorted(lifecycle.ALLOWED.items()))
def test_allowed_table_matches_the_spec(status, allowed):
    spec = {"proposed": {"approved", "rejected", "cancelled"}, "approved": {"in_progress", "cancelled"},
            "in_progress": {"delivered", "cancelled"}, "delivered": {"closed", "cancelled"},
            "closed": set(), "rejected": set(), "cancelled": set()}
    assert set(allowed) == spec[status]


@pytest.mark.parametrize("body, field", [
    ({"to": "approved"}, "decision_id"),                                 # missing
    ({"to": "approved", "decision_id": 9999}, "decision_id"),            # unknown
    ({"to": "approved", "decision_id": "{reject}"}, "decision_id"),      # wrong kind
    ({"to": "rejected", "decision_id": "{approve}"}, "decision_id"),     # wrong kind
    ({"to": "approved", "decision_id": "{elsewhere}"}, "decision_id"),   # another initiative's
    ({"to": "cancelled", "on": "{tomorrow}"}, "on"),                     # future date
    ({"to": "flying"}, "to"),
    ({"to": "cancelled", "when": "now"}, "when"),
])
def test_bad_transition_requests_are_422_naming_the_field(login_as, app, setup, body, field):
    values = {**setup, "tomorrow": (today() + timedelta(days=1)).isoformat()}
    body = {k: (values[v[1:-1]] if isinstance(v, str) and v.startswith("{") else v) for k, v in body.items()}
    response = login_as("cx_leader").post(_url(setup), json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert count(app, Transition) == 0
    assert get(app, Initiative, setup["initiative"]).status == "proposed"


def test_rejection_with_a_reject_decision(login_as, app, setup):
    response = login_as("admin").post(_url(setup), json={"to": "rejected", "decision_id": setup["reject"]})
    assert response.status_code == 201
    assert get(app, Initiative, setup["initiative"]).status == "rejected"


@pytest.mark.parametrize("role", ["member", "executive", "owner"])
def test_only_governance_approves_or_rejects(login_as, app, setup, role):
    api = client_for(app, setup["owner"]) if role == "owner" else login_as(role)
    for to, decision in (("approved", "approve"), ("rejected", "reject")):
        response = api.post(_url(setup), json={"to": to, "decision_id": setup[decision]})
        assert response.status_code == 403
    assert count(app, Transition) == 0


@pytest.mark.parametrize("role, expected", [("member", 403), ("executive", 403), ("owner", 201),
                                            ("cx_leader", 201), ("admin", 201)])
def test_other_transitions_need_edit_rights(login_as, app, setup, role, expected):
    _set_status(app, setup["initiative"], "approved")
    api = client_for(app, setup["owner"]) if role == "owner" else login_as(role)
    assert api.post(_url(setup), json={"to": "cancelled"}).status_code == expected
    assert get(app, Initiative, setup["initiative"]).status == ("cancelled" if expected == 201 else "approved")


def test_anonymous_and_missing(client, login_as, setup):
    assert client.post(_url(setup), json={"to": "cancelled"}).status_code == 401
    assert login_as("admin").post("/api/initiatives/9999/transitions", json={"to": "cancelled"}).status_code == 404
    assert login_as("admin").get("/api/initiatives/9999/transitions").status_code == 404


def test_a_transition_is_not_dated_before_the_previous_one(login_as, app, setup):
    leader = login_as("cx_leader")
    assert (
        leader.post(
            _url(setup), json={"to": "approved", "decision_id": setup["approve"], "on": "2026-11-10"}
        ).status_code
        == 201
    )
    response = leader.post(_url(setup), json={"to": "in_progress", "on": "2026-11-09"})
    assert response.status_code == 422 and "on" in response.json["errors"]
    assert get(app, Initiative, setup["initiative"]).start_on is None
    assert count(app, Transition) == 1


def test_a_proposal_a_decision_is_about_is_kept(app, setup, login_as):
    """Deleting it would leave an approval with no initiative: 409 naming the decisions, nothing removed."""
    response = login_as("cx_leader").delete(f"/api/initiatives/{setup['initiative']}")
    assert response.status_code == 409
    assert response.headers["Content-Type"] == "application/problem+json"
    assert len(response.json["errors"]["decisions"]) == 2
    assert count(app, Initiative) == 2


def test_a_proposal_only_an_other_decision_mentions_is_deleted(app, login_as):
    with app.app_context():
        initiative = factories.create_initiative()
        decision = factories.create_decision(factories.create_meeting(starts_at=MEETING), initiative=initiative,
                                             kind="other")
        ids = {"initiative": initiative.id, "decision": decision.id}
    assert login_as("cx_leader").delete(f"/api/initiatives/{ids['initiative']}").status_code == 204
    with app.app_context():
        assert db.session.get(Decision, ids["decision"]).initiative_id is None
