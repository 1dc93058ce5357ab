"""SPEC §10: journey and stage targets, with their latest value and a direction-aware status."""
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxgov.extensions import db
from cxgov.journeys.models import Journey, Target
from cxgov.journeys.targets import target_status
from tests import factories
from tests.journeys.conftest import WRITERS, count_rows
from tests.queries import count_statements

HIGHER, LOWER = "higher_is_better", "lower_is_better"


# -- the status rule: worked examples ------------------------------------------------------------

@pytest.mark.parametrize("target, latest, status", [
    ("40", None, "no_data"),
    ("40", "42", "met"), ("40", "40", "met"),     # at or above: met
    ("40", "37", "near"), ("40", "36", "near"),   # short by at most 4 (10 % of 40)
    ("40", "35.9", "off"), ("40", "-10", "off"),
    ("-20", "-21", "near"), ("-20", "-23", "off"),  # a negative NPS target: 10 % of its magnitude
    ("0", "0", "met"), ("0", "-0.1", "off"),      # a target of 0 has no near band
])
def test_status_when_higher_is_better(target, latest, status):
    assert target_status(Decimal(target), None if latest is None else Decimal(latest), HIGHER) == status


@pytest.mark.parametrize("target, latest, status", [
    ("5", None, "no_data"),
    ("5", "4.8", "met"), ("5", "5", "met"),       # at or below: met
    ("5", "5.4", "near"), ("5", "5.5", "near"),   # over by at most 0.5 (10 % of 5)
    ("5", "5.51", "off"), ("5", "12", "off"),
])
def test_status_when_lower_is_better(target, latest, status):
    assert target_status(Decimal(target), None if latest is None else Decimal(latest), LOWER) == status


# -- the status rule: properties -----------------------------------------------------------------

values = st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False, allow_infinity=False)
RANK = {"off": 0, "near": 1, "met": 2}


@given(target=values, latest=values, step=st.decimals(min_value=0, max_value=500, places=4),
       direction=st.sampled_from([HIGHER, LOWER]))
def test_moving_towards_the_target_never_worsens_the_status(target, latest, step, direction):
    """A value moving in the metric's good direction never gets a worse status: in particular `met`
    never turns `off` (nor `near`) as the latest value moves towards (or past) the target."""
    better = latest + step if direction == HIGHER else latest - step
    assert RANK[target_status(target, better, direction)] >= RANK[target_status(target, latest, direction)]


@given(target=values, latest=values)
def test_the_two_directions_mirror_each_other(target, latest):
    assert target_status(target, latest, HIGHER) == target_status(-target, -latest, LOWER)


@given(target=values, latest=values, direction=st.sampled_from([HIGHER, LOWER]))
def test_met_exactly_when_the_target_is_reached_and_near_within_ten_percent(target, latest, direction):
    status = target_status(target, latest, direction)
    reached = latest >= target if direction == HIGHER else latest <= target
    assert (status == "met") == reached
    if not reached:
        assert (status == "near") == (abs(latest - target) <= abs(target) / 10)


# -- the API -------------------------------------------------------------------------------------

def nps_id(app):
    with app.app_context():
        return factories.metric("nps").id


def measure(app, journey_id, value, period_start, **kw):
    with app.app_context():
        journey = db.session.get(Journey, journey_id)
        factories.create_measurement(journey=journey, value=Decimal(value), period_start=period_start, **kw)


def test_a_journey_target_reports_the_latest_journey_level_value_and_its_status(app, journey_owner):
    j = journey_owner.journey_id
    path = f"/api/journeys/{j}/targets"
    created = journey_owner.post(path, json={"metric_id": nps_id(app), "value": 40, "due_on": "2026-12-31"})
    assert created.status_code == 201, created.json
    assert created.json["owner_id"] == journey_owner.user_id  # the journey's owner by default
    assert (created.json["latest_value"], created.json["status"]) == (None, "no_data")
    measure(app, j, "30", date(2026, 1, 1))
    measure(app, j, "37", date(2026, 2, 1))
    # A stage's value is not the journey's.
    measure(app, j, "99", date(2026, 3, 1), stage_id=journey_owner.stage_ids[0])
    target = journey_owner.get(f"{path}/{created.json['id']}").json
    assert (target["latest_value"], target["status"], target["latest_period_end"]) == (37, "near", "2026-03-03")
    measure(app, j, "41", date(2026, 3, 1))
    assert journey_owner.get(path).json["items"][0]["status"] == "met"


def test_a_stage_target_reads_the_stages_own_measurements(app, journey_owner):
    j, stage = journey_owner.journey_id, journey_owner.stage_ids[1]
    with app.app_context():
        churn = factories.metric("churn_rate").id
    created = journey_owner.post(f"/api/journeys/{j}/targets", json={
        "metric_id": churn, "stage_id": stage, "value": "5", "due_on": "2026-12-31"})
    assert created.status_code == 201
    measure(app, j, "4", date(2026, 1, 1), metric_code="churn_rate")  # the journey's, not the stage's
    measure(app, j, "7", date(2026, 1, 1), metric_code="churn_rate", stage_id=stage)
    listed = journey_owner.get(f"/api/journeys/{j}/targets?stage_id={stage}").json["items"]
    assert [(t["latest_value"], t["status"]) for t in listed] == [(7, "off")]


