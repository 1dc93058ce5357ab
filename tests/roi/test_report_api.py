"""GET /api/reports/roi and /api/reports/roi.csv (SPEC §4, §5)."""
import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from cxgov.extensions import db
from cxgov.journeys.models import Journey
from cxgov.org.models import Department
from tests import factories
from tests.queries import count_statements


def portfolio(app, owner_id=None):
    """Two departments, two journeys, three initiatives with awkward amounts and risks."""
    with app.app_context():
        sales, service = factories.create_department(name="Sales"), factories.create_department(name="Service")
        onboarding, billing = factories.create_journey(name="Onboarding"), factories.create_journey(name="Billing")
        owner = db.session.get(factories.User, owner_id) if owner_id else None
        first = factories.create_initiative(title="Chat support", journey=onboarding, department=sales,
                                            category="digital", status="approved", owner=owner)
        second = factories.create_initiative(title="Plain bills", journey=billing, department=service,
                                             category="process", status="delivered")
        third = factories.create_initiative(title="=Training", journey=onboarding, department=service,
                                            category="people", status="proposed")
        factories.add_cash_flow(first, "cost", 0, "333.33", risk_adjustment=Decimal("0.1234"))
        factories.add_cash_flow(first, "benefit", 1, "250.01", risk_adjustment=Decimal("0.0777"))
        factories.add_cash_flow(first, "benefit", 1, "99.99", risk_adjustment=Decimal("0.3333"))
        factories.add_cash_flow(first, "benefit", 2, "400.17", risk_adjustment=Decimal("0.05"))
        factories.add_cash_flow(first, "benefit", 3, "12.34", basis="actual")
        factories.add_cash_flow(second, "cost", 0, "1000", risk_adjustment=Decimal("0.2"))
        factories.add_cash_flow(second, "benefit", 1, "700")
        factories.add_cash_flow(second, "benefit", 2, "700", risk_adjustment=Decimal("0.5"))
        factories.add_cash_flow(second, "cost", 0, "900", basis="actual")
        factories.add_cash_flow(second, "benefit", 1, "1000", basis="actual")
        return {"ids": [first.id, second.id, third.id], "sales": sales.id, "service": service.id,
                "onboarding": onboarding.id}


def test_anonymous_gets_401(client):
    assert client.get("/api/reports/roi").status_code == 401
    assert client.get("/api/reports/roi.csv").status_code == 401


@pytest.mark.parametrize("role", ["executive", "cx_leader", "admin"])
@pytest.mark.parametrize("basis", ["planned", "actual"])
def test_the_report_equals_each_initiatives_roi(login_as, app, role, basis):
    world = portfolio(app)
    api = login_as(role)
    report = api.get(f"/api/reports/roi?basis={basis}&discount_rate=0.08").json
    assert [row["id"] for row in report["initiatives"]] == world["ids"]
    for row in report["initiatives"]:
        single = api.get(f"/api/initiatives/{row['id']}/roi?basis={basis}&discount_rate=0.08").json
        for field in ("pv_costs", "pv_benefits", "npv", "roi", "payback_months"):
            assert row[field] == single[field], (row["id"], field)
    # Totals sum the PVs, then take ROI of the sums.
    pv_costs = sum(Decimal(row["pv_costs"]) for row in report["initiatives"])
    pv_benefits = sum(Decimal(row["pv_benefits"]) for row in report["initiatives"])
    totals = report["totals"]
    assert abs(Decimal(totals["pv_costs"]) - pv_costs) <= Decimal("0.02")
    assert abs(Decimal(totals["pv_benefits"]) - pv_benefits) <= Decimal("0.02")
    expected_roi = (Decimal(totals["npv"]) / Decimal(totals["pv_costs"]))
    assert abs(Decimal(str(totals["roi"])) - expected_roi) < Decimal("0.0002")


