"""The decision register and trace (SPEC §8.5): GET /api/decisions, GET /api/decisions/{id}/trace."""
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from cxgov.extensions import db
from cxgov.initiatives import calc
from tests import factories
from tests.queries import count_statements
from tests.steering import register_world
from tests.steering.helpers import client_for


@pytest.fixture
def world(app):
    return register_world.build(app)


def _outcomes(client, query=""):
    answer = client.get(f"/api/decisions?page_size=200&{query}")
    assert answer.status_code == 200, answer.json
    return {item["id"]: item["outcome"] for item in answer.json["items"]}


def test_every_decision_carries_its_outcome(login_as, world):
    outcomes = _outcomes(login_as("executive"))
    for expected, decision_id in world["decisions"].items():
        assert outcomes[decision_id] == expected, expected
    assert outcomes[world["correction"]] == "recorded"


def test_an_item_names_its_meeting_and_initiative(login_as, world):
    items = login_as("member").get("/api/decisions?page_size=200").json["items"]
    realised = next(i for i in items if i["id"] == world["decisions"]["realised"])
    assert realised["meeting_title"] == "Board in September" and realised["meeting_date"] == "2026-09-01"
    assert realised["committee_name"] == "Board" and realised["initiative_title"] == "Faster refunds"
    assert realised["kind"] == "approve_initiative" and realised["initiative_status"] == "closed"
    superseded = next(i for i in items if i["id"] == world["decisions"]["superseded"])
    assert superseded["corrected_by_id"] == world["correction"]
    recorded = next(i for i in items if i["id"] == world["decisions"]["recorded"])
    assert recorded["initiative_id"] is None and recorded["initiative_title"] is None


def test_newest_meeting_first_then_newest_decision(login_as, world):
    items = login_as("member").get("/api/decisions?page_size=200").json["items"]
    keys = [(i["meeting_starts_at"], i["id"]) for i in items]
    assert keys == sorted(keys, reverse=True)
    assert items[0]["meeting_title"] == "November steering"


@pytest.mark.parametrize("outcome", ["pending", "realised", "superseded", "recorded", "measured"])
def test_filtering_by_outcome(login_as, world, outcome):
    outcomes = _outcomes(login_as("executive"), f"outcome={outcome}")
    assert set(outcomes.values()) == {outcome}
    assert world["decisions"][outcome] in outcomes


def test_the_outcome_filter_pages_exactly(login_as, app, world):
    with app.app_context():
        meeting = db.session.get(factories.Meeting, world["october"])
        for n in range(5):
            factories.create_decision(meeting, text=f"Note {n}")
    client = login_as("member")
    everything = client.get("/api/decisions?outcome=recorded&page_size=200").json
    assert everything["total"] == 7  # the note, the correction and five more
    pages = [client.get(f"/api/decisions?outcome=recorded&page_size=3&page={p}").json for p in (1, 2, 3)]
    assert [p["total"] for p in pages] == [7, 7, 7]
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    assert [i["id"] for p in pages for i in p["items"]] == [i["id"] for i in everything["items"]]


def test_filters_by_committee_meeting_initiative_kind_and_dates(login_as, world):
    client = login_as("member")
    ids = world["decisions"]
    assert set(_outcomes(client, f"committee_id={world['board']}")) == {ids["realised"], ids["not_realised"]}
    assert set(_outcomes(client, f"meeting_id={world['november']}")) == {ids["pending"], ids["recorded"],
                                                                         world["correction"]}
    assert set(_outcomes(client, "kind=reject_initiative")) == {ids["rejected"]}
    assert set(_outcomes(client, f"initiative_id={world['measured_initiative']}")) == {ids["measured"]}
    october = set(_outcomes(client, "from=2026-10-01&to=2026-10-31"))
    assert ids["measured"] in october and ids["pending"] not in october and ids["realised"] not in october
    november = set(_outcomes(client, f"meeting_id={world['november']}"))
    assert set(_outcomes(client, "from=2026-11-02&to=2026-11-02")) == november


