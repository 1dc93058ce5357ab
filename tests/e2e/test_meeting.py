"""A CX leader runs a steering meeting in the browser: attendance, a decision that approves an
initiative, an action item, and published minutes."""
from datetime import datetime, timezone

from playwright.sync_api import expect

from cxgov.db import load
from cxgov.extensions import db
from cxgov.initiatives.models import Initiative
from cxgov.steering.models import ActionItem, Meeting
from tests import factories
from tests.e2e.conftest import PHONE


def _meeting_world(app):
    with app.app_context():
        leader = factories.create_user(role="cx_leader", name="Lea Leader")
        member = factories.create_user(name="Mo Member")
        committee = factories.create_committee(chair_id=leader.id)
        factories.add_committee_member(committee, leader, "chair")
        factories.add_committee_member(committee, member, "member")
        meeting = factories.create_meeting(committee, title="November steering",
                                           starts_at=datetime(2026, 11, 3, 9, tzinfo=timezone.utc))
        factories.add_attendance(meeting, leader)
        factories.add_attendance(meeting, member)
        initiative = factories.complete_plan(factories.create_initiative(title="Self-service returns"))
        return leader, leader.id, member.id, meeting.id, initiative.id


def test_a_cx_leader_runs_a_meeting(app, live_server, sign_in):
    leader, leader_id, member_id, meeting_id, initiative_id = _meeting_world(app)
    page = sign_in(leader)
    page.click("text=Meetings")
    page.click("text=November steering")
    assert page.locator("h1").inner_text() == "November steering"

    page.select_option(f"#status_{member_id}", "attended")
    page.select_option(f"#status_{leader_id}", "attended")
    page.click("text=Save attendance")
    expect(page.locator(".flash")).to_contain_text("Attendance saved for 2 people")
    page.select_option("#decision-kind", "approve_initiative")
    page.fill("#decision-initiative", f"#{initiative_id}")
    page.fill("#decision-text", "Approve self-service returns for Q1.")
    assert page.is_checked("input[name=apply]")
    page.click("button:has-text('Record decision')")
    expect(page.locator(".flash")).to_contain_text("“Self-service returns” is now approved")
    assert "Approve self-service returns for Q1." in page.locator("#decisions").inner_text()

    page.fill("#action-title", "Brief the call centre")
    page.select_option("#action-owner", str(member_id))
    page.fill("#action-due", "2026-12-15")
    page.click("button:has-text('Add action item')")
    assert "Brief the call centre" in page.locator("#action-items").inner_text()

    page.click("button:has-text('Mark as held')")
    page.fill("#minutes-text", "The committee approved self-service returns.")
    page.click("button:has-text('Save minutes')")
    page.click("button:has-text('Publish minutes')")
    page.click("button:has-text('Publish the minutes')")  # it asks first: published minutes can no longer change
    expect(page.locator(".flash")).to_contain_text("Minutes published")
    assert page.locator("#minutes-text").count() == 0  # no longer editable

    with app.app_context():
        assert db.session.get(Initiative, initiative_id).status == "approved"
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.status == "held" and meeting.minutes_published_at is not None
        assert {a.status for a in load(meeting, "attendance").attendance} == {"attended"}
        assert db.session.query(ActionItem).filter_by(title="Brief the call centre", owner_id=member_id).count() == 1

    page.goto(f"{live_server}/meetings/{meeting_id}/minutes")
    text = page.locator("article").inner_text()
    assert "Lea Leader" in text and "The committee approved self-service returns." in text


def test_a_member_marks_an_action_item_done_on_a_phone(app, live_server, sign_in):
    with app.app_context():
        member = factories.create_user(name="Mo Member")
        factories.create_action_item(owner=member, title="Call the vendor")
    page = sign_in(member, viewport=PHONE)
    page.click("label:has-text('Menu')")  # the phone's folded menu
    page.click(".nav >> text=My action items")
    page.click("button:has-text('Mark done')")
    expect(page.locator(".flash")).to_contain_text("marked done")
    assert "Nothing open" in page.content()


def test_a_cx_leader_is_stopped_at_the_gate_completes_the_plan_and_approves(app, live_server, sign_in):
    """SPEC §8.1: the approval of an initiative without a business case is refused with what is
    missing; once the plan is complete, the same decision approves it."""
    leader, _, _, meeting_id, _ = _meeting_world(app)
    with app.app_context():
        initiative = factories.create_initiative(title="Call-back service", target_on=factories.date(2027, 6, 30))
        factories.add_impact(initiative, metric_code="csat")
        initiative_id = initiative.id
        factories.add_agenda_item(db.session.get(Meeting, meeting_id), title="Approve the call-back service?",
                                  kind="decision", initiative_id=initiative_id)
    page = sign_in(leader)
    page.goto(f"{live_server}/meetings/{meeting_id}")
    agenda = page.locator("#agenda").inner_text()
    assert "Not ready for approval: The business case needs a planned cost and a planned benefit." in agenda

    page.select_option("#decision-kind", "approve_initiative")
    page.fill("#decision-initiative", f"#{initiative_id}")
    page.fill("#decision-text", "Approve the call-back service.")
    page.click("button:has-text('Record decision')")
    assert "Not ready for approval" in page.locator(".error-summary").inner_text()

    page.click("#agenda >> text=What is missing")
    assert "The business case needs a planned cost and a planned benefit." in page.locator("#readiness").inner_text()
    for kind, year, category, amount in (("cost", "0", "Build", "40000"), ("benefit", "1", "Retention", "65000")):
        page.select_option("#cf-basis", "planned")
        page.select_option("#cf-kind", kind)
        page.fill("#cf-year", year)
        page.fill("#cf-category", category)
        page.fill("#cf-amount", amount)
        page.click("button:has-text('Add cash flow')")
        expect(page.locator(".flash")).to_contain_text("Cash flow added")
    assert "Yes: the plan is complete" in page.locator("#readiness").inner_text()

    page.goto(f"{live_server}/meetings/{meeting_id}")
    assert "Ready for approval" in page.locator("#agenda").inner_text()
    page.select_option("#decision-kind", "approve_initiative")
    page.fill("#decision-initiative", f"#{initiative_id}")
    page.fill("#decision-text", "Approve the call-back service.")
    page.click("button:has-text('Record decision')")
    expect(page.locator(".flash")).to_contain_text("“Call-back service” is now approved")
    page.goto(f"{live_server}/initiatives/{initiative_id}")
    assert "Approved baseline" in page.locator("#baseline").inner_text()
