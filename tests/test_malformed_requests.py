"""No request, however malformed, makes the API fail (SPEC §4): garbage in the path, the query
string and the body of every operation gets a 4xx problem+json, never a 500."""
import json
import re

import pytest

from cxgov.auth.services import issue_token
from cxgov.extensions import db
from cxgov.org.models import User
from tests.test_openapi_fuzz import OPERATIONS, schema, seed_small_organisation

HUGE = "99999999999999999999"
PATH_GARBAGE = (HUGE, str(2**31), str(2**63), "-1", "abc", "1.5", "%00")
# Dates and instants at the ends of the calendar: valid as written, out of range once moved to UTC
# or a period is counted from them.
CALENDAR_ENDS = ("0001-01-01", "9999-12-31", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00")
QUERY_GARBAGE = (HUGE, "-" + HUGE, "abc", "\x00", "1e400", "NaN", "", "[]", "x" * 5000) + CALENDAR_ENDS
VALUE_GARBAGE = (10**30, -(10**30), 2**31, 1e308, "\x00", "a\x00b", "nul\u0000", [], {}, True, "x" * 100_000,
                 "\ud800", None) + CALENDAR_ENDS
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


PAGE_QUERY = ("page", "page_size", "from", "to", "status", "journey_id", "department_id", "basis", "discount_rate",
              "group_by", "unread", "metric", "format", "window_months")


def test_crafted_queries_never_make_a_page_fail(app, api):
    """Every page, signed in as an admin, with numbers beyond 64 bits and dates at the calendar's ends."""
    from tests.conftest import sign_in_session

    with app.app_context():
        admin_id = db.session.scalar(db.select(User.id).where(User.role == "admin"))
    page = sign_in_session(app, app.test_client(), admin_id)
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods
             and not rule.rule.startswith(("/api", "/static")) and set(rule.arguments) <= {"id"} | {
                 a for a in rule.arguments if a.endswith("_id")}]
    assert len(rules) > 10
    for rule in rules:
        url = re.sub(r"<[^>]+>", "1", rule.rule)
        for value in (HUGE, "-" + HUGE) + CALENDAR_ENDS:
            # Every parameter at once, then the ones most pages read one by one (a page refusing
            # one parameter may never look at the next).
            for query in [dict.fromkeys(PAGE_QUERY, value)] + [{name: value} for name in ("page", "from", "to")]:
                response = page.get(url, query_string=query)
                assert response.status_code < 500, (url, query, response.status_code)


@pytest.mark.parametrize("url, field", [
    ("/api/meetings?from=0001-01-01T00:00:00%2B01:00", "from"),
    ("/api/meetings?to=9999-12-31T23:59:59-01:00", "to"),
    (f"/api/notifications?page={HUGE}", "page"),
    (f"/api/audit?page={HUGE}", "page"),
    (f"/api/journeys?page_size={HUGE}", "page_size"),
    ("/api/reports/ambassadors?to=0001-01-01", "to"),
])
def test_crafted_values_are_422_naming_the_field(api, url, field):
    response = api.get(url)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.json["errors"]


def test_an_instant_without_a_utc_equivalent_in_a_body_is_422_naming_the_field(app, api):
    meeting = api.get("/api/meetings").json["items"][0]
    for value in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        response = api.patch(f"/api/meetings/{meeting['id']}", json={"starts_at": value})
        assert response.status_code == 422 and "starts_at" in response.json["errors"], response.json
    assert api.get(f"/api/meetings/{meeting['id']}").json["starts_at"] == meeting["starts_at"]
