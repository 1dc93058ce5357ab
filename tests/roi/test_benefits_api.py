"""GET /api/reports/benefits and /api/reports/benefits.csv (SPEC §8.6, §5)."""
import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest

from cxgov.extensions import db
from cxgov.initiatives.gate import freeze_baseline
from cxgov.roi.benefits import local_today
from tests import factories
from tests.queries import count_statements


def years_ago(app, years, days=0):
    """The date `years` whole years (and `days` more) before today, in the organisation's zone."""
    with app.app_context():
        today = local_today()
    return today.replace(year=today.year - years) - timedelta(days=days)


def approve(initiative, approved_on=date(2025, 1, 1)):
    """Freeze the initiative's planned cash flows as its baseline (what approval does)."""
    return freeze_baseline(initiative, approved_on)


def portfolio(app, owner_id=None):
    """Five initiatives:

    - "Chat support" (Sales, Onboarding, digital), started 1 year and 10 days ago: years 0–1.
      Baseline benefits: year 0 1 000 at r 0.2 → 800; year 1 2 000 at r 0.5 → 1 000; year 2 5 000
      (not yet due). Planned to date 1 800. Actual benefits: year 1 900 at r 0.1 → 810; year 2 9 999
      (not yet due). Actual to date 810. Realisation 810 / 1 800 = 0.45.
      A planned benefit added after approval (year 1, 7 000) is not in the baseline: not counted.
    - "Plain bills" (Service, Billing, process), started 2 years ago today: years 0–2. Baseline
      benefits 1 000 in each of years 1 and 2 → 2 000; actual 1 000 in years 1 and 2 → 2 000.
      Realisation 1. One impact measured since delivery: (40 − 20) × 100 × 0.5 = 1 000 a year.
    - "Later" (Service, Onboarding, people), starts tomorrow: no years to date, 0/0 → null.
    - "No start" (Sales, Billing, policy): approved, no start date: 0/0 → null.
    - "Never approved" (Sales, Onboarding): no baseline, not listed though it has actuals.

    Totals: planned 3 800, actual 2 810, realisation 2 810 / 3 800 = 0.7395 (not the mean of the
    ratios, 0.725); measured 1 000.
    """
    with app.app_context():
        sales, service = factories.create_department(name="Sales"), factories.create_department(name="Service")
        onboarding, billing = factories.create_journey(name="Onboarding"), factories.create_journey(name="Billing")
        owner = db.session.get(factories.User, owner_id) if owner_id else None
        chat = factories.create_initiative(title="Chat support", journey=onboarding, department=sales,
                                           category="digital", status="in_progress", owner=owner,
                                           start_on=years_ago(app, 1, days=10))
        factories.add_cash_flow(chat, "cost", 0, "5000")
        factories.add_cash_flow(chat, "benefit", 0, "1000", risk_adjustment=Decimal("0.2"))
        factories.add_cash_flow(chat, "benefit", 1, "2000", risk_adjustment=Decimal("0.5"))
        factories.add_cash_flow(chat, "benefit", 2, "5000")
        approve(chat)
        factories.add_cash_flow(chat, "benefit", 1, "7000")  # after approval: not in the baseline
        factories.add_cash_flow(chat, "benefit", 1, "900", risk_adjustment=Decimal("0.1"), basis="actual")
        factories.add_cash_flow(chat, "benefit", 2, "9999", basis="actual")
        factories.add_cash_flow(chat, "cost", 1, "4000", basis="actual")  # costs are not benefits

        bills = factories.create_initiative(title="Plain bills", journey=billing, department=service,
                                            category="process", status="delivered", start_on=years_ago(app, 2),
                                            delivered_on=years_ago(app, 1))
        factories.add_cash_flow(bills, "benefit", 1, "1000")
        factories.add_cash_flow(bills, "benefit", 2, "1000")
        factories.add_impact(bills, metric_code="nps", baseline_value=Decimal("20"), value_per_unit=Decimal("100"),
                             attribution=Decimal("0.5"))
        factories.create_measurement(journey=billing, metric_code="nps", period_start=years_ago(app, 0, days=60),
                                     period_end=years_ago(app, 0, days=30), value=Decimal("40"))
        approve(bills)
        factories.add_cash_flow(bills, "benefit", 1, "1000", basis="actual")
        factories.add_cash_flow(bills, "benefit", 2, "1000", basis="actual")

        later = factories.create_initiative(title="Later", journey=onboarding, department=service,
                                            category="people", status="approved",
                                            start_on=years_ago(app, 0, days=-1))
        factories.add_cash_flow(later, "benefit", 0, "3000")
        approve(later)

        no_start = factories.create_initiative(title="No start", journey=billing, department=sales,
                                               category="policy", status="approved")
        factories.add_cash_flow(no_start, "benefit", 0, "3000")
        approve(no_start)

        never = factories.create_initiative(title="Never approved", journey=onboarding, department=sales,
                                            status="proposed", start_on=years_ago(app, 1))
        factories.add_cash_flow(never, "benefit", 0, "3000", basis="actual")
        db.session.commit()
        return {"chat": chat.id, "bills": bills.id, "later": later.id, "no_start": no_start.id, "never": never.id,
                "sales": sales.id, "service": service.id, "onboarding": onboarding.id, "billing": billing.id}


