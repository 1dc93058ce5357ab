"""/api/departments: admins write, everyone signed in reads (SPEC §5)."""
import pytest
from sqlalchemy import func, select

from cxgov.audit.models import AuditEntry
from cxgov.extensions import db
from cxgov.org.models import Department
from tests import factories

READERS = ["member", "executive", "cx_leader", "admin"]
NOT_ADMINS = ["member", "executive", "cx_leader"]


def count(app, model=Department):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def make_department(app, **kw):
    with app.app_context():
        department = factories.create_department(**kw)
        return department.id


# -- roles -----------------------------------------------------------------------------------

def test_anonymous_gets_401_on_every_operation(app, client):
    department_id = make_department(app)
    calls = [
        client.get("/api/departments"),
        client.post("/api/departments", json={"name": "Sales", "code": "SAL"}),
        client.get(f"/api/departments/{department_id}"),
        client.patch(f"/api/departments/{department_id}", json={"name": "Sales"}),
        client.delete(f"/api/departments/{department_id}"),
    ]
    for response in calls:
        assert response.status_code == 401
        assert response.content_type == "application/problem+json"
    assert count(app) == 1


@pytest.mark.parametrize("role", READERS)
def test_everyone_signed_in_reads(app, login_as, role):
    department_id = make_department(app, name="Claims", code="CLM")
    client = login_as(role)
    listing = client.get("/api/departments")
    assert listing.status_code == 200
    assert [d["code"] for d in listing.json["items"]] == ["CLM"]
    one = client.get(f"/api/departments/{department_id}")
    assert one.status_code == 200
    assert one.json["name"] == "Claims"
    assert one.headers["ETag"]


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_admins_write(app, login_as, role):
    department_id = make_department(app, name="Claims", code="CLM")
    client = login_as(role)
    assert client.post("/api/departments", json={"name": "Sales", "code": "SAL"}).status_code == 403
    assert client.patch(f"/api/departments/{department_id}", json={"name": "Sales"}).status_code == 403
    assert client.delete(f"/api/departments/{department_id}").status_code == 403
    with app.app_context():
        assert [d.name for d in db.session.scalars(select(Department))] == ["Claims"]
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.entity == "department")) == 1  # the factory's create


def test_admin_creates_changes_and_deletes(app, login_as):
    admin = login_as("admin")
    created = admin.post("/api/departments", json={"name": "Customer Service", "code": "CS"})
    assert created.status_code == 201
    body = created.json
    assert body["name"] == "Customer Service" and body["code"] == "CS"
    assert created.headers["ETag"]
    department_id = body["id"]

    changed = admin.patch(f"/api/departments/{department_id}", json={"name": "Customer Care"},
                          headers={"If-Match": created.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.json["name"] == "Customer Care"
    assert changed.json["code"] == "CS"
    assert changed.headers["ETag"] != created.headers["ETag"]

    deleted = admin.delete(f"/api/departments/{department_id}", headers={"If-Match": changed.headers["ETag"]})
    assert deleted.status_code == 204
    assert admin.get(f"/api/departments/{department_id}").status_code == 404
    assert count(app) == 0


# -- bad input ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body, field", [
    ({"code": "SAL"}, "name"),
    ({"name": "Sales"}, "code"),
    ({"name": "", "code": "SAL"}, "name"),
    ({"name": "x" * 121, "code": "SAL"}, "name"),
    ({"name": "Sales", "code": "S A L"}, "code"),
    ({"name": "Sales", "code": "x" * 17}, "code"),
    ({"name": 42, "code": "SAL"}, "name"),
    ({"name": "Sales", "code": "SAL", "budget": 10}, "budget"),
    ({"name": "Sales", "code": "SAL", "id": 7}, "id"),
])
def test_bad_input_on_create_is_422_naming_the_field_and_writes_nothing(app, login_as, body, field):
    admin = login_as("admin")
    audit_before = count(app, AuditEntry)
    response = admin.post("/api/departments", json=body)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert field in response.json["errors"]
    assert count(app) == 0
    assert count(app, AuditEntry) == audit_before


@pytest.mark.parametrize("body, field", [
    ({"name": ""}, "name"),
    ({"code": "no spaces allowed"}, "code"),
    ({"color": "red"}, "color"),
])
def test_bad_input_on_change_is_422_and_writes_nothing(app, login_as, body, field):
    department_id = make_department(app, name="Claims", code="CLM")
    admin = login_as("admin")
    response = admin.patch(f"/api/departments/{department_id}", json=body)
    assert response.status_code == 422
    assert field in response.json["errors"]
    with app.app_context():
        department = db.session.get(Department, department_id)
        assert (department.name, department.code, department.version) == ("Claims", "CLM", 1)


