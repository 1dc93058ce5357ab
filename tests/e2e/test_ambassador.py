"""An ambassador logs an action on a phone and finds it in their history."""
from datetime import date

from playwright.sync_api import expect

from cxgov.extensions import db
from tests import factories

PHONE = {"width": 390, "height": 844}


def test_an_ambassador_logs_an_action_on_a_phone_and_sees_it_in_history(app, live_server, sign_in):
    with app.app_context():
        department = factories.create_department(name="Customer Service")
        user = factories.create_user(name="Amira Ambassador", department_id=department.id)
        factories.create_ambassador(user=user, department=department, started_on=date(2025, 1, 1))
        db.session.expunge(user)
    page = sign_in(user, viewport=PHONE)
    # On a phone the menu is folded away; the home page offers the form.
    page.click("main >> text=Log an action")
    page.wait_for_url(f"{live_server}/ambassadors/log")
    assert "Customer Service" in page.locator("main").inner_text()
    # The form fits the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.select_option("#kind", "customer_story")
    page.fill("#title", "Shared a customer's story at the team stand-up")
    page.fill("#people_reached", "18")
    page.fill("#hours", "0.5")
    page.click("button.amb-submit")
    page.wait_for_url(f"{live_server}/ambassadors/history")
    expect(page.locator(".flash")).to_contain_text("Logged:")
    entry = page.locator(".amb-action").first
    assert "Shared a customer's story at the team stand-up" in entry.inner_text()
    assert "Customer story shared" in entry.inner_text()
    assert "18 people reached" in entry.inner_text()
    # The form fits the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
