"""Which address a request comes from (X-Forwarded-For believed only from configured proxies),
and no copy of what a signed-in person sees kept by browsers or proxies (Cache-Control: no-store)."""
import pytest

from cxgov import create_app
from cxgov.extensions import db
from tests import factories
from tests.conftest import sign_in_session


def _page(app, user_id, address, **environ):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": "Browser/1.0", **environ})
    return sign_in_session(app, client, user_id)


def _steal(app, page, address, forwarded_for):
    """The session cookie of `page`, used from `address` with a made-up X-Forwarded-For."""
    thief = app.test_client()
    thief.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": "Browser/1.0",
                               "HTTP_X_FORWARDED_FOR": forwarded_for})
    thief.set_cookie("session", page.get_cookie("session").value)
    return thief


def test_a_stolen_session_cannot_pose_as_its_address_with_x_forwarded_for(app):
    with app.app_context():
        user_id = factories.create_user().id
    page = _page(app, user_id, "10.0.0.5")
    thief = _steal(app, page, "10.66.0.1", forwarded_for="10.0.0.5")
    assert thief.get("/").status_code == 302
    # The header means nothing either way: the owner's own requests are unaffected by it.
    assert page.get("/", headers={"X-Forwarded-For": "192.0.2.1"}).status_code == 200


@pytest.fixture
def proxied_app(database_url):
    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "CXGOV_TRUSTED_PROXIES": 1})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_behind_a_trusted_proxy_the_client_address_is_the_proxys_last_entry(proxied_app):
    with proxied_app.app_context():
        user_id = factories.create_user().id
    # The proxy (127.0.0.1) appends the address it saw; a client may put anything before it.
    page = _page(proxied_app, user_id, "127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.5")
    assert page.get("/").status_code == 200
    assert _steal(proxied_app, page, "127.0.0.1", forwarded_for="10.0.0.5").get("/").status_code == 200
    assert _steal(proxied_app, page, "127.0.0.1", forwarded_for="10.0.0.5, 10.66.0.1").get("/").status_code == 302


def test_the_trusted_proxies_default_to_none(app):
    assert app.config["CXGOV_TRUSTED_PROXIES"] == 0


# -- Cache-Control ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/initiatives", "/reports/roi.csv", "/reports/roi.pdf", "/notifications"])
def test_signed_in_pages_csv_and_pdf_are_not_stored(page_as, path):
    response = page_as("cx_leader").get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/api/users/me", "/api/initiatives", "/api/reports/roi.csv", "/api/openapi.json"])
def test_api_answers_are_not_stored(login_as, path):
    response = login_as("cx_leader").get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_new_token_is_not_stored(app, client):
    with app.app_context():
        email = factories.create_user().email
    response = client.post("/api/auth/tokens", json={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching(client):
    response = client.get("/static/cxgov.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
