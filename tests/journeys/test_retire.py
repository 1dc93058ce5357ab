"""SPEC §10: stages and touchpoints with measurements are retired, never deleted; retired ones
keep their history and take no new entries."""
from datetime import date

from cxgov.extensions import db
from cxgov.journeys.models import Measurement, Stage, Touchpoint
from tests import factories
from tests.journeys.conftest import count_rows


def measure(app, journey_id, **kw):
    with app.app_context():
        journey = db.session.get(factories.Journey, journey_id)
        return factories.create_measurement(journey=journey, **kw).id


def test_a_stage_with_measurements_is_retired_not_deleted_and_keeps_them(app, journey_owner):
    stage = journey_owner.stage_ids[0]
    path = f"/api/journeys/{journey_owner.journey_id}/stages/{stage}"
    kept = measure(app, journey_owner.journey_id, stage_id=stage)
    refused = journey_owner.delete(path)
    assert refused.status_code == 409 and "retire it" in refused.json["detail"]
    retired = journey_owner.patch(path, json={"status": "retired"})
    assert retired.status_code == 200 and retired.json["status"] == "retired"
    assert journey_owner.delete(path).status_code == 409  # retired or not, never deleted with its history
    assert count_rows(app, Stage) == 2 and count_rows(app, Measurement) == 1
    assert journey_owner.get(f"/api/measurements/{kept}").json["stage_id"] == stage
    listed = journey_owner.get(f"/api/journeys/{journey_owner.journey_id}/stages?status=retired").json["items"]
    assert [s["id"] for s in listed] == [stage]


def test_a_touchpoint_with_measurements_is_retired_not_deleted(app, journey_owner):
    path = f"/api/journeys/{journey_owner.journey_id}/touchpoints/{journey_owner.touchpoint_id}"
    measure(app, journey_owner.journey_id, stage_id=journey_owner.stage_ids[0],
            touchpoint_id=journey_owner.touchpoint_id)
    assert journey_owner.delete(path).status_code == 409
    assert journey_owner.patch(path, json={"status": "retired"}).json["status"] == "retired"
    assert count_rows(app, Touchpoint) == 1 and count_rows(app, Measurement) == 1
    active = journey_owner.get(f"/api/journeys/{journey_owner.journey_id}/touchpoints?status=active")
    assert active.json["items"] == []


def test_a_retired_stage_or_touchpoint_takes_no_new_measurement(app, journey_owner):
    journey, stage, touchpoint = journey_owner.journey_id, journey_owner.stage_ids[0], journey_owner.touchpoint_id
    journey_owner.patch(f"/api/journeys/{journey}/touchpoints/{touchpoint}", json={"status": "retired"})
    body = {"metric_id": 1, "journey_id": journey, "period_start": "2026-05-01", "period_end": "2026-05-31",
            "value": 30}
    with app.app_context():
        body["metric_id"] = factories.metric("nps").id
    on_touchpoint = journey_owner.post("/api/measurements", json={**body, "touchpoint_id": touchpoint})
    assert on_touchpoint.status_code == 422 and "touchpoint_id" in on_touchpoint.json["errors"]
    journey_owner.patch(f"/api/journeys/{journey}/stages/{stage}", json={"status": "retired"})
    on_stage = journey_owner.post("/api/measurements", json={**body, "stage_id": stage})
    assert on_stage.status_code == 422 and "stage_id" in on_stage.json["errors"]
    scores = journey_owner.post("/api/measurements/from-scores", json={
        "metric": "nps", "journey_id": journey, "stage_id": stage, "period_start": "2026-05-01",
        "period_end": "2026-05-31", "scores": [9, 10, 3]})
    assert scores.status_code == 422 and "stage_id" in scores.json["errors"]
    new_touchpoint = journey_owner.post(f"/api/journeys/{journey}/touchpoints",
                                        json={"stage_id": stage, "name": "Chat", "channel": "chat"})
    assert new_touchpoint.status_code == 422 and "stage_id" in new_touchpoint.json["errors"]
    assert count_rows(app, Measurement) == 0 and count_rows(app, Touchpoint) == 1
    # The journey itself still takes its measurements, and an active stage its own.
    assert journey_owner.post("/api/measurements", json=body).status_code == 201
    assert journey_owner.post("/api/measurements", json={
        **body, "stage_id": journey_owner.stage_ids[1]}).status_code == 201


def test_a_retired_stages_existing_measurement_is_still_corrected(app, journey_owner):
    stage = journey_owner.stage_ids[0]
    kept = measure(app, journey_owner.journey_id, stage_id=stage, period_start=date(2026, 2, 1))
    journey_owner.patch(f"/api/journeys/{journey_owner.journey_id}/stages/{stage}", json={"status": "retired"})
    response = journey_owner.patch(f"/api/measurements/{kept}", json={"value": 41})
    assert response.status_code == 200 and response.json["value"] == 41


