"""/api/metrics and /api/measurements (with from-scores): filters, rules and who may write."""
from datetime import date

import pytest

from cxgov.extensions import db
from cxgov.journeys.models import Journey, Measurement, Metric
from tests import factories
from tests.journeys.conftest import READERS, WRITERS, count_rows


def expect(response, refused, ok):
    assert response.status_code == (refused or ok), response.get_data(as_text=True)


# -- metrics ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("caller", READERS)
def test_everyone_signed_in_lists_metrics(caller, as_caller):
    response = as_caller(caller).get("/api/metrics")
    expect(response, READERS[caller], 200)
    if READERS[caller] is None:
        codes = {m["code"]: m for m in response.json["items"]}
        assert set(codes) == {"nps", "csat", "ces", "churn_rate", "retention_rate"}
        assert codes["ces"]["direction"] == "lower_is_better" and codes["nps"]["builtin"] is True


CUSTOM = {"code": "claims_cycle_days", "name": "Claims cycle time", "category": "operational", "unit": "days",
          "direction": "lower_is_better"}


@pytest.mark.parametrize("caller, status", [("anonymous", 401), ("member", 403), ("owner", 403),
                                            ("executive", 403), ("cx_leader", 201), ("admin", 201)])
def test_only_governance_creates_metrics(app, caller, status, as_caller):
    response = as_caller(caller).post("/api/metrics", json=CUSTOM)
    assert response.status_code == status
    assert count_rows(app, Metric) == (6 if status == 201 else 5)
    if status == 201:
        assert response.json["builtin"] is False


@pytest.mark.parametrize("caller, status", [("anonymous", 401), ("member", 403), ("owner", 403),
                                            ("executive", 403), ("cx_leader", 200), ("admin", 200)])
def test_custom_metric_patch_and_delete_by_role(app, caller, status, as_caller):
    with app.app_context():
        metric_id = factories.create_metric(code="handle_time").id
    api = as_caller(caller)
    assert api.patch(f"/api/metrics/{metric_id}", json={"unit": "minutes"}).status_code == status
    assert api.delete(f"/api/metrics/{metric_id}").status_code == (204 if status == 200 else status)
    assert count_rows(app, Metric) == (5 if status == 200 else 6)


def test_metric_rules(app, login_as):
    api = login_as("cx_leader")
    assert api.post("/api/metrics", json=CUSTOM).status_code == 201
    assert api.post("/api/metrics", json=CUSTOM).status_code == 409
    for body, field in [
        ({**CUSTOM, "code": "Bad Code"}, "code"),
        ({**CUSTOM, "code": "x", "category": "mood"}, "category"),
        ({**CUSTOM, "code": "y", "direction": "up"}, "direction"),
        ({**CUSTOM, "code": "z", "builtin": True}, "builtin"),
    ]:
        response = api.post("/api/metrics", json=body)
        assert response.status_code == 422 and field in response.json["errors"], body
    with app.app_context():
        nps_id = factories.metric("nps").id
        measured = factories.create_metric().id
        factories.create_measurement(metric_id=measured)
    assert api.patch(f"/api/metrics/{nps_id}", json={"name": "NPS"}).status_code == 409
    assert api.delete(f"/api/metrics/{nps_id}").status_code == 409
    response = api.delete(f"/api/metrics/{measured}")
    assert response.status_code == 409 and response.json["measurements"] == 1
    assert count_rows(app, Metric) == 7


# -- measurements -----------------------------------------------------------------------------------------

def body(journey_owner, **kw):
    with_defaults = {"metric_id": kw.pop("metric_id", None), "journey_id": journey_owner.journey_id,
                     "period_start": "2026-01-01", "period_end": "2026-01-31", "value": 31.5, "sample_size": 120,
                     "source": "survey"}
    with_defaults.update(kw)
    return with_defaults


@pytest.fixture
def nps_id(app):
    with app.app_context():
        return factories.metric("nps").id


@pytest.mark.parametrize("caller", WRITERS)
def test_measurement_writes_by_role(app, caller, as_caller, journey_owner, nps_id):
    api = as_caller(caller)
    expect(api.post("/api/measurements", json=body(journey_owner, metric_id=nps_id)), WRITERS[caller], 201)
    with app.app_context():
        existing = factories.create_measurement(db.session.get(Journey, journey_owner.journey_id),
                                                period_start=date(2025, 12, 1)).id
    expect(api.patch(f"/api/measurements/{existing}", json={"value": 12}), WRITERS[caller], 200)
    expect(api.delete(f"/api/measurements/{existing}"), WRITERS[caller], 204)
    assert count_rows(app, Measurement) == (1 if WRITERS[caller] else 1)
    with app.app_context():
        remaining = db.session.scalars(db.select(Measurement)).one()
        assert remaining.id == existing if WRITERS[caller] else remaining.period_start == date(2026, 1, 1)


