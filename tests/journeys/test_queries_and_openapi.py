"""Lists cost a constant number of queries; the OpenAPI description covers every journeys operation."""
from datetime import date

from cxgov.extensions import db
from cxgov.journeys.models import Journey
from tests import factories
from tests.queries import count_statements


def add_data(app, journey_id, count):
    with app.app_context():
        journey = db.session.get(Journey, journey_id)
        for index in range(count):
            metric = factories.create_metric()
            stage = factories.create_stage(journey)
            factories.create_touchpoint(stage)
            factories.create_measurement(journey, metric_id=metric.id, period_start=date(2026, 1 + index % 12, 1))
            factories.create_target(journey, metric_id=metric.id, stage_id=stage.id if index % 2 else None)
            factories.create_journey()


def test_lists_and_pages_cost_constant_queries(app, login_as, page_as, journey_owner):
    api, page = login_as("member"), page_as("member")
    j = journey_owner.journey_id
    calls = [lambda: api.get("/api/measurements"), lambda: api.get("/api/journeys"),
             lambda: api.get(f"/api/journeys/{j}"), lambda: api.get(f"/api/journeys/{j}/stages"),
             lambda: api.get(f"/api/journeys/{j}/touchpoints"), lambda: api.get(f"/api/journeys/{j}/targets"),
             lambda: page.get("/journeys"), lambda: page.get(f"/journeys/{j}"), lambda: page.get("/journeys/upload")]
    add_data(app, j, 1)
    few = [count_statements(app, call) for call in calls]
    add_data(app, j, 5)
    assert [count_statements(app, call) for call in calls] == few


def test_openapi_documents_every_operation(login_as):
    spec = login_as("member").get("/api/openapi.json").json
    expected = {
        "/api/journeys": {"get", "post"}, "/api/journeys/{journey_id}": {"get", "patch", "delete"},
        "/api/journeys/{journey_id}/stages": {"get", "post"},
        "/api/journeys/{journey_id}/stages/{stage_id}": {"get", "patch", "delete"},
        "/api/journeys/{journey_id}/touchpoints": {"get", "post"},
        "/api/journeys/{journey_id}/touchpoints/{touchpoint_id}": {"get", "patch", "delete"},
        "/api/journeys/{journey_id}/targets": {"get", "post"},
        "/api/journeys/{journey_id}/targets/{target_id}": {"get", "patch", "delete"},
        "/api/metrics": {"get", "post"}, "/api/metrics/{metric_id}": {"get", "patch", "delete"},
        "/api/measurements": {"get", "post"}, "/api/measurements/{measurement_id}": {"get", "patch", "delete"},
        "/api/measurements/from-scores": {"post"}, "/api/measurements/import": {"post"},
        "/api/initiatives/{initiative_id}/impacts": {"get", "post"},
        "/api/initiatives/{initiative_id}/impacts/{impact_id}": {"get", "patch", "delete"},
        "/api/reports/journeys/{journey_id}": {"get"}, "/api/reports/stages": {"get"},
    }
    for path, methods in expected.items():
        operations = spec["paths"][path]
        assert methods <= set(operations), path
        for method in methods:
            assert operations[method]["summary"], (path, method)
            assert "401" in operations[method]["responses"], (path, method)
    upload = spec["paths"]["/api/measurements/import"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert "line 3" in upload["description"] and "Qualtrics" in upload["description"]
    touchpoint = spec["components"]["schemas"]["Touchpoint"]["properties"]["digital"]
    assert touchpoint["readOnly"] is True
    target = spec["components"]["schemas"]["JourneyTarget"]["properties"]
    assert target["status"]["enum"] == ["met", "near", "off", "no_data"] and target["status"]["readOnly"] is True
    stage = spec["components"]["schemas"]["Stage"]["properties"]
    assert "advocacy" in stage["stage_type"]["enum"] and "custom" in stage["stage_type"]["enum"]


def test_the_editing_pages_and_the_upload_preview_cost_constant_queries(app, page_as, journey_owner):
    import io
    import re

    from tests.conftest import csrf_token

    leader, j = page_as("cx_leader"), journey_owner.journey_id
    token = csrf_token(leader, "/journeys/upload")

    def preview(count):
        text = "metric,journey_id,period_start,period_end,value,stage_id\n" + "".join(
            f"nps,{j},20{10 + n}-01-01,20{10 + n}-01-31,{n},{journey_owner.stage_ids[n % 2]}\n" for n in range(count))
        return lambda: leader.post("/journeys/upload", data={"csrf_token": token, "file": (io.BytesIO(text.encode()),
                                                                                           "k.csv")},
                                   content_type="multipart/form-data")

    calls = [lambda: leader.get(f"/journeys/{j}/edit"), lambda: leader.get(f"/journeys/{j}/measurements/new"),
             lambda: leader.get("/journeys/new")]
    add_data(app, j, 1)
    few = [count_statements(app, call) for call in calls] + [count_statements(app, preview(2))]
    add_data(app, j, 5)
    assert [count_statements(app, call) for call in calls] + [count_statements(app, preview(12))] == few
    assert re.search(r"<strong>12</strong> new", preview(12)().get_data(as_text=True))
