"""SPEC §10: GET /api/reports/stages?stage_type=&metric= compares one hourglass stage across journeys."""
from datetime import date
from decimal import Decimal

import pytest

from cxgov.extensions import db
from cxgov.journeys.models import Journey
from tests import factories
from tests.queries import count_statements


def journey_with_purchase(name, values, kind="customer", target=None, metric="nps"):
    """A journey with a custom stage and a purchase stage measured monthly with `values` (the last
    is the latest), plus a touchpoint measurement on it that never counts."""
    journey = factories.create_journey(name=name, kind=kind)
    factories.create_stage(journey, name="Look around", phase="pre_sale")
    purchase = factories.create_stage(journey, name="Sign", stage_type="purchase", phase="pre_sale")
    for month, value in enumerate(values, start=1):
        factories.create_measurement(journey, metric_code=metric, stage_id=purchase.id,
                                     period_start=date(2026, month, 1), value=Decimal(value))
    touchpoint = factories.create_touchpoint(purchase)
    factories.create_measurement(journey, metric_code=metric, stage_id=purchase.id, touchpoint_id=touchpoint.id,
                                 period_start=date(2026, 12, 1), value=Decimal("-99"))
    factories.create_measurement(journey, metric_code=metric, period_start=date(2026, 12, 1), value=Decimal("77"))
    if target is not None:
        factories.create_target(journey, metric_code=metric, stage_id=purchase.id, value=Decimal(target))
    return journey


def test_the_purchase_stage_compared_across_journeys_best_first(app, login_as):
    with app.app_context():
        journey_with_purchase("Buy home cover", ["10", "30"], target="32")
        journey_with_purchase("Buy car cover", ["50", "20"], target="40")
        journey_with_purchase("Hire an agent", ["45"], kind="employee")
        factories.create_stage(factories.create_journey(name="Not measured"), name="Pay", stage_type="purchase",
                               phase="pre_sale")
        factories.create_stage(factories.create_journey(name="Other stage"), name="Stay", stage_type="retention",
                               phase="post_sale")
    report = login_as("member").get("/api/reports/stages?stage_type=purchase&metric=nps")
    assert report.status_code == 200, report.json
    body = report.json
    assert body["stage_type"] == "purchase" and body["metric"]["code"] == "nps"
    rows = [(e["journey"]["name"], e["latest_value"], e["target"] and e["target"]["status"]) for e in body["journeys"]]
    assert rows == [("Hire an agent", 45, None), ("Buy home cover", 30, "near"), ("Buy car cover", 20, "off"),
                    ("Not measured", None, None)]
    assert body["journeys"][0]["journey"]["kind"] == "employee"
    assert body["journeys"][1]["period_start"] == "2026-02-01" and body["journeys"][1]["stage"]["name"] == "Sign"


def test_lower_is_better_puts_the_lowest_first(app, login_as):
    with app.app_context():
        journey_with_purchase("A", ["12"], metric="churn_rate")
        journey_with_purchase("B", ["8"], metric="churn_rate", target="8.5")
    body = login_as("executive").get("/api/reports/stages?stage_type=purchase&metric=churn_rate").json
    assert [(e["journey"]["name"], e["latest_value"]) for e in body["journeys"]] == [("B", 8), ("A", 12)]
    assert body["journeys"][0]["target"] == {"value": 8.5, "due_on": "2026-12-31", "status": "met"}


@pytest.mark.parametrize("query, field", [
    ("stage_type=purchase", "metric"), ("metric=nps", "stage_type"), ("stage_type=custom&metric=nps", "stage_type"),
    ("stage_type=checkout&metric=nps", "stage_type"), ("stage_type=purchase&metric=happiness", "metric"),
])
def test_bad_queries_are_422_naming_the_parameter(login_as, query, field):
    response = login_as("member").get(f"/api/reports/stages?{query}")
    assert response.status_code == 422 and field in response.json["errors"], response.json


def test_the_comparison_costs_constant_queries(app, login_as):
    api = login_as("member")
    with app.app_context():
        journey_with_purchase("J0", ["1", "2"], target="3")
    few = count_statements(app, lambda: api.get("/api/reports/stages?stage_type=purchase&metric=nps"))
    with app.app_context():
        for n in range(1, 7):
            journey_with_purchase(f"J{n}", [str(n)] * n, target=str(n))
        assert db.session.query(Journey).count() == 7
    assert count_statements(app, lambda: api.get("/api/reports/stages?stage_type=purchase&metric=nps")) == few
