"""/api/audit: every create, update and delete through the API leaves an entry with the actor
and the changed fields; admins and CX leaders read it."""
import json

import pytest
from sqlalchemy import func, select

from cxgov.audit.models import AuditEntry
from cxgov.extensions import db
from tests import factories


def entries(app, **where):
    with app.app_context():
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditEntry, key) == value)
        return [(e.action, e.entity, e.entity_id, e.actor_id, e.changes) for e in db.session.scalars(stmt)]


def test_anonymous_gets_401(client):
    response = client.get("/api/audit")
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize("role", ["member", "executive"])
def test_members_and_executives_get_403(login_as, role):
    response = login_as(role).get("/api/audit")
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize("role", ["admin", "cx_leader"])
def test_admins_and_cx_leaders_read_the_trail(login_as, role):
    response = login_as(role).get("/api/audit")
    assert response.status_code == 200
    assert set(response.json) == {"items", "total", "page", "page_size"}
    # The signed-in user's own creation by the factory is recorded.
    assert response.json["total"] >= 1


def test_department_create_update_delete_are_recorded_with_actor_and_changes(app, login_as):
    admin = login_as("admin")
    department_id = admin.post("/api/departments", json={"name": "Claims", "code": "CLM"}).json["id"]
    admin.patch(f"/api/departments/{department_id}", json={"name": "Claims handling", "code": "CLM"})
    admin.delete(f"/api/departments/{department_id}")

    recorded = entries(app, entity="department", entity_id=department_id)
    assert [(action, actor) for action, _, _, actor, _ in recorded] == [
        ("create", admin.user_id), ("update", admin.user_id), ("delete", admin.user_id)]
    created, updated, deleted = (changes for *_, changes in recorded)
    assert created == {"name": "Claims", "code": "CLM"}
    assert updated == {"name": ["Claims", "Claims handling"]}  # the unchanged code is not listed
    assert deleted["name"] == "Claims handling" and deleted["code"] == "CLM"


def test_user_changes_are_recorded_and_secrets_redacted(app, login_as):
    admin = login_as("admin")
    user_id = admin.post(
        "/api/users", json={"email": "jo@example.com", "name": "Jo", "password": "a long password"}
    ).json["id"]
    admin.patch(f"/api/users/{user_id}", json={"role": "cx_leader", "password": "another long password"})

    (create, *_), (update, *_) = [(e[4],) for e in entries(app, entity="user", entity_id=user_id)]
    assert create["email"] == "jo@example.com" and create["role"] == "member"
    assert create["password_hash"] == "***"
    # The new password and role end the user's sessions and tokens: a new credential generation.
    assert update == {"role": ["member", "cx_leader"], "password_hash": ["***", "***"],
                      "credential_generation": [0, 1]}

    listing = admin.get(f"/api/audit?entity=user&entity_id={user_id}").json
    assert listing["total"] == 2
    assert "argon2" not in json.dumps(listing)
    assert "a long password" not in json.dumps(listing)


def test_a_user_editing_themselves_is_the_actor(app, login_as):
    me = login_as("member", name="Old")
    me.patch("/api/users/me", json={"name": "New"})
    assert entries(app, entity="user", entity_id=me.user_id, action="update") == [
        ("update", "user", me.user_id, me.user_id, {"name": ["Old", "New"]})]


def test_a_refused_request_writes_no_audit_entry(app, login_as):
    admin = login_as("admin")
    member = login_as("member")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    member.post("/api/departments", json={"name": "Claims", "code": "CLM"})           # 403
    admin.post("/api/departments", json={"name": "", "code": "CLM"})                 # 422
    admin.post("/api/departments", data="{", content_type="application/json")       # 400
    admin.patch(f"/api/users/{admin.user_id}", json={"active": False})               # 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_the_trail_is_newest_first_paginated_and_filtered(app, login_as):
    admin = login_as("admin")
    for code in ("A", "B", "C"):
        admin.post("/api/departments", json={"name": f"Dept {code}", "code": code})
    page = admin.get("/api/audit?entity=department&page_size=2").json
    assert page["total"] == 3 and page["page_size"] == 2
    assert [e["changes"]["code"] for e in page["items"]] == ["C", "B"]
    assert all(e["actor_id"] == admin.user_id and e["action"] == "create" for e in page["items"])
    item = page["items"][0]
    assert set(item) == {"id", "actor_id", "action", "entity", "entity_id", "changes", "created_at"}
    assert item["created_at"].endswith("+00:00")
    assert admin.get(f"/api/audit?actor_id={admin.user_id}&action=create").json["total"] == 3
    assert admin.get("/api/audit?action=delete").json["total"] == 0
    response = admin.get("/api/audit?page_size=201")
    assert response.status_code == 422 and "page_size" in response.json["errors"]


def test_the_trail_is_read_only(login_as):
    admin = login_as("admin")
    assert admin.post("/api/audit", json={"action": "create"}).status_code == 405
    assert admin.delete("/api/audit").status_code == 405


def test_changes_made_outside_a_request_have_no_actor(app):
    with app.app_context():
        department = factories.create_department(code="X1")
        assert entries(app, entity="department", entity_id=department.id)[0][3] is None
