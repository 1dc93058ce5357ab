"""Sign-in attempts are throttled per address (CXGOV_LOGIN_LIMIT), on the API and the page."""
import pytest

from cxgov import create_app
from cxgov.extensions import db, limiter
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def limited_app(database_url):
    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                      "RATELIMIT_ENABLED": True, "CXGOV_LOGIN_LIMIT": "3 per minute"})
    with app.app_context():
        factories.create_user(email="lena@example.com")
    yield app
    with app.app_context():
        db.engine.dispose()
    # The limiter is one extension object shared by every app in this process: switch it
    # back off for the other tests' app.
    limiter.enabled = False


def test_the_fourth_token_request_in_a_minute_is_429_problem_json(limited_app):
    client = limited_app.test_client()
    for _ in range(3):
        response = client.post("/api/auth/tokens", json={"email": "lena@example.com", "password": "wrong guess"})
        assert response.status_code == 401
    response = client.post("/api/auth/tokens", json={"email": "lena@example.com", "password": factories.PASSWORD})
    assert response.status_code == 429
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == 429
    assert response.json["title"] == "Too Many Requests"
    assert "Retry-After" in response.headers


def test_the_fourth_login_post_in_a_minute_is_429(limited_app):
    client = limited_app.test_client()
    token = csrf_token(client, "/login")
    for _ in range(3):
        response = client.post("/login", data={"email": "lena@example.com", "password": "wrong guess",
                                               "csrf_token": token})
        assert response.status_code == 200
    response = client.post("/login", data={"email": "lena@example.com", "password": factories.PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 429
    assert "text/html" in response.content_type
    with client.session_transaction() as session:
        assert "_user_id" not in session
    # Showing the form is not throttled.
    assert client.get("/login").status_code == 200


@pytest.fixture
def account_limited_app(database_url):
    """Generous per address, strict per account: the account limit is the one that bites."""
    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True,
                      "CXGOV_LOGIN_LIMIT": "100 per minute", "CXGOV_LOGIN_ACCOUNT_LIMIT": "3 per hour"})
    with app.app_context():
        factories.create_user(email="lena@example.com")
        factories.create_user(email="omar@example.com")
    yield app
    with app.app_context():
        db.engine.dispose()
    limiter.enabled = False


def _from(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_token_requests_for_one_account_are_limited_across_addresses(account_limited_app):
    for n, email in enumerate(["lena@example.com", " LENA@example.com", "Lena@Example.COM"]):
        response = _from(account_limited_app, f"10.0.0.{n + 1}").post(
            "/api/auth/tokens", json={"email": email, "password": "wrong guess"})
        assert response.status_code == 401
    response = _from(account_limited_app, "10.0.0.9").post(
        "/api/auth/tokens", json={"email": "lena@example.com", "password": factories.PASSWORD})
    assert response.status_code == 429
    assert response.content_type == "application/problem+json"
    # Another account from the same addresses is not affected.
    response = _from(account_limited_app, "10.0.0.1").post(
        "/api/auth/tokens", json={"email": "omar@example.com", "password": factories.PASSWORD})
    assert response.status_code == 201


def test_login_posts_for_one_account_are_limited_across_addresses(account_limited_app):
    for n in range(3):
        client = _from(account_limited_app, f"10.0.1.{n + 1}")
        response = client.post("/login", data={"email": "lena@example.com", "password": "wrong guess",
                                               "csrf_token": csrf_token(client, "/login")})
        assert response.status_code == 200
    client = _from(account_limited_app, "10.0.1.9")
    response = client.post("/login", data={"email": "Lena@example.com", "password": factories.PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 429
    with client.session_transaction() as session:
        assert "_user_id" not in session
    client = _from(account_limited_app, "10.0.1.1")
    response = client.post("/login", data={"email": "omar@example.com", "password": factories.PASSWORD,
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302


def test_the_address_limit_holds_across_accounts(limited_app):
    """Per address (3 per minute here), whichever accounts one client tries."""
    client = limited_app.test_client()
    for n in range(3):
        response = client.post("/api/auth/tokens", json={"email": f"nobody{n}@example.com", "password": "guess"})
        assert response.status_code == 401
    response = client.post("/api/auth/tokens", json={"email": "lena@example.com", "password": factories.PASSWORD})
    assert response.status_code == 429
    # The same account from another address is still served.
    response = _from(limited_app, "10.0.2.1").post(
        "/api/auth/tokens", json={"email": "lena@example.com", "password": factories.PASSWORD})
    assert response.status_code == 201
