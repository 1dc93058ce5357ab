"""Error pages speak to people; the API's problem+json keeps its standard titles."""
from html import unescape

from cxgov.errors import render_error
from tests import factories
from tests.conftest import csrf_token
from tests.steering.helpers import governance_world


def _text(response):
    return unescape(response.get_data(as_text=True))


def test_a_missing_page_and_a_missing_record(page_as):
    page = page_as("member")
    for path in ("/no/such/page", "/initiatives/99999", "/meetings/99999"):
        response = page.get(path)
        assert response.status_code == 404
        html = _text(response)
        assert "<h1>This page doesn’t exist</h1>" in html
        assert "Not Found" not in html and "does not exist." not in html  # no model names, no jargon


def test_a_page_someone_may_not_use(app, page_as):
    ids = governance_world(app)
    member = page_as("member")
    response = member.post(f"/meetings/{ids['meeting']}/agenda",
                           data={"csrf_token": csrf_token(member, "/meetings"), "title": "x", "kind": "information"})
    assert response.status_code == 403
    assert "<h1>You don’t have access to this page</h1>" in _text(response)
    assert "Forbidden" not in _text(response)


def test_an_expired_form(app, client):
    with app.app_context():
        email = factories.create_user().email
    client.get("/login")
    response = client.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": "stale"})
    assert response.status_code == 400
    html = _text(response)
    assert "<h1>This form has expired</h1>" in html and "Reload the page" in html
    assert "CSRF" not in html


def test_a_stale_edit_says_to_reload(app):
    with app.test_request_context("/initiatives/1"):
        body, status = render_error(412, "The resource was changed by someone else; fetch it again and retry.")
    assert status == 412
    assert "Something changed while you were editing — reload and try again" in unescape(body)
    assert "fetch it again" not in body


def test_the_api_keeps_standard_titles_and_field_names(login_as, client):
    response = client.get("/api/initiatives")
    assert response.status_code == 401 and response.json["title"] == "Unauthorized"
    leader = login_as("cx_leader")
    response = leader.get("/api/initiatives/99999")
    assert response.status_code == 404 and response.json["title"] == "Not Found"
    assert response.content_type == "application/problem+json"
    response = leader.post("/api/committees", json={"name": ""})
    assert response.status_code == 422 and response.json["title"] == "Unprocessable Entity"
    assert set(response.json["errors"]) == {"name"}
