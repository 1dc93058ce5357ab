"""Pages: journey list, journey page, measurement upload."""
import io
import re
from datetime import date
from decimal import Decimal

import pytest

from cxgov.extensions import db
from cxgov.journeys.models import Journey, Measurement
from tests import factories
from tests.conftest import csrf_token
from tests.journeys.conftest import count_rows


@pytest.fixture
def claims(app):
    """A journey with a pre-sale and two post-sale stages, touchpoints, NPS measurements and a delivered
    initiative with a target; returns (journey id, owner id)."""
    with app.app_context():
        owner = factories.create_user(name="Olga Owner")
        journey = factories.create_journey(owner=owner, name="Motor claim")
        buy = factories.create_stage(journey, name="Buy policy", phase="pre_sale")
        report = factories.create_stage(journey, name="Report claim", phase="post_sale")
        factories.create_stage(journey, name="Repair", phase="post_sale")
        factories.create_touchpoint(buy, name="Comparison site", channel="web")
        factories.create_touchpoint(report, name="Broker phone call", channel="phone")
        for month, value in [(1, 12), (2, 15), (4, 25)]:
            factories.create_measurement(journey, period_start=date(2026, month, 1), value=Decimal(value))
        initiative = factories.create_initiative(journey=journey, title="Claims callback", status="delivered",
                                                 delivered_on=date(2026, 3, 1))
        factories.add_impact(initiative, target_value=Decimal("30"))
        return journey.id, owner.id


def test_pages_need_sign_in(client, claims):
    for path in ("/journeys", f"/journeys/{claims[0]}", "/journeys/upload"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["member", "executive", "cx_leader", "admin"])
def test_journey_list(page_as, claims, role):
    html = page_as(role).get("/journeys").get_data(as_text=True)
    assert "Motor claim" in html and "Olga Owner" in html and "Active" in html
    assert "25.0" in html  # latest NPS