def test_dates_are_the_organisations(app, login_as, world):
    """A meeting at 23:30 UTC on 31 October is on 1 November in Berlin."""
    app.config["CXGOV_TIMEZONE"] = "Europe/Berlin"
    with app.app_context():
        late = factories.create_meeting(starts_at=datetime(2026, 10, 31, 23, 30, tzinfo=timezone.utc))
        decision = factories.create_decision(late, text="Late").id
    client = login_as("member")
    assert decision in _outcomes(client, "from=2026-11-01&to=2026-11-01")
    assert decision not in _outcomes(client, "from=2026-10-31&to=2026-10-31")
    item = next(i for i in client.get("/api/decisions?page_size=200").json["items"] if i["id"] == decision)
    assert item["meeting_date"] == "2026-11-01"


@pytest.mark.parametrize("query, field", [("outcome=won", "outcome"), ("kind=maybe", "kind"),
                                          ("from=2026-12-01&to=2026-11-01", "from"), ("from=tomorrow", "from")])
def test_bad_filters_are_422_naming_the_field(login_as, query, field):
    answer = login_as("member").get(f"/api/decisions?{query}")
    assert answer.status_code == 422 and field in str(answer.json["errors"])


def test_the_register_costs_the_same_statements_for_one_decision_or_many(app, login_as):
    client = login_as("member")
    with app.app_context():
        factories.create_decision(factories.create_meeting(starts_at=register_world.OCTOBER),
                                  initiative=factories.create_initiative(status="approved"))
    calls = [lambda: client.get("/api/decisions"), lambda: client.get("/api/decisions?outcome=pending")]
    few = [count_statements(app, call) for call in calls]
    register_world.build(app)
    with app.app_context():
        meeting = factories.create_meeting(starts_at=register_world.NOVEMBER)
        for n in range(20):
            initiative = factories.create_initiative(status=("approved", "delivered", "closed")[n % 3],
                                                     delivered_on=register_world.DELIVERED)
            factories.create_decision(meeting, initiative=initiative)
    assert [count_statements(app, call) for call in calls] == few


# -- the trace ---------------------------------------------------------------------------------------

def test_the_trace_reads_from_the_meeting_to_the_verdicts(app, login_as, world):
    answer = login_as("executive").get(f"/api/decisions/{world['decisions']['realised']}/trace")
    assert answer.status_code == 200, answer.json
    trace = answer.json
    assert trace["decision"]["outcome"] == "realised" and trace["meeting"]["title"] == "Board in September"
    assert trace["initiative"]["title"] == "Faster refunds" and trace["figures_visible"] is True
    planned = calc.compute_roi([calc.Flow("cost", 0, Decimal("10000"), Decimal(0)),
                                calc.Flow("benefit", 1, Decimal("15000"), Decimal(0))], Decimal("0.1"))
    actual = calc.compute_roi([calc.Flow("cost", 0, Decimal("9000"), Decimal(0)),
                               calc.Flow("benefit", 1, Decimal("13200"), Decimal(0))], Decimal("0.1"))
    assert trace["baseline"] is None  # made by hand, never approved through the lifecycle
    assert trace["actual"] == {"npv": f"{actual.npv:.2f}", "roi": round(float(actual.roi), 4)}
    assert planned.npv > actual.npv
    [impact] = trace["impacts"]
    assert impact["metric"]["code"] == "csat" and impact["baseline_value"] == 30 and impact["target_value"] == 45
    assert impact["actual_value"] == 42 and impact["annual_value"] == "12000.00"  # (42 − 30) × 2000 × 0.5
    assert [(r["number"], r["verdict"], r["notes"]) for r in trace["reviews"]] == [
        (1, "partly_achieved", "Half the way."), (2, "achieved", "The value came.")]
    assert trace["reviews"][1]["recorded_by_id"] == world["leader"]
    assert trace["reviews"][1]["snapshot"]["actual_npv"] == "1234.50"


def test_the_trace_follows_an_approval_through_the_lifecycle(app, login_as):
    """Approved through the API: the baseline is the one frozen at approval, the transitions the history."""
    leader = login_as("cx_leader")
    with app.app_context():
        initiative = factories.complete_plan(factories.create_initiative())
        meeting = factories.create_meeting(starts_at=datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc))
        decision = factories.create_decision(meeting, initiative=initiative).id
        initiative_id = initiative.id
    url = f"/api/initiatives/{initiative_id}/transitions"
    assert leader.post(url, json={"to": "approved", "decision_id": decision, "on": "2026-11-02"}).status_code == 201
    assert leader.post(url, json={"to": "in_progress", "on": "2026-11-03"}).status_code == 201
    trace = leader.get(f"/api/decisions/{decision}/trace").json
    baseline = leader.get(f"/api/initiatives/{initiative_id}/baseline").json
    assert trace["baseline"] == {"npv": baseline["npv"], "roi": baseline["roi"]}
    assert [(t["to_status"], t["decision_id"]) for t in trace["transitions"]] == [
        ("approved", decision), ("in_progress", None)]
    assert trace["decision"]["outcome"] == "in_delivery"
    assert trace["actual"] == {"npv": "0.00", "roi": None}


