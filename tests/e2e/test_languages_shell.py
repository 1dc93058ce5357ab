"""The shell in Portuguese (Portugal) and Romanian, in a real browser: each role's home carries
`<html lang>` of its reader's language and has no axe-core violations; on a phone (390 px) a person
switches the language of their account and the next page speaks it."""
import pytest
import sqlalchemy as sa

from cxgov.extensions import db
from cxgov.models import User
from tests.e2e import axe
from tests.e2e.test_home import _person

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
LANGUAGES = {"pt_PT": ("pt-PT", "Início", "Terminar sessão"), "ro": ("ro", "Acasă", "Deconectare")}


def _id(user):
    return sa.inspect(user).identity[0]


def _speaking(app, user, language):
    with app.app_context():
        db.session.get(User, _id(user)).language = language
        db.session.commit()
    return user


def _checked(page, url):
    """`url` loaded again with axe in the page; its violations."""
    axe.install(page.context)
    page.goto(url)
    return axe.run(page)


@pytest.mark.parametrize("language", ["pt_PT", "ro"])
@pytest.mark.parametrize("role", ["admin", "cx_leader", "executive", "ambassador"])
def test_each_roles_home_in_their_language_is_accessible(app, live_server, sign_in, role, language):
    tag, title, sign_out = LANGUAGES[language]
    user = _speaking(app, _person(app, role), language)
    page = sign_in(user, viewport=DESKTOP)
    violations = _checked(page, f"{live_server}/")
    assert page.get_attribute("html", "lang") == tag
    assert page.title() == f"{title} · cxgov"
    assert page.get_by_role("button", name=sign_out, exact=True).is_visible()
    assert violations == [], axe.describe(violations)


def test_a_person_switches_their_account_to_romanian_on_a_phone(app, live_server, sign_in):
    user = _person(app, "member")
    page = sign_in(user, viewport=PHONE)
    violations = _checked(page, f"{live_server}/account")
    assert page.get_attribute("html", "lang") == "en"
    assert violations == [], axe.describe(violations)

    page.select_option("#account-language", "ro")
    page.select_option("#account-timezone", "Europe/Bucharest")
    with page.expect_navigation():
        page.get_by_role("button", name="Save language and time zone").click()
    assert page.get_attribute("html", "lang") == "ro"
    assert page.locator("h1").inner_text() == "Setările contului"
    assert "Salvat: paginile și e-mailurile sunt acum în Română" in page.locator(".flash").inner_text()
    assert page.locator("#account-timezone").input_value() == "Europe/Bucharest"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    violations = axe.run(page)
    assert violations == [], axe.describe(violations)
    with app.app_context():
        saved = db.session.get(User, _id(user))
        assert (saved.language, saved.timezone) == ("ro", "Europe/Bucharest")

    page.goto(f"{live_server}/")
    assert page.get_attribute("html", "lang") == "ro"
    assert page.locator("label.nav-toggle-label").inner_text().startswith("Meniu")
