"""SPEC §8.4 in the browser: after delivery the CX leader records the reviews' verdicts on the
initiative's page, on a phone, and sees what each verdict froze."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cxgov.extensions import db
from cxgov.initiatives import lifecycle
from cxgov.initiatives.models import Initiative
from cxgov.org.models import User
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE


def _delivered(app):
    with app.app_context():
        leader = factories.create_user(role="cx_leader", name="Lea Leader")
        initiative = factories.complete_plan(factories.create_initiative(title="Call-back service"))
        meeting = factories.create_meeting(starts_at=datetime(2026, 6, 1, 9, tzinfo=timezone.utc))
        decision = factories.create_decision(meeting, initiative=initiative)
        actor, initiative = db.session.get(User, leader.id), db.session.get(Initiative, initiative.id)
        lifecycle.transition_initiative(actor, initiative, "approved", decision_id=decision.id, on=date(2026, 6, 1))
        lifecycle.transition_initiative(actor, initiative, "in_progress", on=date(2026, 6, 2))
        lifecycle.transition_initiative(actor, initiative, "delivered", on=date(2026, 7, 1))
        factories.create_measurement(initiative.journey, "csat", period_start=date(2026, 8, 1), value=Decimal("74"))
        db.session.commit()
        return leader, initiative.id


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1366px"])
def test_the_cx_leader_records_the_reviews_after_delivery(app, live_server, sign_in, viewport):
    leader, initiative_id = _delivered(app)
    page = sign_in(leader, viewport=viewport)
    page.goto(f"{live_server}/initiatives/{initiative_id}#reviews")
    reviews = page.locator("#reviews")
    assert "Review 1, due 31 Jul 2026" in reviews.inner_text()
    assert "Review 3 (final), due 29 Sept 2026" in reviews.inner_text()

    first = page.locator("[data-review='1']")
    first.locator("button:has-text('Record the verdict')").click()  # no verdict chosen
    # Each submit loads a new page: wait for its words (the page before may carry a flash too).
    expect(page.locator(".error-summary")).to_contain_text("The verdict was not recorded")

    first = page.locator("[data-review='1']")
    first.locator("label:has-text('Partly achieved')").click()
    first.locator("textarea").fill("CSAT up 4 of 5 points.")
    first.locator("button:has-text('Record the verdict')").click()
    expect(page.locator(".flash")).to_contain_text("Review 1: Partly achieved recorded.")
    first = page.locator("[data-review='1']")
    assert "“CSAT up 4 of 5 points.”" in first.inner_text()
    assert first.locator("[data-figure='review-1-actual-npv']").inner_text() != ""
    assert first.locator("form").count() == 0  # recorded once

    final = page.locator("[data-review='3']")
    final.locator("label:has-text('Achieved')").first.click()
    final.locator("button:has-text('Record the verdict')").click()
    expect(page.locator(".flash")).to_contain_text("Review 3: Achieved recorded.")
    page.wait_for_load_state("load")  # the flash can show before the stylesheet has applied
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scroll