def test_a_trace_without_initiative(login_as, world):
    trace = login_as("member").get(f"/api/decisions/{world['decisions']['recorded']}/trace").json
    assert trace["decision"]["outcome"] == "recorded" and trace["meeting"]["title"] == "November steering"
    assert (trace["initiative"], trace["baseline"], trace["actual"]) == (None, None, None)
    assert (trace["transitions"], trace["impacts"], trace["reviews"]) == ([], [], [])


def test_a_missing_decision_is_404(login_as):
    assert login_as("member").get("/api/decisions/999999/trace").status_code == 404


@pytest.mark.parametrize("role", ["admin", "cx_leader", "executive"])
def test_the_reports_roles_read_every_figure(login_as, world, role):
    trace = login_as(role).get(f"/api/decisions/{world['decisions']['realised']}/trace").json
    assert trace["figures_visible"] and trace["actual"]["npv"] is not None
    assert trace["impacts"][0]["annual_value"] == "12000.00" and trace["reviews"][0]["snapshot"] is not None


def test_a_member_reads_the_figures_of_own_initiatives_only(app, login_as, world):
    owner = client_for(app, world["owner"])
    own = owner.get(f"/api/decisions/{world['decisions']['realised']}/trace").json
    assert own["figures_visible"] and own["impacts"][0]["annual_value"] == "12000.00"
    assert own["reviews"][1]["snapshot"] is not None
    other = login_as("member").get(f"/api/decisions/{world['decisions']['realised']}/trace").json
    assert other["figures_visible"] is False
    assert other["actual"] == {"npv": None, "roi": None}
    assert other["impacts"][0]["annual_value"] is None and other["impacts"][0]["actual_value"] == 42
    assert [r["snapshot"] for r in other["reviews"]] == [None, None]
    assert [r["verdict"] for r in other["reviews"]] == ["partly_achieved", "achieved"]
    assert other["decision"]["outcome"] == "realised"


def test_a_member_sees_that_a_baseline_exists_without_its_figures(app, login_as):
    leader = login_as("cx_leader")
    with app.app_context():
        initiative = factories.complete_plan(factories.create_initiative())
        meeting = factories.create_meeting(starts_at=datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc))
        decision, initiative_id = factories.create_decision(meeting, initiative=initiative).id, initiative.id
    leader.post(f"/api/initiatives/{initiative_id}/transitions",
                json={"to": "approved", "decision_id": decision, "on": "2026-11-02"})
    trace = login_as("member").get(f"/api/decisions/{decision}/trace").json
    assert trace["baseline"] == {"npv": None, "roi": None}


def test_the_trace_costs_the_same_statements_whatever_its_size(app, login_as, world):
    client = login_as("executive")
    with app.app_context():
        small = factories.create_initiative(status="delivered", delivered_on=register_world.DELIVERED)
        decision = factories.create_decision(factories.create_meeting(starts_at=register_world.OCTOBER),
                                             initiative=small).id
        register_world._review(small, 1, "achieved", by=factories.create_user())
        factories.add_impact(small, metric_code="csat")
        factories.add_cash_flow(small, kind="cost", basis="actual", amount="100")
        small_id = small.id
    few = count_statements(app, lambda: client.get(f"/api/decisions/{decision}/trace"))
    with app.app_context():
        from cxgov.initiatives.models import Initiative
        small = db.session.get(Initiative, small_id)
        for code in ("nps", "ces", "churn_rate", "retention_rate"):
            factories.add_impact(small, metric_code=code)
            factories.add_cash_flow(small, kind="cost", basis="actual", amount="100")
        for number in range(2, 6):
            register_world._review(small, number, "achieved", by=factories.create_user())
        for _ in range(3):
            small_meeting = factories.create_meeting(starts_at=register_world.NOVEMBER)
            factories.create_decision(small_meeting, kind="other", text="A correction", corrects_id=decision)
    assert count_statements(app, lambda: client.get(f"/api/decisions/{decision}/trace")) == few