def by_title(report):
    return {row["title"]: row for row in report["initiatives"]}


def test_anonymous_gets_401(client):
    assert client.get("/api/reports/benefits").status_code == 401
    assert client.get("/api/reports/benefits.csv").status_code == 401


@pytest.mark.parametrize("role", ["executive", "cx_leader", "admin"])
def test_the_worked_figures(login_as, app, role):
    world = portfolio(app)
    report = login_as(role).get("/api/reports/benefits").json
    # Lowest realisation first, those with nothing planned to date last (by title); never approved: absent.
    assert [row["title"] for row in report["initiatives"]] == ["Chat support", "Plain bills", "Later", "No start"]
    rows = by_title(report)
    chat = rows["Chat support"]
    assert (chat["planned_to_date"], chat["actual_to_date"], chat["realisation"]) == ("1800.00", "810.00", 0.45)
    assert chat["years_to_date"] == 2 and chat["below_threshold"] is True
    assert chat["measured_annual_value"] is None
    assert (chat["id"], chat["department"], chat["journey"], chat["status"]) == (
        world["chat"], "Sales", "Onboarding", "in_progress")
    bills = rows["Plain bills"]
    assert (bills["planned_to_date"], bills["actual_to_date"], bills["realisation"]) == ("2000.00", "2000.00", 1.0)
    assert bills["measured_annual_value"] == "1000.00" and bills["years_to_date"] == 3
    for title in ("Later", "No start"):
        row = rows[title]
        assert (row["planned_to_date"], row["actual_to_date"], row["realisation"], row["years_to_date"]) == (
            "0.00", "0.00", None, 0)
        assert row["below_threshold"] is False
    assert report["totals"] == {"planned_to_date": "3800.00", "actual_to_date": "2810.00", "realisation": 0.7395,
                                "measured_annual_value": "1000.00", "initiatives": 4, "below_threshold": 1}
    assert report["threshold"] == 0.7 and report["currency"] == "EUR"


def test_groups_are_ratios_of_sums_and_filters_narrow(login_as, app):
    world = portfolio(app)
    api = login_as("executive")
    groups = api.get("/api/reports/benefits").json["groups"]
    assert [(g["key"], g["label"], g["initiatives"]) for g in groups] == [
        (world["sales"], "Sales", 2), (world["service"], "Service", 2)]
    assert (groups[0]["planned_to_date"], groups[0]["realisation"], groups[0]["measured_annual_value"]) == (
        "1800.00", 0.45, None)
    assert (groups[1]["planned_to_date"], groups[1]["realisation"], groups[1]["measured_annual_value"]) == (
        "2000.00", 1.0, "1000.00")
    by_journey = api.get("/api/reports/benefits?group_by=journey").json["groups"]
    assert [(g["label"], g["initiatives"]) for g in by_journey] == [("Billing", 2), ("Onboarding", 2)]
    by_status = api.get("/api/reports/benefits?group_by=status").json["groups"]
    assert [g["key"] for g in by_status] == ["approved", "delivered", "in_progress"]
    by_category = api.get("/api/reports/benefits?group_by=category").json["groups"]
    assert {g["key"] for g in by_category} == {"digital", "process", "people", "policy"}

    def titles(query):
        return [row["title"] for row in api.get(f"/api/reports/benefits?{query}").json["initiatives"]]

    assert titles(f"department_id={world['service']}") == ["Plain bills", "Later"]
    assert titles(f"journey_id={world['billing']}") == ["Plain bills", "No start"]
    assert titles("status=in_progress") == ["Chat support"]
    assert titles("category=policy") == ["No start"]
    assert titles("portfolio=funded") == ["Chat support", "Plain bills", "Later", "No start"]
    empty = api.get("/api/reports/benefits?status=cancelled").json
    assert empty["initiatives"] == [] and empty["groups"] == []
    assert empty["totals"] == {"planned_to_date": "0.00", "actual_to_date": "0.00", "realisation": None,
                               "measured_annual_value": None, "initiatives": 0, "below_threshold": 0}


