"""/api/ambassador-actions: an active ambassador logs for their own department only."""
from datetime import timedelta
from decimal import Decimal

import pytest

from cxgov.extensions import db
from cxgov.models import AmbassadorAction
from tests import factories
from tests.ambassadors.conftest import ROLES, STARTED, TODAY, count

VALID = {"kind": "training", "title": "Complaint handling workshop", "people_reached": 12, "hours": 2.5}


def _assignment(app, **kw):
    with app.app_context():
        kw.setdefault("started_on", STARTED)
        return factories.create_ambassador(**kw).id


def _action(app, assignment_id=None, **kw):
    with app.app_context():
        from cxgov.models import Ambassador

        assignment = db.session.get(Ambassador, assignment_id) if assignment_id else factories.create_ambassador(
            started_on=STARTED)
        kw.setdefault("occurred_on", TODAY - timedelta(days=2))
        return factories.create_ambassador_action(assignment, **kw).id


def test_an_active_ambassador_logs_for_their_own_department(app, ambassador_as):
    client = ambassador_as()
    response = client.post("/api/ambassador-actions", json=VALID)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["ambassador_id"] == client.ambassador_id
    assert body["department_id"] == client.department_id
    assert body["occurred_on"] == TODAY.isoformat()
    assert body["hours"] == 2.5 and body["people_reached"] == 12
    assert body["initiative_id"] is None
    assert response.headers["ETag"]
    with app.app_context():
        action = db.session.get(AmbassadorAction, body["id"])
        assert action.hours == Decimal("2.50") and action.department_id == client.department_id


def test_the_department_comes_from_the_assignment_never_from_the_client(app, ambassador_as):
    client = ambassador_as()
    with app.app_context():
        other_department = factories.create_department().id
    response = client.post("/api/ambassador-actions", json={**VALID, "department_id": other_department})
    assert response.status_code == 422
    assert "department_id" in response.json["errors"]
    assert count(app, AmbassadorAction) == 0


def test_an_ambassador_may_name_their_own_assignment(app, ambassador_as):
    client = ambassador_as()
    response = client.post("/api/ambassador-actions", json={**VALID, "ambassador_id": client.ambassador_id})
    assert response.status_code == 201


def test_an_ambassador_cannot_log_for_another_ambassador(app, ambassador_as):
    client = ambassador_as()
    other = _assignment(app)
    response = client.post("/api/ambassador-actions", json={**VALID, "ambassador_id": other})
    assert response.status_code == 403
    assert count(app, AmbassadorAction) == 0


@pytest.mark.parametrize("role", ["member", "ended_ambassador", "executive"])
def test_non_ambassadors_cannot_log(app, as_role, role):
    client = as_role(role)
    target = _assignment(app)
    assert client.post("/api/ambassador-actions", json=VALID).status_code == 403
    assert client.post("/api/ambassador-actions", json={**VALID, "ambassador_id": target}).status_code == 403
    assert count(app, AmbassadorAction) == 0


@pytest.mark.parametrize("role", ["cx_leader", "admin"])
def test_governance_logs_for_any_ambassador(app, login_as, role):
    client = login_as(role)
    with app.app_context():
        assignment = factories.create_ambassador(started_on=STARTED)
        assignment_id, department_id = assignment.id, assignment.department_id
    response = client.post("/api/ambassador-actions", json={**VALID, "ambassador_id": assignment_id})
    assert response.status_code == 201
    assert response.json["department_id"] == department_id


def test_governance_must_name_the_ambassador(app, login_as):
    client = login_as("cx_leader")
    response = client.post("/api/ambassador-actions", json=VALID)
    assert response.status_code == 422 and "ambassador_id" in response.json["errors"]
    response = client.post("/api/ambassador-actions", json={**VALID, "ambassador_id": 999999})
    assert response.status_code == 422 and "ambassador_id" in response.json["errors"]
    assert count(app, AmbassadorAction) == 0


def test_governance_may_backfill_an_ended_assignment_within_its_period(app, login_as):
    client = login_as("admin")
    assignment_id = _assignment(app, ended_on=STARTED + timedelta(days=10))
    inside = client.post("/api/ambassador-actions", json={**VALID, "ambassador_id": assignment_id,
                                                         "occurred_on": (STARTED + timedelta(days=3)).isoformat()})
    assert inside.status_code == 201
    after = client.post("/api/ambassador-actions", json={**VALID, "ambassador_id": assignment_id,
                                                        "occurred_on": (STARTED + timedelta(days=11)).isoformat()})
    assert after.status_code == 422 and "occurred_on" in after.json["errors"]
    assert count(app, AmbassadorAction) == 1


