from datetime import datetime, timedelta, timezone

from cxgov.extensions import db
from cxgov.notifications.jobs import run_job
from tests import factories
from tests.e2e.conftest import PHONE


def test_a_reminder_shows_in_the_inbox_and_is_marked_read_on_a_phone(app, sign_in, live_server):
    with app.app_context():
        owner = factories.create_user()
        factories.create_action_item(owner, title="Send the onboarding survey",
                                     due_on=datetime.now(timezone.utc).date() + timedelta(days=1))
        run_job("action-item-reminders", datetime.now(timezone.utc))
        owner = db.session.merge(owner)
    page = sign_in(owner, viewport=PHONE)
    # On a phone the menu is folded: its button carries the unread count, the menu the inbox.
    assert page.locator(".nav-toggle-label .badge").inner_text() == "1"
    page.click("label:has-text('Menu')")
    badge = page.locator(".nav a", has_text="Inbox").locator(".badge")
    assert badge.inner_text() == "1"
    page.click(".nav >> text=Inbox")
    page.wait_for_url(f"{live_server}/notifications")
    page.click("summary >> text=Due tomorrow: Send the onboarding survey")
    assert "Send the onboarding survey" in page.locator(".inbox-body").inner_text()
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("text=Mark read")
    page.wait_for_url(f"{live_server}/notifications")
    assert page.locator(".nav a", has_text="Inbox").locator(".badge").count() == 0
    assert page.locator(".nav-toggle-label .badge").count() == 0
    assert page.locator(".unread-mark").count() == 0
