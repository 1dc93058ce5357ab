"""Initiatives in the browser, at a phone's and a desktop's width: a member proposes one, its owner
changes it, a CX leader adds a KPI impact and takes an approved initiative to delivery, and an
overdrawn attribution budget is refused naming who claims it. Each result is read back through
the API."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from cxgov.auth.services import issue_token
from cxgov.extensions import db
from cxgov.initiatives import lifecycle
from cxgov.initiatives.models import Initiative
from cxgov.org.models import User
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])


def api(app, path):
    """`path` of the API read by an admin (bearer token)."""
    with app.app_context():
        raw, _ = issue_token(factories.create_user("admin"))
        db.session.commit()
    client = app.test_client()
    response = client.get(path, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def no_sideways_scroll(page):
    page.wait_for_load_state("load")  # with its stylesheets: a page seen before its CSS is wider
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@VIEWPORTS
def test_a_member_proposes_an_initiative(app, live_server, sign_in, viewport):
    with app.app_context():
        member = factories.create_user("member", name="Mo Member")
        journey = factories.create_journey(name="Claim a refund")
        department = factories.create_department(name="Customer service", code="CS")
        journey_id, department_id, member_id = journey.id, department.id, member.id
    page = sign_in(member, viewport=viewport)
    page.goto(f"{live_server}/initiatives")
    page.click("text=New initiative")
    page.fill("#initiative-title", "Call-back service")
    page.select_option("#initiative-journey", str(journey_id))
    page.click("button:has-text('Propose the initiative')")  # no department, no category yet
    assert "The initiative was not proposed" in page.locator(".error-summary").inner_text()
    assert page.input_value("#initiative-title") == "Call-back service"
    page.select_option("#initiative-department", str(department_id))
    page.select_option("#initiative-category", "process")
    page.fill("#initiative-description", "Call customers back instead of keeping them waiting.")
    page.fill("#initiative-target", "2027-03-31")
    page.click("button:has-text('Propose the initiative')")
    expect(page.locator(".flash")).to_contain_text("Initiative “Call-back service” proposed.")
    assert no_sideways_scroll(page)
    initiative_id = int(page.url.rsplit("/", 1)[1])
    body = api(app, f"/api/initiatives/{initiative_id}")
    assert body["status"] == "proposed" and body["owner_id"] == member_id
    assert body["journey_id"] == journey_id and body["target_on"] == "2027-03-31"


@VIEWPORTS
def test_the_owner_changes_their_initiative(app, live_server, sign_in, viewport):
    with app.app_context():
        owner = factories.create_user("member", name="Olga Owner")
        initiative_id = factories.create_initiative(owner=owner, title="Paper forms").id
    page = sign_in(owner, viewport=viewport)
    page.goto(f"{live_server}/initiatives/{initiative_id}")
    page.click("text=Change the initiative")
    page.fill("#initiative-title", "Digital forms")
    page.select_option("#initiative-category", "digital")
    page.fill("#initiative-target", "2027-01-31")
    page.click("button:has-text('Save the initiative')")
    expect(page.locator(".flash")).to_contain_text("Initiative “Digital forms” saved.")
    assert no_sideways_scroll(page)
    body = api(app, f"/api/initiatives/{initiative_id}")
    assert (body["title"], body["category"], body["target_on"]) == ("Digital forms", "digital", "2027-01-31")


def _approved(app):
    """A CX leader, and an initiative approved by the steering committee."""
    with app.app_context():
        leader = factories.create_user(role="cx_leader", name="Lea Leader")
        initiative = factories.complete_plan(factories.create_initiative(title="Self-service returns"))
        meeting = factories.create_meeting(starts_at=datetime(2026, 6, 1, 9, tzinfo=timezone.utc))
        decision = factories.create_decision(meeting, initiative=initiative)
        lifecycle.transition_initiative(db.session.get(User, leader.id), db.session.get(Initiative, initiative.id),
                                        "approved", decision_id=decision.id, on=date(2026, 6, 1))
        db.session.commit()
        return leader, initiative.id, factories.metric("nps").id


@VIEWPORTS
def test_a_cx_leader_adds_an_impact_and_delivers_an_approved_initiative(app, live_server, sign_in, viewport):
    leader, initiative_id, nps = _approved(app)
    page = sign_in(leader, viewport=viewport)
    page.goto(f"{live_server}/initiatives/{initiative_id}")
    page.select_option("#impact-metric", str(nps))
    page.fill("#impact-baseline", "20")
    page.fill("#impact-target", "28")
    page.fill("#impact-value", "1500")
    page.fill("#impact-attribution", "0.5")
    page.click("button:has-text('Add the KPI impact')")
    expect(page.locator(".flash")).to_contain_text("KPI impact added: Net Promoter Score.")
    start = page.locator("[data-move='in_progress']")
    start.locator("input[name=on]").fill("2026-06-02")
    start.locator("button:has-text('Start work')").click()
    expect(page.locator(".flash")).to_contain_text("is now in progress")
    deliver = page.locator("[data-move='delivered']")
    deliver.locator("textarea").fill("Live in all stores.")
    deliver.locator("button:has-text('Mark as delivered')").click()
    expect(page.locator(".flash")).to_contain_text("is now delivered")
    assert page.locator("[data-move='in_progress']").count() == 0  # only the next steps are offered
    assert no_sideways_scroll(page)

    body = api(app, f"/api/initiatives/{initiative_id}")
    assert body["status"] == "delivered"
    assert [t["to_status"] for t in body["transitions"]] == ["approved", "in_progress", "delivered"]
    assert body["transitions"][1]["on"] == "2026-06-02" and body["transitions"][2]["note"] == "Live in all stores."
    impacts = api(app, f"/api/initiatives/{initiative_id}/impacts")["items"]
    added = [i for i in impacts if i["metric_id"] == nps]
    assert len(added) == 1 and Decimal(str(added[0]["attribution"])) == Decimal("0.5")


@VIEWPORTS
def test_an_overdrawn_attribution_budget_is_refused(app, live_server, sign_in, viewport):
    with app.app_context():
        leader = factories.create_user(role="cx_leader")
        journey = factories.create_journey()
        rival = factories.create_initiative(journey=journey, title="Chat-bot", status="in_progress")
        factories.add_impact(rival, metric_code="csat", attribution=Decimal("0.7"))
        initiative_id = factories.create_initiative(journey=journey, title="Call-back service").id
        csat = factories.metric("csat").id
    page = sign_in(leader, viewport=viewport)
    page.goto(f"{live_server}/initiatives/{initiative_id}")
    page.select_option("#impact-metric", str(csat))
    page.fill("#impact-baseline", "70")
    page.fill("#impact-target", "78")
    page.fill("#impact-value", "2500")
    page.fill("#impact-attribution", "0.5")
    page.click("button:has-text('Add the KPI impact')")
    summary = page.locator(".error-summary").inner_text()
    assert "The KPI impact was not added" in summary
    assert "already claimed: Chat-bot (70%). At most 30% is left." in summary
    assert page.input_value("#impact-attribution") == "0.5"
    assert no_sideways_scroll(page)
    assert api(app, f"/api/initiatives/{initiative_id}/impacts")["items"] == []
