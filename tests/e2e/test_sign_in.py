def test_a_person_signs_in_and_out(sign_in, live_server):
    page = sign_in("cx_leader")
    assert page.locator("h1").inner_text().startswith("Welcome")
    page.click("text=Sign out")
    page.wait_for_url(f"{live_server}/login")
    page.goto(f"{live_server}/")
    assert page.url.startswith(f"{live_server}/login")


def test_wrong_password_is_refused(app, live_server, new_page):
    from tests import factories

    with app.app_context():
        email = factories.create_user(role="member").email
    page = new_page()
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    assert "Unknown email or wrong password" in page.locator(".error-summary").inner_text()


def test_signing_out_everywhere_ends_the_other_browsers_session(app, sign_in, live_server):
    from tests import factories

    with app.app_context():
        user = factories.create_user(role="member")
    laptop, phone = sign_in(user), sign_in(user)
    phone.get_by_role("button", name="Sign out everywhere").click()
    phone.wait_for_url(f"{live_server}/login")
    laptop.goto(f"{live_server}/")
    assert laptop.url.startswith(f"{live_server}/login")
