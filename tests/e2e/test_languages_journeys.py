"""A journey owner who reads Romanian opens their journey on a phone: the page speaks Romanian,
formats its figures and dates the Romanian way, and axe-core finds nothing to report."""
from datetime import date
from decimal import Decimal

from cxgov.extensions import db
from tests import factories
from tests.e2e import axe
from tests.e2e.conftest import PHONE


def test_a_romanian_journey_owner_reads_the_journey_page_on_a_phone(app, sign_in, live_server):
    with app.app_context():
        owner = factories.create_user(role="member", name="Ioana Owner", language="ro")
        journey = factories.create_journey(owner=owner, name="Home claim")
        purchase = factories.create_stage(journey, name="Purchase", phase="pre_sale")
        factories.create_stage(journey, name="Report damage", phase="post_sale")
        factories.create_touchpoint(purchase, name="Broker phone call", channel="phone")
        factories.create_measurement(journey, period_start=date(2026, 1, 1), period_end=date(2026, 1, 31),
                                     value=Decimal("12.5"))
        factories.create_measurement(journey, period_start=date(2026, 4, 1), period_end=date(2026, 4, 30),
                                     value=Decimal("1250.75"))
        factories.create_target(journey, value=Decimal("40"), due_on=date(2026, 12, 31))
        initiative = factories.create_initiative(journey=journey, title="Claims callback", status="delivered",
                                                 delivered_on=date(2026, 3, 1))
        factories.add_impact(initiative, target_value=Decimal("30"))
        journey_id = journey.id
        db.session.expunge(owner)
    page = sign_in(owner, viewport=PHONE)
    axe.install(page.context)
    page.goto(f"{live_server}/journeys/{journey_id}")
    assert page.locator("#stages-title").inner_text() == "Etape și puncte de contact"
    assert page.locator("#targets-title").inner_text() == "Ținte"
    text = page.locator("main").inner_text()
    assert "Achiziție" in text and "Report damage" in text  # the template's name translated, a typed one kept
    assert "Home claim" in text and "Broker phone call" in text
    assert "+1.238,25" in text and "31 dec. 2026" in text and "1 mar. 2026" in text
    assert page.evaluate("document.documentElement.lang") == "ro"
    violations = axe.run(page)
    assert not violations, axe.describe(violations)
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