def test_journey_page(page_as, claims):
    response = page_as("member").get(f"/journeys/{claims[0]}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.index("Buy policy") < html.index("purchase") < html.index("Report claim") < html.index("Repair")
    assert 'class="channel digital"' in html and 'class="channel analog"' in html
    assert "Broker phone call" in html
    # The KPI chart is an image of its own resource, named, with the table of its numbers beside it.
    assert "<svg" not in html and "Net Promoter Score" in html
    assert re.search(r'<img src="/journeys/\d+/charts/\d+\.svg\?v=[0-9a-f]{32}" alt="Line chart of Net Promoter '
                     r'Score by period \(the numbers are in the table below\)" width="\d+" height="\d+"', html)
    assert re.search(r">1 Apr 2026</th><td[^>]*>25(\.0+)?<", html)
    assert "Claims callback" in html and "Delivered" in html
    assert "+11.50" in html  # before (12, 15) → after (25)
    assert page_as("member").get("/journeys/999").status_code == 404


def upload(client, text, **fields):
    """The file sent, and its preview confirmed when there is something to import."""
    token = csrf_token(client, "/journeys/upload")
    data = {"csrf_token": token, "file": (io.BytesIO(text.encode()), "kpis.csv"), **fields}
    return confirm(client, client.post("/journeys/upload", data=data, content_type="multipart/form-data"))


def confirm(client, preview):
    kept = re.search(r'name="upload" value="([^"]+)"', preview.get_data(as_text=True))
    if preview.status_code != 200 or kept is None:
        return preview
    return client.post("/journeys/upload/confirm", data={"csrf_token": csrf_token(client), "upload": kept.group(1)})


def test_owner_uploads_measurements(app, page_as, claims):
    journey_id = claims[0]
    page = page_as("member")
    with app.app_context():
        db.session.get(Journey, journey_id).owner_id = page.user_id
        db.session.commit()
    text = f"metric,journey_id,period_start,period_end,value\ncsat,{journey_id},2026-05-01,2026-05-31,82\n"
    response = upload(page, text)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Imported" in html and "<strong>1</strong> created" in html
    assert count_rows(app, Measurement) == 4
    assert "Nothing would change" in upload(page, text).get_data(as_text=True)


def test_bad_file_shows_line_numbered_errors(app, page_as, claims):
    journey_id = claims[0]
    page = page_as("cx_leader")
    text = (f"metric,journey_id,period_start,period_end,value\ncsat,{journey_id},2026-05-01,2026-05-31,82\n"
            f"csat,{journey_id},2026-06-01,2026-06-30,lots\n")
    response = upload(page, text)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was imported" in html
    assert '<td class="num">3</td><td>value: &#39;lots&#39; is not a number</td>' in html
    assert count_rows(app, Measurement) == 3


def test_survey_scores_from_the_page(app, page_as, claims):
    page = page_as("admin")
    response = upload(page, "respondent,Recommend\n1,10\n2,9\n3,0\n", format="scores", metric="nps",
                      journey_id=str(claims[0]), period_start="2026-06-01", period_end="2026-06-30")
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalar(db.select(Measurement).where(Measurement.period_start == date(2026, 6, 1)))
        assert stored.value.quantize(Decimal("0.01")) == Decimal("33.33") and stored.sample_size == 3


def test_upload_refused_for_other_journeys_and_without_csrf(app, page_as, claims):
    page = page_as("member")
    with app.app_context():  # an owner of a journey (who may upload), but not of this one
        factories.create_journey(owner=db.session.get(factories.User, page.user_id))
    text = f"metric,journey_id,period_start,period_end,value\ncsat,{claims[0]},2026-05-01,2026-05-31,82\n"
    response = upload(page, text)
    assert response.status_code == 403 and "Nothing was imported" in response.get_data(as_text=True)
    no_token = page.post("/journeys/upload", data={"file": (io.BytesIO(text.encode()), "k.csv")},
                         content_type="multipart/form-data")
    assert no_token.status_code == 400
    assert upload(page, "").status_code == 422  # an empty file
    assert count_rows(app, Measurement) == 3


def test_the_journey_page_shows_each_targets_status_as_the_api_answers_it(app, claims, page_as, login_as):
    """Journey NPS is 25 (April): a target of 27 is near (within 2.7), 40 off, 20 met; a stage target
    with nothing measured has no data. The page says what the API says, in words and colour."""
    journey_id, _ = claims
    with app.app_context():
        journey = db.session.get(Journey, journey_id)
        stage = factories.create_stage(journey, name="Pay out", phase="post_sale")
        for value, due in [("27", date(2026, 6, 30)), ("40", date(2026, 9, 30)), ("20", date(2026, 12, 31))]:
            factories.create_target(journey, value=Decimal(value), due_on=due)
        factories.create_target(journey, stage_id=stage.id, value=Decimal("50"), due_on=date(2027, 3, 31))
    api = login_as("executive").get(f"/api/journeys/{journey_id}/targets").json["items"]
    assert [t["status"] for t in api] == ["near", "off", "met", "no_data"]
    page = page_as("executive").get(f"/journeys/{journey_id}").get_data(as_text=True)
    section = page[page.index('id="targets-title"'):page.index('id="kpi-title"')]
    rows = section.split('<tr class="target ')[1:]
    assert len(rows) == 4
    for row, target in zip(rows, api, strict=True):
        assert row.startswith(f'target-{target["status"]}"')
        tone = {"met": "good", "near": "warn", "off": "bad", "no_data": "neutral"}[target["status"]]
        words = {"met": "Met", "near": "Near", "off": "Off track", "no_data": "No data"}[target["status"]]
        assert f'<span class="badge badge-{tone}">{words}</span>' in row
        assert (f'{target["latest_value"]:g}' if target["latest_value"] is not None else "—") in row
    assert "Pay out" in rows[3] and "Whole journey" in rows[0]


def test_a_journey_without_targets_says_so(claims, page_as):
    page = page_as("member").get(f"/journeys/{claims[0]}").get_data(as_text=True)
    assert "No targets set for this journey." in page


def test_the_journey_page_shows_each_stages_latest_kpi_as_the_report_gives_it(app, claims, page_as, login_as):
    journey_id, _ = claims
    with app.app_context():
        journey = db.session.get(Journey, journey_id)
        stage = factories.create_stage(journey, name="Settle claim", stage_type="retention", phase="post_sale")
        for month, value in [(1, "61.5"), (2, "64.25")]:
            factories.create_measurement(journey, metric_code="csat", stage_id=stage.id,
                                         period_start=date(2026, month, 1), value=Decimal(value))
    report = login_as("member").get(f"/api/reports/journeys/{journey_id}").json
    settle = next(s for s in report["stages"] if s["stage"]["name"] == "Settle claim")
    assert settle["metrics"][0]["series"][-1]["value"] == 64.25
    page = page_as("member").get(f"/journeys/{journey_id}").get_data(as_text=True)
    section = page[page.index('id="stage-kpis-title"'):page.index('id="initiatives-title"')]
    assert "Settle claim" in section and "64.25" in section and "61.5" not in section
