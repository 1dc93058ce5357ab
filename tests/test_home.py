"""The server-rendered shell: home page, error pages, and API errors as problem+json."""


def test_anonymous_home_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_signed_in_home_greets_the_user_and_offers_sign_out(page_as):
    page = page_as("cx_leader", name="Lena Fischer")
    response = page.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Welcome, Lena Fischer" in html
    assert "CX leader" in html
    assert 'action="/logout"' in html and 'name="csrf_token"' in html
    assert "/api/openapi.json" in html


def test_pages_carry_security_headers(page_as):
    response = page_as("member").get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'self' only
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_unknown_page_is_an_html_404(client, page_as):
    for c in (client, page_as("member")):
        response = c.get("/no/such/page")
        assert response.status_code == 404
        assert "text/html" in response.content_type
        assert "This page doesn’t exist" in response.get_data(as_text=True)


def test_an_unknown_api_path_is_a_problem_json_404(client, login_as):
    for c in (client, login_as("member")):
        response = c.get("/api/no-such-thing")
        assert response.status_code == 404
        assert response.content_type == "application/problem+json"
        assert response.json["status"] == 404
        assert set(response.json) >= {"type", "title", "status", "detail"}


def test_a_wrong_method_on_the_api_is_a_problem_json_405(login_as):
    response = login_as("admin").put("/api/departments", json={})
    assert response.status_code == 405
    assert response.content_type == "application/problem+json"
    assert response.json["title"] == "Method Not Allowed"
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]


def test_the_openapi_description_documents_problems(client, login_as, page_as):
    assert client.get("/api/openapi.json").status_code == 401  # SPEC §5: only sign-in and /healthz are public
    assert page_as("member").get("/api/openapi.json").status_code == 200  # linked from every page's footer
    spec = login_as("member").get("/api/openapi.json")
    assert spec.status_code == 200
    operation = spec.json["paths"]["/api/departments"]["post"]
    assert {"400", "401", "403", "409", "422"} <= set(operation["responses"])
    assert "application/problem+json" in operation["responses"]["422"]["content"]


def test_healthz_is_public(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_a_wrong_method_on_a_page_is_an_html_405_with_allow(page_as):
    response = page_as("member").get("/logout")
    assert response.status_code == 405
    assert "text/html" in response.content_type
    assert "POST" in response.headers["Allow"]
