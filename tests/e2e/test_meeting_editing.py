"""Keeping a meeting up to date in the browser, on a phone and on a desktop: the CX leader moves
the meeting, reorders and trims its agenda, picks which suggestions to add and gives an action
item to a committee member; a member reopens an action item marked done too early. Each result
is checked through the API."""
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from cxgov.db import utcnow
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE
from tests.steering.helpers import client_for

WIDTHS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])


def _world(app, *agenda):
    with app.app_context():
        leader = factories.create_user(role="cx_leader", name="Lea Leader")
        member = factories.create_user(name="Mo Member")
        factories.create_user(role="admin", name="Aaron Admin")  # first by name, and not on the committee
        committee = factories.create_committee(name="CX board", chair_id=leader.id)
        factories.add_committee_member(committee, leader, "chair")
        factories.add_committee_member(committee, member, "member")
        meeting = factories.create_meeting(committee, title="December steering", location="Board room",
                                           starts_at=datetime(2026, 12, 8, 9, tzinfo=timezone.utc))
        for title in agenda:
            factories.add_agenda_item(meeting, title=title)
        return leader, leader.id, member, member.id, meeting.id


def _api(app, user_id, path):
    return client_for(app, user_id).get(path).get_json()


@WIDTHS
def test_a_cx_leader_changes_the_meeting_time_and_place(app, live_server, sign_in, viewport):
    leader, leader_id, _, _, meeting_id = _world(app)
    before = _api(app, leader_id, f"/api/meetings/{meeting_id}")
    page = sign_in(leader, viewport=viewport)
    page.goto(f"{live_server}/meetings/{meeting_id}")
    page.click("text=Change title, time or place")
    assert page.input_value("#meeting-location") == "Board room"
    page.fill("#meeting-starts", "2026-12-10T14:30")
    page.fill("#meeting-location", "Room 4.12, second floor")
    page.click("button:has-text('Save the meeting')")
    expect(page.locator(".flash")).to_contain_text("The calendar invite is re-issued")
    assert "Room 4.12, second floor" in page.locator("main").inner_text()

    meeting = _api(app, leader_id, f"/api/meetings/{meeting_id}")
    assert meeting["starts_at"] == "2026-12-10T14:30:00+00:00"
    assert meeting["location"] == "Room 4.12, second floor"
    assert meeting["ics_sequence"] == before["ics_sequence"] + 1


@WIDTHS
def test_a_cx_leader_reorders_and_removes_agenda_items(app, live_server, sign_in, viewport):
    leader, leader_id, _, _, meeting_id = _world(app, "Welcome", "Numbers", "Pilot results", "Any other business")
    page = sign_in(leader, viewport=viewport)
    page.goto(f"{live_server}/meetings/{meeting_id}")
    page.click("button[aria-label='Move up: Pilot results']")
    expect(page.locator(".flash")).to_contain_text("moved up")
    page.click("button[aria-label='Move down: Welcome']")
    page.click("button[aria-label='Remove: Any other business']")
    page.click("button:has-text('Remove the agenda item')")  # it asks first
    expect(page.locator(".flash")).to_contain_text("removed from the agenda")
    assert page.locator("#agenda ol.agenda > li .title").all_inner_texts() == ["Pilot results", "Welcome", "Numbers"]

    items = _api(app, leader_id, f"/api/meetings/{meeting_id}/agenda-items")["items"]
    assert [(i["title"], i["position"]) for i in items] == [("Pilot results", 0), ("Welcome", 1), ("Numbers", 2)]


@WIDTHS
def test_a_cx_leader_adds_two_suggestions_by_ticking_them(app, live_server, sign_in, viewport):
    leader, leader_id, _, _, meeting_id = _world(app, "Welcome")
    with app.app_context():
        ids = [factories.create_initiative(title=title).id for title in ("Chatbot", "Call-back service", "New IVR")]
    page = sign_in(leader, viewport=viewport)
    page.goto(f"{live_server}/meetings/{meeting_id}")
    assert page.locator("#suggestions input[type=checkbox]").count() == 3
    page.get_by_label("Decide: Chatbot").check()
    page.get_by_label("Decide: New IVR").check()
    page.click("button:has-text('Add the ticked suggestions')")
    expect(page.locator(".flash")).to_contain_text("2 suggested items added to the agenda.")
    assert page.locator("#suggestions input[type=checkbox]").count() == 1

    items = _api(app, leader_id, f"/api/meetings/{meeting_id}/agenda-items")["items"]
    assert [i["source_key"] for i in items] == [None, f"initiative:{ids[0]}:decision", f"initiative:{ids[2]}:decision"]
    left = _api(app, leader_id, f"/api/meetings/{meeting_id}/agenda-items/suggested")
    assert [s["source_key"] for s in left] == [f"initiative:{ids[1]}:decision"]


@WIDTHS
def test_a_cx_leader_creates_an_action_item_choosing_its_owner(app, live_server, sign_in, viewport):
    leader, leader_id, _, member_id, meeting_id = _world(app)
    with app.app_context():
        department_id = factories.create_department(name="Claims").id
    page = sign_in(leader, viewport=viewport)
    page.goto(f"{live_server}/meetings/{meeting_id}")
    assert page.input_value("#action-owner") == ""  # nobody is chosen for the leader
    page.fill("#action-title", "Brief the call centre")
    page.select_option("#action-owner", label="Mo Member")
    page.select_option("#action-department", label="Claims")
    page.fill("#action-due", "2026-12-15")
    page.click("button:has-text('Add action item')")
    expect(page.locator(".flash")).to_contain_text("Action item “Brief the call centre” added.")
    items = _api(app, leader_id, f"/api/action-items?meeting_id={meeting_id}")["items"]
    assert [(i["title"], i["owner_id"], i["department_id"], i["due_on"]) for i in items] == [
        ("Brief the call centre", member_id, department_id, "2026-12-15")]


@WIDTHS
def test_a_member_reopens_a_done_action_item(app, live_server, sign_in, viewport):
    with app.app_context():
        member = factories.create_user(name="Mo Member")
        member_id = member.id
        item_id = factories.create_action_item(owner=member, title="Call the vendor", status="done",
                                               completed_at=utcnow() - timedelta(days=2)).id
    page = sign_in(member, viewport=viewport)
    page.goto(f"{live_server}/my/action-items")
    assert "Nothing open" in page.locator("main").inner_text()
    page.click("button[aria-label='Reopen: Call the vendor']")
    expect(page.locator(".flash")).to_contain_text("“Call the vendor” is open again.")
    assert page.locator("button[aria-label='Mark done: Call the vendor']").count() == 1

    item = _api(app, member_id, f"/api/action-items/{item_id}")
    assert item["status"] == "open" and item["completed_at"] is None
