"""Every notification links to what it is about: in the inbox (a site link) and in mails (an
absolute link under CXGOV_BASE_URL, none without it)."""
import re
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from cxgov.extensions import db
from cxgov.notifications import links
from cxgov.notifications.jobs import run_job
from cxgov.notifications.models import Notification
from tests import factories as f

UTC = timezone.utc
NOW = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)


def _rows(app, kind):
    with app.app_context():
        return db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id)).all()


def test_each_kind_points_at_its_page(app):
    with app.test_request_context():
        assert links.path("meeting_reminder", "meeting", 12) == "/meetings/12"
        assert links.path("action_item_due", "action_item", 5) == "/my/action-items#action-item-5"
        assert links.path("action_item_overdue", "action_item", 5) == "/my/action-items#action-item-5"
        escalated = links.Subject(meeting_id=3, initiative_id=None)
        assert links.path("action_item_escalation", "action_item", 5, escalated) == "/meetings/3#action-items"
        assert links.path("action_item_escalation", "action_item", 5, links.Subject(None, 8)) == "/initiatives/8"
        assert links.path("action_item_escalation", "action_item", 5, links.Subject(None, None)) is None
        assert links.path("measurement_due", "initiative", 7) == "/initiatives/7"
        assert links.path("ambassador_inactive", "ambassador", 4) == "/ambassadors/log"
        assert links.path("ambassador_inactivity", None, None) == "/ambassadors/network"
        assert links.path("weekly_digest", None, None) == "/"
        assert links.path("daily_digest", None, None) is None


def test_the_inbox_links_each_notification_to_its_subject(app, page_as):
    page = page_as("member")
    with app.app_context():
        me = db.session.get(f.User, page.user_id)
        meeting = f.create_meeting(title="March steering")
        item = f.create_action_item(owner=f.create_user(), meeting_id=meeting.id)
        initiative = f.create_initiative(title="Photo upload")
        f.create_notification(me, kind="meeting_reminder", subject="Reminder: March steering",
                              entity="meeting", entity_id=meeting.id)
        f.create_notification(me, kind="action_item_escalation", subject="Escalated", entity="action_item",
                              entity_id=item.id)
        f.create_notification(me, kind="measurement_due", subject="Measure it", entity="initiative",
                              entity_id=initiative.id)
        f.create_notification(me, kind="daily_digest", subject="Your digest")
        ids = {"meeting": meeting.id, "initiative": initiative.id}
    html = page.get("/notifications").get_data(as_text=True)
    found = {}
    for entry in html.split('<li class="card inbox-item')[1:]:
        subject = re.search(r"<summary>([^<]+)</summary>", entry).group(1)
        link = re.search(r'<p class="inbox-link"><a href="([^"]+)"', entry)
        found[subject] = link.group(1) if link else ""
    assert found["Reminder: March steering"] == f"/meetings/{ids['meeting']}"
    assert found["Escalated"] == f"/meetings/{ids['meeting']}#action-items"
    assert found["Measure it"] == f"/initiatives/{ids['initiative']}"
    assert found["Your digest"] == ""
    for target in (f"/meetings/{ids['meeting']}", f"/initiatives/{ids['initiative']}"):
        assert page.get(target).status_code == 200
    assert "Open the meeting" in html and "Open the initiative" in html


def test_the_inbox_finds_its_links_in_one_query_whatever_their_number(app, page_as):
    from tests.queries import count_statements

    page = page_as("member")

    def add(n):
        with app.app_context():
            me = db.session.get(f.User, page.user_id)
            for _ in range(n):
                item = f.create_action_item(meeting_id=f.create_meeting().id)
                f.create_notification(me, kind="action_item_escalation", entity="action_item", entity_id=item.id)

    add(2)
    few = count_statements(app, lambda: page.get("/notifications"))
    add(6)
    assert count_statements(app, lambda: page.get("/notifications")) == few


def test_mails_carry_the_link_to_their_subject(app):
    app.config["CXGOV_BASE_URL"] = "https://cxgov.example.com/"
    with app.app_context():
        leader = f.create_user(role="cx_leader")
        owner = f.create_user()
        meeting = f.create_meeting(starts_at=NOW + timedelta(hours=24))
        f.add_committee_member(meeting.committee, owner)
        item = f.create_action_item(owner=owner, due_on=date(2026, 3, 1), meeting_id=meeting.id)
        ids = {"meeting": meeting.id, "item": item.id, "leader": leader.id}
        run_job("meeting-reminders", NOW)
        run_job("action-item-reminders", NOW)
    reminder = _rows(app, "meeting_reminder")[0]
    assert f"Open in cxgov: https://cxgov.example.com/meetings/{ids['meeting']}" in reminder.body
    assert f'href="https://cxgov.example.com/meetings/{ids["meeting"]}"' in reminder.body_html
    overdue = _rows(app, "action_item_overdue")[0]
    assert f"https://cxgov.example.com/my/action-items#action-item-{ids['item']}" in overdue.body
    escalation = _rows(app, "action_item_escalation")[0]
    assert escalation.user_id == ids["leader"]
    assert f"https://cxgov.example.com/meetings/{ids['meeting']}#action-items" in escalation.body


def test_without_a_base_url_mails_carry_no_link(app):
    app.config["CXGOV_BASE_URL"] = ""
    with app.app_context():
        owner = f.create_user()
        meeting = f.create_meeting(starts_at=NOW + timedelta(hours=24))
        f.add_committee_member(meeting.committee, owner)
        run_job("meeting-reminders", NOW)
    reminder = _rows(app, "meeting_reminder")[0]
    assert "Open in cxgov" not in reminder.body and "Open in cxgov" not in reminder.body_html
