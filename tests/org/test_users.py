"""/api/users and /api/users/me: admins manage users, everyone reads, each edits their own account."""
import json

import pytest
from sqlalchemy import func, select

from cxgov.extensions import db
from cxgov.org.models import User
from cxgov.org.passwords import verify_password
from tests import factories
from tests.queries import count_statements

NOT_ADMINS = ["member", "executive", "cx_leader"]
NEW_USER = {"email": "Jonas.Weber@Example.com", "name": "Jonas Weber", "role": "member",
            "password": "a long password"}


def count_users(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def make_user(app, **kw):
    with app.app_context():
        return factories.create_user(**kw).id


def assert_no_password(body):
    text = json.dumps(body)
    assert "password" not in text
    assert "argon2" not in text


# -- roles -----------------------------------------------------------------------------------

def test_anonymous_gets_401_on_every_operation(app, client):
    user_id = make_user(app)
    for response in (
        client.get("/api/users"),
        client.post("/api/users", json=NEW_USER),
        client.get(f"/api/users/{user_id}"),
        client.patch(f"/api/users/{user_id}", json={"name": "X"}),
        client.get("/api/users/me"),
        client.patch("/api/users/me", json={"name": "X"}),
    ):
        assert response.status_code == 401
        assert response.content_type == "application/problem+json"
    assert count_users(app) == 1


@pytest.mark.parametrize("role", ["member", "executive", "cx_leader", "admin"])
def test_everyone_signed_in_reads_users_without_their_passwords(app, login_as, role):
    other_id = make_user(app, name="Aaron Other")
    client = login_as(role)
    listing = client.get("/api/users")
    assert listing.status_code == 200
    assert listing.json["total"] == 2
    assert_no_password(listing.json)
    one = client.get(f"/api/users/{other_id}")
    assert one.status_code == 200
    assert one.json["name"] == "Aaron Other"
    assert one.headers["ETag"]
    assert_no_password(one.json)
    me = client.get("/api/users/me")
    assert me.status_code == 200
    assert me.json["id"] == client.user_id and me.json["role"] == role
    assert_no_password(me.json)


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_admins_create_and_change_users(app, login_as, role):
    other_id = make_user(app, name="Aaron Other")
    client = login_as(role)
    assert client.post("/api/users", json=NEW_USER).status_code == 403
    assert client.patch(f"/api/users/{other_id}", json={"name": "Changed"}).status_code == 403
    # Not even themselves, through the admin endpoint (they use /me).
    assert client.patch(f"/api/users/{client.user_id}", json={"role": "admin"}).status_code == 403
    assert count_users(app) == 2
    with app.app_context():
        assert db.session.get(User, other_id).name == "Aaron Other"
        assert db.session.get(User, client.user_id).role == role


def test_admin_creates_a_user_who_can_sign_in(app, login_as, client):
    with app.app_context():
        department_id = factories.create_department(code="CLM").id
    admin = login_as("admin")
    response = admin.post("/api/users", json={**NEW_USER, "department_id": department_id, "role": "cx_leader"})
    assert response.status_code == 201
    body = response.json
    assert body["email"] == "jonas.weber@example.com"
    assert (body["role"], body["department_id"], body["active"]) == ("cx_leader", department_id, True)
    assert response.headers["ETag"]
    assert_no_password(body)
    with app.app_context():
        user = db.session.get(User, body["id"])
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user.password_hash, "a long password")
    token = client.post("/api/auth/tokens", json={"email": "JONAS.weber@example.com", "password": "a long password"})
    assert token.status_code == 201


def test_admin_changes_a_user_and_only_the_given_fields(app, login_as):
    user_id = make_user(app, name="Aaron Other", role="executive")
    admin = login_as("admin")
    etag = admin.get(f"/api/users/{user_id}").headers["ETag"]
    response = admin.patch(f"/api/users/{user_id}", json={"name": "Aaron Mayer"}, headers={"If-Match": etag})
    assert response.status_code == 200
    assert (response.json["name"], response.json["role"], response.json["active"]) == ("Aaron Mayer", "executive", True)
    response = admin.patch(f"/api/users/{user_id}", json={"active": False, "password": "another long one"})
    assert response.status_code == 200 and response.json["active"] is False
    assert_no_password(response.json)
    with app.app_context():
        assert verify_password(db.session.get(User, user_id).password_hash, "another long one")


