"""A meeting series in the browser (SPEC §9): the CX leader plans a series, moves one meeting,
cancels another and sees the list follow; then changes the rule. At phone and desktop width."""
import pytest
from playwright.sync_api import expect

from cxgov.extensions import db
from cxgov.steering.models import Meeting, MeetingSeries
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE


def _world(app):
    with app.app_context():
        leader = factories.create_user(role="cx_leader", name="Lea Leader")
        committee = factories.create_committee(chair_id=leader.id, name="CX steering board")
        for name in ("Mo Member", "Sam Sales"):
            factories.add_committee_member(committee, factories.create_user(name=name))
        db.session.commit()
        return leader, committee.id


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_cx_leader_plans_a_series_moves_one_meeting_and_cancels_another(app, live_server, sign_in, viewport):
    leader, committee_id = _world(app)
    page = sign_in(leader, viewport=viewport)
    page.goto(f"{live_server}/committees/{committee_id}/series/new")
    page.fill("#series-title", "Monthly CX steering")
    page.fill("#series-rrule", "FREQ=MONTHLY;BYDAY=1TU;COUNT=4")
    page.fill("#series-starts", "2099-01-06T09:00")
    page.click("button:has-text('Plan the meetings')")
    expect(page.locator(".flash")).to_contain_text("4 meetings")
    rows = page.locator("#series-meetings tbody tr")
    assert rows.count() == 4
    with app.app_context():
        series = db.session.query(MeetingSeries).one()
        series_id = series.id
        ids = [m.id for m in db.session.query(Meeting).filter_by(series_id=series_id).order_by(Meeting.occurrence_at)]

    # move the second: its own edit form, then back on the series page it is "changed on its own"
    page.click(f"#series-meeting-{ids[1]} >> a:has-text('Move')")
    page.fill("#meeting-starts", "2099-02-05T14:30")
    page.click("button:has-text('Save the meeting')")
    expect(page.locator(".flash")).to_contain_text("saved")
    page.goto(f"{live_server}/series/{series_id}")
    moved = page.locator(f"#series-meeting-{ids[1]}")
    assert "changed on its own" in moved.inner_text() and "5 Feb 2099" in moved.inner_text()

    # cancel the third: asked, then back on the series page with the meeting cancelled
    page.click(f"#series-meeting-{ids[2]} >> button:has-text('Cancel')")
    page.click("button:has-text('Cancel the meeting')")
    expect(page.locator(".flash")).to_contain_text("The meeting is now cancelled")
    assert page.url.endswith(f"/series/{series_id}#series-meetings")
    assert "Cancelled" in page.locator(f"#series-meeting-{ids[2]}").inner_text()
    assert page.locator(f"#series-meeting-{ids[2]} >> button:has-text('Cancel')").count() == 0
    next_meetings = page.locator("#series-next li")
    assert next_meetings.count() == 3 and "5 Feb 2099" in next_meetings.nth(1).inner_text()

    # a new rule: six meetings, the moved and the cancelled ones kept as they are
    page.fill("#series-rule-input", "FREQ=MONTHLY;BYDAY=1TU;COUNT=6")
    page.click("button:has-text('Change the rule')")
    expect(page.locator(".flash")).to_contain_text("2 meetings added")
    assert page.locator("#series-meetings tbody tr").count() == 6
    assert "Cancelled" in page.locator(f"#series-meeting-{ids[2]}").inner_text()
    assert "changed on its own" in page.locator(f"#series-meeting-{ids[1]}").inner_text()
