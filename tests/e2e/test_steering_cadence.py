"""A steering cycle in the browser (SPEC §9): the CX leader adds a standing section, plans a monthly
series, finds the next meeting's agenda filled from the standing sections, records a decision and
an action item under their agenda items, takes attendance, marks the meeting held (the series'
following meeting is then filled) and publishes minutes that list the outcomes under their item.
At phone and desktop width."""
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.formatting import local_zone
from cxgov.initiatives.models import Initiative
from cxgov.steering.models import AgendaItem, CommitteeSection, Meeting
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE


def _world(app):
    with app.app_context():
        lena = factories.create_user(role="cx_leader", name="Lena Fischer")
        mo = factories.create_user(name="Mo Member")
        committee = factories.create_committee(name="CX steering committee", chair_id=lena.id)
        factories.add_committee_member(committee, lena, "chair")
        factories.add_committee_member(committee, mo, "member")
        db.session.add_all([
            CommitteeSection(committee_id=committee.id, position=0, title="Decisions", kind="initiatives_ready"),
            CommitteeSection(committee_id=committee.id, position=1, title="Carried-over action items",
                             kind="carried_over"),
        ])
        earlier = factories.create_meeting(committee, title="Last month", starts_at=utcnow() - timedelta(days=30),
                                           status="held")
        factories.create_action_item(owner=mo, meeting_id=earlier.id, due_on=date.today() - timedelta(days=3),
                                     title="Fix the IVR menu")
        initiative = factories.complete_plan(factories.create_initiative(title="Self-service returns"))
        db.session.commit()
        return lena, mo.id, committee.id, initiative.id, lena.id


def _local(instant):
    return instant.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_a_cx_leader_runs_the_monthly_cycle_from_the_standing_agenda(app, live_server, sign_in, viewport):
    lena, mo_id, committee_id, initiative_id, lena_id = _world(app)
    page = sign_in(lena, viewport=viewport)

    # A standing section of her own: the minutes of the last meeting, first.
    page.goto(f"{live_server}/committees")
    page.fill(f"#section-title-{committee_id}", "Minutes of the last meeting")
    page.select_option(f"#section-kind-{committee_id}", "fixed")
    page.click("button:has-text('Add section to CX steering committee')")
    expect(page.locator(".flash")).to_contain_text("added to the standing agenda")
    for _ in range(2):
        page.click("button[aria-label='Move up: Minutes of the last meeting']")
    titles = page.locator(f"#committee-{committee_id} .sections input[name=title]")
    assert [titles.nth(i).input_value() for i in range(3)] == \
        ["Minutes of the last meeting", "Decisions", "Carried-over action items"]

    # A monthly series from tomorrow.
    with app.app_context():
        tomorrow = _local(utcnow() + timedelta(days=1))
    page.goto(f"{live_server}/committees/{committee_id}/series/new")
    page.fill("#series-title", "Monthly CX steering")
    page.fill("#series-rrule", "FREQ=MONTHLY;COUNT=3")
    page.fill("#series-starts", tomorrow)
    page.click("button[type=submit]:has-text('Plan')")
    expect(page.locator(".flash")).to_contain_text("3 meetings")
    page.locator("main table a").first.click()

    # Its agenda is filled from the standing sections, under their headings.
    agenda = page.locator("#agenda")
    headings = [agenda.locator("h3").nth(i).inner_text() for i in range(agenda.locator("h3").count())]
    assert headings == ["Minutes of the last meeting", "Decisions", "Carried-over action items"]
    text = agenda.inner_text()
    assert text.index("Decide: Self-service returns") < text.index("Carried over: Fix the IVR menu")
    assert "Fill from standing agenda" not in text  # nothing new is due
    meeting_id = int(page.url.rstrip("/").split("/")[-1])

    # The committee met early, today: the meeting is brought forward.
    page.click("text=Change title, time or place")
    with app.app_context():
        page.fill("#meeting-starts", _local(utcnow() - timedelta(hours=1)))
    page.click("button:has-text('Save the meeting')")

    with app.app_context():
        items = {item.source_key: item.id for item in
                 db.session.query(AgendaItem).filter_by(meeting_id=meeting_id)}
        with_section = {item.section_id for item in db.session.query(AgendaItem).filter_by(meeting_id=meeting_id)}
    decide = items[f"initiative:{initiative_id}:decision"]
    carried = next(ident for key, ident in items.items() if key.startswith("action_item:"))
    assert None not in with_section

    page.select_option("#decision-kind", "approve_initiative")
    page.fill("#decision-initiative", f"#{initiative_id}")
    page.fill("#decision-text", "Approve self-service returns for Q1.")
    page.select_option("#decision-agenda-item", str(decide))
    page.click("button:has-text('Record decision')")
    expect(page.locator(".flash")).to_contain_text("“Self-service returns” is now approved")
    page.fill("#action-title", "Retest the IVR menu with customers")
    page.select_option("#action-owner", str(mo_id))
    page.fill("#action-due", (date.today() + timedelta(days=14)).isoformat())
    page.select_option("#action-agenda-item", str(carried))
    page.click("button:has-text('Add action item')")
    assert "Retest the IVR menu with customers" in page.locator(f"#outcomes-{carried}").inner_text()

    page.select_option(f"#status_{mo_id}", "attended")
    page.select_option(f"#status_{lena_id}", "attended")
    page.click("text=Save attendance")
    assert "Present: 2 of 2 members" in page.locator("#quorum").inner_text()
    page.click("button:has-text('Mark as held')")
    expect(page.locator(".flash")).to_contain_text("The meeting is now held")
    page.fill("#minutes-text", "The committee approved self-service returns and reviewed the IVR fix.")
    page.click("button:has-text('Save minutes')")
    page.click("button:has-text('Publish minutes')")
    page.click("button:has-text('Publish the minutes')")
    expect(page.locator(".flash")).to_contain_text("Minutes published")
    page.goto(f"{live_server}/meetings/{meeting_id}/minutes")
    assert "Approve self-service returns for Q1." in page.locator(f"#outcomes-{decide}").inner_text()
    assert "Retest the IVR menu with customers" in page.locator(f"#outcomes-{carried}").inner_text()

    with app.app_context():
        assert db.session.get(Initiative, initiative_id).status == "approved"
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.status == "held" and meeting.minutes_published_at is not None
        # Marking it held filled the series' following meeting; the one after waits its turn.
        following = db.session.query(Meeting).filter(Meeting.series_id == meeting.series_id,
                                                     Meeting.id != meeting_id).order_by(Meeting.starts_at).all()
        titles = [{item.title for item in db.session.query(AgendaItem).filter_by(meeting_id=m.id)}
                  for m in following]
        assert "Minutes of the last meeting" in titles[0] and titles[1] == set()
