"""The hourglass in the browser: a CX leader lays a journey out on the hourglass template for its
owner; the owner (a member, as mehmet.yilmaz in the demo) sets a stage target and reads its status
on the hourglass, retires a touchpoint that has measurements, and compares the purchase stage
across journeys — at phone and desktop widths, each page passing axe."""
import os
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from cxgov.extensions import db
from cxgov.journeys.models import Journey, Stage, Touchpoint
from tests import factories
from tests.e2e import axe
from tests.e2e.conftest import PHONE

WIDE = {"width": 1366, "height": 900}
SHOTS = os.environ.get("CXGOV_SCREENSHOTS")  # a folder: the pages are saved there to be looked at


def _shot(page, name, viewport):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{viewport['width']}.png"), full_page=True)


def _fits(page, viewport):
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    violations = axe.run(page)
    assert not violations, axe.describe(violations)


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "desktop"])
def test_the_owner_works_a_journey_on_the_hourglass(app, sign_in, live_server, viewport):
    with app.app_context():
        owner = factories.create_user(role="member", name="Mehmet Yilmaz")
        leader = factories.create_user(role="cx_leader", name="Lena Lead")
        other = factories.create_journey(name="Policy renewal")
        renewal_purchase = factories.create_stage(other, name="Purchase", stage_type="purchase", phase="pre_sale")
        factories.create_measurement(other, metric_code="csat", stage_id=renewal_purchase.id,
                                     period_start=date(2026, 3, 1), value=Decimal("79"))
        db.session.expunge(owner)
        db.session.expunge(leader)

    # The CX leader creates the journey from the hourglass template, for its owner.
    page = sign_in(leader, viewport=viewport)
    page.goto(f"{live_server}/journeys/new")
    page.fill("#journey-name", "Open an account")
    page.select_option("#journey-owner", label="Mehmet Yilmaz")
    page.check("#journey-template")
    page.click("button:has-text('Create journey')")
    page.wait_for_url("**/edit#stages")
    assert page.locator("table.parts").first.locator("tbody tr").count() == 10

    # A touchpoint at the purchase stage was measured for a while; the stage itself too.
    with app.app_context():
        journey = db.session.scalar(select(Journey).where(Journey.name == "Open an account"))
        purchase = db.session.scalar(select(Stage).where(Stage.journey_id == journey.id,
                                                         Stage.stage_type == "purchase"))
        desk = factories.create_touchpoint(purchase, name="Branch desk", channel="store")
        factories.create_measurement(journey, metric_code="csat", stage_id=purchase.id, touchpoint_id=desk.id,
                                     period_start=date(2026, 2, 1), value=Decimal("70"))
        factories.create_measurement(journey, metric_code="csat", stage_id=purchase.id,
                                     period_start=date(2026, 3, 1), value=Decimal("82"))
        journey_id, desk_id = journey.id, desk.id

    # The owner sets a target on the purchase stage and reads its status on the hourglass.
    page = sign_in(owner, viewport=viewport)
    axe.install(page.context)
    page.goto(f"{live_server}/journeys/{journey_id}")
    page.select_option("#target-metric", label="Customer satisfaction (%)")
    page.select_option("#target-stage", label="Purchase")
    page.fill("#target-value", "85")
    page.fill("#target-due", "2026-12-31")
    page.click("button:has-text('Set target')")
    page.wait_for_url(f"**/journeys/{journey_id}#targets-title")
    stage = page.locator(".hourglass .stage", has_text="Purchase").first
    assert "Customer satisfaction: 82" in stage.inner_text() and "target ≥\u00a085" in stage.inner_text()
    assert stage.locator(".badge").inner_text() == "Near"
    _fits(page, viewport)
    _shot(page, "journey", viewport)

    # The desk closed: it has measurements, so it is retired, not removed, and the page says so.
    page.goto(f"{live_server}/journeys/{journey_id}/edit#touchpoints")
    assert page.locator("button[aria-label='Remove Branch desk']").count() == 0
    assert "cannot be removed, only retired" in page.locator("#touchpoints").inner_text()
    page.click("button[aria-label='Retire Branch desk']")
    assert "Touchpoint “Branch desk” retired." in page.locator("[role=status], .flash").first.inner_text()
    assert page.locator("button[aria-label='Reactivate Branch desk']").is_visible()
    with app.app_context():
        assert db.session.get(Touchpoint, desk_id).status == "retired"

    # The purchase stage compared across journeys, from the journeys list.
    page.goto(f"{live_server}/journeys")
    page.click("text=Compare a stage across journeys")
    page.select_option("#compare-stage", label="Purchase")
    page.select_option("#compare-metric", label="Customer satisfaction")
    page.click("button:has-text('Compare')")
    rows = page.locator("table.stage-comparison tbody tr")
    assert rows.count() == 2
    first, second = rows.nth(0).inner_text(), rows.nth(1).inner_text()
    assert "Open an account" in first and "82" in first and "Near" in first
    assert "Policy renewal" in second and "79" in second
    _fits(page, viewport)
    _shot(page, "stages", viewport)
