"""No password, password hash or token ever appears in a response body or a log record,
whatever the request (ASVS V14/V16: sensitive data never leaves through responses or logs)."""
import logging

from sqlalchemy import select

from cxgov.auth.models import ApiToken
from cxgov.extensions import db
from cxgov.org.models import User
from tests import factories
from tests.conftest import csrf_token

NEW_PASSWORD = "a brand new passphrase 42"
CHANGED_PASSWORD = "yet another passphrase 7"


def _logged(caplog):
    texts = []
    for record in caplog.records:
        texts.append(record.getMessage())
        texts.append(repr(record.args))
        if record.exc_text:
            texts.append(record.exc_text)
    return "\n".join(texts)


def test_no_secret_in_any_response_or_log(app, login_as, caplog):
    caplog.set_level(logging.DEBUG)
    admin = login_as("admin")
    with app.app_context():
        admin_hash = db.session.get(User, admin.user_id).password_hash
    bodies = []

    def keep(response):
        bodies.append(response.get_data(as_text=True))
        return response

    # An admin creates a user with a password, then changes it.
    created = keep(
        admin.post("/api/users", json={"email": "nina@example.com", "name": "Nina", "password": NEW_PASSWORD})
    )
    assert created.status_code == 201
    user_id = created.json["id"]
    keep(admin.patch(f"/api/users/{user_id}", json={"password": factories.PASSWORD}))

    # The user signs in through the API and through the page, and changes their own password.
    issued = admin.post("/api/auth/tokens", json={"email": "nina@example.com", "password": factories.PASSWORD})
    assert issued.status_code == 201
    raw_token = issued.json["token"]
    keep(admin.post("/api/auth/tokens", json={"email": "nina@example.com", "password": "a wrong password"}))
    nina = app.test_client()
    nina.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw_token}"
    keep(nina.get("/api/users/me"))
    keep(nina.patch("/api/users/me", json={"password": CHANGED_PASSWORD, "current_password": factories.PASSWORD}))
    keep(nina.patch("/api/users/me", json={"password": "short"}))
    page = app.test_client()
    keep(page.post("/login", data={"email": "nina@example.com", "password": CHANGED_PASSWORD,
                                   "csrf_token": csrf_token(page, "/login")}))
    keep(page.get("/"))

    # Everything an admin can read about users, tokens and the audit trail.
    for path in ("/api/users", f"/api/users/{user_id}", "/api/users/me", "/api/audit?page_size=200",
                 f"/api/audit?entity=user&entity_id={user_id}"):
        response = keep(admin.get(path))
        assert response.status_code == 200, path
    keep(nina.delete("/api/auth/tokens/current"))

    with app.app_context():
        user_hash = db.session.get(User, user_id).password_hash
        token_digests = list(db.session.scalars(select(ApiToken.token_hash)))
    secrets = [NEW_PASSWORD, CHANGED_PASSWORD, factories.PASSWORD, "a wrong password", user_hash, admin_hash,
               raw_token, *token_digests]
    logged = _logged(caplog)
    for secret in secrets:
        for body in bodies:
            assert secret not in body
        assert secret not in logged
    assert "password" not in created.json and "password_hash" not in created.json
    # The audit trail records that the password changed, not what it is.
    audit = admin.get(f"/api/audit?entity=user&entity_id={user_id}").json["items"]
    assert any(entry["changes"].get("password_hash") in ("***", ["***", "***"]) for entry in audit)


def test_an_unexpected_error_logs_no_bearer_token(app, login_as, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    member = login_as("member")
    raw = member.environ_base["HTTP_AUTHORIZATION"].split()[1]

    def boom(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("cxgov.resources.get_or_404", boom)  # reading the user fails
    response = member.get(f"/api/users/{member.user_id}")
    assert response.status_code == 500
    assert any(record.levelno == logging.ERROR for record in caplog.records)
    body = response.get_data(as_text=True)
    assert raw not in body and raw not in _logged(caplog)
    assert "database on fire" not in body


def test_tokens_are_never_taken_from_the_query_string(app, login_as):
    member = login_as("member")
    raw = member.environ_base["HTTP_AUTHORIZATION"].split()[1]
    anonymous = app.test_client()
    for name in ("token", "access_token", "auth"):
        assert anonymous.get(f"/api/users/me?{name}={raw}").status_code == 401
