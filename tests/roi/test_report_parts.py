"""`include` and paging of /api/reports/roi and /api/reports/benefits: a caller asks for the parts
it reads and a page of initiatives; totals and groups are always those of the full report."""
from datetime import date
from decimal import Decimal

import pytest

from cxgov.extensions import db
from cxgov.initiatives.gate import freeze_baseline
from tests import factories
from tests.queries import count_statements, recorded_statements
from tests.roi import test_benefits_api

ROLES = ("member", "executive", "cx_leader", "admin")
PARTS = ("totals", "groups", "initiatives")


def portfolio(app, owner_id=None, names=("Sales", "Service", "Onboarding", "Billing")):
    """Seven initiatives over two departments, two journeys, four statuses and four categories,
    with awkward amounts on both bases, baselines for four; the first three owned by `owner_id`."""
    with app.app_context():
        departments = [factories.create_department(name=name) for name in names[:2]]
        journeys = [factories.create_journey(name=name) for name in names[2:]]
        owner = db.session.get(factories.User, owner_id) if owner_id else None
        statuses = ("approved", "delivered", "proposed", "in_progress")
        categories = ("digital", "process", "people", "policy")
        ids = []
        for n in range(7):
            initiative = factories.create_initiative(
                title=f"Initiative {7 - n}", department=departments[n % 2], journey=journeys[n // 4],
                status=statuses[n % 4], category=categories[(n + 1) % 4], owner=owner if n < 3 else None)
            if n != 2:  # one without cash flows
                factories.add_cash_flow(initiative, "cost", 0, f"{333.33 * (n + 1):.2f}",
                                        risk_adjustment=Decimal("0.1234"))
                factories.add_cash_flow(initiative, "benefit", 1, f"{250.01 + n:.2f}",
                                        risk_adjustment=Decimal("0.0777"))
                factories.add_cash_flow(initiative, "benefit", 2 + n % 3, "400.17", risk_adjustment=Decimal("0.05"))
                factories.add_cash_flow(initiative, "benefit", 1, f"{99.99 * (n + 1):.2f}", basis="actual")
                factories.add_cash_flow(initiative, "cost", 0, "100", basis="actual")
            if n % 2 == 0:
                freeze_baseline(initiative, date(2025, 1, 1))
            ids.append(initiative.id)
        db.session.commit()
        return ids


def without(report, *keys):
    return {key: value for key, value in report.items() if key not in keys}


@pytest.mark.parametrize("basis", ["planned", "actual", "baseline"])
@pytest.mark.parametrize("group_by", ["department", "journey", "status", "category"])
def test_the_parts_are_the_full_reports(login_as, app, basis, group_by):
    portfolio(app)
    api = login_as("executive")
    query = f"basis={basis}&group_by={group_by}&discount_rate=0.07"
    full = api.get(f"/api/reports/roi?{query}").json
    assert len(full["initiatives"]) == 7 and full["totals"]["pv_costs"] != "0.00"
    assert api.get(f"/api/reports/roi?{query}&include=totals,groups,initiatives").json == full
    assert api.get(f"/api/reports/roi?{query}&include=totals,groups").json == without(full, "initiatives")
    assert api.get(f"/api/reports/roi?{query}&include=groups,totals").json == without(full, "initiatives")
    assert api.get(f"/api/reports/roi?{query}&include=totals").json == without(full, "initiatives", "groups")
    assert api.get(f"/api/reports/roi?{query}&include=groups").json == without(full, "initiatives", "totals")
    assert api.get(f"/api/reports/roi?{query}&include=initiatives").json == without(full, "groups", "totals")
    # Paging the initiatives changes neither totals nor groups.
    paged = api.get(f"/api/reports/roi?{query}&page=2&page_size=3").json
    assert without(paged, "initiatives", "total", "page", "page_size") == without(full, "initiatives")
    # Each page's rows, computed for its initiatives alone, are the full report's.
    assert paged["initiatives"] == full["initiatives"][3:6]
    last = api.get(f"/api/reports/roi?{query}&page=3&page_size=3&include=initiatives").json
    assert last == {**without(full, "groups", "totals"), "initiatives": full["initiatives"][6:],
                    "total": 7, "page": 3, "page_size": 3}


@pytest.mark.parametrize("group_by", ["department", "journey", "status", "category"])
def test_the_benefits_parts_are_the_full_reports(login_as, app, group_by):
    test_benefits_api.portfolio(app)
    portfolio(app, names=("Marketing", "service", "Renewal", "billing"))  # labels equal but for case
    api = login_as("cx_leader")
    full = api.get(f"/api/reports/benefits?group_by={group_by}").json
    assert len(full["initiatives"]) == 8
    for include in ("totals,groups", "totals", "groups", "initiatives", "initiatives,totals"):
        parts = include.split(",")
        assert api.get(f"/api/reports/benefits?group_by={group_by}&include={include}").json == without(
            full, *(key for key in PARTS if key not in parts)), include
    paged = api.get(f"/api/reports/benefits?group_by={group_by}&page=2&page_size=3").json
    assert paged["initiatives"] == full["initiatives"][3:6]
    assert (paged["total"], paged["page"], paged["page_size"]) == (8, 2, 3)
    assert without(paged, "initiatives", "total", "page", "page_size") == without(full, "initiatives")


def test_pages_follow_the_documented_order(login_as, app):
    ids = portfolio(app)
    api = login_as("admin")
    full = api.get("/api/reports/roi").json
    assert [row["id"] for row in full["initiatives"]] == sorted(ids)  # by id
    assert "total" not in full and "page" not in full and "page_size" not in full  # SPEC §4 as it was
    pages = [api.get(f"/api/reports/roi?page={page}&page_size=3").json for page in (1, 2, 3, 4)]
    assert [row for page in pages for row in page["initiatives"]] == full["initiatives"]
    assert [len(page["initiatives"]) for page in pages] == [3, 3, 1, 0]  # past the end: empty, not an error
    assert {(page["total"], page["page_size"]) for page in pages} == {(7, 3)}
    assert [page["page"] for page in pages] == [1, 2, 3, 4]
    # page alone takes the lists' page size (50); page_size alone the first page.
    alone = api.get("/api/reports/roi?page=1").json
    assert (alone["page"], alone["page_size"], alone["total"]) == (1, 50, 7) and alone["initiatives"] == full[
        "initiatives"]
    assert api.get("/api/reports/roi?page_size=2").json["initiatives"] == full["initiatives"][:2]
    # Without initiatives there is nothing to page: the paging parameters change nothing.
    assert api.get("/api/reports/roi?include=totals&page=2").json == without(full, "initiatives", "groups")
    benefits = api.get("/api/reports/benefits").json["initiatives"]
    titles = [row["title"] for page in (1, 2) for row in
              api.get(f"/api/reports/benefits?page={page}&page_size=2").json["initiatives"]]
    assert titles == [row["title"] for row in benefits]  # realisation, then title and id


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_parts_of_its_own_report(login_as, app, role):
    """SPEC §5: members read the figures of their own initiatives only, in every part and page."""
    api = login_as(role)
    ids = portfolio(app, owner_id=api.user_id)
    seen = ids[:3] if role == "member" else ids
    full = api.get("/api/reports/roi?group_by=status").json
    assert [row["id"] for row in full["initiatives"]] == seen
    assert sum(group["initiatives"] for group in full["groups"]) == len(seen)
    assert api.get("/api/reports/roi?group_by=status&include=totals,groups").json == without(full, "initiatives")
    page = api.get("/api/reports/roi?group_by=status&page=1&page_size=2").json
    assert page["total"] == len(seen) and page["initiatives"] == full["initiatives"][:2]
    benefits = api.get("/api/reports/benefits").json
    assert api.get("/api/reports/benefits?include=totals").json == without(benefits, "initiatives", "groups")
    assert benefits["totals"]["initiatives"] == (2 if role == "member" else 4)
    assert api.get("/api/reports/benefits?page=1").json["total"] == benefits["totals"]["initiatives"]


def test_anonymous_gets_401_whatever_it_asks(client):
    for path in ("/api/reports/roi?include=totals", "/api/reports/roi?page=1",
                 "/api/reports/benefits?include=totals,groups"):
        assert client.get(path).status_code == 401


@pytest.mark.parametrize("query, field", [
    ("include=forecast", "include"), ("include=totals,forecast", "include"), ("include=", "include"),
    ("include=totals,", "include"), ("include=Totals", "include"),
    ("page=0", "page"), ("page=-1", "page"), ("page=abc", "page"), ("page=1.5", "page"),
    ("page_size=0", "page_size"), ("page_size=-5", "page_size"), ("page_size=201", "page_size"),
    ("page=1&page_size=x", "page_size"),
])
@pytest.mark.parametrize("path", ["/api/reports/roi", "/api/reports/benefits"])
def test_bad_values_are_422_naming_the_field(login_as, path, query, field):
    response = login_as("executive").get(f"{path}?{query}")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"], response.json


def test_without_initiatives_the_report_reads_no_initiative_rows(login_as, app):
    """Totals and groups need each initiative's group and present values only: no titles, no
    payback (the window over the years), whatever the number of initiatives."""
    portfolio(app)
    api = login_as("executive")

    def statements(path):
        with recorded_statements(app) as sent:
            assert api.get(path).status_code == 200
        return [statement.lower() for statement in sent]

    full = statements("/api/reports/roi?group_by=status")
    assert any("over (" in statement and "initiatives.title" in statement for statement in full)
    for include in ("totals,groups", "totals", "groups"):
        lean = statements(f"/api/reports/roi?group_by=status&include={include}")
        assert len(lean) == len(full)
        assert not any("over (" in statement or "initiatives.title" in statement for statement in lean), include
        # Grouped by status, the names of departments and journeys are not read either.
        assert not any("departments" in statement or "journeys" in statement for statement in lean), include
    department = statements("/api/reports/roi?group_by=department&include=groups")
    assert any("departments.name" in statement for statement in department)
    assert not any("journeys" in statement for statement in department)


@pytest.mark.parametrize("include", ["totals,groups,initiatives", "initiatives", "groups,initiatives"])
def test_a_page_computes_the_rows_of_its_initiatives_alone(login_as, app, include):
    """The payback window runs over the page's initiatives (a LIMIT in its statement), and the
    number of statements does not grow with the portfolio."""
    portfolio(app)
    api = login_as("executive")
    path = f"/api/reports/roi?include={include}&page=2&page_size=2"
    with recorded_statements(app) as sent:
        assert api.get(path).status_code == 200
    windows = [statement.lower() for statement in sent if "over (" in statement.lower()]
    assert len(windows) == 1 and "limit" in windows[0]
    portfolio(app, names=("Legal", "Finance", "Claims", "Renewal"))
    assert count_statements(app, lambda: api.get(path)) == len(sent)
    assert api.get(path).json["total"] == 14


def test_the_openapi_documents_the_parameters(login_as):
    spec = login_as("member").get("/api/openapi.json").json
    for path, row_schema in (("/api/reports/roi", "InitiativeRoi"), ("/api/reports/benefits", "InitiativeBenefits")):
        operation = spec["paths"][path]["get"]
        parameters = {p["name"]: p for p in operation["parameters"]}
        include = parameters["include"]
        assert include["in"] == "query" and include["explode"] is False and include["style"] == "form"
        assert include["schema"]["type"] == "array" and include["schema"]["minItems"] == 1
        assert include["schema"]["items"]["enum"] == list(PARTS)
        assert include["schema"]["default"] == list(PARTS)
        assert "absent" in include["description"]
        assert parameters["page"]["schema"]["minimum"] == 1
        assert (parameters["page_size"]["schema"]["minimum"], parameters["page_size"]["schema"]["maximum"]) == (1, 200)
        assert "422" in operation["responses"]
        reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        answer = spec["components"]["schemas"][reference.rsplit("/", 1)[1]]
        assert {"totals", "groups", "initiatives", "total", "page", "page_size"} <= set(answer["properties"])
        assert not answer.get("required")  # every part may be left out
        assert answer["properties"]["initiatives"]["items"]["$ref"].endswith(row_schema)
    for csv_path in ("/api/reports/roi.csv", "/api/reports/benefits.csv"):  # the CSV lists every initiative
        names = {p["name"] for p in spec["paths"][csv_path]["get"]["parameters"]}
        assert not names & {"include", "page", "page_size"}