# -- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("change, field", [
    ({"email": "not-an-email"}, "email"),
    ({"email": None}, "email"),
    ({"name": ""}, "name"),
    ({"role": "superuser"}, "role"),
    ({"password": "short"}, "password"),
    ({"active": "perhaps"}, "active"),
    ({"digest_preference": "hourly"}, "digest_preference"),
    ({"department_id": 999}, "department_id"),
    ({"department_id": "sales"}, "department_id"),
    ({"is_superuser": True}, "is_superuser"),
    ({"password_hash": "$argon2id$..."}, "password_hash"),
])
def test_bad_input_on_create_is_422_naming_the_field_and_writes_nothing(app, login_as, change, field):
    admin = login_as("admin")
    response = admin.post("/api/users", json={**NEW_USER, **change})
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.json["errors"]
    assert count_users(app) == 1


@pytest.mark.parametrize("missing", ["email", "name", "password"])
def test_required_fields_on_create(app, login_as, missing):
    admin = login_as("admin")
    body = {k: v for k, v in NEW_USER.items() if k != missing}
    response = admin.post("/api/users", json=body)
    assert response.status_code == 422
    assert missing in response.json["errors"]
    assert count_users(app) == 1


@pytest.mark.parametrize("change, field", [
    ({"role": "boss"}, "role"), ({"email": "nope"}, "email"), ({"department_id": 999}, "department_id"),
    ({"id": 5}, "id"), ({"name": None}, "name"),
])
def test_bad_input_on_change_is_422_and_writes_nothing(app, login_as, change, field):
    user_id = make_user(app, name="Aaron Other")
    admin = login_as("admin")
    response = admin.patch(f"/api/users/{user_id}", json=change)
    assert response.status_code == 422
    assert field in response.json["errors"]
    with app.app_context():
        user = db.session.get(User, user_id)
        assert (user.name, user.role, user.version) == ("Aaron Other", "member", 1)


def test_malformed_json_is_400_on_every_write(app, login_as):
    user_id = make_user(app)
    admin = login_as("admin")
    for method, path in (("post", "/api/users"), ("patch", f"/api/users/{user_id}"), ("patch", "/api/users/me")):
        response = getattr(admin, method)(path, data='{"name": "x"', content_type="application/json")
        assert response.status_code == 400, path
        assert response.content_type == "application/problem+json"
    assert count_users(app) == 2


def test_email_is_unique_case_insensitively(app, login_as):
    make_user(app, email="jonas.weber@example.com")
    other_id = make_user(app, email="someone@example.com")
    admin = login_as("admin")
    response = admin.post("/api/users", json={**NEW_USER, "email": "JONAS.WEBER@example.com"})
    assert response.status_code == 409
    assert "email" in response.json["errors"]
    response = admin.patch(f"/api/users/{other_id}", json={"email": "Jonas.Weber@EXAMPLE.com"})
    assert response.status_code == 409
    assert count_users(app) == 3
    with app.app_context():
        assert db.session.get(User, other_id).email == "someone@example.com"


def test_a_missing_user_is_404(login_as):
    admin = login_as("admin")
    assert admin.get("/api/users/999").status_code == 404
    assert admin.patch("/api/users/999", json={"name": "X"}).status_code == 404


# -- an admin cannot lock themselves out ---------------------------------------------------------

@pytest.mark.parametrize("change, field", [({"role": "member"}, "role"), ({"active": False}, "active")])
def test_admins_cannot_demote_or_deactivate_themselves(app, login_as, change, field):
    admin = login_as("admin")
    response = admin.patch(f"/api/users/{admin.user_id}", json=change)
    assert response.status_code == 409
    assert field in response.json["errors"]
    with app.app_context():
        me = db.session.get(User, admin.user_id)
        assert (me.role, me.active) == ("admin", True)
    assert admin.patch(f"/api/users/{admin.user_id}", json={"name": "Still Admin"}).status_code == 200


def test_admins_can_demote_another_admin(app, login_as):
    other_id = make_user(app, role="admin")
    admin = login_as("admin")
    response = admin.patch(f"/api/users/{other_id}", json={"role": "member"})
    assert response.status_code == 200 and response.json["role"] == "member"


# -- concurrency -------------------------------------------------------------------------------

def test_a_stale_if_match_is_412_and_writes_nothing(app, login_as):
    user_id = make_user(app, name="Aaron Other")
    admin = login_as("admin")
    stale = admin.get(f"/api/users/{user_id}").headers["ETag"]
    assert (
        admin.patch(f"/api/users/{user_id}", json={"name": "Aaron Mayer"}, headers={"If-Match": stale}).status_code
        == 200
    )
    response = admin.patch(f"/api/users/{user_id}", json={"name": "Lost update"}, headers={"If-Match": stale})
    assert response.status_code == 412
    assert response.content_type == "application/problem+json"
    with app.app_context():
        assert db.session.get(User, user_id).name == "Aaron Mayer"


