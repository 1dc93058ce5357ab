"""/api/initiatives/{id}/impacts (actual_value, annual_value), impact_values and the journey report."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from cxgov.extensions import db
from cxgov.initiatives.impacts import impact_values
from cxgov.initiatives.models import Impact, Initiative
from cxgov.journeys.models import Journey
from tests import factories
from tests.journeys.conftest import READERS, count_rows
from tests.queries import count_statements, recorded_statements


@pytest.fixture
def initiative(app, journey_owner):
    """A delivered initiative on the owner's journey (owned by a separate member)."""
    with app.app_context():
        journey = db.session.get(Journey, journey_owner.journey_id)
        initiative = factories.create_initiative(journey=journey, title="Callback promise", status="delivered",
                                                 delivered_on=date(2026, 3, 15))
        return initiative.id


def owner_client(app, login_as, initiative_id):
    client = login_as("member")
    with app.app_context():
        db.session.get(Initiative, initiative_id).owner_id = client.user_id
        db.session.commit()
    return client


IMPACT = {"baseline_value": 20, "target_value": 30, "value_per_unit": "1500", "attribution": 0.5}


def nps_id(app):
    with app.app_context():
        return factories.metric("nps").id


@pytest.mark.parametrize("caller, status", [("anonymous", 401), ("member", 403), ("journey_owner", 403),
                                            ("initiative_owner", 201), ("executive", 403), ("cx_leader", 201),
                                            ("admin", 201)])
def test_impact_writes_by_role(app, client, login_as, journey_owner, initiative, caller, status):
    api = {"anonymous": client, "journey_owner": journey_owner,
           "initiative_owner": None}.get(caller) or (owner_client(app, login_as, initiative)
                                                    if caller == "initiative_owner" else login_as(caller))
    base = f"/api/initiatives/{initiative}/impacts"
    response = api.post(base, json={**IMPACT, "metric_id": nps_id(app)})
    assert response.status_code == status
    with app.app_context():
        impact = factories.add_impact(db.session.get(Initiative, initiative), "csat")
        impact_id = impact.id
    ok = status == 201
    assert api.patch(f"{base}/{impact_id}", json={"target_value": 90}).status_code == (200 if ok else status)
    assert api.delete(f"{base}/{impact_id}").status_code == (204 if ok else status)
    assert count_rows(app, Impact) == (1 if ok else 1)


# Impacts are part of the business case (SPEC §5): the initiative's owner, executives and governance
# read them; other members, the journey's owner among them, do not.
BUSINESS_CASE_READERS = {**READERS, "member": 403, "owner": 403}


@pytest.mark.parametrize("caller", BUSINESS_CASE_READERS)
def test_impacts_are_read_as_the_business_case(app, as_caller, initiative, caller):
    with app.app_context():
        impact_id = factories.add_impact(db.session.get(Initiative, initiative)).id
    api = as_caller(caller)
    listing = api.get(f"/api/initiatives/{initiative}/impacts")
    single = api.get(f"/api/initiatives/{initiative}/impacts/{impact_id}")
    assert listing.status_code == single.status_code == (BUSINESS_CASE_READERS[caller] or 200)


def test_the_initiatives_owner_reads_its_impacts(app, login_as, initiative):
    with app.app_context():
        factories.add_impact(db.session.get(Initiative, initiative))
    assert owner_client(app, login_as, initiative).get(f"/api/initiatives/{initiative}/impacts").status_code == 200


def test_actual_and_annual_value(app, login_as, journey_owner, initiative):
    api = login_as("cx_leader")
    created = api.post(f"/api/initiatives/{initiative}/impacts", json={**IMPACT, "metric_id": nps_id(app)})
    assert created.status_code == 201, created.json
    assert created.json["actual_value"] is None and created.json["annual_value"] is None
    assert created.json["journey_id"] == journey_owner.journey_id and created.json["value_per_unit"] == "1500.00"
    with app.app_context():
        journey = db.session.get(Journey, journey_owner.journey_id)
        factories.create_measurement(journey, period_start=date(2026, 3, 1), value=Decimal("50"))  # before delivery
        factories.create_measurement(journey, period_start=date(2026, 3, 15), value=Decimal("60"))  # on the day
        factories.create_measurement(journey, period_start=date(2026, 4, 1), value=Decimal("28"))
        factories.create_measurement(journey, period_start=date(2026, 5, 1), value=Decimal("32"))
        factories.create_measurement(journey, period_start=date(2026, 6, 1), value=Decimal("99"),
                                     stage_id=journey_owner.stage_ids[0])  # stage-level: not the journey's
    body = api.get(f"/api/initiatives/{initiative}/impacts/{created.json['id']}").json
    # (32 − 20) × 1500 × 0.5
    assert body["actual_value"] == 32.0 and body["annual_value"] == "9000.00"


