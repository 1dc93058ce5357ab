"""POST /api/auth/tokens and DELETE /api/auth/tokens/current: bearer tokens, hashed at rest."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from cxgov.auth.models import ApiToken
from cxgov.extensions import db
from cxgov.org.models import User
from tests import factories


def _count_tokens(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ApiToken))


def _user(app, **kw):
    with app.app_context():
        user = factories.create_user(**kw)
        return user.id, user.email


def test_a_correct_password_gives_a_token_that_signs_requests(app, client):
    user_id, email = _user(app, role="cx_leader")
    response = client.post("/api/auth/tokens", json={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 201
    body = response.json
    assert set(body) == {"token", "expires_at"}
    expires_at = datetime.fromisoformat(body["expires_at"])
    assert expires_at.tzinfo is not None
    assert timedelta(hours=167) < expires_at - datetime.now(timezone.utc) <= timedelta(hours=168)

    me = client.get("/api/users/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json["id"] == user_id
    with app.app_context():
        assert db.session.get(User, user_id).last_login_at is not None


def test_the_email_is_matched_case_insensitively(app, client):
    _, email = _user(app)
    response = client.post("/api/auth/tokens", json={"email": f"  {email.upper()} ", "password": factories.PASSWORD})
    assert response.status_code == 201


def test_only_a_digest_of_the_token_is_stored(app, client):
    _, email = _user(app)
    raw = client.post("/api/auth/tokens", json={"email": email, "password": factories.PASSWORD}).json["token"]
    with app.app_context():
        stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert len(stored) == 1
    assert raw not in stored[0]
    assert len(stored[0]) == 64 and stored[0] != raw


def test_a_wrong_password_is_401_and_issues_nothing(app, client):
    _, email = _user(app)
    response = client.post("/api/auth/tokens", json={"email": email, "password": "not the password"})
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == 401
    assert "token" not in response.json
    assert _count_tokens(app) == 0


def test_an_unknown_email_is_401_like_a_wrong_password(app, client):
    response = client.post("/api/auth/tokens", json={"email": "nobody@example.com", "password": "whatever"})
    assert response.status_code == 401
    assert response.json["detail"] == "Unknown email or wrong password."


def test_an_inactive_user_cannot_get_a_token(app, client):
    _, email = _user(app, active=False)
    response = client.post("/api/auth/tokens", json={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 401
    assert _count_tokens(app) == 0


def test_a_user_without_a_password_cannot_get_a_token(app, client):
    _, email = _user(app, password=None)
    response = client.post("/api/auth/tokens", json={"email": email, "password": "anything at all"})
    assert response.status_code == 401


def test_unknown_and_missing_fields_are_422_naming_them(app, client):
    _, email = _user(app)
    response = client.post("/api/auth/tokens",
                           json={"email": email, "password": factories.PASSWORD, "remember": True})
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert set(response.json["errors"]) == {"remember"}

    response = client.post("/api/auth/tokens", json={"email": email})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"password"}
    assert _count_tokens(app) == 0


def test_malformed_json_is_400_problem_json(app, client):
    response = client.post("/api/auth/tokens", data='{"email": "a@b.c", ', content_type="application/json")
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    assert response.json["title"] == "Bad Request"
    assert _count_tokens(app) == 0


def test_a_body_that_is_not_an_object_is_refused(app, client):
    for body in ("[1, 2]", "null", '"text"'):
        response = client.post("/api/auth/tokens", data=body, content_type="application/json")
        assert response.status_code == 422
        assert response.content_type == "application/problem+json"
        assert "_schema" in response.json["errors"]


def test_the_password_is_hashed_with_argon2id(app):
    from cxgov.org.passwords import hash_password, verify_password

    with app.app_context():
        hashed = hash_password("a long enough password")
        assert hashed.startswith("$argon2id$")
        assert verify_password(hashed, "a long enough password")
        assert not verify_password(hashed, "another password")
        assert not verify_password("not a hash", "another password")
        user = factories.create_user()
        assert user.password_hash.startswith("$argon2id$")


def test_an_expired_token_is_401(app, login_as):
    client = login_as("admin")
    assert client.get("/api/users/me").status_code == 200
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == client.user_id))
        token.expires_at = datetime.now(timezone.utc) - timedelta(seconds=1)
        db.session.commit()
    response = client.get("/api/users/me")
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_of_a_deactivated_user_stops_working(app, login_as):
    client = login_as("member")
    with app.app_context():
        db.session.get(User, client.user_id).active = False
        db.session.commit()
    assert client.get("/api/users/me").status_code == 401


def test_revoking_the_current_token_signs_it_out(app, login_as):
    client = login_as("member")
    response = client.delete("/api/auth/tokens/current")
    assert response.status_code == 204
    with app.app_context():
        assert db.session.scalar(select(ApiToken.revoked_at)) is not None
    assert client.get("/api/users/me").status_code == 401
    assert client.delete("/api/auth/tokens/current").status_code == 401


def test_revoking_without_a_token_is_401(client):
    assert client.delete("/api/auth/tokens/current").status_code == 401


def test_garbage_and_other_schemes_are_401(client, login_as):
    login_as("admin")
    for header in ("Bearer nonsense", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 500):
        response = client.get("/api/users/me", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_the_session_cookie_does_not_sign_api_requests(page_as):
    # The API is signed with bearer tokens only, so it needs no CSRF protection.
    page = page_as("admin")
    assert page.get("/").status_code == 200
    assert page.get("/api/users/me").status_code == 401
    response = page.post("/api/departments", json={"name": "Sales", "code": "SAL"})
    assert response.status_code == 401


def test_signing_in_is_no_edit_of_the_user(app, client):
    """A sign-in keeps when it happened, but the user's version (their ETag) stays, and the audit
    trail records the sign-in, not a change of the user."""
    from cxgov.audit.models import AuditEntry

    user_id, email = _user(app)
    with app.app_context():
        version = db.session.get(User, user_id).version
    assert client.post("/api/auth/tokens", json={"email": email, "password": factories.PASSWORD}).status_code == 201
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.last_login_at is not None and user.version == version
        actions = db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "user", AuditEntry.entity_id == user_id)).all()
        assert "sign_in" in actions and "update" not in actions


def test_one_account_signing_in_from_several_places_at_once_gets_a_token_each(app):
    """Eight sign-ins of one account at the same instant (a phone, a laptop, a script): every one
    gets its token (before, all but one failed with 412 on the user's version)."""
    import threading

    import pytest

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them on a file lock)")
    _, email = _user(app)
    barrier, statuses = threading.Barrier(8), []

    def sign_in():
        with app.test_client() as own:
            barrier.wait(timeout=30)
            statuses.append(own.post("/api/auth/tokens", json={"email": email, "password": factories.PASSWORD})
                            .status_code)
    threads = [threading.Thread(target=sign_in) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [201] * 8
    assert _count_tokens(app) == 8
