"""The CEO reads the ROI report on a phone."""
from decimal import Decimal

from tests import factories

PHONE = {"width": 390, "height": 844}


def seed(app):
    with app.app_context():
        departments = [factories.create_department(name=name) for name in
                       ("Customer Service Operations", "Digital Channels", "Retail Stores")]
        journeys = [factories.create_journey(name=name) for name in ("Onboarding", "Billing and payments")]
        for n in range(9):
            initiative = factories.create_initiative(
                title=f"A rather long initiative title number {n} about self-service", department=departments[n % 3],
                journey=journeys[n % 2], category=("digital", "process", "people")[n % 3],
                status=("approved", "in_progress", "delivered")[n % 3])
            factories.add_cash_flow(initiative, "cost", 0, "125000.00", risk_adjustment=Decimal("0.1"))
            factories.add_cash_flow(initiative, "benefit", 1, str(60000 + 10000 * n), risk_adjustment=Decimal("0.2"))
            factories.add_cash_flow(initiative, "benefit", 2, "90000.00", risk_adjustment=Decimal("0.2"))
            factories.add_cash_flow(initiative, "cost", 0, "130000.00", basis="actual")
        return factories.create_user(role="executive", name="The CEO")


def test_the_ceo_reads_the_report_on_a_phone(app, live_server, sign_in):
    ceo = seed(app)
    page = sign_in(ceo, viewport=PHONE)
    page.goto(f"{live_server}/reports/roi")
    headline = page.locator(".roi-headline")
    assert headline.is_visible()
    assert "Invested (PV costs)" in headline.inner_text()
    assert "ROI" in headline.inner_text()
    box = headline.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1
    assert page.locator(".roi-charts svg").first.is_visible()
    width = page.evaluate("() => Math.max(document.body.scrollWidth, document.documentElement.scrollWidth)")
    assert width <= PHONE["width"] + 2

    page.select_option("#basis", "actual")
    page.fill("#discount_percent", "8")  # a percentage, as a CEO types it
    page.click("button:has-text('Update')")
    page.wait_for_url("**basis=actual**")
    main = page.locator("main").inner_text()
    assert "Actual cash flows recorded to date (year 0)" in main and "discounted at 8.0% a year" in main
    assert page.locator("#discount_percent").input_value() == "8"
    width = page.evaluate("() => Math.max(document.body.scrollWidth, document.documentElement.scrollWidth)")
    assert width <= PHONE["width"] + 2


def test_the_ceo_opens_every_unmeasured_initiative_keeping_the_report_as_chosen(app, live_server, sign_in,
                                                                                monkeypatch):
    """"Delivered, not yet measured" lists the ones delivered longest ago; "Show all N" lists every
    one, on the same report (basis and filters kept), at the list on a phone."""
    from datetime import date

    from cxgov.roi import services

    monkeypatch.setattr(services, "BY_INITIATIVE", 2)
    ceo = seed(app)
    with app.app_context():
        journey = factories.create_journey(name="Claims")
        for n, day in enumerate((date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5))):
            factories.add_impact(factories.create_initiative(title=f"Unproven fix {n}", journey=journey,
                                                             status="delivered", delivered_on=day))
    page = sign_in(ceo, viewport=PHONE)
    page.goto(f"{live_server}/reports/roi?basis=actual")
    section = page.locator("#unmeasured")
    assert section.locator("li a").all_inner_texts() == ["Unproven fix 0", "Unproven fix 1"]
    assert "The 2 delivered longest ago of 3." in section.inner_text()

    page.click("#unmeasured >> text=Show all 3")
    page.wait_for_url("**unmeasured=all**")
    assert "basis=actual" in page.url
    assert page.locator("#basis").input_value() == "actual"
    assert section.locator("li a").all_inner_texts() == ["Unproven fix 0", "Unproven fix 1", "Unproven fix 2"]
    assert "Show all" not in section.inner_text()
    box = section.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1
    assert page.evaluate("() => document.querySelector('#unmeasured').getBoundingClientRect().top") < PHONE["height"]
