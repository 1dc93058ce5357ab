"""The CEO reads how much of the planned benefits came, on the home page and in the ROI report,
at a desk (1366 px) and on a phone (390 px), without scrolling sideways (SPEC §8.6)."""
from datetime import timedelta
from decimal import Decimal

import pytest

from cxgov.extensions import db
from cxgov.initiatives.gate import freeze_baseline
from cxgov.roi.benefits import local_today
from tests import factories

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def seed(app):
    """Three approved initiatives started a year and a month ago (years 0–1 count):

    - "A rather long initiative title about self-service claims": planned 10 000 + 20 000 × 0.5 =
      20 000, actual 6 000 → 30 %;
    - "Chatbot for billing questions": planned 10 000, actual 10 000 → 100 %;
    - "Paperless onboarding": planned 10 000, actual 8 000 → 80 %.
    Portfolio: 24 000 of 40 000, 60 %; one initiative below 70 %.
    """
    with app.app_context():
        started = local_today() - timedelta(days=400)
        department = factories.create_department(name="Customer Service Operations")
        journey = factories.create_journey(name="Claims and billing")
        for title, planned, actual in (
                ("A rather long initiative title about self-service claims",
                 [(0, "10000", "0"), (1, "20000", "0.5")], "6000"),
                ("Chatbot for billing questions", [(1, "10000", "0")], "10000"),
                ("Paperless onboarding", [(0, "10000", "0")], "8000")):
            initiative = factories.create_initiative(title=title, department=department, journey=journey,
                                                     status="in_progress", start_on=started)
            factories.add_cash_flow(initiative, "cost", 0, "5000")
            for year, amount, risk in planned:
                factories.add_cash_flow(initiative, "benefit", year, amount, risk_adjustment=Decimal(risk))
            freeze_baseline(initiative, started)
            factories.add_cash_flow(initiative, "benefit", 1, actual, basis="actual")
        ceo = factories.create_user(role="executive", name="The CEO")
        db.session.commit()
        return ceo


def page_width(page):
    page.wait_for_load_state("load")  # with its stylesheets: a page seen before its CSS is wider
    return page.evaluate("() => Math.max(document.body.scrollWidth, document.documentElement.scrollWidth)")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_ceo_reads_the_realisation_on_home_and_in_the_report(app, live_server, sign_in, viewport):
    ceo = seed(app)
    page = sign_in(ceo, viewport=viewport)
    page.goto(f"{live_server}/")
    headline = page.locator("#home-benefits")
    assert headline.is_visible()
    assert "Realised 60% of the benefits planned to date" in headline.inner_text()
    assert "1 initiative below 70%" in headline.inner_text()
    assert page_width(page) <= viewport["width"] + 2

    page.click("text=Realised 60% of the benefits planned to date")
    page.wait_for_url("**/reports/roi#benefits")
    section = page.locator("#benefits")
    assert section.is_visible()
    assert page.locator("#benefits-realisation").inner_text() == "60%"
    assert page.locator("#benefits-planned").inner_text() == "€40K"
    assert page.locator("#benefits-actual").inner_text() == "€24K"
    below = page.locator("#benefits-below")
    assert below.is_visible()
    text = below.inner_text()
    assert "A rather long initiative title about self-service claims" in text and "30%" in text
    assert "Chatbot" not in text and "Paperless" not in text
    # Every figure of the section stays on screen.
    for locator in (section, below, page.locator("#benefits-realisation")):
        box = locator.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] + 1
    assert page_width(page) <= viewport["width"] + 2
    with page.expect_download() as download:
        page.click("text=Benefits realisation of every initiative as CSV")
    assert download.value.suggested_filename == "benefits.csv"
