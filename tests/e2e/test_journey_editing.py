"""Journeys through the pages, at phone and desktop width: a CX leader builds a journey and
reorders its stages; a journey owner enters a KPI value by hand; a journey owner previews an
upload, sees the figure it replaces, and confirms. Each checks the result through the API."""
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cxgov.extensions import db
from tests import factories
from tests.e2e import axe
from tests.e2e.conftest import DESKTOP, PHONE

WIDTHS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


def _owned(app):
    with app.app_context():
        owner = factories.create_user(role="member", name="Jonas Owner")
        journey = factories.create_journey(owner=owner, name="Home claim")
        stage = factories.create_stage(journey, name="Report damage", phase="post_sale")
        factories.create_touchpoint(stage, name="Broker phone call", channel="phone")
        factories.create_measurement(journey, period_start=date(2026, 1, 1), period_end=date(2026, 1, 31),
                                     value=Decimal("12"))
        db.session.expunge(owner)
        return owner, journey.id, stage.id


@WIDTHS
def test_a_cx_leader_creates_a_journey_with_stages_and_reorders_them(app, sign_in, live_server, login_as, viewport):
    with app.app_context():
        owner_id = factories.create_user(name="Nora Owner").id
    page = sign_in("cx_leader", viewport=viewport)
    page.goto(f"{live_server}/journeys")
    page.click("text=New journey")
    page.fill("#journey-name", "Open an account")
    page.select_option("#journey-owner", str(owner_id))
    page.select_option("#journey-status", "active")
    page.click("button:has-text('Create journey')")
    expect(page.locator(".flash")).to_contain_text("Journey “Open an account” created")
    for name, phase in (("Apply", "pre_sale"), ("Compare offers", "pre_sale")):
        page.fill("#stage-name", name)
        page.select_option("#stage-phase", phase)
        page.click("button:has-text('Add stage')")
    page.select_option("#touchpoint-stage", label="Apply")
    page.fill("#touchpoint-name", "Online form")
    page.select_option("#touchpoint-channel", "web")
    page.click("button:has-text('Add touchpoint')")
    assert "Online form" in page.locator("#touchpoints").inner_text()
    page.click("button[aria-label='Move up: Compare offers']")  # a plain form: no script needed
    expect(page.locator(".flash")).to_contain_text("“Compare offers” is now stage 1 of 2")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    api = login_as("member")
    [journey] = [j for j in api.get("/api/journeys").json["items"] if j["name"] == "Open an account"]
    detail = api.get(f"/api/journeys/{journey['id']}").json
    assert (detail["owner_id"], detail["status"]) == (owner_id, "active")
    assert [(s["name"], s["position"]) for s in detail["stages"]] == [("Compare offers", 0), ("Apply", 1)]
    assert [(t["name"], t["channel"], t["digital"]) for t in detail["stages"][1]["touchpoints"]] == \
        [("Online form", "web", True)]


@WIDTHS
def test_a_journey_owner_enters_a_kpi_value_by_hand(app, sign_in, live_server, login_as, viewport):
    owner, journey_id, stage_id = _owned(app)
    page = sign_in(owner, viewport=viewport)
    page.goto(f"{live_server}/journeys/{journey_id}")
    page.click("text=Enter a KPI value")
    with app.app_context():
        csat = factories.metric("csat").id
    page.select_option("#kpi-metric", str(csat))
    page.select_option("#kpi-stage", str(stage_id))
    page.fill("#kpi-start", "2026-02-01")
    page.fill("#kpi-end", "2026-02-28")
    page.fill("#kpi-value", "81.5")
    page.fill("#kpi-sample", "120")
    page.click("button:has-text('Record value')")
    expect(page.locator(".flash")).to_contain_text("recorded")
    stored = login_as("member").get(f"/api/measurements?journey_id={journey_id}&metric=csat").json["items"]
    assert [(m["stage_id"], m["period_start"], m["value"], m["sample_size"], m["source"]) for m in stored] == \
        [(stage_id, "2026-02-01", 81.5, 120, "manual")]


@WIDTHS
def test_a_journey_owner_previews_an_upload_and_confirms_it(app, sign_in, live_server, login_as, tmp_path, viewport):
    owner, journey_id, _ = _owned(app)
    page = sign_in(owner, viewport=viewport)
    axe.install(page.context)  # the preview answers a POST: the page-by-page axe run does not reach it
    page.goto(f"{live_server}/journeys/upload")
    survey = tmp_path / "january.csv"
    survey.write_text("respondent,Recommend\n1,10\n2,9\n3,0\n4,10\n")
    page.set_input_files("#file", str(survey))
    page.check("input[name=format][value=scores]")
    page.select_option("#metric", "nps")
    page.select_option("#journey_id", str(journey_id))
    page.fill("#period_start", "2026-01-01")
    page.fill("#period_end", "2026-01-31")
    page.click("button:has-text('Upload')")
    assert "Check before importing" in page.locator("h1").inner_text()
    replaced = page.locator(".preview-replaced tbody tr")
    assert replaced.count() == 1
    assert "12" in replaced.inner_text() and "50" in replaced.inner_text()  # January's 12 becomes 50
    api = login_as("member")
    before = api.get(f"/api/measurements?journey_id={journey_id}").json["items"]
    assert [m["value"] for m in before] == [12]  # nothing imported yet
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    violations = axe.run(page)
    assert not violations, axe.describe(violations)

    page.click("button:has-text('Import these changes')")
    assert "1 updated" in page.locator(".upload-result").inner_text()
    stored = api.get(f"/api/measurements?journey_id={journey_id}").json["items"]
    assert [(m["value"], m["sample_size"], m["source"]) for m in stored] == [(50, 4, "survey")]
