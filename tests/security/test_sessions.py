"""Browser sessions (ASVS V7): fresh on sign-in, hardened cookies, idle and absolute timeouts,
bound to the browser that signed in; outdated password hashes upgraded on sign-in."""
from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy import select

from cxgov.auth.sessions import SEEN_AT, SIGNED_IN_AT
from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.org.models import User
from tests import factories
from tests.conftest import csrf_token


def _sign_in(client, email, remember=False):
    data = {"email": email, "password": factories.PASSWORD, "csrf_token": csrf_token(client, "/login")}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def _set_cookie(response, name):
    return next((h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")), None)


def _user(app, **kw):
    with app.app_context():
        return factories.create_user(**kw).email


def _now():
    return int(utcnow().timestamp())


def test_a_weaker_hash_is_upgraded_on_sign_in(app, client):
    weak = PasswordHasher(time_cost=1, memory_cost=256, parallelism=1).hash(factories.PASSWORD)
    with app.app_context():
        user = factories.create_user(password=None, email="weak@example.com")
        user.password_hash = weak
        db.session.commit()
    assert client.post("/api/auth/tokens", json={"email": "weak@example.com",
                                                 "password": factories.PASSWORD}).status_code == 201
    with app.app_context():
        upgraded = db.session.scalar(select(User.password_hash).where(User.email == "weak@example.com"))
    assert upgraded != weak
    assert upgraded.startswith("$argon2id$")
    assert f"m={app.config['ARGON2_MEMORY_COST']},t={app.config['ARGON2_TIME_COST']}," in upgraded
    # The new hash still takes the same password, on the page too.
    assert _sign_in(client, "weak@example.com").status_code == 302


def test_a_current_hash_is_left_alone_on_sign_in(app, client):
    email = _user(app)
    with app.app_context():
        before = db.session.scalar(select(User.password_hash).where(User.email == email))
    assert _sign_in(client, email).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.password_hash).where(User.email == email)) == before


def test_sign_in_starts_a_fresh_session(app, client):
    email = _user(app)
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        session["_user_id"] = "999"
    before = client.get_cookie("session").value
    response = _sign_in(client, email)
    assert response.status_code == 302
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] != "999"
        assert session[SIGNED_IN_AT] == session[SEEN_AT]


def test_the_session_cookie_is_httponly_and_samesite_lax(app, client):
    response = _sign_in(client, _user(app))
    cookie = _set_cookie(response, "session")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # Not persistent: it ends with the browser.
    assert "Expires=" not in cookie


def test_the_remember_cookie_is_hardened_and_bounded(app, client):
    response = _sign_in(client, _user(app), remember=True)
    cookie = _set_cookie(response, "cxgov_remember")
    assert cookie is not None
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    assert client.get_cookie("cxgov_remember").expires <= utcnow() + timedelta(days=14, minutes=1)


def test_a_remember_cookie_reopens_a_session_that_is_not_fresh(app, client):
    _sign_in(client, _user(app), remember=True)
    client.delete_cookie("session")  # the browser was closed
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        assert session["_fresh"] is False
        assert abs(session[SIGNED_IN_AT] - _now()) < 60


def test_without_remember_me_a_closed_browser_is_signed_out(app, client):
    _sign_in(client, _user(app))
    client.delete_cookie("session")
    assert client.get("/").status_code == 302


def test_an_idle_session_ends(page_as):
    page = page_as("member")
    with page.session_transaction() as session:
        session[SEEN_AT] = _now() - 31 * 60
    response = page.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    with page.session_transaction() as session:
        assert "_user_id" not in session


def test_activity_keeps_the_session_alive(page_as):
    page = page_as("member")
    with page.session_transaction() as session:
        session[SEEN_AT] = _now() - 29 * 60
    assert page.get("/").status_code == 200
    with page.session_transaction() as session:
        assert abs(session[SEEN_AT] - _now()) < 60
    assert page.get("/").status_code == 200


def test_a_session_ends_at_its_absolute_limit_however_active(page_as):
    page = page_as("member")
    with page.session_transaction() as session:
        session[SIGNED_IN_AT] = _now() - 12 * 3600 - 1
        session[SEEN_AT] = _now() - 5
    assert page.get("/").status_code == 302
    with page.session_transaction() as session:
        assert "_user_id" not in session


def test_the_limits_are_configurable(app, page_as):
    app.config["CXGOV_SESSION_IDLE_MINUTES"] = 5
    page = page_as("member")
    with page.session_transaction() as session:
        session[SEEN_AT] = _now() - 6 * 60
    assert page.get("/").status_code == 302


def test_a_session_without_a_sign_in_instant_is_refused(app, page_as):
    page = page_as("member")
    with page.session_transaction() as session:
        del session[SIGNED_IN_AT]
    assert page.get("/").status_code == 302


def test_a_session_used_from_another_browser_ends(page_as):
    page = page_as("member")
    assert page.get("/", headers={"User-Agent": "Another browser"}).status_code == 302
    # And it is gone for the original browser too.
    assert page.get("/").status_code == 302


def test_idle_limit_is_also_the_signed_cookie_lifetime(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(minutes=30)
    assert app.config["SESSION_REFRESH_EACH_REQUEST"] is True
    assert app.config["SESSION_PROTECTION"] == "strong"