def test_lower_is_better_flips_the_sign(app, login_as, journey_owner, initiative):
    with app.app_context():
        journey = db.session.get(Journey, journey_owner.journey_id)
        factories.create_measurement(journey, "churn_rate", period_start=date(2026, 4, 1), value=Decimal("6.5"))
        impact = factories.add_impact(db.session.get(Initiative, initiative), "churn_rate",
                                      baseline_value=Decimal("8"), value_per_unit=Decimal("20000"),
                                      attribution=Decimal("0.8"))
        impact_id = impact.id
    body = login_as("executive").get(f"/api/initiatives/{initiative}/impacts").json["items"]
    assert body == [{"id": impact_id, "initiative_id": initiative, "metric_id": body[0]["metric_id"],
                     "journey_id": journey_owner.journey_id, "baseline_value": 8.0, "target_value": 30.0,
                     "value_per_unit": "20000.00", "attribution": 0.8, "actual_value": 6.5,
                     "annual_value": "24000.00"}]


def test_not_delivered_has_no_actual(app, login_as, journey_owner):
    with app.app_context():
        journey = db.session.get(Journey, journey_owner.journey_id)
        initiative = factories.create_initiative(journey=journey, status="in_progress")
        factories.create_measurement(journey, period_start=date(2026, 4, 1))
        factories.add_impact(initiative)
        initiative_id = initiative.id
    item = login_as("executive").get(f"/api/initiatives/{initiative_id}/impacts").json["items"][0]
    assert item["actual_value"] is None and item["annual_value"] is None


def test_impact_bad_input(app, login_as, initiative):
    api = login_as("admin")
    base = f"/api/initiatives/{initiative}/impacts"
    metric = nps_id(app)
    for body, field in [
        ({**IMPACT, "metric_id": 999}, "metric_id"),
        ({**IMPACT, "metric_id": metric, "journey_id": 999}, "journey_id"),
        ({**IMPACT, "metric_id": metric, "attribution": 1.5}, "attribution"),
        ({**IMPACT, "metric_id": metric, "value_per_unit": "abc"}, "value_per_unit"),
        ({**IMPACT, "metric_id": metric, "actual_value": 3}, "actual_value"),
        ({"metric_id": metric}, "baseline_value"),
    ]:
        response = api.post(base, json=body)
        assert response.status_code == 422 and field in response.json["errors"], body
    assert count_rows(app, Impact) == 0
    assert api.post(base, json={**IMPACT, "metric_id": metric}).status_code == 201
    assert api.post(base, json={**IMPACT, "metric_id": metric}).status_code == 409
    assert api.post("/api/initiatives/999/impacts", json={**IMPACT, "metric_id": metric}).status_code == 404


def test_impact_values_uses_one_query(app, journey_owner):
    with app.app_context():
        journey = db.session.get(Journey, journey_owner.journey_id)
        delivered = factories.create_initiative(journey=journey, status="delivered", delivered_on=date(2026, 1, 10))
        pending = factories.create_initiative(journey=journey, status="approved")
        for month in (1, 2, 3):
            factories.create_measurement(journey, period_start=date(2026, month, 1), value=Decimal(20 + month))
            factories.create_measurement(journey, "ces", period_start=date(2026, month, 1), value=Decimal(5 - month))
        a = factories.add_impact(delivered, "nps", baseline_value=Decimal("20"), value_per_unit=Decimal("100"),
                                 attribution=Decimal("1"))
        b = factories.add_impact(delivered, "ces", baseline_value=Decimal("4"), value_per_unit=Decimal("10"),
                                 attribution=Decimal("0.5"))
        c = factories.add_impact(pending, "nps")
        d = factories.add_impact(delivered, "csat")  # never measured
        impacts = db.session.scalars(select(Impact).order_by(Impact.id)).all()
        with recorded_statements(app) as statements:
            values = impact_values(impacts)
        assert len(statements) == 1
        assert values == {a.id: (Decimal("23"), Decimal("300")), b.id: (Decimal("2"), Decimal("10")),
                          c.id: (None, None), d.id: (None, None)}
        assert impact_values([]) == {}


