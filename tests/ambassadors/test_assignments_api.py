"""/api/ambassadors: assignments, one active per department, history kept."""
from datetime import timedelta

import pytest

from cxgov.extensions import db
from cxgov.models import Ambassador
from tests import factories
from tests.ambassadors.conftest import ROLES, STARTED, TODAY, count, counts


def _department_and_user(app, **user_fields):
    with app.app_context():
        department = factories.create_department()
        user = factories.create_user(department_id=department.id, **user_fields)
        return department.id, user.id


@pytest.mark.parametrize("role,status", [
    ("member", 403), ("ambassador", 403), ("ended_ambassador", 403), ("executive", 403),
    ("cx_leader", 201), ("admin", 201),
])
def test_only_governance_assigns(app, as_role, role, status):
    client = as_role(role)
    department_id, user_id = _department_and_user(app)
    before = count(app, Ambassador)
    response = client.post("/api/ambassadors", json={"user_id": user_id, "department_id": department_id})
    assert response.status_code == status
    if status == 201:
        body = response.json
        assert body["active"] is True and body["ended_on"] is None
        assert body["started_on"] == TODAY.isoformat()
        assert body["user"]["id"] == user_id and body["department"]["id"] == department_id
        assert response.headers["ETag"]
        assert count(app, Ambassador) == before + 1
    else:
        assert count(app, Ambassador) == before


def test_anonymous_gets_401_everywhere(app, client):
    with app.app_context():
        assignment = factories.create_ambassador()
        assignment_id = assignment.id
    assert client.get("/api/ambassadors").status_code == 401
    assert client.post("/api/ambassadors", json={}).status_code == 401
    assert client.get(f"/api/ambassadors/{assignment_id}").status_code == 401
    assert client.patch(f"/api/ambassadors/{assignment_id}", json={"ended_on": TODAY.isoformat()}).status_code == 401
    assert client.delete(f"/api/ambassadors/{assignment_id}").status_code == 401
    assert count(app, Ambassador) == 1


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_reads_assignments(app, as_role, role):
    client = as_role(role)
    with app.app_context():
        assignment = factories.create_ambassador(started_on=STARTED)
        assignment_id = assignment.id
    listed = client.get("/api/ambassadors?page_size=200")
    assert listed.status_code == 200
    assert assignment_id in [item["id"] for item in listed.json["items"]]
    one = client.get(f"/api/ambassadors/{assignment_id}")
    assert one.status_code == 200 and one.json["id"] == assignment_id
    assert client.get("/api/ambassadors/999999").status_code == 404


def test_list_filters(app, login_as):
    client = login_as("member")
    with app.app_context():
        department = factories.create_department()
        old = factories.create_ambassador(department=department, started_on=STARTED,
                                          ended_on=STARTED + timedelta(days=5))
        new = factories.create_ambassador(department=department, started_on=STARTED + timedelta(days=6))
        other = factories.create_ambassador(started_on=STARTED)
        ids = {"old": old.id, "new": new.id, "other": other.id, "dept": department.id, "new_user": new.user_id}

    def listed(query):
        return [item["id"] for item in client.get(f"/api/ambassadors?{query}").json["items"]]

    assert sorted(listed(f"department_id={ids['dept']}")) == sorted([ids["old"], ids["new"]])
    assert listed(f"department_id={ids['dept']}&active=true") == [ids["new"]]
    assert listed(f"department_id={ids['dept']}&active=false") == [ids["old"]]
    assert listed(f"user_id={ids['new_user']}") == [ids["new"]]
    assert sorted(listed("active=true")) == sorted([ids["new"], ids["other"]])
    assert client.get("/api/ambassadors?active=maybe").status_code == 422


def test_second_active_assignment_for_a_department_is_409(app, login_as):
    leader = login_as("cx_leader")
    department_id, first_user = _department_and_user(app)
    _, second_user = _department_and_user(app)
    assert (
        leader.post("/api/ambassadors", json={"user_id": first_user, "department_id": department_id}).status_code == 201
    )
    response = leader.post("/api/ambassadors", json={"user_id": second_user, "department_id": department_id})
    assert response.status_code == 409
    assert "department_id" in response.json["errors"]
    assert count(app, Ambassador) == 1


def test_the_database_also_refuses_two_active_assignments(app):
    """The partial unique index backs the service check (two simultaneous requests)."""
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        department = factories.create_department()
        factories.create_ambassador(department=department)
        with pytest.raises(IntegrityError):
            factories.create_ambassador(department=department)
        db.session.rollback()


def test_a_user_is_active_ambassador_of_one_department_at_a_time(app, login_as):
    leader = login_as("cx_leader")
    first_department, user_id = _department_and_user(app)
    second_department, _ = _department_and_user(app)
    assert (
        leader.post("/api/ambassadors", json={"user_id": user_id, "department_id": first_department}).status_code == 201
    )
    response = leader.post("/api/ambassadors", json={"user_id": user_id, "department_id": second_department})
    assert response.status_code == 409
    assert "user_id" in response.json["errors"]
    assert count(app, Ambassador) == 1


def test_ending_frees_the_department_and_keeps_history(app, login_as):
    leader = login_as("admin")
    department_id, first_user = _department_and_user(app)
    _, second_user = _department_and_user(app)
    first = leader.post("/api/ambassadors", json={"user_id": first_user, "department_id": department_id,
                                                  "started_on": STARTED.isoformat()})
    ended = leader.patch(f"/api/ambassadors/{first.json['id']}", json={"ended_on": TODAY.isoformat()},
                         headers={"If-Match": first.headers["ETag"]})
    assert ended.status_code == 200
    assert ended.json["active"] is False and ended.json["ended_on"] == TODAY.isoformat()
    second = leader.post("/api/ambassadors", json={"user_id": second_user, "department_id": department_id})
    assert second.status_code == 201
    history = leader.get(f"/api/ambassadors?department_id={department_id}").json
    assert history["total"] == 2