@pytest.mark.parametrize("query, field", [("group_by=owner", "group_by"), ("status=done", "status"),
                                          ("department_id=abc", "department_id"), ("basis=actual", "basis")])
def test_bad_parameters(login_as, query, field):
    api = login_as("executive")
    for path in ("/api/reports/benefits", "/api/reports/benefits.csv"):
        response = api.get(f"{path}?{query}")
        assert response.status_code == 422
        assert response.mimetype == "application/problem+json"
        assert field in response.json["errors"]


def test_members_see_only_their_own_initiatives(login_as, app):
    member = login_as("member")
    world = portfolio(app, owner_id=member.user_id)
    report = member.get("/api/reports/benefits").json
    assert [row["id"] for row in report["initiatives"]] == [world["chat"]]
    assert report["totals"]["planned_to_date"] == "1800.00" and report["totals"]["initiatives"] == 1
    assert sum(g["initiatives"] for g in report["groups"]) == 1
    rows = list(csv.DictReader(io.StringIO(member.get("/api/reports/benefits.csv").get_data(as_text=True))))
    assert [int(row["id"]) for row in rows] == [world["chat"]]
    assert login_as("member").get("/api/reports/benefits").json["initiatives"] == []


def test_csv_has_the_same_rows_and_figures(login_as, app):
    portfolio(app)
    api = login_as("cx_leader")
    report = api.get("/api/reports/benefits").json
    response = api.get("/api/reports/benefits.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(rows[0]) == ["id", "title", "status", "department", "department_id", "journey", "journey_id",
                             "category", "start_on", "years_to_date", "planned_to_date", "actual_to_date",
                             "realisation", "measured_annual_value"]
    for row, expected in zip(rows, report["initiatives"], strict=True):
        assert int(row["id"]) == expected["id"]
        for name in ("planned_to_date", "actual_to_date", "measured_annual_value"):
            assert row[name] == (expected[name] or ""), name
        assert (float(row["realisation"]) if row["realisation"] else None) == expected["realisation"]
        assert (row["department"], row["journey"]) == (expected["department"], expected["journey"])


def test_the_openapi_documents_it(login_as):
    spec = login_as("member").get("/api/openapi.json").json
    operation = spec["paths"]["/api/reports/benefits"]["get"]
    assert {"200", "401", "422"} <= set(operation["responses"])
    parameters = {p["name"] for p in operation["parameters"]}
    assert {"department_id", "journey_id", "status", "category", "group_by", "portfolio"} <= parameters
    assert "basis" not in parameters
    assert "/api/reports/benefits.csv" in spec["paths"]
    schemas = spec["components"]["schemas"]
    row = next(s for name, s in schemas.items() if name.startswith("InitiativeBenefits"))
    assert {"planned_to_date", "actual_to_date", "realisation", "measured_annual_value"} <= set(row["properties"])


def make_initiatives(app, how_many):
    with app.app_context():
        departments = [factories.create_department() for _ in range(3)]
        journeys = [factories.create_journey() for _ in range(2)]
        for journey in journeys:
            factories.create_measurement(journey=journey, metric_code="nps", period_start=years_ago(app, 0, days=50))
        for n in range(how_many):
            initiative = factories.create_initiative(department=departments[n % 3], journey=journeys[n % 2],
                                                     status="delivered", start_on=years_ago(app, 1),
                                                     delivered_on=years_ago(app, 0, days=100))
            factories.add_cash_flow(initiative, "benefit", 1, "800", risk_adjustment=Decimal("0.1"))
            factories.add_impact(initiative)
            approve(initiative)
            factories.add_cash_flow(initiative, "benefit", 1, "500", basis="actual")
        db.session.commit()


@pytest.mark.parametrize("path", ["/api/reports/benefits?group_by=journey", "/api/reports/benefits.csv"])
def test_the_report_costs_a_constant_number_of_queries(login_as, app, path):
    api = login_as("executive")
    make_initiatives(app, 1)
    few = count_statements(app, lambda: api.get(path))
    make_initiatives(app, 29)
    many = count_statements(app, lambda: api.get(path))
    assert few == many
    report = api.get("/api/reports/benefits").json
    assert len(report["initiatives"]) == 30 and report["totals"]["measured_annual_value"] is not None
