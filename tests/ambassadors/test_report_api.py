"""GET /api/reports/ambassadors: coverage, activity and silence per department, on a known dataset."""
import copy
from datetime import date, timedelta
from decimal import Decimal

import pytest

from cxgov.extensions import db
from tests import factories
from tests.ambassadors.conftest import TODAY
from tests.queries import recorded_statements

KINDS = ("training", "customer_story", "voc_session", "improvement_idea", "process_fix", "recognition", "other")
PERIOD = "from=2026-01-01&to=2026-03-31"


def _kinds(**counts):
    return {kind: counts.get(kind, 0) for kind in KINDS}


@pytest.fixture
def network(app):
    """Five departments: two active and busy/silent, one new, one uncovered with a past
    ambassador's actions, one never covered."""
    with app.app_context():
        alpha = factories.create_department(name="Alpha", code="A")
        beta = factories.create_department(name="Beta", code="B")
        gamma = factories.create_department(name="Gamma", code="G")
        delta = factories.create_department(name="Delta", code="D")
        factories.create_department(name="Epsilon", code="E")
        ann = factories.create_ambassador(department=alpha, started_on=date(2025, 10, 1),
                                          user=factories.create_user(name="Ann"))
        bob = factories.create_ambassador(department=beta, started_on=date(2025, 10, 1),
                                          user=factories.create_user(name="Bob"))
        former = factories.create_ambassador(department=gamma, started_on=date(2025, 10, 1),
                                             ended_on=date(2026, 1, 31))
        dee = factories.create_ambassador(department=delta, started_on=date(2026, 3, 15),
                                          user=factories.create_user(name="Dee"))
        add = factories.create_ambassador_action
        add(ann, occurred_on=date(2025, 12, 1), kind="training", people_reached=100, hours=Decimal("10"))
        add(ann, occurred_on=date(2026, 1, 10), kind="training", people_reached=10, hours=Decimal("2"))
        add(ann, occurred_on=date(2026, 2, 15), kind="voc_session", people_reached=5, hours=Decimal("1.5"))
        add(ann, occurred_on=date(2026, 3, 20), kind="customer_story", people_reached=20, hours=Decimal("0.25"))
        add(ann, occurred_on=date(2026, 4, 5), kind="other", people_reached=1, hours=Decimal("1"))
        add(bob, occurred_on=date(2026, 2, 1), kind="process_fix", people_reached=3, hours=Decimal("4"))
        add(former, occurred_on=date(2026, 1, 20), kind="recognition", people_reached=7, hours=Decimal("1"))
        return {"ann": (ann.id, ann.user_id), "bob": (bob.id, bob.user_id), "dee": (dee.id, dee.user_id)}


def test_report_figures_on_a_known_dataset(app, login_as, network):
    client = login_as("executive")
    response = client.get(f"/api/reports/ambassadors?{PERIOD}")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["from"] == "2026-01-01" and body["to"] == "2026-03-31" and body["silent_after_days"] == 30
    rows = {row["department"]["code"]: row for row in body["departments"]}
    assert [row["department"]["name"] for row in body["departments"]] == ["Alpha", "Beta", "Delta", "Epsilon", "Gamma"]

    alpha = rows["A"]
    assert alpha["ambassador"] == {"id": network["ann"][0], "user_id": network["ann"][1], "name": "Ann",
                                   "started_on": "2025-10-01"}
    assert alpha["covered"] is True and alpha["silent"] is False
    assert (alpha["actions"], alpha["people_reached"], alpha["hours"]) == (3, 35, 3.75)
    assert alpha["by_kind"] == _kinds(training=1, voc_session=1, customer_story=1)
    assert alpha["last_action_on"] == "2026-04-05"  # ever, not only in the period

    beta = rows["B"]
    assert beta["ambassador"]["name"] == "Bob"
    assert beta["silent"] is True  # last action 2026-02-01, more than 30 days before 2026-03-31
    assert (beta["actions"], beta["people_reached"], beta["hours"]) == (1, 3, 4.0)
    assert beta["by_kind"] == _kinds(process_fix=1)
    assert beta["last_action_on"] == "2026-02-01"

    delta = rows["D"]
    assert delta["covered"] is True and delta["silent"] is False  # assigned 16 days before `to`
    assert (delta["actions"], delta["last_action_on"]) == (0, None)
    assert delta["by_kind"] == _kinds()

    gamma = rows["G"]
    assert gamma["ambassador"] is None and gamma["covered"] is False and gamma["silent"] is False
    assert (gamma["actions"], gamma["people_reached"], gamma["hours"]) == (1, 7, 1.0)
    assert gamma["last_action_on"] == "2026-01-20"

    epsilon = rows["E"]
    assert epsilon["ambassador"] is None and epsilon["actions"] == 0 and epsilon["hours"] == 0

    assert body["totals"] == {
        "departments": 5, "covered": 3, "uncovered": 2, "silent": 1, "actions": 5, "people_reached": 45,
        "hours": 8.75, "by_kind": _kinds(training=1, voc_session=1, customer_story=1, process_fix=1, recognition=1),
    }
    assert body["months"] == [
        {"month": "2026-01", "actions": 2, "people_reached": 17, "hours": 3.0},
        {"month": "2026-02", "actions": 2, "people_reached": 8, "hours": 5.5},
        {"month": "2026-03", "actions": 1, "people_reached": 20, "hours": 0.25},
    ]