# -- lists -------------------------------------------------------------------------------------

def test_the_list_is_paginated_and_filtered(app, login_as):
    with app.app_context():
        department = factories.create_department()
        factories.create_user(role="executive", name="B Exec")
        factories.create_user(role="cx_leader", name="C Leader", department_id=department.id)
        factories.create_user(role="member", name="D Gone", active=False, department_id=department.id)
        department_id = department.id
    client = login_as("member", name="A Member")
    page = client.get("/api/users?page=1&page_size=2").json
    assert (page["total"], page["page"], page["page_size"]) == (4, 1, 2)
    assert [u["name"] for u in page["items"]] == ["A Member", "B Exec"]
    assert [u["name"] for u in client.get("/api/users?role=cx_leader").json["items"]] == ["C Leader"]
    assert [u["name"] for u in client.get(f"/api/users?department_id={department_id}").json["items"]] == [
        "C Leader", "D Gone"]
    assert [u["name"] for u in client.get("/api/users?active=false").json["items"]] == ["D Gone"]
    assert client.get("/api/users?role=boss").status_code == 422
    response = client.get("/api/users?page_size=201")
    assert response.status_code == 422 and "page_size" in response.json["errors"]


# -- /api/users/me -----------------------------------------------------------------------------

def test_a_user_changes_their_own_name_and_preference(app, login_as):
    client = login_as("member", name="Old Name")
    etag = client.get("/api/users/me").headers["ETag"]
    response = client.patch("/api/users/me", json={"name": "New Name", "digest_preference": "daily"},
                            headers={"If-Match": etag})
    assert response.status_code == 200
    assert (response.json["name"], response.json["digest_preference"]) == ("New Name", "daily")
    stale = client.patch("/api/users/me", json={"name": "Lost"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    with app.app_context():
        assert db.session.get(User, client.user_id).name == "New Name"


@pytest.mark.parametrize("change, field", [
    ({"role": "admin"}, "role"), ({"active": False}, "active"), ({"email": "me@example.com"}, "email"),
    ({"department_id": 1}, "department_id"), ({"digest_preference": "never"}, "digest_preference"),
    ({"name": ""}, "name"), ({"password": "short", "current_password": factories.PASSWORD}, "password"),
])
def test_a_user_cannot_change_what_only_admins_do(app, login_as, change, field):
    client = login_as("member", name="Me")
    response = client.patch("/api/users/me", json=change)
    assert response.status_code == 422
    assert field in response.json["errors"]
    with app.app_context():
        me = db.session.get(User, client.user_id)
        assert (me.role, me.active, me.version) == ("member", True, 1)


def test_changing_ones_password_needs_the_current_one(app, login_as, client):
    me = login_as("member")
    response = me.patch("/api/users/me", json={"password": "a brand new password"})
    assert response.status_code == 422
    assert "current_password" in response.json["errors"]
    response = me.patch("/api/users/me", json={"password": "a brand new password", "current_password": "wrong one!"})
    assert response.status_code == 422
    with app.app_context():
        email = db.session.get(User, me.user_id).email
    assert client.post("/api/auth/tokens", json={"email": email, "password": factories.PASSWORD}).status_code == 201

    response = me.patch("/api/users/me", json={"password": "a brand new password",
                                               "current_password": factories.PASSWORD})
    assert response.status_code == 200
    assert_no_password(response.json)
    assert client.post("/api/auth/tokens", json={"email": email, "password": factories.PASSWORD}).status_code == 401
    assert client.post("/api/auth/tokens", json={"email": email, "password": "a brand new password"}).status_code == 201


def test_the_list_costs_the_same_queries_for_3_or_30_users(app, login_as):
    client = login_as("member")

    def queries_for_listing():
        return count_statements(app, lambda: client.get("/api/users?page_size=200"))

    with app.app_context():
        department = factories.create_department()
        for _ in range(2):
            factories.create_user(department_id=department.id)
    few = queries_for_listing()
    assert few >= 2  # the count and the page (plus the token lookup)
    with app.app_context():
        for _ in range(27):
            factories.create_user(department_id=factories.create_department().id, password=None)
    assert queries_for_listing() == few