def test_a_journey_with_measurements_or_impacts_is_not_deleted(app, journey_owner):
    measure(app, journey_owner.journey_id)
    response = journey_owner.delete(f"/api/journeys/{journey_owner.journey_id}")
    assert response.status_code == 409 and response.json["measurements"] == 1
    assert count_rows(app, Stage) == 2 and count_rows(app, Measurement) == 1


def _upload(api, text):
    import io
    return api.post("/api/measurements/import", data={"file": (io.BytesIO(text.encode()), "m.csv")},
                    content_type="multipart/form-data")


def test_an_import_naming_a_retired_stage_or_touchpoint_is_refused_by_line_and_writes_nothing(app, journey_owner):
    journey, stage, touchpoint = journey_owner.journey_id, journey_owner.stage_ids, journey_owner.touchpoint_id
    journey_owner.patch(f"/api/journeys/{journey}/touchpoints/{touchpoint}", json={"status": "retired"})
    journey_owner.patch(f"/api/journeys/{journey}/stages/{stage[1]}", json={"status": "retired"})
    text = ("metric,journey_id,period_start,period_end,value,stage_id,touchpoint_id\n"
            f"nps,{journey},2026-01-01,2026-01-31,31,,\n"
            f"nps,{journey},2026-01-01,2026-01-31,32,{stage[0]},{touchpoint}\n"
            f"nps,{journey},2026-01-01,2026-01-31,33,{stage[1]},\n")
    response = _upload(journey_owner, text)
    assert response.status_code == 422
    assert response.json["errors"] == {
        "line 3": [f"touchpoint_id: touchpoint {touchpoint} is retired (or its stage is); "
                   "it takes no new measurements"],
        "line 4": [f"stage_id: stage {stage[1]} is retired; it takes no new measurements"]}
    assert count_rows(app, Measurement) == 0  # all or nothing: the good line 2 is not written either
    # Reactivated, the same file imports.
    journey_owner.patch(f"/api/journeys/{journey}/touchpoints/{touchpoint}", json={"status": "active"})
    journey_owner.patch(f"/api/journeys/{journey}/stages/{stage[1]}", json={"status": "active"})
    assert _upload(journey_owner, text).json["created"] == 3


def test_a_touchpoint_of_a_retired_stage_takes_no_imported_row(app, journey_owner):
    journey, stage, touchpoint = journey_owner.journey_id, journey_owner.stage_ids[0], journey_owner.touchpoint_id
    journey_owner.patch(f"/api/journeys/{journey}/stages/{stage}", json={"status": "retired"})
    text = ("metric,journey_id,period_start,period_end,value,touchpoint_id\n"
            f"nps,{journey},2026-01-01,2026-01-31,31,{touchpoint}\n")
    response = _upload(journey_owner, text)
    assert response.status_code == 422 and list(response.json["errors"]) == ["line 2"]
    assert "touchpoint_id" in response.json["errors"]["line 2"][0] and count_rows(app, Measurement) == 0


def test_the_measurement_form_offers_only_active_stages_and_touchpoints(app, journey_owner):
    journey, stage, touchpoint = journey_owner.journey_id, journey_owner.stage_ids, journey_owner.touchpoint_id
    journey_owner.patch(f"/api/journeys/{journey}/touchpoints/{touchpoint}", json={"status": "retired"})
    journey_owner.patch(f"/api/journeys/{journey}/stages/{stage[1]}", json={"status": "retired"})
    from tests.conftest import sign_in_session
    browser = sign_in_session(app, app.test_client(), journey_owner.user_id)
    page = browser.get(f"/journeys/{journey}/measurements/new").get_data(as_text=True)
    stages = page[page.index('id="kpi-stage"'):page.index('id="kpi-touchpoint"')]
    assert f'<option value="{stage[0]}"' in stages and "Report claim" in stages
    assert f'<option value="{stage[1]}"' not in stages and "Settle" not in stages and "Broker call" not in page


def test_no_foreign_key_cascades_to_measurements_or_impacts_from_what_they_measure(app):
    """Measurements and impacts are never removed with the journey, stage, touchpoint or metric
    they name (SPEC §10): those foreign keys RESTRICT, in the models as in the migrated schema
    (tests/test_migrations checks there is no drift). An impact is its initiative's own part: it
    goes with a deleted proposal (only proposals are deleted)."""
    measured = {"journeys", "stages", "touchpoints", "metrics"}
    seen = set()
    for name in ("measurements", "impacts"):
        for key in db.metadata.tables[name].foreign_keys:
            if key.column.table.name in measured:
                seen.add((name, key.parent.name))
                assert key.ondelete == "RESTRICT", (name, key.parent.name, key.ondelete)
            else:
                assert (name, key.parent.name, key.ondelete) == ("impacts", "initiative_id", "CASCADE")
    assert {("measurements", "journey_id"), ("measurements", "stage_id"), ("measurements", "touchpoint_id"),
            ("impacts", "journey_id")} <= seen
