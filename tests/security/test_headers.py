"""Security headers on every response (pages, API, errors); HSTS and Secure cookies in production."""
import pytest

from cxgov import create_app
from cxgov.extensions import db, limiter

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _assert_headers(response):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src" not in csp or "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/login", 200),
    ("GET", "/", 302),
    ("GET", "/healthz", 200),
    ("GET", "/api/users", 401),
    ("GET", "/api/no-such-thing", 404),
    ("GET", "/no-such-page", 404),
    ("POST", "/login", 400),  # no CSRF token
    ("DELETE", "/api/auth/tokens", 405),
    ("POST", "/api/auth/tokens", 422),
])
def test_every_response_carries_the_security_headers(client, method, path, status):
    response = client.open(path, method=method, json={} if path.startswith("/api") and method == "POST" else None)
    assert response.status_code == status
    _assert_headers(response)
    assert "Strict-Transport-Security" not in response.headers


def test_a_header_the_response_sets_itself_is_kept_once(app):
    from flask import Response

    (security_headers,) = [hook for hook in app.after_request_funcs[None] if hook.__name__ == "security_headers"]
    with app.test_request_context("/"):
        response = security_headers(Response("ok", headers={"x-frame-options": "SAMEORIGIN"}))
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    for name, value in EXPECTED.items():
        if name != "X-Frame-Options":
            assert response.headers.getlist(name) == [value]


def test_signed_in_pages_api_and_errors_carry_them(login_as, page_as):
    api = login_as("member")
    for response in (api.get("/api/users/me"), api.get("/api/users/999999"), api.post("/api/departments", json={})):
        _assert_headers(response)
    page = page_as("member")
    for response in (page.get("/"), page.get("/meetings/999999"), page.get("/static/cxgov.css")):
        _assert_headers(response)


@pytest.fixture
def production_app(monkeypatch, database_url):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-of-enough-length")
    monkeypatch.setenv("DATABASE_URL", database_url)
    app = create_app({"CXGOV_ENV": "production", "SECRET_KEY": "a-production-secret-of-enough-length",
                      "SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False})
    yield app
    with app.app_context():
        db.engine.dispose()
    limiter.enabled = False


def test_production_sends_hsts(production_app):
    client = production_app.test_client()
    for path in ("/login", "/api/users", "/healthz"):
        response = client.get(path, base_url="https://cxgov.example")
        assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        _assert_headers(response)


def test_production_cookies_are_secure(production_app):
    assert production_app.config["SESSION_COOKIE_SECURE"] is True
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True
    assert production_app.config["DEBUG"] is False
    client = production_app.test_client()
    response = client.get("/login", base_url="https://cxgov.example")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_development_cookies_work_over_plain_http(app):
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["REMEMBER_COOKIE_SECURE"] is False