def test_ending_twice_is_409(app, login_as):
    leader = login_as("cx_leader")
    with app.app_context():
        assignment_id = factories.create_ambassador(started_on=STARTED, ended_on=TODAY).id
    response = leader.patch(f"/api/ambassadors/{assignment_id}", json={"ended_on": TODAY.isoformat()})
    assert response.status_code == 409


@pytest.mark.parametrize("body,field", [
    ({"ended_on": (STARTED - timedelta(days=1)).isoformat()}, "ended_on"),
    ({"ended_on": (TODAY + timedelta(days=1)).isoformat()}, "ended_on"),
    ({"ended_on": "yesterday"}, "ended_on"),
    ({}, "ended_on"),
    ({"ended_on": TODAY.isoformat(), "user_id": 1}, "user_id"),
    ({"ended_on": TODAY.isoformat(), "department_id": 1}, "department_id"),
])
def test_bad_end_is_422_and_changes_nothing(app, login_as, body, field):
    leader = login_as("cx_leader")
    with app.app_context():
        assignment_id = factories.create_ambassador(started_on=STARTED).id
    response = leader.patch(f"/api/ambassadors/{assignment_id}", json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert leader.get(f"/api/ambassadors/{assignment_id}").json["ended_on"] is None


def test_ending_before_the_last_logged_action_is_422(app, login_as):
    leader = login_as("cx_leader")
    with app.app_context():
        assignment = factories.create_ambassador(started_on=STARTED)
        factories.create_ambassador_action(assignment, occurred_on=TODAY - timedelta(days=3))
        assignment_id = assignment.id
    response = leader.patch(f"/api/ambassadors/{assignment_id}",
                            json={"ended_on": (TODAY - timedelta(days=10)).isoformat()})
    assert response.status_code == 422


@pytest.mark.parametrize("role,status", [
    ("member", 403), ("ambassador", 403), ("ended_ambassador", 403), ("executive", 403),
    ("cx_leader", 200), ("admin", 200),
])
def test_only_governance_ends(app, as_role, role, status):
    client = as_role(role)
    with app.app_context():
        assignment_id = factories.create_ambassador(started_on=STARTED).id
    response = client.patch(f"/api/ambassadors/{assignment_id}", json={"ended_on": TODAY.isoformat()})
    assert response.status_code == status
    with app.app_context():
        assert (db.session.get(Ambassador, assignment_id).ended_on is None) == (status == 403)


def test_stale_if_match_is_412(app, login_as):
    leader = login_as("cx_leader")
    with app.app_context():
        assignment_id = factories.create_ambassador(started_on=STARTED).id
    response = leader.patch(f"/api/ambassadors/{assignment_id}", json={"ended_on": TODAY.isoformat()},
                            headers={"If-Match": f'"ambassadors-{assignment_id}-v99"'})
    assert response.status_code == 412


@pytest.mark.parametrize("role,status", [
    ("member", 403), ("ambassador", 403), ("ended_ambassador", 403), ("executive", 403),
    ("cx_leader", 204), ("admin", 204),
])
def test_delete_an_assignment_without_actions(app, as_role, role, status):
    client = as_role(role)
    with app.app_context():
        assignment_id = factories.create_ambassador(started_on=STARTED).id
    before = count(app, Ambassador)
    assert client.delete(f"/api/ambassadors/{assignment_id}").status_code == status
    assert count(app, Ambassador) == before - (status == 204)


def test_an_assignment_with_actions_is_never_deleted(app, login_as):
    admin = login_as("admin")
    with app.app_context():
        assignment = factories.create_ambassador(started_on=STARTED)
        factories.create_ambassador_action(assignment, occurred_on=TODAY)
        assignment_id = assignment.id
    before = counts(app)
    assert admin.delete(f"/api/ambassadors/{assignment_id}").status_code == 409
    assert counts(app) == before


@pytest.mark.parametrize("body,field", [
    ({"department_id": 1}, "user_id"),
    ({"user_id": 1}, "department_id"),
    ({"user_id": 999999, "department_id": "DEPT"}, "user_id"),
    ({"user_id": "USER", "department_id": 999999}, "department_id"),
    ({"user_id": "USER", "department_id": "DEPT", "started_on": "soon"}, "started_on"),
    ({"user_id": "USER", "department_id": "DEPT", "started_on": (TODAY + timedelta(days=1)).isoformat()}, "started_on"),
    ({"user_id": "USER", "department_id": "DEPT", "ended_on": TODAY.isoformat()}, "ended_on"),
    ({"user_id": "USER", "department_id": "DEPT", "active": False}, "active"),
])
def test_bad_assignment_is_422_and_writes_nothing(app, login_as, body, field):
    leader = login_as("cx_leader")
    department_id, user_id = _department_and_user(app)
    body = {key: {"USER": user_id, "DEPT": department_id}.get(value, value) if isinstance(value, str) else value
            for key, value in body.items()}
    response = leader.post("/api/ambassadors", json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert count(app, Ambassador) == 0


def test_a_deactivated_user_cannot_be_assigned(app, login_as):
    leader = login_as("cx_leader")
    department_id, user_id = _department_and_user(app, active=False)
    response = leader.post("/api/ambassadors", json={"user_id": user_id, "department_id": department_id})
    assert response.status_code == 422 and "user_id" in response.json["errors"]


def test_malformed_json_is_400(app, login_as):
    leader = login_as("cx_leader")
    response = leader.post("/api/ambassadors", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert count(app, Ambassador) == 0
