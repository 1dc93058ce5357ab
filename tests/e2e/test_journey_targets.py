"""A journey owner reads the targets' status (red, amber, green, in words too) on the journey page,
at phone and desktop widths, and the page passes axe."""
from datetime import date
from decimal import Decimal

import pytest

from cxgov.extensions import db
from tests import factories
from tests.e2e import axe
from tests.e2e.conftest import DESKTOP, PHONE


def journey_with_targets(app):
    """Journey NPS 25 (latest of two periods): targets 27 (near), 20 (met), 40 (off); a stage's
    churn rate target with nothing measured (no data)."""
    with app.app_context():
        owner = factories.create_user(role="member", name="Jonas Owner")
        journey = factories.create_journey(owner=owner, name="Home claim")
        stage = factories.create_stage(journey, name="Retention", stage_type="retention", phase="post_sale")
        factories.create_measurement(journey, period_start=date(2026, 1, 1), value=Decimal("12"))
        factories.create_measurement(journey, period_start=date(2026, 2, 1), value=Decimal("25"))
        # The stage is measured on another metric: its KPI shows by stage, its churn target has no data.
        factories.create_measurement(journey, metric_code="csat", stage_id=stage.id, period_start=date(2026, 2, 1),
                                     value=Decimal("81.5"))
        for value, due in [("27", date(2026, 6, 30)), ("20", date(2026, 9, 30)), ("40", date(2026, 12, 31))]:
            factories.create_target(journey, value=Decimal(value), due_on=due)
        factories.create_target(journey, metric_code="churn_rate", stage_id=stage.id, value=Decimal("5"),
                                due_on=date(2027, 3, 31))
        db.session.expunge(owner)
        return owner, journey.id


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_owner_reads_the_targets_status_on_the_journey_page(app, sign_in, live_server, viewport):
    owner, journey_id = journey_with_targets(app)
    page = sign_in(owner, viewport=viewport)
    axe.install(page.context)
    page.goto(f"{live_server}/journeys")
    page.click("text=Home claim")
    section = page.locator("section[aria-labelledby='targets-title']")
    assert section.locator("h2").inner_text() == "Targets"
    rows = section.locator("tbody tr")
    assert rows.count() == 4
    seen = [(rows.nth(n).locator("[data-label='Status']").inner_text().strip(),
             rows.nth(n).locator("[data-label='Latest']").inner_text().split()[0],
             rows.nth(n).locator("[data-label='Where']").inner_text().strip()) for n in range(4)]
    assert seen == [("Near", "25", "Whole journey"), ("Met", "25", "Whole journey"),
                    ("Off track", "25", "Whole journey"), ("No data", "—", "Retention")]
    # The colour repeats the word: amber, green, red, grey.
    tones = [rows.nth(n).locator(".badge").get_attribute("class") for n in range(4)]
    assert tones == ["badge badge-warn", "badge badge-good", "badge badge-bad", "badge badge-neutral"]
    assert section.is_visible() and rows.nth(3).is_visible()
    by_stage = page.locator("section[aria-labelledby='stage-kpis-title'] tbody tr")
    assert by_stage.count() == 1 and "81.5" in by_stage.inner_text() and "Retention" in by_stage.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    violations = axe.run(page)
    assert not violations, axe.describe(violations)