def test_the_worked_numbers_of_one_initiative(login_as, app):
    world = portfolio(app)
    row = login_as("executive").get("/api/reports/roi").json["initiatives"][1]
    # Plain bills: costs 1 000 × 1.2 = 1 200 now; benefits 700 (year 1), 700 × 0.5 = 350 (year 2).
    # PV benefits = 700/1.1 + 350/1.21 = 636.363… + 289.256… = 925.62; NPV = −274.38; ROI = −0.2287
    assert row["id"] == world["ids"][1]
    assert (row["pv_costs"], row["pv_benefits"], row["npv"], row["roi"]) == ("1200.00", "925.62", "-274.38", -0.2287)
    assert row["payback_months"] is None  # −1 200, −500, −150


def test_groups_filters_and_group_by(login_as, app):
    world = portfolio(app)
    api = login_as("executive")
    report = api.get("/api/reports/roi").json
    assert [(g["key"], g["label"], g["initiatives"]) for g in report["groups"]] == [
        (world["sales"], "Sales", 1), (world["service"], "Service", 2)]
    service = report["groups"][1]
    assert service["pv_costs"] == "1200.00" and service["roi"] == -0.2287  # the third has no flows
    by_journey = api.get("/api/reports/roi?group_by=journey").json["groups"]
    assert [g["label"] for g in by_journey] == ["Billing", "Onboarding"]
    by_status = api.get("/api/reports/roi?group_by=status").json["groups"]
    assert [g["key"] for g in by_status] == ["approved", "delivered", "proposed"]
    by_category = api.get("/api/reports/roi?group_by=category").json["groups"]
    assert {g["key"] for g in by_category} == {"digital", "process", "people"}

    filtered = api.get(f"/api/reports/roi?department_id={world['service']}&journey_id={world['onboarding']}").json
    assert [row["id"] for row in filtered["initiatives"]] == [world["ids"][2]]
    assert filtered["totals"] == {"pv_costs": "0.00", "pv_benefits": "0.00", "npv": "0.00", "roi": None}
    assert [row["id"] for row in api.get("/api/reports/roi?status=delivered").json["initiatives"]] == [world["ids"][1]]
    assert api.get("/api/reports/roi?category=people").json["initiatives"][0]["id"] == world["ids"][2]


@pytest.mark.parametrize("query, field", [("group_by=owner", "group_by"), ("status=done", "status"),
                                          ("discount_rate=2", "discount_rate"), ("basis=x", "basis"),
                                          ("department_id=abc", "department_id")])
def test_bad_parameters(login_as, query, field):
    api = login_as("executive")
    for path in ("/api/reports/roi", "/api/reports/roi.csv"):
        response = api.get(f"{path}?{query}")
        assert response.status_code == 422
        assert field in response.json["errors"]


def test_members_see_only_their_own_initiatives(login_as, app):
    member = login_as("member")
    world = portfolio(app, owner_id=member.user_id)
    report = member.get("/api/reports/roi").json
    assert [row["id"] for row in report["initiatives"]] == [world["ids"][0]]
    assert sum(g["initiatives"] for g in report["groups"]) == 1
    rows = list(csv.DictReader(io.StringIO(member.get("/api/reports/roi.csv").get_data(as_text=True))))
    assert [int(row["id"]) for row in rows] == [world["ids"][0]]
    assert login_as("member").get("/api/reports/roi").json["initiatives"] == []


