"""Credentials end when their reason does: remember-me tokens are random, one per sign-in, stored
hashed and revoked at sign-out; a signed-out session cookie opens nothing even if captured; a
password change, deactivation or role change (a new credential generation) ends every session,
remember-me cookie and API token of the user."""
import hashlib
from datetime import timedelta

from sqlalchemy import select, text

from cxgov.auth.models import ApiToken
from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.org.models import User
from tests import factories
from tests.conftest import csrf_token

NEW_PASSWORD = "a brand new passphrase"


def _user(app, **kw):
    with app.app_context():
        user = factories.create_user(**kw)
        return user.id, user.email


def _sign_in(client, email, remember=False, password=factories.PASSWORD):
    data = {"email": email, "password": password, "csrf_token": csrf_token(client, "/login")}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response


def _sign_out(client, everywhere=False):
    data = {"csrf_token": csrf_token(client, "/")}
    if everywhere:
        data["everywhere"] = "1"
    assert client.post("/logout", data=data).status_code == 302


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def _browser(app, **cookies):
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def _token(client, email, password=factories.PASSWORD):
    response = client.post("/api/auth/tokens", json={"email": email, "password": password})
    assert response.status_code == 201
    return response.json["token"]


def _bearer(app, raw):
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def _change_password(app, raw, password=NEW_PASSWORD):
    api = _bearer(app, raw)
    response = api.patch("/api/users/me", json={"password": password, "current_password": factories.PASSWORD})
    assert response.status_code == 200, response.json
    return api


# -- remember-me tokens -------------------------------------------------------------------------

def test_every_sign_in_gets_a_new_random_remember_token_stored_as_a_digest(app):
    from cxgov.auth.models import RememberToken

    _, email = _user(app)
    first, second = app.test_client(), app.test_client()
    _sign_in(first, email, remember=True)
    _sign_in(second, email, remember=True)
    a, b = _cookie(first, "cxgov_remember"), _cookie(second, "cxgov_remember")
    assert a and b and a != b
    with app.app_context():
        stored = set(db.session.scalars(select(RememberToken.token_hash)))
    assert stored == {hashlib.sha256(a.encode()).hexdigest(), hashlib.sha256(b.encode()).hexdigest()}
    # Each re-opens a session in a browser that kept only it.
    assert _browser(app, cxgov_remember=a).get("/").status_code == 200
    assert _browser(app, cxgov_remember=b).get("/").status_code == 200


def test_a_remember_cookie_is_dead_after_sign_out(app):
    _, email = _user(app)
    client = app.test_client()
    _sign_in(client, email, remember=True)
    captured = _cookie(client, "cxgov_remember")
    _sign_out(client)
    assert _cookie(client, "cxgov_remember") is None
    replay = _browser(app, cxgov_remember=captured)
    assert replay.get("/").status_code == 302
    assert _cookie(replay, "cxgov_remember") is None  # a dead cookie is deleted


def test_a_remember_cookie_is_dead_after_a_password_change(app):
    _, email = _user(app)
    client = app.test_client()
    _sign_in(client, email, remember=True)
    captured = _cookie(client, "cxgov_remember")
    _change_password(app, _token(app.test_client(), email))
    assert _browser(app, cxgov_remember=captured).get("/").status_code == 302


def test_a_remember_cookie_expires(app):
    from cxgov.auth.models import RememberToken

    _, email = _user(app)
    client = app.test_client()
    _sign_in(client, email, remember=True)
    captured = _cookie(client, "cxgov_remember")
    with app.app_context():
        token = db.session.scalar(select(RememberToken))
        assert abs(token.expires_at - (utcnow() + timedelta(days=14))) < timedelta(minutes=1)
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert _browser(app, cxgov_remember=captured).get("/").status_code == 302


def test_a_remember_cookie_reopens_a_session_that_is_not_fresh_and_is_audited(app):
    user_id, email = _user(app)
    client = app.test_client()
    _sign_in(client, email, remember=True)
    browser = _browser(app, cxgov_remember=_cookie(client, "cxgov_remember"))
    assert browser.get("/").status_code == 200
    with browser.session_transaction() as session:
        assert session["_fresh"] is False and session["_user_id"] == str(user_id)
    assert browser.get("/").status_code == 200
    from cxgov.audit.models import AuditEntry

    with app.app_context():
        vias = [e.changes["via"] for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "sign_in"))]
    assert vias == ["page", "remember_me"]


# -- sessions -----------------------------------------------------------------------------------

def test_a_session_cookie_captured_before_sign_out_opens_nothing(app):
    _, email = _user(app)
    client = app.test_client()
    _sign_in(client, email)
    captured = _cookie(client, "session")
    assert client.get("/").status_code == 200
    _sign_out(client)
    replay = _browser(app, session=captured)
    response = replay.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    # Signing in again gives a new session that works.
    _sign_in(client, email)
    assert client.get("/").status_code == 200


