"""Sign-in attempts are throttled per address (CXGOV_LOGIN_LIMIT), the page and the API together,
and failed ones per account (cxgov.auth.throttle) without locking the owner out."""
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
    """Generous per address, strict per account: the account budgets are the ones that bite."""
    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True,
                      "CXGOV_LOGIN_LIMIT": "100 per minute", "CXGOV_LOGIN_ACCOUNT_LIMIT": "3 per hour",
                      "CXGOV_LOGIN_ACCOUNT_TOTAL_LIMIT": "5 per hour"})
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


def _token(app, address, email="lena@example.com", password=factories.PASSWORD):
    return _from(app, address).post("/api/auth/tokens", json={"email": email, "password": password})


def _page(app, address, email="lena@example.com", password=factories.PASSWORD):
    client = _from(app, address)
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_token(client, "/login")})


def test_failed_sign_ins_from_one_address_are_throttled_for_that_account(account_limited_app):
    for email in ["lena@example.com", " LENA@example.com", "Lena@Example.COM"]:
        assert _token(account_limited_app, "10.0.0.1", email, "wrong guess").status_code == 401
    # Spent: even the right password is refused now, without saying whether it was right.
    response = _token(account_limited_app, "10.0.0.1")
    assert response.status_code == 429
    assert response.content_type == "application/problem+json"
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    assert "token" not in response.json
    # Another account from that address, and that account from another address, are served.
    assert _token(account_limited_app, "10.0.0.1", "omar@example.com").status_code == 201
    assert _token(account_limited_app, "10.0.0.2").status_code == 201


def test_the_page_and_the_api_draw_on_one_account_budget(account_limited_app):
    assert _token(account_limited_app, "10.0.1.1", password="wrong guess").status_code == 401
    assert _page(account_limited_app, "10.0.1.1", password="wrong guess").status_code == 200
    assert _token(account_limited_app, "10.0.1.1", password="wrong guess").status_code == 401
    response = _page(account_limited_app, "10.0.1.1")
    assert response.status_code == 429
    assert "text/html" in response.content_type
    assert _token(account_limited_app, "10.0.1.1").status_code == 429


def test_signing_in_spends_no_budget(account_limited_app):
    for _ in range(6):
        assert _token(account_limited_app, "10.0.2.1").status_code == 201
    # A success also forgives that address's earlier failures.
    for _ in range(2):
        assert _token(account_limited_app, "10.0.2.1", password="wrong guess").status_code == 401
    assert _token(account_limited_app, "10.0.2.1").status_code == 201
    for _ in range(2):
        assert _token(account_limited_app, "10.0.2.1", password="wrong guess").status_code == 401
    assert _token(account_limited_app, "10.0.2.1").status_code == 201


def test_many_addresses_share_one_budget_which_spares_the_owners_usual_address(account_limited_app):
    assert _token(account_limited_app, "10.0.3.1").status_code == 201  # the owner, at their desk
    statuses = [_token(account_limited_app, f"10.6.6.{n}", password="wrong guess").status_code for n in range(1, 9)]
    assert statuses == [401] * 5 + [429] * 3  # 5 failures from unfamiliar addresses, then refused
    assert _token(account_limited_app, "10.6.6.99").status_code == 429  # even with the right password
    assert _page(account_limited_app, "10.0.3.1").status_code == 302  # the owner is not locked out
    assert _token(account_limited_app, "10.0.3.1").status_code == 201


@pytest.fixture
def default_limits_app(database_url):
    """The limits as shipped."""
    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True})
    with app.app_context():
        factories.create_user(email="lena@example.com")
    yield app
    with app.app_context():
        db.engine.dispose()
    limiter.enabled = False


def test_an_attacker_with_twenty_wrong_passwords_does_not_lock_the_owner_out(default_limits_app):
    assert _token(default_limits_app, "10.0.4.1").status_code == 201
    for n in range(25):
        _token(default_limits_app, f"10.7.{n // 200}.{n % 200 + 1}", password=f"guess number {n}")
    assert _token(default_limits_app, "10.0.4.1").status_code == 201
    assert _page(default_limits_app, "10.0.4.1").status_code == 302


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


def test_the_page_and_the_api_share_the_address_limit(limited_app):
    client = limited_app.test_client()
    token = csrf_token(client, "/login")
    assert (
        client.post("/api/auth/tokens", json={"email": "lena@example.com", "password": "wrong guess"}).status_code
        == 401
    )
    assert client.post("/login", data={"email": "lena@example.com", "password": "wrong guess",
                                       "csrf_token": token}).status_code == 200
    assert client.post("/api/auth/tokens", json={"email": "nobody@example.com", "password": "guess"}).status_code == 401
    response = client.post("/login", data={"email": "lena@example.com", "password": factories.PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 429
