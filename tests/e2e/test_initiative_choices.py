"""A CX leader on a phone, with the keyboard only, picks initiatives by searching for them in the
meeting's fields: an agenda item, a decision and an action item. Only a short list comes with the
page; the search asks the server as one types."""
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect
from sqlalchemy import select

from cxgov.extensions import db
from cxgov.steering.models import ActionItem, AgendaItem, Decision
from tests import factories
from tests.e2e.conftest import PHONE


def _world(app):
    with app.app_context():
        leader = factories.create_user(role="cx_leader", name="Lea Leader")
        committee = factories.create_committee(chair_id=leader.id)
        factories.add_committee_member(committee, leader, "chair")
        meeting = factories.create_meeting(committee, title="December steering",
                                           starts_at=datetime(2026, 11, 3, 9, tzinfo=timezone.utc))
        journey, department = factories.create_journey(), factories.create_department()
        for number in range(40):  # more proposals than the short list holds
            factories.create_initiative(journey=journey, department=department, owner=leader,
                                        title=f"Proposal {number}")
        wanted = factories.create_initiative(journey=journey, department=department, owner=leader,
                                             title="Self-service returns", status="in_progress")
        db.session.commit()
        return leader, leader.id, meeting.id, wanted.id


def _pick(page, field, typed, wanted_id):
    """Type part of a title in `field`, wait for the search's answer, and take it with the keyboard.
    The answer is awaited as a response: the fields share one list, which may already offer the
    initiative (the short list, an earlier field's search), and keys typed while the answer lands
    and the open list is redrawn can be lost."""
    page.focus(field)
    with page.expect_response(lambda response: "/initiatives/options" in response.url
                              and parse_qs(urlparse(response.url).query).get("q") == [typed]):
        page.keyboard.type(typed, delay=20)
    option = page.locator(f'#initiative-choices option[value^="#{wanted_id} "]')
    expect(option).to_have_count(1)
    choice = option.get_attribute("value")
    page.keyboard.press("Control+A")
    page.keyboard.type(choice)
    expect(page.locator(field)).to_have_value(choice)


def test_a_cx_leader_picks_initiatives_by_search_on_a_phone(app, live_server, sign_in):
    leader, leader_id, meeting_id, wanted_id = _world(app)
    page = sign_in(leader, viewport=PHONE)
    page.goto(f"{live_server}/meetings/{meeting_id}")
    # The short list: no more than 30 initiatives come with the page, and not the one wanted.
    assert page.locator("#initiative-choices option").count() <= 30
    assert page.locator(f'#initiative-choices option[value^="#{wanted_id} "]').count() == 0
    hint = page.locator("#agenda-initiative-hint")
    expect(hint).to_be_visible()

    page.focus("#agenda-title")
    page.keyboard.type("Returns, decided")
    _pick(page, "#agenda-initiative", "self-serv", wanted_id)
    page.keyboard.press("Enter")  # sends the form
    expect(page.locator(".flash")).to_contain_text("“Returns, decided” added to the agenda")

    page.select_option("#decision-kind", "other")
    # The text fields are filled directly: after a search field's list was open, the browser may
    # route the next keys to the closing list, and the picking is what this test is about.
    page.fill("#decision-text", "Keep the returns pilot running.")
    _pick(page, "#decision-initiative", "RETURNS", wanted_id)
    page.focus("button:has-text('Record decision')")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("Decision recorded")

    page.fill("#action-title", "Count the returns")
    page.select_option("#action-owner", str(leader_id))
    page.fill("#action-due", "2026-12-15")
    _pick(page, "#action-initiative", f"#{wanted_id}", wanted_id)
    page.focus("button:has-text('Add action item')")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("Action item “Count the returns” added")

    # A name that is no initiative: the field says so, nothing written.
    page.fill("#action-title", "Nothing")
    page.select_option("#action-owner", str(leader_id))
    page.fill("#action-due", "2026-12-15")
    page.fill("#action-initiative", "No such initiative")
    page.click("button:has-text('Add action item')")
    expect(page.locator("#action-initiative-error")).to_contain_text("No initiative is called “No such initiative”")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    with app.app_context():
        assert db.session.scalar(select(AgendaItem.initiative_id).where(AgendaItem.title == "Returns, decided")) \
            == wanted_id
        assert db.session.scalar(select(Decision.initiative_id).where(
            Decision.text == "Keep the returns pilot running.")) == wanted_id
        assert db.session.scalar(select(ActionItem.initiative_id).where(ActionItem.title == "Count the returns")) \
            == wanted_id
        assert db.session.scalar(select(ActionItem.id).where(ActionItem.title == "Nothing")) is None
