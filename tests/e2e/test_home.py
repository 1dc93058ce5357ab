"""Each person signs in and finds their dashboard, at a desk (1366×900) and on a phone
(390×844): the sections that apply to them, a navigation of pages they may open, folded behind
"Menu" on the phone and opened without any script; the meeting's calendar invite downloads."""
from datetime import timedelta
from decimal import Decimal

import pytest

from cxgov.db import today, utcnow
from cxgov.extensions import db
from tests import factories

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
TODAY = today()

# person → (the dashboard's sections, a nav label they see, a nav label they do not)
PEOPLE = {
    "admin": ({"home-leader", "home-portfolio"}, "ROI report", "Log an action"),
    "cx_leader": ({"home-leader"}, "Ambassador network", "Log an action"),
    "executive": ({"home-portfolio"}, "ROI report", "Log an action"),
    "member": ({"home-work"}, "My action items", "Ambassador network"),
    "ambassador": ({"home-ambassador", "home-work"}, "Log an action", "ROI report"),
    "journey_owner": ({"home-journeys", "home-work"}, "Journeys", "Ambassador network"),
}
ALL_SECTIONS = {"home-leader", "home-portfolio", "home-ambassador", "home-journeys", "home-work"}


def _person(app, name):
    with app.app_context():
        role = name if name in ("admin", "cx_leader", "executive") else "member"
        user = factories.create_user(role=role, name=f"{name.replace('_', ' ').title()} Person")
        if name == "ambassador":
            department = factories.create_department(name="Claims")
            user.department_id = department.id
            assignment = factories.create_ambassador(user=user, department=department,
                                                     started_on=TODAY - timedelta(days=40))
            factories.create_ambassador_action(assignment, title="Voice-of-customer session",
                                               occurred_on=TODAY - timedelta(days=1))
        if name == "journey_owner":
            journey = factories.create_journey(owner=user, name="Home insurance claim")
            factories.create_measurement(journey, "nps", period_start=TODAY - timedelta(days=60), value=Decimal("31"))
            factories.create_measurement(journey, "nps", period_start=TODAY - timedelta(days=30), value=Decimal("27"))
        if role == "member":
            factories.create_action_item(owner=user, title="Call the broker", due_on=TODAY - timedelta(days=2))
        if name in ("admin", "executive"):
            funded = factories.create_initiative(title="Self-service portal", status="in_progress")
            factories.add_cash_flow(funded, "cost", 0, "10000")
            factories.add_cash_flow(funded, "benefit", 1, "15000")
        if name in ("admin", "cx_leader"):
            factories.create_meeting(title="December steering", starts_at=utcnow() + timedelta(days=3))
        db.session.commit()
        db.session.expunge(user)
        return user


def _visible(page, selector):
    return page.locator(selector).is_visible()


@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_each_person_finds_their_dashboard_at_a_desk_and_on_a_phone(app, live_server, sign_in, name):
    sections, shown, hidden = PEOPLE[name]
    user = _person(app, name)
    for viewport in (DESKTOP, PHONE):
        page = sign_in(user, viewport=viewport)
        for section in ALL_SECTIONS:
            assert page.locator(f"#{section}").count() == (1 if section in sections else 0), (viewport, section)
        for section in sections:
            assert page.locator(f"#{section}").is_visible()
        assert page.locator(".nav a[aria-current='page']").get_attribute("href") == "/"
        assert page.locator(".nav a", has_text=hidden).count() == 0
        # Nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        nav_link = page.locator(".nav a", has_text=shown).first
        if viewport is DESKTOP:
            assert nav_link.is_visible() and not _visible(page, ".nav-toggle-label")
        else:
            # Folded behind "Menu"; the label opens it (no script: CSP allows none inline).
            assert _visible(page, ".nav-toggle-label") and not nav_link.is_visible()
            page.click("label:has-text('Menu')")
            assert nav_link.is_visible()
            page.click("label:has-text('Menu')")
            assert not nav_link.is_visible()
            page.click("label:has-text('Menu')")
        nav_link.click()
        page.wait_for_load_state()
        assert page.locator(".nav a[aria-current='page']").inner_text().startswith(shown)
        page.context.close()


def test_the_ambassador_logs_from_the_phone_dashboard(app, live_server, sign_in):
    page = sign_in(_person(app, "ambassador"), viewport=PHONE)
    assert "Voice-of-customer session" in page.locator("#home-own-actions").inner_text()
    page.click("#home-ambassador >> text=Log an action")
    page.wait_for_url(f"{live_server}/ambassadors/log")


def test_the_journey_owner_reads_the_latest_kpi_on_the_phone(app, live_server, sign_in):
    page = sign_in(_person(app, "journey_owner"), viewport=PHONE)
    row = page.locator("#home-journeys tr", has_text="Net Promoter Score")
    assert row.locator("td").nth(1).inner_text().startswith("27")
    assert row.locator("td").nth(2).inner_text() == "31"


def test_a_signed_in_browser_downloads_the_meeting_invite(app, live_server, sign_in):
    with app.app_context():
        meeting_id = factories.create_meeting(title="December steering", starts_at=utcnow() + timedelta(days=3)).id
    page = sign_in("member")
    page.goto(f"{live_server}/meetings/{meeting_id}")
    with page.expect_download() as download_info:
        page.click("text=Calendar invite (.ics)")
    download = download_info.value
    assert download.suggested_filename == f"meeting-{meeting_id}.ics"
    content = open(download.path(), "rb").read()
    assert content.startswith(b"BEGIN:VCALENDAR") and b"SUMMARY:December steering" in content
    # The same request with the browser's session cookie: a calendar, not a 401.
    response = page.request.get(f"{live_server}/meetings/{meeting_id}/invite.ics")
    assert response.status == 200 and response.headers["content-type"].startswith("text/calendar")
