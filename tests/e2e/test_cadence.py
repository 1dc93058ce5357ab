"""Steering cadence in the browser (SPEC §9): a committee member answers an invitation; a CX
leader marks a meeting held below quorum, saying why. At phone and desktop width."""
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from cxgov.extensions import db
from cxgov.steering.models import Attendance, Meeting
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE


def _world(app, starts_at):
    with app.app_context():
        leader = factories.create_user(role="cx_leader", name="Lea Leader")
        members = [factories.create_user(name=name) for name in ("Mo Member", "Sam Sales", "Olu Ops")]
        committee = factories.create_committee(chair_id=leader.id)
        for member in members:
            factories.add_committee_member(committee, member)
        meeting = factories.create_meeting(committee, title="Quarterly steering", starts_at=starts_at)
        for member in members:
            factories.add_attendance(meeting, member)
        db.session.commit()
        return leader, members, [m.id for m in members], meeting.id


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_committee_member_accepts_an_invitation(app, live_server, sign_in, viewport):
    _, members, member_ids, meeting_id = _world(app, datetime(2099, 1, 12, 9, tzinfo=timezone.utc))
    page = sign_in(members[0], viewport=viewport)
    page.goto(f"{live_server}/meetings/{meeting_id}")
    assert page.locator("#my-answer").inner_text() == "Invited"
    page.click("#rsvp >> button:has-text('Accept')")
    expect(page.locator(".flash")).to_contain_text("You accepted the invitation")
    assert page.locator("#my-answer").inner_text() == "Accepted"
    with app.app_context():
        row = db.session.query(Attendance).filter_by(meeting_id=meeting_id, user_id=member_ids[0]).one()
        assert row.status == "accepted"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_cx_leader_marks_a_meeting_held_below_quorum_with_a_note(app, live_server, sign_in, viewport):
    leader, _, member_ids, meeting_id = _world(app, datetime(2026, 11, 3, 9, tzinfo=timezone.utc))
    page = sign_in(leader, viewport=viewport)
    page.goto(f"{live_server}/meetings/{meeting_id}")
    page.select_option(f"#status_{member_ids[0]}", "attended")
    page.click("text=Save attendance")
    assert "Present: 1 of 3 members · quorum 2" in page.locator("#quorum").inner_text()

    page.click("button:has-text('Mark as held')")  # without a note: refused, nothing changes
    expect(page.locator(".flash")).to_contain_text("say why the meeting was held without quorum")
    page.fill("#quorum-note", "Two members were at the trade fair; decisions confirmed by email.")
    page.click("button:has-text('Mark as held')")
    expect(page.locator(".flash")).to_contain_text("The meeting is now held")
    assert "Held below quorum: Two members were at the trade fair" in page.locator("#attendance").inner_text()
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.status == "held" and meeting.quorum_note.startswith("Two members")
