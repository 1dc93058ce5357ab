"""Administration, account settings and the audit trail in the browser, at phone and desktop
width, each checked afterwards through the API."""
import re

import pytest
from playwright.sync_api import expect

from cxgov.auth.services import issue_token
from cxgov.extensions import db
from tests import factories
from tests.e2e.conftest import DESKTOP, PHONE

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1366px"])
NEW_PASSWORD = "seven long winters by the sea"


def _api(app, user):
    """An API client signed with a bearer token of `user`."""
    with app.app_context():
        raw, _ = issue_token(db.session.merge(user))
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def _no_sideways_scroll(page):
    page.wait_for_load_state("load")  # with its stylesheets: a page seen before its CSS is wider
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@VIEWPORTS
def test_an_admin_adds_a_person_who_sets_their_password_and_signs_in(app, live_server, sign_in, new_page, viewport):
    with app.app_context():
        admin = factories.create_user("admin", name="Alex Admin")
        factories.create_department(name="Claims", code="CLM")
    page = sign_in(admin, viewport=viewport)
    page.goto(f"{live_server}/admin/users")
    page.click("text=Add a user")
    page.fill("#user-name", "Rosa Lang")
    page.fill("#user-email", "rosa.lang@example.com")
    page.select_option("#user-role", "cx_leader")
    page.select_option("#user-department", label="Claims")
    page.check("#user-access-link")
    page.click("button:has-text('Add user')")
    expect(page.locator(".flash")).to_contain_text("can now set their password")
    link = page.locator("[data-link='password-set']").inner_text().strip()
    _no_sideways_scroll(page)

    person = new_page(viewport)  # the person, in their own browser
    person.goto(live_server + "/password/set/" + link.rsplit("/", 1)[1])
    person.fill("#new-password", NEW_PASSWORD)
    person.fill("#new-password-again", NEW_PASSWORD)
    person.click("button:has-text('Set my password')")
    assert "Your password is set" in person.locator(".flash").inner_text()
    person.fill("#email", "rosa.lang@example.com")
    person.fill("#password", NEW_PASSWORD)
    person.click("button[type=submit]")
    person.wait_for_url(f"{live_server}/")

    users = _api(app, admin).get("/api/users", query_string={"role": "cx_leader"}).json["items"]
    rosa = next(u for u in users if u["email"] == "rosa.lang@example.com")
    assert rosa["name"] == "Rosa Lang" and rosa["last_login_at"] is not None
    signed = app.test_client().post("/api/auth/tokens", json={"email": "rosa.lang@example.com",
                                                              "password": NEW_PASSWORD})
    assert signed.status_code == 201


@VIEWPORTS
def test_an_admin_deactivates_and_reactivates_a_person(app, live_server, sign_in, viewport):
    with app.app_context():
        admin = factories.create_user("admin")
        person = factories.create_user("member", name="Tom Wagner")
        person_id = person.id
    api = _api(app, admin)
    page = sign_in(admin, viewport=viewport)
    page.goto(f"{live_server}/admin/users")
    page.click("a:has-text('Tom Wagner')")
    page.click("button:has-text('Deactivate Tom Wagner')")
    assert page.locator("h1").inner_text() == "Deactivate Tom Wagner?"
    page.click("button:has-text('Deactivate Tom Wagner')")
    expect(page.locator(".flash")).to_contain_text("deactivated and signed out everywhere")
    assert api.get(f"/api/users/{person_id}").json["active"] is False
    page.click("button:has-text('Reactivate Tom Wagner')")
    page.click("button:has-text('Reactivate Tom Wagner')")  # on the confirmation page
    expect(page.locator(".flash")).to_contain_text("active again")
    assert api.get(f"/api/users/{person_id}").json["active"] is True
    _no_sideways_scroll(page)


@VIEWPORTS
def test_an_admin_creates_and_renames_a_department(app, live_server, sign_in, viewport):
    with app.app_context():
        admin = factories.create_user("admin")
    page = sign_in(admin, viewport=viewport)
    page.goto(f"{live_server}/admin/departments")
    page.fill("#department-name", "Claims")
    page.fill("#department-code", "CLM")
    page.click("button:has-text('Create department')")
    expect(page.locator(".flash")).to_contain_text("Department “Claims” created.")
    page.click("a:has-text('Claims')")
    page.fill("#department-name", "Claims handling")
    page.click("button:has-text('Save department')")
    expect(page.locator(".flash")).to_contain_text("Saved the department “Claims handling”.")
    _no_sideways_scroll(page)
    found = _api(app, admin).get("/api/departments", query_string={"code": "CLM"}).json["items"]
    assert [d["name"] for d in found] == ["Claims handling"]


@VIEWPORTS
def test_a_member_changes_their_password_and_how_reminders_reach_them(app, live_server, sign_in, viewport):
    with app.app_context():
        member = factories.create_user("member", email="mia@example.com")
    page = sign_in(member, viewport=viewport)
    if viewport is PHONE:
        page.click("label[for=nav-toggle]")  # the menu folds away on a phone
    page.click("a.who")
    page.check("#digest-daily")
    page.click("button:has-text('Save how reminders reach me')")
    expect(page.locator(".flash")).to_contain_text("daily digest")
    page.fill("#current-password", factories.PASSWORD)
    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#new-password-again", NEW_PASSWORD)
    page.click("button:has-text('Change password')")
    expect(page.locator(".flash")).to_contain_text("Your password is changed")
    _no_sideways_scroll(page)
    page.goto(f"{live_server}/")  # still signed in in this browser
    assert page.url == f"{live_server}/"
    client = app.test_client()
    assert client.post("/api/auth/tokens", json={"email": "mia@example.com",
                                                 "password": factories.PASSWORD}).status_code == 401
    token = client.post("/api/auth/tokens", json={"email": "mia@example.com", "password": NEW_PASSWORD}).json["token"]
    me = client.get("/api/users/me", headers={"Authorization": f"Bearer {token}"}).json
    assert me["digest_preference"] == "daily"


@VIEWPORTS
def test_a_cx_leader_filters_the_audit_trail_and_opens_an_entry(app, live_server, sign_in, viewport):
    with app.app_context():
        leader = factories.create_user("cx_leader")
        owner = factories.create_user("member", name="Olga Owner")
        initiative = factories.create_initiative(owner=owner, title="Call-back service")
        initiative_id, owner_id = initiative.id, owner.id
    changed = _api(app, owner).patch(f"/api/initiatives/{initiative_id}", json={"description": "Sharper."})
    assert changed.status_code == 200
    page = sign_in(leader, viewport=viewport)
    page.goto(f"{live_server}/audit")
    page.select_option("#audit-entity", "initiative")
    page.select_option("#audit-actor", label="Olga Owner")
    page.click("button:has-text('Filter')")
    page.wait_for_url(re.compile(r".*actor_id=.*"))
    rows = page.locator("#audit-entries tbody tr")
    expect(rows).to_have_count(1)
    entry_id = int(rows.first.get_attribute("id").split("-")[1])
    _no_sideways_scroll(page)
    rows.first.locator("a").click()
    page.wait_for_url(f"{live_server}/initiatives/{initiative_id}")
    assert "Call-back service" in page.locator("h1").inner_text()
    query = {"entity": "initiative", "actor_id": owner_id}
    trail = _api(app, leader).get("/api/audit", query_string=query).json["items"]
    assert [e["id"] for e in trail] == [entry_id]
    assert trail[0]["changes"]["description"][1] == "Sharper."