def test_anonymous_gets_401_everywhere(app, client):
    action_id = _action(app)
    assert client.get("/api/ambassador-actions").status_code == 401
    assert client.post("/api/ambassador-actions", json=VALID).status_code == 401
    assert client.get(f"/api/ambassador-actions/{action_id}").status_code == 401
    assert client.patch(f"/api/ambassador-actions/{action_id}", json={"title": "x"}).status_code == 401
    assert client.delete(f"/api/ambassador-actions/{action_id}").status_code == 401
    assert client.post(f"/api/ambassador-actions/{action_id}/initiative", json={}).status_code == 401
    assert count(app, AmbassadorAction) == 1


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_reads_actions(app, as_role, role):
    client = as_role(role)
    action_id = _action(app)
    listed = client.get("/api/ambassador-actions")
    assert listed.status_code == 200 and [item["id"] for item in listed.json["items"]] == [action_id]
    one = client.get(f"/api/ambassador-actions/{action_id}")
    assert one.status_code == 200 and one.json["id"] == action_id
    assert client.get("/api/ambassador-actions/999999").status_code == 404


def test_list_filters(app, login_as):
    client = login_as("executive")
    with app.app_context():
        first = factories.create_ambassador(started_on=STARTED)
        second = factories.create_ambassador(started_on=STARTED)
        a = factories.create_ambassador_action(first, kind="training", occurred_on=TODAY - timedelta(days=20)).id
        b = factories.create_ambassador_action(first, kind="voc_session", occurred_on=TODAY - timedelta(days=5)).id
        c = factories.create_ambassador_action(second, kind="training", occurred_on=TODAY - timedelta(days=1)).id
        ids = {"first": first.id, "dept2": second.department_id}

    def listed(query):
        response = client.get(f"/api/ambassador-actions?{query}")
        assert response.status_code == 200
        return [item["id"] for item in response.json["items"]]

    assert listed("") == [c, b, a]  # newest first
    assert listed(f"ambassador_id={ids['first']}") == [b, a]
    assert listed(f"department_id={ids['dept2']}") == [c]
    assert listed("kind=training") == [c, a]
    assert listed(f"from={(TODAY - timedelta(days=10)).isoformat()}") == [c, b]
    assert listed(f"to={(TODAY - timedelta(days=5)).isoformat()}") == [b, a]
    assert client.get("/api/ambassador-actions?kind=party").status_code == 422


@pytest.mark.parametrize("change,field", [
    ({"kind": "party"}, "kind"),
    ({"kind": None}, "kind"),
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"occurred_on": (TODAY + timedelta(days=1)).isoformat()}, "occurred_on"),
    ({"occurred_on": (STARTED - timedelta(days=1)).isoformat()}, "occurred_on"),
    ({"occurred_on": "2026-02-30"}, "occurred_on"),
    ({"people_reached": -1}, "people_reached"),
    ({"people_reached": 1.5}, "people_reached"),
    ({"hours": -0.5}, "hours"),
    ({"hours": 1000.01}, "hours"),
    ({"hours": "many"}, "hours"),
    ({"journey_id": 999999}, "journey_id"),
    ({"initiative_id": 999999}, "initiative_id"),
    ({"colour": "blue"}, "colour"),
])
def test_bad_action_is_422_and_writes_nothing(app, ambassador_as, change, field):
    client = ambassador_as()
    body = {**VALID, **change}
    if field == "kind" and change["kind"] is None:
        del body["kind"]
    response = client.post("/api/ambassador-actions", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert count(app, AmbassadorAction) == 0


def test_title_and_kind_are_required(app, ambassador_as):
    client = ambassador_as()
    response = client.post("/api/ambassador-actions", json={"people_reached": 3})
    assert response.status_code == 422
    assert {"kind", "title"} <= set(response.json["errors"])


def test_every_kind_of_the_spec_is_accepted(app, ambassador_as):
    client = ambassador_as()
    for kind in ("training", "customer_story", "voc_session", "improvement_idea", "process_fix", "recognition",
                 "other"):
        assert client.post("/api/ambassador-actions", json={**VALID, "kind": kind}).status_code == 201


def test_malformed_json_is_400(app, ambassador_as):
    client = ambassador_as()
    response = client.post("/api/ambassador-actions", data="{", content_type="application/json")
    assert response.status_code == 400
    assert count(app, AmbassadorAction) == 0


# -- editing -------------------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [
    ("member", 403), ("ambassador", 403), ("ended_ambassador", 403), ("executive", 403),
    ("cx_leader", 200), ("admin", 200),
])
def test_who_may_correct_someone_elses_action(app, as_role, role, status):
    client = as_role(role)
    action_id = _action(app, title="Original")
    response = client.patch(f"/api/ambassador-actions/{action_id}", json={"title": "Corrected"})
    assert response.status_code == status
    with app.app_context():
        assert db.session.get(AmbassadorAction, action_id).title == ("Corrected" if status == 200 else "Original")


