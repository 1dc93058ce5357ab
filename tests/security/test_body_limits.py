"""Request bodies are bounded (ASVS V13.1.3): JSON and forms by CXGOV_MAX_JSON_BYTES (1 MB),
measurement uploads by CXGOV_MAX_UPLOAD_BYTES (64 MB). A larger body is refused with 413 before it
is read — problem+json naming the limit on /api, a plain page for browser forms — and a caller who
may not upload measurements at all is refused before the upload is read. The same requests on a
real server, measured: tests/security/test_abuse.py."""
import io
import json
import re

import pytest
from sqlalchemy import func, select

import config
from cxgov import UPLOAD_ENDPOINTS, create_app
from cxgov.extensions import db
from cxgov.journeys.models import Journey, Measurement
from tests import factories
from tests.conftest import csrf_token

MB = 1024 * 1024
HEADER = "metric,journey_id,period_start,period_end,value\n"


class Watched(io.BytesIO):
    """A request body that tells whether anything read it."""

    def touched(self):
        return self.tell() > 0


def rows(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def multipart(journey_id, size=0, token=None):
    """A multipart measurements upload padded to at least `size` bytes (a long comment line
    the import never reaches, being refused first)."""
    boundary = "cxgovboundary"
    fields = f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n' if token else ""
    head = (f'{fields}--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="m.csv"\r\n'
            f"Content-Type: text/csv\r\n\r\n{HEADER}nps,{journey_id},2026-01-01,2026-01-31,31.5\n")
    tail = f"\r\n--{boundary}--\r\n"
    padding = "x" * max(0, size - len(head) - len(tail))
    return (head + padding + tail).encode(), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def owner(app, login_as):
    """A member who owns a journey, signed in to the API; `.journey_id` names it."""
    client = login_as("member")
    with app.app_context():
        client.journey_id = factories.create_journey(owner=db.session.get(factories.User, client.user_id)).id
    return client


def test_the_limits_default_to_1_mb_for_json_and_forms_and_64_mb_for_uploads(database_url):
    assert config.Config.CXGOV_MAX_JSON_BYTES == MB
    assert config.Config.CXGOV_MAX_UPLOAD_BYTES == 64 * MB
    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["MAX_CONTENT_LENGTH"] == MB
    # Each endpoint named as taking uploads exists: a renamed view would silently lose its limit.
    assert UPLOAD_ENDPOINTS <= set(app.view_functions)


def test_anonymous_json_over_the_limit_is_413_naming_it(app, client):
    app.config["CXGOV_MAX_JSON_BYTES"] = 4096
    body = json.dumps({"email": "a" * 5000 + "@example.com", "password": "x"})
    response = client.post("/api/auth/tokens", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.json["max_bytes"] == 4096
    assert "at most 4 KB (4096 bytes)" in response.json["detail"]
    # Within the limit, the same endpoint reads it.
    within = json.dumps({"email": "a" * 3000 + "@example.com", "password": "x"})
    assert client.post("/api/auth/tokens", data=within, content_type="application/json").status_code != 413


def test_the_default_json_limit_is_1_mb(client):
    body = json.dumps({"email": "a" * MB + "@example.com", "password": "x"})
    response = client.post("/api/auth/tokens", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json["max_bytes"] == MB and "at most 1 MB" in response.json["detail"]


def test_a_signed_in_write_over_the_limit_is_413_and_writes_nothing(app, login_as):
    leader = login_as("cx_leader")
    app.config["CXGOV_MAX_JSON_BYTES"] = 2048
    body = json.dumps({"name": "Claims", "owner_id": leader.user_id, "description": "d" * 3000})
    response = leader.post("/api/journeys", data=body, content_type="application/json")
    assert response.status_code == 413 and response.json["max_bytes"] == 2048
    assert rows(app, Journey) == 0


def test_an_upload_takes_the_upload_limit_not_the_json_limit(app, owner):
    app.config.update(CXGOV_MAX_JSON_BYTES=1024, CXGOV_MAX_UPLOAD_BYTES=8192)
    body, content_type = multipart(owner.journey_id, size=4096)
    response = owner.post("/api/measurements/import", data=body, content_type=content_type)
    assert response.status_code == 422, response.json  # read: the padding is no measurement
    assert "line 3" in response.json["errors"]
    assert rows(app, Measurement) == 0

    body, content_type = multipart(owner.journey_id, size=8193)
    stream = Watched(body)
    response = owner.post("/api/measurements/import", input_stream=stream, content_length=len(body),
                          content_type=content_type)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.json["max_bytes"] == 8192 and "at most 8 KB" in response.json["detail"]
    assert not stream.touched()
    assert rows(app, Measurement) == 0


@pytest.mark.parametrize("role", ["executive", "member"])
def test_who_may_not_import_is_refused_before_the_upload_is_read(app, login_as, role):
    caller = login_as(role)
    with app.app_context():
        journey_id = factories.create_journey().id
    body, content_type = multipart(journey_id, size=64 * 1024)
    stream = Watched(body)
    response = caller.post("/api/measurements/import", input_stream=stream, content_length=len(body),
                           content_type=content_type)
    assert response.status_code == 403, response.json
    assert response.mimetype == "application/problem+json"
    assert not stream.touched()
    assert rows(app, Measurement) == 0


def test_an_executive_who_owns_a_journey_imports_into_it(app, login_as):
    executive = login_as("executive")
    with app.app_context():
        journey_id = factories.create_journey(owner=db.session.get(factories.User, executive.user_id)).id
    body, content_type = multipart(journey_id)
    response = executive.post("/api/measurements/import", data=body, content_type=content_type)
    assert response.status_code == 200, response.json
    assert rows(app, Measurement) == 1


def test_the_upload_page_refuses_a_large_file_with_a_page_naming_the_limit(app, page_as):
    page = page_as("member")
    with app.app_context():
        journey_id = factories.create_journey(owner=db.session.get(factories.User, page.user_id)).id
    app.config["CXGOV_MAX_UPLOAD_BYTES"] = 8192
    body, content_type = multipart(journey_id, size=9000, token=csrf_token(page, "/journeys/upload"))
    response = page.post("/journeys/upload", data=body, content_type=content_type)
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "at most 8 KB" in response.get_data(as_text=True)
    # Under the limit, the page imports it.
    app.config["CXGOV_MAX_UPLOAD_BYTES"] = 64 * MB
    response = page.post("/journeys/upload", data=body, content_type=content_type)
    assert response.status_code == 422  # read: the padding line is reported, nothing imported
    body, content_type = multipart(journey_id, token=csrf_token(page, "/journeys/upload"))
    preview = page.post("/journeys/upload", data=body, content_type=content_type)
    assert preview.status_code == 200 and rows(app, Measurement) == 0  # shown first, imported once confirmed
    kept = re.search(r'name="upload" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    confirmed = page.post("/journeys/upload/confirm", data={"csrf_token": csrf_token(page), "upload": kept})
    assert confirmed.status_code == 200
    assert rows(app, Measurement) == 1


def test_the_upload_page_refuses_who_may_not_import_before_reading_the_upload(app, page_as):
    page = page_as("executive")
    token = csrf_token(page, "/journeys/upload")
    with app.app_context():
        journey_id = factories.create_journey().id
    body, content_type = multipart(journey_id, size=64 * 1024, token=token)
    stream = Watched(body)
    response = page.post("/journeys/upload", input_stream=stream, content_length=len(body), content_type=content_type)
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    assert not stream.touched()


def test_the_upload_page_still_needs_its_csrf_token(app, page_as):
    page = page_as("member")
    with app.app_context():
        journey_id = factories.create_journey(owner=db.session.get(factories.User, page.user_id)).id
    body, content_type = multipart(journey_id)
    response = page.post("/journeys/upload", data=body, content_type=content_type)
    assert response.status_code == 400
    assert rows(app, Measurement) == 0


def test_a_huge_sign_in_form_is_413_with_a_page(app, client):
    body = "email=" + "a" * (MB + 1) + "&password=x"
    stream = Watched(body.encode())
    response = client.post("/login", input_stream=stream, content_length=len(body),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "at most 1 MB" in response.get_data(as_text=True)
    assert not stream.touched()


def test_the_description_documents_413_for_bodies(app):
    with app.app_context():
        paths = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()["paths"]
    assert "413" in paths["/api/measurements/import"]["post"]["responses"]
    assert "413" in paths["/api/auth/tokens"]["post"]["responses"]
    assert "413" in paths["/api/journeys"]["post"]["responses"]
    assert "413" not in paths["/api/journeys"]["get"]["responses"]