@pytest.mark.parametrize("caller", READERS)
def test_measurement_reads_by_role(app, caller, as_caller, journey_owner):
    with app.app_context():
        mid = factories.create_measurement(db.session.get(Journey, journey_owner.journey_id)).id
    api = as_caller(caller)
    expect(api.get("/api/measurements"), READERS[caller], 200)
    response = api.get(f"/api/measurements/{mid}")
    expect(response, READERS[caller], 200)
    if READERS[caller] is None:
        assert response.json["metric"] == "nps" and response.json["value"] == 20.0


def test_measurement_filters(app, login_as, journey_owner):
    with app.app_context():
        journey = db.session.get(Journey, journey_owner.journey_id)
        stage, touchpoint = journey_owner.stage_ids[0], journey_owner.touchpoint_id
        a = factories.create_measurement(journey, period_start=date(2026, 1, 1), source="survey").id
        b = factories.create_measurement(journey, "csat", period_start=date(2026, 2, 1)).id
        c = factories.create_measurement(journey, period_start=date(2026, 3, 1), stage_id=stage).id
        d = factories.create_measurement(journey, period_start=date(2026, 4, 1), touchpoint_id=touchpoint).id
        e = factories.create_measurement(period_start=date(2026, 5, 1)).id
        csat_id = factories.metric("csat").id
    api = login_as("executive")

    def ids(query):
        response = api.get(f"/api/measurements?{query}")
        assert response.status_code == 200, response.json
        return [m["id"] for m in response.json["items"]]

    assert ids("") == [a, b, c, d, e]
    assert ids(f"journey_id={journey_owner.journey_id}") == [a, b, c, d]
    assert ids("metric=csat") == [b] == ids(f"metric_id={csat_id}")
    assert ids(f"stage_id={stage}") == [c]
    assert ids(f"touchpoint_id={touchpoint}") == [d]
    assert ids("source=survey") == [a]
    assert ids("from=2026-02-15&to=2026-04-01") == [b, c, d]
    assert ids("metric=unknown") == []
    assert api.get("/api/measurements?from=yesterday").status_code == 422


@pytest.mark.parametrize("change, field", [
    ({"metric_id": 999}, "metric_id"), ({"journey_id": 999}, "journey_id"), ({"value": "abc"}, "value"),
    ({"period_end": "2025-12-31"}, "period_end"), ({"sample_size": -1}, "sample_size"), ({"source": "gut"}, "source"),
    ({"stage_id": 999}, "stage_id"), ({"touchpoint_id": 999}, "touchpoint_id"), ({"colour": 1}, "colour"),
])
def test_bad_measurements_are_refused(app, journey_owner, nps_id, change, field):
    response = journey_owner.post("/api/measurements", json=body(journey_owner, **{"metric_id": nps_id, **change}))
    assert response.status_code == 422 and field in response.json["errors"], response.json
    assert count_rows(app, Measurement) == 0


def test_stage_and_touchpoint_must_belong_to_the_journey(app, journey_owner, nps_id):
    with app.app_context():
        other_stage = factories.create_stage().id
        other_tp = factories.create_touchpoint().id
    for change, field in [({"stage_id": other_stage}, "stage_id"), ({"touchpoint_id": other_tp}, "touchpoint_id"),
                          ({"stage_id": journey_owner.stage_ids[1], "touchpoint_id": journey_owner.touchpoint_id},
                           "touchpoint_id")]:
        response = journey_owner.post("/api/measurements", json=body(journey_owner, metric_id=nps_id, **change))
        assert response.status_code == 422 and field in response.json["errors"]
    assert count_rows(app, Measurement) == 0
    ok = body(
        journey_owner, metric_id=nps_id, stage_id=journey_owner.stage_ids[0], touchpoint_id=journey_owner.touchpoint_id
    )
    assert journey_owner.post("/api/measurements", json=ok).status_code == 201