# -- report -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("caller", READERS)
def test_journey_report_readable_by_everyone(as_caller, journey_owner, caller):
    response = as_caller(caller).get(f"/api/reports/journeys/{journey_owner.journey_id}")
    assert response.status_code == (READERS[caller] or 200)


def test_journey_report(app, login_as, journey_owner, initiative):
    with app.app_context():
        journey = db.session.get(Journey, journey_owner.journey_id)
        for month, value in [(9, 10), (10, 14), (1, 18), (3, 22), (4, 30), (6, 34), (10, 40)]:
            year = 2025 if month >= 9 and value < 20 else 2026
            factories.create_measurement(journey, period_start=date(year, month, 1), value=Decimal(value))
        factories.create_measurement(journey, period_start=date(2026, 5, 1), value=Decimal(99),
                                     stage_id=journey_owner.stage_ids[0])
        factories.add_impact(db.session.get(Initiative, initiative), "nps", target_value=Decimal("35"))
        factories.create_initiative(journey=journey, status="approved")  # not delivered: no marker
    report = login_as("executive").get(f"/api/reports/journeys/{journey_owner.journey_id}").json
    assert report["journey"]["id"] == journey_owner.journey_id and report["window_months"] == 6
    assert report["deliveries"] == [{"initiative_id": initiative, "title": "Callback promise",
                                     "delivered_on": "2026-03-15"}]
    [nps] = report["metrics"]
    assert nps["metric"]["code"] == "nps"
    assert [(p["period_start"], p["value"]) for p in nps["series"]] == [
        ("2025-09-01", 10.0), ("2025-10-01", 14.0), ("2026-01-01", 18.0), ("2026-03-01", 22.0),
        ("2026-04-01", 30.0), ("2026-06-01", 34.0), ("2026-10-01", 40.0)]
    assert nps["targets"][0]["target_value"] == 35.0 and nps["targets"][0]["initiative_id"] == initiative
    # 6 months each side of 2026-03-15: before = Oct, Jan, Mar (14, 18, 22); after = Apr, Jun (30, 34)
    [around] = nps["before_after"]
    assert around == {"initiative_id": initiative, "title": "Callback promise", "delivered_on": "2026-03-15",
                      "before_average": 18.0, "before_count": 3, "after_average": 32.0, "after_count": 2,
                      "change": 14.0}
    wider = login_as("member").get(f"/api/reports/journeys/{journey_owner.journey_id}?window_months=12").json
    assert wider["metrics"][0]["before_after"][0]["before_count"] == 4
    assert login_as("member").get("/api/reports/journeys/999").status_code == 404


def test_journey_report_costs_a_constant_number_of_queries(app, login_as, journey_owner):
    api = login_as("member")

    def statements():
        return count_statements(app, lambda: api.get(f"/api/reports/journeys/{journey_owner.journey_id}"))

    with app.app_context():
        journey = db.session.get(Journey, journey_owner.journey_id)
        factories.create_measurement(journey, period_start=date(2026, 1, 1))
        first = factories.create_initiative(journey=journey, status="delivered", delivered_on=date(2026, 1, 15))
        factories.add_impact(first)
    few = statements()
    with app.app_context():
        journey = db.session.get(Journey, journey_owner.journey_id)
        for index in range(3):
            metric = factories.create_metric()
            for month in range(1, 7):
                factories.create_measurement(journey, period_start=date(2026, month, 1), metric_id=metric.id)
            initiative = factories.create_initiative(journey=journey, status="delivered",
                                                     delivered_on=date(2026, 2 + index, 10))
            factories.add_impact(initiative, "csat")
    assert statements() == few
