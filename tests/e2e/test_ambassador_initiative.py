"""An ambassador on a phone logs an action for an initiative of another department, found by
searching for it in the log form's initiative field: only the department's open initiatives come
with the page; the search asks the server as one types."""
from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from cxgov.ambassadors.models import AmbassadorAction
from cxgov.extensions import db
from tests import factories
from tests.e2e.conftest import PHONE


def _world(app):
    with app.app_context():
        department = factories.create_department(name="Customer Service")
        user = factories.create_user(name="Amira Ambassador", department_id=department.id)
        factories.create_ambassador(user=user, department=department, started_on=date(2025, 1, 1))
        journey = factories.create_journey()
        for number in range(35):  # more of their department's than the short list holds
            factories.create_initiative(journey=journey, department=department, title=f"Service work {number}",
                                        status="in_progress")
        wanted = factories.create_initiative(journey=journey, title="Self-service returns", status="approved")
        db.session.commit()
        db.session.expunge(user)
        return user, wanted.id


def test_an_ambassador_names_an_initiative_found_by_search_on_a_phone(app, live_server, sign_in):
    user, wanted_id = _world(app)
    page = sign_in(user, viewport=PHONE)
    page.goto(f"{live_server}/ambassadors/log")
    assert page.locator("#initiative-choices option").count() == 30
    assert page.locator(f'#initiative-choices option[value^="#{wanted_id} "]').count() == 0
    expect(page.locator("#initiative_id-hint")).to_be_visible()

    page.select_option("#kind", "training")
    page.fill("#title", "Returns training for the counter team")
    page.fill("#people_reached", "6")
    page.focus("#initiative_id")
    page.keyboard.type("self-serv", delay=20)
    option = page.locator(f'#initiative-choices option[value^="#{wanted_id} "]')
    expect(option).to_have_count(1)
    choice = option.get_attribute("value")
    assert choice == f"#{wanted_id} Self-service returns"
    page.keyboard.press("Control+A")
    page.keyboard.type(choice)
    expect(page.locator("#initiative_id")).to_have_value(choice)
    # The form fits the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("button.amb-submit")
    page.wait_for_url(f"{live_server}/ambassadors/history")
    expect(page.locator(".flash")).to_contain_text("Logged: Returns training for the counter team")

    # A name that is no initiative: the field says so, what was typed stays, nothing written.
    page.goto(f"{live_server}/ambassadors/log")
    page.fill("#title", "Nothing")
    page.fill("#initiative_id", "No such initiative")
    page.click("button.amb-submit")
    expect(page.locator("#initiative_id-error")).to_contain_text("No initiative is called “No such initiative”")
    expect(page.locator("#initiative_id")).to_have_value("No such initiative")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    with app.app_context():
        assert db.session.scalar(select(AmbassadorAction.initiative_id).where(
            AmbassadorAction.title == "Returns training for the counter team")) == wanted_id
        assert db.session.scalar(select(AmbassadorAction.id).where(AmbassadorAction.title == "Nothing")) is None