def test_same_key_twice_is_a_conflict(app, journey_owner, nps_id):
    first = journey_owner.post("/api/measurements", json=body(journey_owner, metric_id=nps_id))
    again = journey_owner.post("/api/measurements", json=body(journey_owner, metric_id=nps_id, value=40))
    assert again.status_code == 409 and again.json["existing_id"] == first.json["id"]
    other = journey_owner.post("/api/measurements", json=body(journey_owner, metric_id=nps_id,
                                                              stage_id=journey_owner.stage_ids[0]))
    assert other.status_code == 201
    moved = journey_owner.patch(f"/api/measurements/{other.json['id']}", json={"stage_id": None})
    assert moved.status_code == 409
    assert count_rows(app, Measurement) == 2


def test_owner_cannot_move_a_measurement_to_a_journey_they_do_not_own(app, journey_owner, nps_id):
    with app.app_context():
        foreign = factories.create_journey().id
    created = journey_owner.post("/api/measurements", json=body(journey_owner, metric_id=nps_id)).json
    assert journey_owner.patch(f"/api/measurements/{created['id']}", json={"journey_id": foreign}).status_code == 403


def test_measurement_if_match(journey_owner, nps_id):
    created = journey_owner.post("/api/measurements", json=body(journey_owner, metric_id=nps_id))
    url, etag = f"/api/measurements/{created.json['id']}", created.headers["ETag"]
    assert journey_owner.patch(url, json={"value": 33}, headers={"If-Match": etag}).json["value"] == 33.0
    assert journey_owner.delete(url, headers={"If-Match": etag}).status_code == 412


# -- from scores ------------------------------------------------------------------------------------------

def scores_body(journey_owner, **kw):
    data = {"metric": "nps", "journey_id": journey_owner.journey_id, "period_start": "2026-01-01",
            "period_end": "2026-01-31", "scores": [10, 9, 9, 10, 9, 7, 8, 6, 0, 3]}
    data.update(kw)
    return data


@pytest.mark.parametrize("caller", WRITERS)
def test_from_scores_by_role(app, caller, as_caller, journey_owner):
    response = as_caller(caller).post("/api/measurements/from-scores", json=scores_body(journey_owner))
    expect(response, WRITERS[caller], 201)
    if WRITERS[caller] is None:
        assert response.json["value"] == 20.0 and response.json["sample_size"] == 10
        assert response.json["source"] == "survey" and response.json["metric"] == "nps"
    assert count_rows(app, Measurement) == (0 if WRITERS[caller] else 1)


@pytest.mark.parametrize("metric, scores, value", [("csat", [5, 4, 4, 5, 3], 80.0), ("ces", [1, 2, 3, 4], 2.5),
                                                   ("nps", [9, 7, 8], 33.3333)])
def test_from_scores_each_metric(journey_owner, metric, scores, value):
    response = journey_owner.post("/api/measurements/from-scores",
                                  json=scores_body(journey_owner, metric=metric, scores=scores,
                                                   stage_id=journey_owner.stage_ids[0]))
    assert response.status_code == 201
    assert response.json["value"] == value and response.json["stage_id"] == journey_owner.stage_ids[0]


def test_from_scores_updates_the_same_period(app, journey_owner):
    first = journey_owner.post("/api/measurements/from-scores", json=scores_body(journey_owner))
    second = journey_owner.post("/api/measurements/from-scores", json=scores_body(journey_owner, scores=[10, 10]))
    assert second.status_code == 200 and second.json["id"] == first.json["id"]
    assert second.json["value"] == 100.0 and second.json["sample_size"] == 2
    assert count_rows(app, Measurement) == 1


@pytest.mark.parametrize("change, field, message", [
    ({"scores": [9, 11, 3, -1]}, "scores", ["index 1: 11 is outside 0..10.", "index 3: -1 is outside 0..10."]),
    ({"scores": [9, 8.5]}, "scores", ["index 1: 8.5 is not a whole number."]),
    ({"scores": []}, "scores", ["Give at least one score."]),
    ({"metric": "csat", "scores": [0, 5]}, "scores", ["index 0: 0 is outside 1..5."]),
    ({"metric": "ces", "scores": [8]}, "scores", ["index 0: 8 is outside 1..7."]),
    ({"metric": "churn_rate"}, "metric", None),
    ({"scores": "9,10"}, "scores", None),
    ({"period_end": "2025-01-01"}, "period_end", None),
    ({"journey_id": 999}, "journey_id", None),
    ({"touchpoint_id": 999}, "touchpoint_id", None),
])
def test_from_scores_bad_input(app, journey_owner, change, field, message):
    response = journey_owner.post("/api/measurements/from-scores", json=scores_body(journey_owner, **change))
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    if message:
        assert response.json["errors"][field] == message
    assert count_rows(app, Measurement) == 0
