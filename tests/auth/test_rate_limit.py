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