def test_silence_is_measured_up_to_the_end_of_the_period(app, login_as, network):
    client = login_as("cx_leader")
    body = client.get("/api/reports/ambassadors?from=2026-01-01&to=2026-02-20").json
    rows = {row["department"]["code"]: row for row in body["departments"]}
    assert rows["A"]["silent"] is False and rows["B"]["silent"] is False
    assert body["months"][-1]["month"] == "2026-02"
    later = client.get("/api/reports/ambassadors?from=2026-04-01&to=2026-06-30").json
    rows = {row["department"]["code"]: row for row in later["departments"]}
    assert rows["A"]["silent"] is True and rows["D"]["silent"] is True
    assert later["totals"]["silent"] == 3
    assert [m["month"] for m in later["months"]] == ["2026-04", "2026-05", "2026-06"]
    assert later["months"][0]["actions"] == 1


def test_the_default_period_is_the_last_90_days(app, login_as):
    client = login_as("admin")
    body = client.get("/api/reports/ambassadors").json
    assert body["to"] == TODAY.isoformat()
    assert body["from"] == (TODAY - timedelta(days=90)).isoformat()
    assert body["totals"]["departments"] == 0
    only_to = client.get("/api/reports/ambassadors?to=2026-03-31").json
    assert only_to["from"] == "2025-12-31"


@pytest.mark.parametrize("query,field", [
    ("from=2026-04-01&to=2026-03-01", "from"),
    ("from=yesterday", "from"),
    ("to=2026-13-01", "to"),
    ("from=2000-01-01&to=2026-01-01", "from"),
])
def test_bad_period_is_422(app, login_as, query, field):
    response = login_as("cx_leader").get(f"/api/reports/ambassadors?{query}")
    assert response.status_code == 422
    assert field in response.json["errors"]


@pytest.mark.parametrize("role,status", [
    ("member", 403), ("ambassador", 200), ("ended_ambassador", 403), ("executive", 200),
    ("cx_leader", 200), ("admin", 200),
])
def test_who_reads_the_network_report(app, as_role, role, status):
    # SPEC §5, §11: active ambassadors read the network report; an ended assignment does not count.
    assert as_role(role).get(f"/api/reports/ambassadors?{PERIOD}").status_code == status


def test_anonymous_gets_401(client):
    assert client.get("/api/reports/ambassadors").status_code == 401


def _statements(app, client, query):
    with recorded_statements(app) as seen:
        response = client.get(f"/api/reports/ambassadors?{query}")
    assert response.status_code == 200
    return len(seen), response.json


def _grow(app, departments):
    with app.app_context():
        for n in range(departments):
            department = factories.create_department()
            if n % 3 == 2:
                continue  # uncovered
            assignment = factories.create_ambassador(department=department, started_on=date(2025, 10, 1),
                                                     user=factories.create_user(password=None))
            for day in (3, 40, 70):
                factories.create_ambassador_action(assignment, occurred_on=date(2026, 1, 1) + timedelta(days=day),
                                                   kind=KINDS[(n + day) % len(KINDS)])


def test_the_report_costs_the_same_number_of_queries_whatever_the_size(app, login_as):
    client = login_as("executive")
    _grow(app, 2)
    small, small_body = _statements(app, client, PERIOD)
    _grow(app, 18)
    large, large_body = _statements(app, client, PERIOD)
    assert small_body["totals"]["departments"] == 2 and large_body["totals"]["departments"] == 20
    assert large_body["totals"]["actions"] == 3 * 14
    assert small == large