def test_malformed_json_is_400_on_every_write(app, login_as):
    department_id = make_department(app)
    admin = login_as("admin")
    for response in (
        admin.post("/api/departments", data="{", content_type="application/json"),
        admin.patch(f"/api/departments/{department_id}", data="{'name': 1}", content_type="application/json"),
    ):
        assert response.status_code == 400
        assert response.content_type == "application/problem+json"
    assert count(app) == 1


def test_duplicate_code_or_name_is_409(app, login_as):
    make_department(app, name="Claims", code="CLM")
    other_id = make_department(app, name="Sales", code="SAL")
    admin = login_as("admin")
    response = admin.post("/api/departments", json={"name": "Claims 2", "code": "CLM"})
    assert response.status_code == 409
    assert "code" in response.json["errors"]
    response = admin.post("/api/departments", json={"name": "Claims", "code": "CL2"})
    assert response.status_code == 409
    assert "name" in response.json["errors"]
    response = admin.patch(f"/api/departments/{other_id}", json={"code": "CLM"})
    assert response.status_code == 409
    assert count(app) == 2
    # Keeping one's own code is not a duplicate.
    assert admin.patch(f"/api/departments/{other_id}", json={"code": "SAL", "name": "Sales"}).status_code == 200


def test_a_missing_department_is_404(login_as):
    admin = login_as("admin")
    for response in (admin.get("/api/departments/999"), admin.patch("/api/departments/999", json={"name": "X"}),
                     admin.delete("/api/departments/999")):
        assert response.status_code == 404
        assert response.content_type == "application/problem+json"


def test_a_department_people_belong_to_cannot_be_deleted(app, login_as):
    department_id = make_department(app)
    with app.app_context():
        factories.create_user(department_id=department_id)
    admin = login_as("admin")
    response = admin.delete(f"/api/departments/{department_id}")
    assert response.status_code == 409
    assert count(app) == 1


def test_a_department_with_an_ambassador_cannot_be_deleted(app, login_as):
    with app.app_context():
        ambassador = factories.create_ambassador()
        department_id = ambassador.department_id
    admin = login_as("admin")
    response = admin.delete(f"/api/departments/{department_id}")
    assert response.status_code == 409
    assert count(app) == 1


# -- concurrency -------------------------------------------------------------------------------

def test_a_stale_if_match_is_412_and_writes_nothing(app, login_as):
    department_id = make_department(app, name="Claims", code="CLM")
    admin = login_as("admin")
    stale = admin.get(f"/api/departments/{department_id}").headers["ETag"]
    assert admin.patch(f"/api/departments/{department_id}", json={"name": "Claims handling"},
                       headers={"If-Match": stale}).status_code == 200

    response = admin.patch(f"/api/departments/{department_id}", json={"name": "Overwritten"},
                           headers={"If-Match": stale})
    assert response.status_code == 412
    assert response.content_type == "application/problem+json"
    response = admin.delete(f"/api/departments/{department_id}", headers={"If-Match": stale})
    assert response.status_code == 412
    with app.app_context():
        department = db.session.get(Department, department_id)
        assert (department.name, department.version) == ("Claims handling", 2)


# -- lists -------------------------------------------------------------------------------------

def test_the_list_is_paginated_and_filtered(app, login_as):
    with app.app_context():
        for n in range(5):
            factories.create_department(name=f"Department {n}", code=f"DEP{n}")
    client = login_as("member")
    page = client.get("/api/departments?page=2&page_size=2").json
    assert (page["total"], page["page"], page["page_size"]) == (5, 2, 2)
    assert [d["name"] for d in page["items"]] == ["Department 2", "Department 3"]
    assert client.get("/api/departments?page=4&page_size=2").json["items"] == []
    assert client.get("/api/departments").json["page_size"] == 50
    assert client.get("/api/departments?page_size=200").status_code == 200

    filtered = client.get("/api/departments?code=DEP3").json
    assert filtered["total"] == 1 and filtered["items"][0]["code"] == "DEP3"


@pytest.mark.parametrize("query, field", [
    ("page_size=201", "page_size"), ("page_size=0", "page_size"), ("page=0", "page"), ("page=abc", "page"),
])
def test_bad_pagination_is_422_naming_the_parameter(login_as, query, field):
    response = login_as("member").get(f"/api/departments?{query}")
    assert response.status_code == 422
    assert field in response.json["errors"]