def test_targets_are_changed_and_removed_with_the_audit_trail(app, journey_owner):
    j = journey_owner.journey_id
    created = journey_owner.post(f"/api/journeys/{j}/targets", json={
        "metric_id": nps_id(app), "value": 40, "due_on": "2026-12-31"}).json
    item = f"/api/journeys/{j}/targets/{created['id']}"
    changed = journey_owner.patch(item, json={"value": "45.5", "due_on": "2027-06-30"})
    assert changed.status_code == 200 and (changed.json["value"], changed.json["due_on"]) == (45.5, "2027-06-30")
    assert journey_owner.delete(item).status_code == 204
    assert count_rows(app, Target) == 0
    with app.app_context():
        from cxgov.audit.models import AuditEntry
        actions = [e.action for e in db.session.query(AuditEntry).filter_by(entity="target")]
    assert actions == ["create", "update", "delete"]


@pytest.mark.parametrize("body, field", [
    ({"value": 40, "due_on": "2026-12-31"}, "metric_id"),
    ({"metric_id": 99999, "value": 40, "due_on": "2026-12-31"}, "metric_id"),
    ({"value": "forty", "due_on": "2026-12-31"}, "value"),
    ({"value": 40, "due_on": "someday"}, "due_on"),
    ({"value": 40, "due_on": "2026-12-31", "owner_id": 99999}, "owner_id"),
    ({"value": 40, "due_on": "2026-12-31", "stage_id": 99999}, "stage_id"),
    ({"value": 40, "due_on": "2026-12-31", "colour": "red"}, "colour"),
])
def test_bad_targets_are_422_naming_the_field(app, journey_owner, body, field):
    body = {"metric_id": nps_id(app), **body} if "metric_id" not in body and field != "metric_id" else body
    response = journey_owner.post(f"/api/journeys/{journey_owner.journey_id}/targets", json=body)
    assert response.status_code == 422 and field in response.json["errors"], response.json
    assert count_rows(app, Target) == 0


def test_a_stage_of_another_journey_or_a_retired_one_takes_no_target(app, journey_owner):
    j = journey_owner.journey_id
    with app.app_context():
        other = factories.create_stage().id
    body = {"metric_id": nps_id(app), "value": 40, "due_on": "2026-12-31"}
    assert journey_owner.post(f"/api/journeys/{j}/targets", json={**body, "stage_id": other}).status_code == 422
    journey_owner.patch(f"/api/journeys/{j}/stages/{journey_owner.stage_ids[0]}", json={"status": "retired"})
    retired = journey_owner.post(f"/api/journeys/{j}/targets", json={**body, "stage_id": journey_owner.stage_ids[0]})
    assert retired.status_code == 422 and "stage_id" in retired.json["errors"]


@pytest.mark.parametrize("caller", WRITERS)
def test_targets_are_written_as_journeys_are(app, caller, as_caller, journey_owner):
    body = {"metric_id": nps_id(app), "value": 40, "due_on": "2026-12-31"}
    response = as_caller(caller).post(f"/api/journeys/{journey_owner.journey_id}/targets", json=body)
    assert response.status_code == (WRITERS[caller] or 201)
    assert count_rows(app, Target) == (0 if WRITERS[caller] else 1)


def test_a_journey_deleted_takes_its_targets_along_audited_and_a_targeted_metric_stays(app, login_as):
    with app.app_context():
        journey = factories.create_journey()
        stage = factories.create_stage(journey)
        metric = factories.create_metric()
        factories.create_target(journey, metric_id=metric.id)
        factories.create_target(journey, stage_id=stage.id)
        ids = journey.id, metric.id
    api = login_as("cx_leader")
    assert api.delete(f"/api/metrics/{ids[1]}").json["targets"] == 1
    assert api.delete(f"/api/journeys/{ids[0]}").status_code == 204
    assert count_rows(app, Target) == 0


def test_the_target_list_costs_constant_queries(app, journey_owner):
    path = f"/api/journeys/{journey_owner.journey_id}/targets"

    def add(count):
        with app.app_context():
            journey = db.session.get(Journey, journey_owner.journey_id)
            for index in range(count):
                metric = factories.create_metric()
                stage = factories.create_stage(journey)
                factories.create_target(journey, metric_id=metric.id, stage_id=stage.id)
                factories.create_measurement(journey, metric_id=metric.id, stage_id=stage.id,
                                             period_start=date(2026, 1 + index % 12, 1))

    add(1)
    few = count_statements(app, lambda: journey_owner.get(path))
    add(6)
    assert count_statements(app, lambda: journey_owner.get(path)) == few