def test_each_department_has_a_health_score_with_its_parts(app, login_as, network):
    with app.app_context():
        zeta = factories.create_department(name="Zeta", code="Z")
        for _ in range(4):
            factories.create_user(department_id=zeta.id, password=None)
        factories.create_user(department_id=zeta.id, password=None, active=False)  # not a head
        zoe = factories.create_ambassador(department=zeta, started_on=date(2025, 10, 1))  # a fifth head
        idea = factories.create_ambassador_action(zoe, occurred_on=date(2026, 3, 25), kind="improvement_idea",
                                                  people_reached=5)
        idea.initiative_id = factories.create_initiative().id
        factories.create_ambassador_action(zoe, occurred_on=date(2026, 3, 1), kind="training", people_reached=5)
        # A recognition given on the last day counts in no part: recency stays 6 days.
        factories.create_ambassador_action(zoe, occurred_on=date(2026, 3, 31), kind="recognition",
                                           people_reached=100)
        db.session.commit()
    body = login_as("executive").get(f"/api/reports/ambassadors?{PERIOD}").json
    assert "coverage" in body["health_formula"] and "ideas_converted" in body["health_formula"]
    rows = {row["department"]["code"]: row for row in body["departments"]}

    zeta = rows["Z"]
    assert zeta["heads"] == 5
    assert zeta["health_parts"] == {
        "coverage": {"value": True, "points": 20, "max_points": 20},
        "recency": {"value": 6, "points": 20, "max_points": 20},
        "cadence": {"value": 0.67, "points": 7, "max_points": 20},  # 2 actions × 30 / 90 days
        "breadth": {"value": 2, "points": 8, "max_points": 15},  # 15 × 2 / 4 = 7.5 → 8
        "reach": {"value": 2.0, "points": 15, "max_points": 15},  # 10 people / 5 heads
        "ideas_converted": {"value": 1, "points": 10, "max_points": 10, "ideas": 1},
    }
    assert zeta["health_score"] == 80

    # Alpha: last action 2026-03-20 (11 days): 18; 3 actions in 90 days: 10; 3 kinds: 11; no heads: 0.
    assert rows["A"]["health_score"] == 20 + 18 + 10 + 11
    assert rows["A"]["health_parts"]["reach"]["value"] is None
    # Gamma: no active ambassador, its former ambassador's recognition counts for nothing.
    assert rows["G"]["health_parts"]["coverage"]["points"] == 0 and rows["G"]["health_score"] == 0
    assert rows["E"]["health_score"] == 0


def test_the_health_trend_scores_the_end_of_each_of_the_last_12_months(app, login_as):
    with app.app_context():
        joined = factories.create_ambassador(department=factories.create_department(name="Omega", code="O"),
                                             started_on=date(2025, 10, 1))
        factories.create_ambassador_action(joined, occurred_on=date(2026, 3, 20), kind="training", people_reached=3)
        factories.create_ambassador_action(joined, occurred_on=date(2026, 3, 21), kind="recognition")
        db.session.commit()
    body = login_as("cx_leader").get("/api/reports/ambassadors?to=2026-03-31").json
    trend = body["health_trend"]
    assert trend["dates"][0] == "2025-04-30" and trend["dates"][-2:] == ["2026-02-28", "2026-03-31"]
    assert len(trend["dates"]) == 12
    omega = body["departments"][0]
    # Not yet covered before October; covered but silent from October to February (20); in March:
    # 20 + recency 18 (11 days) + cadence 3 (1 action in 91 days) + breadth 4 (1 kind) + reach 15 (3 people
    # for one head, the ambassador); the recognition counts for nothing.
    assert omega["health_trend"] == [0] * 6 + [20] * 5 + [60]
    assert omega["health_trend"][-1] == omega["health_score"]  # the same 90 days up to `to`
    assert trend["network"] == omega["health_trend"]


def test_the_openapi_description_documents_the_health_score(login_as):
    spec = login_as("member").get("/api/openapi.json").json
    schemas = spec["components"]["schemas"]
    report = schemas["AmbassadorReport"]["properties"]
    assert {"health_formula", "health_trend"} <= set(report)
    department = schemas["DepartmentActivity"]["properties"]
    assert {"health_score", "health_parts", "health_trend", "heads"} <= set(department)
    assert set(schemas["HealthParts"]["properties"]) == {"coverage", "recency", "cadence", "breadth", "reach",
                                                         "ideas_converted"}
    operation = spec["paths"]["/api/reports/ambassadors"]["get"]
    assert "ideas_converted" in operation["description"]


