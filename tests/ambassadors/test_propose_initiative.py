"""POST /api/ambassador-actions/{id}/initiative: an improvement idea becomes a proposed initiative."""
from datetime import timedelta

import pytest

from cxgov.extensions import db
from cxgov.models import AmbassadorAction, Initiative
from tests import factories
from tests.ambassadors.conftest import STARTED, TODAY, counts


def _idea(app, assignment_id=None, kind="improvement_idea", **kw):
    with app.app_context():
        from cxgov.models import Ambassador

        assignment = db.session.get(Ambassador, assignment_id) if assignment_id else factories.create_ambassador(
            started_on=STARTED)
        action = factories.create_ambassador_action(assignment, kind=kind, occurred_on=TODAY - timedelta(days=1),
                                                    title="Call back within the hour",
                                                    description="Customers wait two days today.", **kw)
        journey = factories.create_journey()
        return action.id, journey.id


def test_the_ambassador_proposes_their_idea(app, ambassador_as):
    client = ambassador_as()
    action_id, journey_id = _idea(app, client.ambassador_id)
    response = client.post(f"/api/ambassador-actions/{action_id}/initiative", json={"journey_id": journey_id})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["status"] == "proposed" and body["category"] == "process"
    assert body["title"] == "Call back within the hour"
    assert body["description"] == "Customers wait two days today."
    assert body["owner_id"] == client.user_id
    assert body["department_id"] == client.department_id
    assert body["journey_id"] == journey_id and body["action_id"] == action_id
    assert response.headers["Location"] == f"/api/initiatives/{body['id']}"
    linked = client.get(f"/api/ambassador-actions/{action_id}").json
    assert linked["initiative_id"] == body["id"] and linked["journey_id"] == journey_id


def test_title_description_and_category_may_be_given(app, ambassador_as):
    client = ambassador_as()
    action_id, journey_id = _idea(app, client.ambassador_id)
    response = client.post(f"/api/ambassador-actions/{action_id}/initiative",
                           json={"journey_id": journey_id, "title": "Callback promise", "description": "Pilot",
                                 "category": "digital"})
    assert response.status_code == 201
    assert (response.json["title"], response.json["description"], response.json["category"]) == (
        "Callback promise", "Pilot", "digital")


@pytest.mark.parametrize("role,status", [
    ("member", 403), ("ambassador", 403), ("ended_ambassador", 403), ("executive", 403),
    ("cx_leader", 201), ("admin", 201),
])
def test_who_may_propose_someone_elses_idea(app, as_role, role, status):
    client = as_role(role)
    action_id, journey_id = _idea(app)
    before = counts(app)
    response = client.post(f"/api/ambassador-actions/{action_id}/initiative", json={"journey_id": journey_id})
    assert response.status_code == status
    if status == 201:
        with app.app_context():
            action = db.session.get(AmbassadorAction, action_id)
            initiative = db.session.get(Initiative, response.json["id"])
            # owned by the ambassador, not by the CX leader who proposed it
            assert initiative.owner_id == action.ambassador.user_id
            assert initiative.department_id == action.department_id
    else:
        assert counts(app) == before


def test_only_an_improvement_idea_becomes_an_initiative(app, login_as):
    client = login_as("cx_leader")
    action_id, journey_id = _idea(app, kind="training")
    before = counts(app)
    assert client.post(f"/api/ambassador-actions/{action_id}/initiative",
                       json={"journey_id": journey_id}).status_code == 409
    assert counts(app) == before


def test_a_second_proposal_is_409(app, ambassador_as):
    client = ambassador_as()
    action_id, journey_id = _idea(app, client.ambassador_id)
    first = client.post(f"/api/ambassador-actions/{action_id}/initiative", json={"journey_id": journey_id})
    assert first.status_code == 201
    before = counts(app)
    second = client.post(f"/api/ambassador-actions/{action_id}/initiative", json={"journey_id": journey_id})
    assert second.status_code == 409
    assert second.json["initiative_id"] == first.json["id"]
    assert counts(app) == before


def test_kind_of_a_proposed_idea_is_frozen(app, ambassador_as):
    client = ambassador_as()
    action_id, journey_id = _idea(app, client.ambassador_id)
    client.post(f"/api/ambassador-actions/{action_id}/initiative", json={"journey_id": journey_id})
    assert client.patch(f"/api/ambassador-actions/{action_id}", json={"kind": "training"}).status_code == 409


def test_the_journey_of_the_action_is_used_when_none_is_given(app, ambassador_as):
    client = ambassador_as()
    with app.app_context():
        journey_id = factories.create_journey().id
    action_id, _ = _idea(app, client.ambassador_id, journey_id=journey_id)
    response = client.post(f"/api/ambassador-actions/{action_id}/initiative", json={})
    assert response.status_code == 201 and response.json["journey_id"] == journey_id


@pytest.mark.parametrize("body,field", [
    ({}, "journey_id"),
    ({"journey_id": 999999}, "journey_id"),
    ({"journey_id": "JOURNEY", "category": "magic"}, "category"),
    ({"journey_id": "JOURNEY", "title": ""}, "title"),
    ({"journey_id": "JOURNEY", "status": "approved"}, "status"),
])
def test_bad_proposal_is_422_and_writes_nothing(app, ambassador_as, body, field):
    client = ambassador_as()
    action_id, journey_id = _idea(app, client.ambassador_id)
    body = {key: journey_id if value == "JOURNEY" else value for key, value in body.items()}
    before = counts(app)
    response = client.post(f"/api/ambassador-actions/{action_id}/initiative", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert counts(app) == before
    assert client.get(f"/api/ambassador-actions/{action_id}").json["initiative_id"] is None


def test_missing_action_is_404(app, login_as):
    client = login_as("admin")
    assert client.post("/api/ambassador-actions/999999/initiative", json={"journey_id": 1}).status_code == 404