def test_csv_has_the_same_rows(login_as, app):
    world = portfolio(app)
    api = login_as("cx_leader")
    report = api.get("/api/reports/roi?basis=actual").json
    response = api.get("/api/reports/roi.csv?basis=actual")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == ["id", "title", "status", "department", "department_id", "journey", "journey_id",
                             "category", "pv_costs", "pv_benefits", "npv", "roi", "payback_months"]
    assert [int(row["id"]) for row in rows] == world["ids"]
    for row, expected in zip(rows, report["initiatives"], strict=True):
        assert row["npv"] == expected["npv"] and row["pv_costs"] == expected["pv_costs"]
        assert (float(row["roi"]) if row["roi"] else None) == expected["roi"]
    assert rows[1]["pv_benefits"] == "909.09"  # actual: 1 000 / 1.1
    assert rows[2]["title"] == "'=Training"  # never a spreadsheet formula
    for row, expected in zip(rows, report["initiatives"], strict=True):  # names for people, ids for programs
        assert (
            int(row["department_id"]) == expected["department_id"] and int(row["journey_id"]) == expected["journey_id"]
        )
    with app.app_context():
        names = {d.id: d.name for d in db.session.scalars(select(Department))}
        journeys = {j.id: j.name for j in db.session.scalars(select(Journey))}
    assert [row["department"] for row in rows] == [names[int(row["department_id"])] for row in rows]
    assert [row["journey"] for row in rows] == [journeys[int(row["journey_id"])] for row in rows]
    filtered = api.get(f"/api/reports/roi.csv?department_id={world['sales']}").get_data(as_text=True)
    assert len(filtered.strip().splitlines()) == 2


def make_initiatives(app, how_many):
    with app.app_context():
        departments = [factories.create_department() for _ in range(3)]
        journeys = [factories.create_journey() for _ in range(2)]
        for n in range(how_many):
            initiative = factories.create_initiative(department=departments[n % 3], journey=journeys[n % 2])
            factories.add_cash_flow(initiative, "cost", 0, "1000", risk_adjustment=Decimal("0.1"))
            factories.add_cash_flow(initiative, "benefit", 1, "800")
            factories.add_cash_flow(initiative, "benefit", 2, "800", basis="actual")


@pytest.mark.parametrize("path", ["/api/reports/roi?group_by=journey", "/api/reports/roi.csv"])
def test_the_report_costs_a_constant_number_of_queries(login_as, app, path):
    api = login_as("executive")
    make_initiatives(app, 2)
    few = count_statements(app, lambda: api.get(path))
    make_initiatives(app, 28)
    many = count_statements(app, lambda: api.get(path))
    assert few == many
    assert len(api.get("/api/reports/roi").json["initiatives"]) == 30


@pytest.mark.parametrize("path", ["/api/reports/roi", "/api/reports/roi.csv", "/reports/roi.csv"])
def test_a_kept_answer_is_shared_by_its_readers_and_follows_every_change(login_as, page_as, app, path):
    """The whole report (JSON, CSV) is made once per portfolio version for everyone who may view
    reports: a second reader's download reads fewer statements than the first. After a new cash
    flow, then a renamed department, the next download is what the report computes afresh. A
    member's is their own."""
    from cxgov.roi import services

    world = portfolio(app)
    reader = (page_as if path.startswith("/reports") else login_as)("executive")
    api_path = "/api" + path + "?portfolio=funded" if path.startswith("/reports") else path
    other = login_as("cx_leader")
    made = count_statements(app, lambda: reader.get(path))
    assert count_statements(app, lambda: other.get(api_path)) < made
    assert other.get(api_path).data == reader.get(path).data
    before = reader.get(path).data

    def afresh():
        services._answers.clear()
        return reader.get(path).data

    added = other.post(f"/api/initiatives/{world['ids'][0]}/cash-flows",
                       json={"kind": "cost", "category": "licences", "year": 0, "amount": "100"})
    assert added.status_code == 201, added.json
    after_flow = reader.get(path).data
    assert after_flow != before and after_flow == afresh()
    with app.app_context():
        db.session.get(Department, world["sales"]).name = "Sales and growth"
        db.session.commit()
    renamed = reader.get(path).data
    assert renamed == afresh()
    if "csv" in path:
        assert b"Sales and growth" in renamed

    own = login_as("member").get(api_path)
    assert own.status_code == 200 and b"Chat support" not in own.data
