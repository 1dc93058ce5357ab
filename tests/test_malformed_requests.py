"""No request, however malformed, makes the API fail (SPEC §4): garbage in the path, the query
string and the body of every operation gets a 4xx problem+json, never a 500."""
import json
import re

import pytest

from cxgov.auth.services import issue_token
from cxgov.extensions import db
from tests.test_openapi_fuzz import OPERATIONS, schema, seed_small_organisation

HUGE = "99999999999999999999"
PATH_GARBAGE = (HUGE, str(2**31), str(2**63), "-1", "abc", "1.5", "%00")
QUERY_GARBAGE = (HUGE, "-" + HUGE, "abc", "\x00", "1e400", "NaN", "", "[]", "x" * 5000)
VALUE_GARBAGE = (10**30, -(10**30), 2**31, 1e308, "\x00", "a\x00b", "nul\u0000", [], {}, True, "x" * 100_000,
                 "\ud800", None)
ALWAYS_INVALID = (10**30, "a\x00b")  # beyond any integer column; text PostgreSQL cannot store


@pytest.fixture
def api(app):
    with app.app_context():
        admin = seed_small_organisation()
        token, _ = issue_token(admin)
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def concrete(path, value="1"):
    """The path with every parameter replaced by `value`."""
    return re.sub(r"{[^}]+}", value, path)


def check(response, request):
    assert response.status_code < 500, (request, response.status_code, response.get_data(as_text=True)[:300])
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json", (request, response.mimetype)
        body = response.json
        assert body["status"] == response.status_code and body["title"] and body["detail"], request


def json_properties(operation):
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not body:
        return None
    schema = body["schema"]
    if "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return [name for name, prop in schema.get("properties", {}).items() if not prop.get("readOnly")]


SCHEMAS = schema.raw_schema["components"]["schemas"]


@pytest.mark.parametrize("path, method, operation", OPERATIONS, ids=[f"{m.upper()} {p}" for p, m, _ in OPERATIONS])
def test_garbage_never_makes_a_server_error(api, path, method, operation):
    send = getattr(api, method)
    # Path ids beyond the database's integer, negative, not a number.
    if "{" in path:
        for value in PATH_GARBAGE:
            url = concrete(path, value)
            check(send(url, json={}), (method, url))
    url = concrete(path)
    # Query parameters: every declared one gets every kind of garbage; so do page and page_size.
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    for name in names + ["page", "page_size", "unknown"]:
        for value in QUERY_GARBAGE:
            check(send(url, query_string={name: value}), (method, url, name, value))
    if method not in ("post", "put", "patch"):
        return
    # Bodies: not UTF-8, not JSON, deeply nested, not an object, the wrong content type.
    for data, content_type in ((b"\xff\xfe\xfa{", "application/json"), (b"{", "application/json"),
                               ("[" * 100_000 + "]" * 100_000, "application/json"),
                               ('{"a":' * 10_000 + "1" + "}" * 10_000, "application/json"),
                               ("[]", "application/json"), ("null", "application/json"), ("1", "application/json"),
                               ('{"a": 1}', "text/plain"), (b"\x00\x01", "application/octet-stream")):
        check(send(url, data=data, content_type=content_type), (method, url, data[:20], content_type))
    # Every field of a JSON body: huge numbers, NUL bytes, wrong types, lone surrogates.
    for name in json_properties(operation) or []:
        for value in VALUE_GARBAGE:
            data = json.dumps({name: value})
            response = send(url, data=data, content_type="application/json")
            check(response, (method, url, name, repr(value)[:40]))
            if value in ALWAYS_INVALID:
                assert 400 <= response.status_code < 500, (method, url, name, value, response.status_code)
                if response.status_code == 422:
                    assert name in response.json.get("errors", {}), (method, url, name, value, response.json)