def test_the_report_without_its_trend_has_the_same_scores_and_silences(app):
    """The home page, the standing agenda's silent ambassadors and an ambassador's page read the
    report without its health trend: every other figure is the full report's."""
    from cxgov.ambassadors import report

    with app.app_context():
        quiet = factories.create_ambassador(department=factories.create_department(name="Quiet", code="Q"),
                                            started_on=date(2025, 10, 1))
        busy = factories.create_ambassador(department=factories.create_department(name="Busy", code="B"),
                                           started_on=date(2025, 10, 1))
        factories.create_ambassador_action(quiet, occurred_on=date(2026, 1, 5), kind="training", people_reached=3)
        factories.create_ambassador_action(busy, occurred_on=date(2026, 3, 20), kind="training", people_reached=9)
        db.session.commit()
        period = report.report_period(today=date(2026, 3, 31))
        # Copies: the kept reports are read, never changed.
        full, short = copy.deepcopy(report.ambassador_report(*period)), report.ambassador_report(*period, trend=False)
    assert {row["department"]["name"]: row["silent"] for row in short["departments"]} == {"Quiet": True, "Busy": False}
    del full["health_trend"]
    for row in full["departments"]:
        del row["health_trend"]
    assert full == short


def test_a_kept_report_is_read_again_until_the_network_changes(app, login_as):
    """A process keeps each network report: the API's second answer reads fewer statements, and
    after a new action, a renamed department, a member who leaves and an ended assignment the
    report equals one computed afresh."""
    from cxgov.ambassadors import report

    with app.app_context():
        sales = factories.create_department(name="Sales", code="S")
        ambassador = factories.create_ambassador(department=sales, started_on=date(2026, 1, 1))
        member = factories.create_user(department_id=sales.id)
        factories.create_ambassador_action(ambassador, occurred_on=date(2026, 3, 2), people_reached=4)
        db.session.commit()
        ambassador_id, sales_id, member_id = ambassador.id, sales.id, member.id
    api = login_as("cx_leader")
    with recorded_statements(app) as computed:
        answer = api.get(f"/api/reports/ambassadors?{PERIOD}").json
    with recorded_statements(app) as kept:
        assert api.get(f"/api/reports/ambassadors?{PERIOD}").json == answer
    assert len(kept) < len(computed)

    def fresh():
        period = (date(2026, 1, 1), date(2026, 3, 31))
        with app.app_context():
            assert report.ambassador_report(*period) == report._ambassador_report(*period, True)
            return next(row for row in report.ambassador_report(*period)["departments"]
                        if row["department"]["id"] == sales_id)

    assert fresh()["actions"] == 1 and fresh()["heads"] == 2
    with app.app_context():
        factories.create_ambassador_action(db.session.get(factories.Ambassador, ambassador_id),
                                           occurred_on=date(2026, 3, 20), kind="voc_session")
        db.session.commit()
    assert fresh()["actions"] == 2
    with app.app_context():
        db.session.get(factories.Department, sales_id).name = "Sales and growth"
        db.session.commit()
    assert fresh()["department"]["name"] == "Sales and growth"
    with app.app_context():
        db.session.get(factories.User, member_id).active = False
        db.session.commit()
    assert fresh()["heads"] == 1
    with app.app_context():
        db.session.get(factories.Ambassador, ambassador_id).ended_on = date(2026, 3, 25)
        db.session.commit()
    assert fresh()["covered"] is False
    assert api.get(f"/api/reports/ambassadors?{PERIOD}").json["totals"]["uncovered"] == 1


def test_a_kept_report_follows_an_idea_s_initiative_deleted(app, login_as):
    """Deleting a proposal the database unlinks from the idea it came from (SET NULL): the kept
    report's ideas converted follow at the next read."""
    with app.app_context():
        ambassador = factories.create_ambassador(started_on=date(2026, 1, 1))
        idea = factories.create_ambassador_action(ambassador, occurred_on=date(2026, 3, 2), kind="improvement_idea")
        idea.initiative_id = factories.create_initiative(title="From the idea").id
        db.session.commit()
        department_id, initiative_id = ambassador.department_id, idea.initiative_id
    api = login_as("cx_leader")

    def converted():
        row = next(row for row in api.get(f"/api/reports/ambassadors?{PERIOD}").json["departments"]
                   if row["department"]["id"] == department_id)
        return row["health_parts"]["ideas_converted"]["value"]

    assert converted() == converted() == 1
    assert api.delete(f"/api/initiatives/{initiative_id}").status_code == 204
    assert converted() == 0