def test_signing_out_of_one_browser_leaves_the_others(app):
    _, email = _user(app)
    laptop, phone = app.test_client(), app.test_client()
    _sign_in(laptop, email)
    _sign_in(phone, email)
    raw = _token(app.test_client(), email)
    _sign_out(phone)
    assert laptop.get("/").status_code == 200
    assert _bearer(app, raw).get("/api/users/me").status_code == 200


def test_signing_out_everywhere_ends_every_session_cookie_and_token(app):
    _, email = _user(app)
    laptop, phone = app.test_client(), app.test_client()
    _sign_in(laptop, email, remember=True)
    _sign_in(phone, email)
    remembered = _cookie(laptop, "cxgov_remember")
    raw = _token(app.test_client(), email)
    _sign_out(phone, everywhere=True)
    assert laptop.get("/").status_code == 302
    assert _browser(app, cxgov_remember=remembered).get("/").status_code == 302
    assert _bearer(app, raw).get("/api/users/me").status_code == 401


# -- a new credential generation ------------------------------------------------------------------

def test_a_password_change_ends_other_sessions_tokens_and_remember_cookies(app):
    _, email = _user(app)
    browser = app.test_client()
    _sign_in(browser, email, remember=True)
    remembered = _cookie(browser, "cxgov_remember")
    other_token = _token(app.test_client(), email)
    changer = _change_password(app, _token(app.test_client(), email))
    assert browser.get("/").status_code == 302
    assert _browser(app, cxgov_remember=remembered).get("/").status_code == 302
    assert _bearer(app, other_token).get("/api/users/me").status_code == 401
    # The token the change was made with goes on; the new password signs in.
    assert changer.get("/api/users/me").status_code == 200
    _sign_in(app.test_client(), email, password=NEW_PASSWORD)


def test_an_admin_setting_a_password_ends_the_users_credentials(app, login_as):
    user_id, email = _user(app)
    raw = _token(app.test_client(), email)
    browser = app.test_client()
    _sign_in(browser, email)
    admin = login_as("admin")
    etag = admin.get(f"/api/users/{user_id}").headers["ETag"]
    assert admin.patch(f"/api/users/{user_id}", json={"password": NEW_PASSWORD},
                       headers={"If-Match": etag}).status_code == 200
    assert _bearer(app, raw).get("/api/users/me").status_code == 401
    assert browser.get("/").status_code == 302
    assert admin.get("/api/users/me").status_code == 200


def test_reactivating_a_user_revives_none_of_their_old_credentials(app, login_as):
    user_id, email = _user(app)
    raw = _token(app.test_client(), email)
    browser = app.test_client()
    _sign_in(browser, email, remember=True)
    remembered = _cookie(browser, "cxgov_remember")
    admin = login_as("admin")
    for active in (False, True):
        etag = admin.get(f"/api/users/{user_id}").headers["ETag"]
        assert admin.patch(f"/api/users/{user_id}", json={"active": active},
                           headers={"If-Match": etag}).status_code == 200
    assert _bearer(app, raw).get("/api/users/me").status_code == 401
    assert browser.get("/").status_code == 302
    assert _browser(app, cxgov_remember=remembered).get("/").status_code == 302
    # Signing in afresh works.
    assert _bearer(app, _token(app.test_client(), email)).get("/api/users/me").status_code == 200


def test_a_role_change_ends_the_users_sessions(app, login_as):
    user_id, email = _user(app)
    browser = app.test_client()
    _sign_in(browser, email)
    admin = login_as("admin")
    etag = admin.get(f"/api/users/{user_id}").headers["ETag"]
    assert (
        admin.patch(f"/api/users/{user_id}", json={"role": "cx_leader"}, headers={"If-Match": etag}).status_code == 200
    )
    assert browser.get("/").status_code == 302
    _sign_in(browser, email)
    assert browser.get("/").status_code == 200


def test_a_generation_bumped_in_another_worker_ends_its_tokens_at_once(app):
    user_id, email = _user(app)
    api = _bearer(app, _token(app.test_client(), email))
    assert api.get("/api/users/me").status_code == 200
    with app.app_context():  # another worker: plain SQL, not this process's ORM
        db.session.execute(text("UPDATE users SET credential_generation = credential_generation + 1 WHERE id = :id"),
                           {"id": user_id})
        db.session.commit()
    assert api.get("/api/users/me").status_code == 401


def test_tokens_carry_the_generation_they_were_issued_under(app):
    user_id, email = _user(app)
    _token(app.test_client(), email)
    with app.app_context():
        user = db.session.get(User, user_id)
        token = db.session.scalar(select(ApiToken))
        assert token.generation == user.credential_generation == 0
