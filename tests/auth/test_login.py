"""The /login page: session sign-in with CSRF, safe redirects, sign-out."""
import pytest

from tests import factories
from tests.conftest import csrf_token


def _user(app, **kw):
    with app.app_context():
        return factories.create_user(**kw).email


def _signed_in_user(client):
    with client.session_transaction() as session:
        return session.get("_user_id")


def test_the_login_page_shows_a_form_with_a_csrf_token(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="csrf_token"' in html
    assert 'name="email"' in html and 'name="password"' in html
    assert csrf_token(client, "/login")


def test_a_post_without_csrf_token_is_refused_and_signs_nobody_in(app, client):
    email = _user(app)
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "text/html" in response.content_type
    assert _signed_in_user(client) is None
    assert client.get("/").status_code == 302


def test_a_post_with_a_forged_csrf_token_is_refused(app, client):
    email = _user(app)
    client.get("/login")
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": "forged"})
    assert response.status_code == 400
    assert _signed_in_user(client) is None


def test_a_correct_login_redirects_home_and_signs_in(app, client):
    email = _user(app, name="Lena Fischer")
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Welcome, Lena Fischer" in home.get_data(as_text=True)
    # Signed in, /login sends you home.
    assert client.get("/login").headers["Location"] == "/"


def test_a_wrong_password_shows_the_form_again(app, client):
    email = _user(app)
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": email, "password": "wrong password", "csrf_token": token})
    assert response.status_code == 200
    assert "Unknown email or wrong password." in response.get_data(as_text=True)
    assert _signed_in_user(client) is None


def test_an_inactive_user_cannot_sign_in(app, client):
    email = _user(app, active=False)
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 200
    assert _signed_in_user(client) is None


def test_anonymous_pages_redirect_to_login_with_next(client):
    response = client.get("/?tab=1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_follows_a_local_next(app, client):
    email = _user(app)
    token = csrf_token(client, "/login")
    response = client.post("/login?next=/healthz", data={"email": email, "password": factories.PASSWORD,
                                                          "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/healthz"


@pytest.mark.parametrize("target", [
    "//evil.example/", "http://evil.example/", "https://evil.example/x", "/\\evil.example",
    "\\\\evil.example", "javascript:alert(1)", "evil.example",
])
def test_login_never_redirects_off_site(app, client, target):
    email = _user(app)
    token = csrf_token(client, "/login")
    response = client.post("/login", query_string={"next": target},
                           data={"email": email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_logout_is_a_post_with_csrf_and_ends_the_session(page_as):
    page = page_as("member")
    assert page.get("/").status_code == 200
    assert page.get("/logout").status_code == 405
    assert page.post("/logout").status_code == 400  # no CSRF token
    assert page.get("/").status_code == 200
    response = page.post("/logout", data={"csrf_token": csrf_token(page, "/")})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert page.get("/").status_code == 302
