"""GET /api/initiatives/{id}/roi (SPEC §4)."""
from decimal import Decimal

import pytest

from cxgov.extensions import db
from tests import factories

KEYS = {"basis", "discount_rate", "currency", "pv_costs", "pv_benefits", "npv", "roi", "payback_months", "years"}


def business_case(initiative):
    """The three-year case of tests/roi/test_calc.py, as planned flows, plus one actual."""
    for kind, year, amount, risk in [("cost", 0, "100000", "0.10"), ("cost", 1, "20000", "0"),
                                     ("benefit", 1, "80000", "0.25"), ("cost", 2, "20000", "0.05"),
                                     ("benefit", 2, "100000", "0.20"), ("cost", 3, "10000", "0"),
                                     ("benefit", 3, "120000", "0.25")]:
        factories.add_cash_flow(initiative, kind=kind, year=year, amount=amount, risk_adjustment=Decimal(risk))
    factories.add_cash_flow(initiative, kind="cost", year=0, amount="50000", basis="actual")


@pytest.fixture
def initiative_of(app):
    def _make(owner_id=None):
        with app.app_context():
            owner = db.session.get(factories.User, owner_id) if owner_id else None
            initiative = factories.create_initiative(owner=owner)
            business_case(initiative)
            return initiative.id
    return _make


@pytest.mark.parametrize("role", ["executive", "cx_leader", "admin"])
def test_report_roles_read_the_worked_example(login_as, initiative_of, role):
    initiative_id = initiative_of()
    response = login_as(role).get(f"/api/initiatives/{initiative_id}/roi")
    assert response.status_code == 200
    body = response.json
    assert set(body) == KEYS
    assert body["basis"] == "planned"
    assert body["discount_rate"] == 0.1
    assert body["currency"] == "EUR"
    assert body["pv_costs"] == "153050.34"
    assert body["pv_benefits"] == "188279.49"
    assert body["npv"] == "35229.15"
    assert body["roi"] == 0.2302
    assert body["payback_months"] == 25.7  # 25.65 shown with one decimal
    assert body["years"][0] == {"year": 0, "costs": "110000.00", "benefits": "0.00", "net": "-110000.00",
                                "cumulative_net": "-110000.00"}
    assert body["years"][3]["cumulative_net"] == "69000.00"


def test_the_owner_reads_own_and_other_members_are_refused(login_as, initiative_of, client):
    owner = login_as("member")
    initiative_id = initiative_of(owner.user_id)
    assert owner.get(f"/api/initiatives/{initiative_id}/roi").status_code == 200
    assert login_as("member").get(f"/api/initiatives/{initiative_id}/roi").status_code == 403
    assert client.get(f"/api/initiatives/{initiative_id}/roi").status_code == 401
    assert owner.get("/api/initiatives/99999/roi").status_code == 404


def test_actual_basis_and_discount_rate(login_as, initiative_of):
    api = login_as("executive")
    initiative_id = initiative_of()
    actual = api.get(f"/api/initiatives/{initiative_id}/roi?basis=actual").json
    assert (actual["basis"], actual["pv_costs"], actual["pv_benefits"], actual["npv"]) == (
        "actual", "50000.00", "0.00", "-50000.00")
    assert actual["roi"] == -1.0 and actual["payback_months"] is None
    undiscounted = api.get(f"/api/initiatives/{initiative_id}/roi?discount_rate=0").json
    assert undiscounted["discount_rate"] == 0
    assert undiscounted["pv_costs"] == "161000.00"  # 110 000 + 20 000 + 21 000 + 10 000
    assert undiscounted["pv_benefits"] == "230000.00"  # 60 000 + 80 000 + 90 000


def test_no_cash_flows_gives_zeros_and_null_roi(login_as, app):
    with app.app_context():
        initiative_id = factories.create_initiative().id
    body = login_as("admin").get(f"/api/initiatives/{initiative_id}/roi").json
    assert body["pv_costs"] == "0.00" and body["roi"] is None
    assert body["years"] == [{"year": 0, "costs": "0.00", "benefits": "0.00", "net": "0.00", "cumulative_net": "0.00"}]


@pytest.mark.parametrize("query, field", [("basis=forecast", "basis"), ("discount_rate=1.5", "discount_rate"),
                                          ("discount_rate=-0.1", "discount_rate"),
                                          ("discount_rate=abc", "discount_rate"),
                                          ("discount_rate=NaN", "discount_rate")])
def test_bad_parameters(login_as, initiative_of, query, field):
    response = login_as("admin").get(f"/api/initiatives/{initiative_of()}/roi?{query}")
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_the_default_rate_comes_from_configuration(app, login_as, initiative_of):
    app.config["CXGOV_DISCOUNT_RATE"] = Decimal("0")
    app.config["CXGOV_CURRENCY"] = "CHF"
    body = login_as("admin").get(f"/api/initiatives/{initiative_of()}/roi").json
    assert body["discount_rate"] == 0 and body["currency"] == "CHF"
    assert body["pv_costs"] == "161000.00"
