"""/api/initiatives/{id}/cash-flows: the business case and its actuals."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cxgov.extensions import db
from cxgov.initiatives.models import CashFlow
from tests import factories


def flows_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CashFlow))


def make_initiative(app, owner_id=None, status="proposed"):
    with app.app_context():
        owner = db.session.get(factories.User, owner_id) if owner_id else None
        return factories.create_initiative(owner=owner, status=status).id


FLOW = {"kind": "cost", "category": "implementation", "year": 0, "amount": "12000.50",
        "risk_adjustment": 0.1, "basis": "planned", "description": "Build"}


def test_anonymous_gets_401(client, app):
    initiative_id = make_initiative(app)
    with app.app_context():
        flow_id = factories.add_cash_flow(factories.db.session.get(factories.Initiative, initiative_id)).id
    base = f"/api/initiatives/{initiative_id}/cash-flows"
    assert client.get(base).status_code == 401
    assert client.post(base, json=FLOW).status_code == 401
    assert client.get(f"{base}/{flow_id}").status_code == 401
    assert client.patch(f"{base}/{flow_id}", json={"amount": 1}).status_code == 401
    assert client.delete(f"{base}/{flow_id}").status_code == 401


@pytest.mark.parametrize("role, owner, status_code", [
    ("member", True, 201), ("member", False, 403), ("executive", False, 403),
    ("cx_leader", False, 201), ("admin", False, 201),
])
def test_who_adds_cash_flows(login_as, app, role, owner, status_code):
    api = login_as(role)
    initiative_id = make_initiative(app, api.user_id if owner else None)
    response = api.post(f"/api/initiatives/{initiative_id}/cash-flows", json=FLOW)
    assert response.status_code == status_code
    assert flows_count(app) == (1 if status_code == 201 else 0)
    if status_code == 201:
        body = response.json
        assert body["amount"] == "12000.50"
        assert body["risk_adjustment"] == 0.1
        assert body["initiative_id"] == initiative_id
        assert response.headers["ETag"]


def test_amount_accepts_a_number_and_defaults_apply(login_as, app):
    api = login_as("cx_leader")
    initiative_id = make_initiative(app)
    response = api.post(f"/api/initiatives/{initiative_id}/cash-flows",
                        json={"kind": "benefit", "category": "savings", "year": 2, "amount": 500})
    assert response.status_code == 201
    assert response.json["amount"] == "500.00"
    assert response.json["basis"] == "planned"
    assert response.json["risk_adjustment"] == 0
    with app.app_context():
        assert db.session.scalar(select(CashFlow.amount)) == Decimal("500.00")


def test_the_owner_cannot_add_once_closed(login_as, app):
    owner = login_as("member")
    initiative_id = make_initiative(app, owner.user_id, status="closed")
    assert owner.post(f"/api/initiatives/{initiative_id}/cash-flows", json=FLOW).status_code == 403
    assert flows_count(app) == 0


@pytest.mark.parametrize("change, field", [
    ({"amount": 0}, "amount"), ({"amount": "-5"}, "amount"), ({"amount": "abc"}, "amount"),
    ({"year": -1}, "year"), ({"year": 11}, "year"),
    ({"risk_adjustment": 1}, "risk_adjustment"), ({"risk_adjustment": -0.1}, "risk_adjustment"),
    ({"kind": "saving"}, "kind"), ({"basis": "forecast"}, "basis"), ({"category": ""}, "category"),
    ({"initiative_id": 1}, "initiative_id"), ({"extra": True}, "extra"),
])
def test_bad_cash_flows_are_refused(login_as, app, change, field):
    api = login_as("admin")
    initiative_id = make_initiative(app)
    response = api.post(f"/api/initiatives/{initiative_id}/cash-flows", json={**FLOW, **change})
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert flows_count(app) == 0


def test_list_filters_read_change_delete(login_as, app):
    owner = login_as("member")
    initiative_id = make_initiative(app, owner.user_id)
    base = f"/api/initiatives/{initiative_id}/cash-flows"
    ids = [owner.post(base, json={**FLOW, **extra}).json["id"] for extra in (
        {}, {"kind": "benefit", "year": 1}, {"kind": "benefit", "year": 1, "basis": "actual"})]
    assert owner.get(base).json["total"] == 3
    assert [f["id"] for f in owner.get(f"{base}?basis=actual").json["items"]] == [ids[2]]
    assert owner.get(f"{base}?kind=benefit").json["total"] == 2
    assert owner.get(f"{base}?year=0").json["total"] == 1
    assert owner.get(f"{base}?year=12").status_code == 422
    assert login_as("executive").get(f"{base}/{ids[0]}").json["amount"] == "12000.50"

    read = owner.get(f"{base}/{ids[0]}")
    changed = owner.patch(f"{base}/{ids[0]}", json={"amount": "100"}, headers={"If-Match": read.headers["ETag"]})
    assert changed.status_code == 200 and changed.json["amount"] == "100.00"
    stale = owner.patch(f"{base}/{ids[0]}", json={"amount": "200"}, headers={"If-Match": read.headers["ETag"]})
    assert stale.status_code == 412
    bad = owner.patch(f"{base}/{ids[0]}", json={"amount": None})
    assert bad.status_code == 422 and "amount" in bad.json["errors"]
    assert owner.patch(f"{base}/{ids[0]}", json={"year": 99}).status_code == 422
    with app.app_context():
        assert db.session.get(CashFlow, ids[0]).amount == Decimal("100.00")

    assert login_as("member").delete(f"{base}/{ids[1]}").status_code == 403
    assert login_as("executive").patch(f"{base}/{ids[1]}", json={"amount": 1}).status_code == 403
    assert owner.delete(f"{base}/{ids[1]}").status_code == 204
    assert owner.get(f"{base}/{ids[1]}").status_code == 404
    assert flows_count(app) == 2


def test_a_cash_flow_belongs_to_its_initiative(login_as, app):
    api = login_as("admin")
    first, second = make_initiative(app), make_initiative(app)
    flow_id = api.post(f"/api/initiatives/{first}/cash-flows", json=FLOW).json["id"]
    assert api.get(f"/api/initiatives/{second}/cash-flows/{flow_id}").status_code == 404
    assert api.delete(f"/api/initiatives/{second}/cash-flows/{flow_id}").status_code == 404
    assert api.post("/api/initiatives/99999/cash-flows", json=FLOW).status_code == 404
    assert flows_count(app) == 1