def test_an_ambassador_edits_their_own_action(app, ambassador_as):
    client = ambassador_as()
    created = client.post("/api/ambassador-actions", json=VALID)
    response = client.patch(f"/api/ambassador-actions/{created.json['id']}",
                            json={"people_reached": 40, "hours": "3.25", "kind": "voc_session"},
                            headers={"If-Match": created.headers["ETag"]})
    assert response.status_code == 200
    assert response.json["people_reached"] == 40 and response.json["hours"] == 3.25
    assert response.json["kind"] == "voc_session"
    assert response.json["department_id"] == client.department_id


def test_an_ended_ambassador_can_no_longer_edit_their_actions(app, ambassador_as):
    client = ambassador_as(ended=True)
    action_id = _action(app, client.ambassador_id, title="Mine")
    assert client.patch(f"/api/ambassador-actions/{action_id}", json={"title": "Changed"}).status_code == 403
    assert client.delete(f"/api/ambassador-actions/{action_id}").status_code == 403
    with app.app_context():
        assert db.session.get(AmbassadorAction, action_id).title == "Mine"


@pytest.mark.parametrize("change,field", [
    ({"kind": "party"}, "kind"),
    ({"kind": None}, "kind"),
    ({"title": None}, "title"),
    ({"occurred_on": None}, "occurred_on"),
    ({"occurred_on": (TODAY + timedelta(days=1)).isoformat()}, "occurred_on"),
    ({"hours": 5000}, "hours"),
    ({"people_reached": -3}, "people_reached"),
    ({"department_id": 1}, "department_id"),
    ({"ambassador_id": 1}, "ambassador_id"),
    ({"journey_id": 999999}, "journey_id"),
])
def test_bad_correction_is_422_and_changes_nothing(app, ambassador_as, change, field):
    client = ambassador_as()
    created = client.post("/api/ambassador-actions", json=VALID).json
    response = client.patch(f"/api/ambassador-actions/{created['id']}", json=change)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert client.get(f"/api/ambassador-actions/{created['id']}").json == created


def test_stale_if_match_is_412(app, ambassador_as):
    client = ambassador_as()
    created = client.post("/api/ambassador-actions", json=VALID)
    client.patch(f"/api/ambassador-actions/{created.json['id']}", json={"title": "First edit"})
    response = client.patch(f"/api/ambassador-actions/{created.json['id']}", json={"title": "Second"},
                            headers={"If-Match": created.headers["ETag"]})
    assert response.status_code == 412
    assert client.get(f"/api/ambassador-actions/{created.json['id']}").json["title"] == "First edit"


@pytest.mark.parametrize("role,status", [
    ("member", 403), ("ambassador", 403), ("ended_ambassador", 403), ("executive", 403),
    ("cx_leader", 204), ("admin", 204),
])
def test_who_may_delete_someone_elses_action(app, as_role, role, status):
    client = as_role(role)
    action_id = _action(app)
    assert client.delete(f"/api/ambassador-actions/{action_id}").status_code == status
    assert count(app, AmbassadorAction) == (0 if status == 204 else 1)


def test_an_ambassador_deletes_their_own_action(app, ambassador_as):
    client = ambassador_as()
    created = client.post("/api/ambassador-actions", json=VALID).json
    assert client.delete(f"/api/ambassador-actions/{created['id']}").status_code == 204
    assert count(app, AmbassadorAction) == 0
    assert client.get(f"/api/ambassador-actions/{created['id']}").status_code == 404


def test_an_action_names_the_journey_and_initiative_it_served(app, ambassador_as):
    client = ambassador_as()
    with app.app_context():
        initiative = factories.create_initiative()
        ids = {"journey_id": initiative.journey_id, "initiative_id": initiative.id}
    response = client.post("/api/ambassador-actions", json={**VALID, **ids})
    assert response.status_code == 201, response.json
    assert (response.json["journey_id"], response.json["initiative_id"]) == (ids["journey_id"], ids["initiative_id"])
    # An idea's initiative is only the one proposed from it (what "ideas converted" counts).
    refused = client.post("/api/ambassador-actions", json={**VALID, **ids, "kind": "improvement_idea"})
    assert refused.status_code == 422 and "initiative_id" in refused.json["errors"]
    assert count(app, AmbassadorAction) == 1
