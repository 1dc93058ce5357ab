"""The approval gate, the attribution budget and the approved baseline through the API
(SPEC §8.1–§8.3)."""
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.initiatives.models import Baseline, Initiative, Transition
from tests import factories

STARTED = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def world(app):
    """A bare proposal, a committee meeting that has taken place and its approval decision."""
    with app.app_context():
        owner = factories.create_user()
        initiative = factories.create_initiative(owner=owner, title="Call-back service")
        meeting = factories.create_meeting(starts_at=STARTED)
        approve = factories.create_decision(meeting, initiative=initiative, kind="approve_initiative")
        return {"initiative": initiative.id, "owner": owner.id, "meeting": meeting.id, "approve": approve.id,
                "journey": initiative.journey_id, "metric": factories.metric("csat").id}


def _plan(app, initiative_id, **kw):
    with app.app_context():
        factories.complete_plan(db.session.get(Initiative, initiative_id), **kw)


def _approve(client, ids, on="2026-11-03"):
    return client.post(f"/api/initiatives/{ids['initiative']}/transitions",
                       json={"to": "approved", "decision_id": ids["approve"], "on": on})


# -- readiness and the gate ---------------------------------------------------------------------------

def test_a_bare_proposal_is_not_ready_and_says_why(login_as, world):
    body = login_as("member").get(f"/api/initiatives/{world['initiative']}/readiness").json
    assert body["ready"] is False
    assert [(c["name"], c["ok"]) for c in body["checks"]] == [
        ("business_case", False), ("measurement_plan", False), ("target_on", False), ("attribution_budget", True)]
    assert body["checks"][0]["detail"] == "The business case needs a planned cost and a planned benefit."


def test_approval_while_not_ready_is_409_with_missing_and_changes_nothing(app, login_as, world):
    leader = login_as("cx_leader")
    response = _approve(leader, world)
    assert response.status_code == 409
    assert response.json["missing"] == ["business_case", "measurement_plan", "target_on"]
    with app.app_context():
        assert db.session.get(Initiative, world["initiative"]).status == "proposed"
        assert db.session.scalar(select(func.count(Transition.id))) == 0
        assert db.session.scalar(select(func.count(Baseline.id))) == 0


def test_a_complete_plan_is_ready_and_approved(app, login_as, world):
    _plan(app, world["initiative"])
    leader = login_as("cx_leader")
    body = leader.get(f"/api/initiatives/{world['initiative']}/readiness").json
    assert body["ready"] is True and all(c["ok"] for c in body["checks"])
    assert _approve(leader, world).status_code == 201


def test_a_transition_is_not_dated_before_the_meeting_that_decided_it(app, login_as, world):
    _plan(app, world["initiative"])
    response = _approve(login_as("cx_leader"), world, on="2026-11-01")
    assert response.status_code == 422
    assert "2 Nov 2026" in response.json["errors"]["decision_id"][0]
    assert _approve(login_as("cx_leader"), world, on="2026-11-02").status_code == 201


def test_decisions_only_on_meetings_that_have_started_and_are_not_cancelled(app, login_as, world):
    with app.app_context():
        future = factories.create_meeting(starts_at=utcnow() + timedelta(days=20))
        cancelled = factories.create_meeting(starts_at=STARTED, status="cancelled")
        ids = (future.id, cancelled.id)
    leader = login_as("cx_leader")
    body = {"text": "Approve the call-back service", "kind": "approve_initiative",
            "initiative_id": world["initiative"]}
    for meeting_id in ids:
        response = leader.post(f"/api/meetings/{meeting_id}/decisions", json=body)
        assert response.status_code == 409, response.json
    assert leader.post(f"/api/meetings/{world['meeting']}/decisions", json=body).status_code == 201


# -- the attribution budget ------------------------------------------------------------------------

def _impact(share, metric_id, journey_id=None):
    body = {"metric_id": metric_id, "baseline_value": 78, "target_value": 82, "value_per_unit": "19750",
            "attribution": share}
    if journey_id is not None:
        body["journey_id"] = journey_id
    return body


def test_two_initiatives_cannot_both_claim_the_whole_csat_movement(app, login_as, world):
    with app.app_context():
        other = factories.create_initiative(journey=db.session.get(factories.Journey, world["journey"]),
                                            title="Chat-bot")
        other_id = other.id
    leader = login_as("cx_leader")
    first = leader.post(f"/api/initiatives/{world['initiative']}/impacts", json=_impact(1, world["metric"]))
    assert first.status_code == 201
    refused = leader.post(f"/api/initiatives/{other_id}/impacts", json=_impact(1, world["metric"]))
    assert refused.status_code == 409
    assert refused.json["conflicts"] == [first.json["id"]]
    assert "Call-back service" in refused.json["detail"]
    # What is left fits; a change past it is refused too.
    fits = leader.patch(f"/api/initiatives/{world['initiative']}/impacts/{first.json['id']}", json={"attribution": 0.6})
    assert fits.status_code == 200
    second = leader.post(f"/api/initiatives/{other_id}/impacts", json=_impact(0.4, world["metric"]))
    assert second.status_code == 201
    over = leader.patch(f"/api/initiatives/{other_id}/impacts/{second.json['id']}", json={"attribution": 0.41})
    assert over.status_code == 409 and over.json["conflicts"] == [first.json["id"]]
    # Another journey is another budget.
    with app.app_context():
        elsewhere = factories.create_journey().id
    assert leader.post(f"/api/initiatives/{other_id}/impacts",
                       json=_impact(1, world["metric"], elsewhere)).status_code == 201


def test_a_refused_claim_writes_nothing_but_its_trace_in_the_audit_trail(app, login_as, world):
    from cxgov.audit.models import AuditEntry
    from cxgov.initiatives.models import Impact

    with app.app_context():
        other = factories.create_initiative(journey=db.session.get(factories.Journey, world["journey"])).id
    leader = login_as("cx_leader")
    first = leader.post(f"/api/initiatives/{world['initiative']}/impacts", json=_impact(0.7, world["metric"])).json
    assert leader.post(f"/api/initiatives/{other}/impacts", json=_impact(0.5, world["metric"])).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count(Impact.id)).where(Impact.initiative_id == other)) == 0
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "attribution_refused")).all()
        assert (entry.entity, entry.entity_id, entry.actor_id) == ("initiative", other, leader.user_id)
        assert entry.changes["conflicts"] == [first["id"]] and entry.changes["metric_id"] == world["metric"]
    # A claim that fits leaves no such trace.
    assert leader.post(f"/api/initiatives/{other}/impacts", json=_impact(0.3, world["metric"])).status_code == 201
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "attribution_refused")) == 1


def test_a_cancelled_initiative_releases_its_share(app, login_as, world):
    leader = login_as("cx_leader")
    mine = f"/api/initiatives/{world['initiative']}"
    assert leader.post(f"{mine}/impacts", json=_impact(1, world["metric"])).status_code == 201
    with app.app_context():
        other = factories.create_initiative(journey=db.session.get(factories.Journey, world["journey"])).id
    assert leader.post(f"/api/initiatives/{other}/impacts", json=_impact(0.5, world["metric"])).status_code == 409
    assert leader.post(f"{mine}/transitions", json={"to": "cancelled"}).status_code == 201
    assert leader.post(f"/api/initiatives/{other}/impacts", json=_impact(0.5, world["metric"])).status_code == 201


def test_an_overdrawn_budget_from_earlier_data_blocks_the_approval(app, login_as, world):
    _plan(app, world["initiative"], attribution=Decimal("0.8"))
    with app.app_context():  # written past the service, as data from before the budget was kept
        rival = factories.create_initiative(journey=db.session.get(factories.Journey, world["journey"]))
        factories.add_impact(rival, metric_code="csat", attribution=Decimal("0.5"))
    leader = login_as("cx_leader")
    checks = leader.get(f"/api/initiatives/{world['initiative']}/readiness").json["checks"]
    assert checks[3]["name"] == "attribution_budget" and not checks[3]["ok"]
    assert "130%" in checks[3]["detail"]
    assert _approve(leader, world).json["missing"] == ["attribution_budget"]
    # Claiming less is always accepted, even while the budget stays overdrawn.
    url = f"/api/initiatives/{world['initiative']}/impacts"
    impact_id = leader.get(url).json["items"][0]["id"]
    assert leader.patch(f"{url}/{impact_id}", json={"attribution": 0.6}).status_code == 200
    assert leader.patch(f"{url}/{impact_id}", json={"attribution": 0.7}).status_code == 409
    assert leader.patch(f"{url}/{impact_id}", json={"attribution": 0.5}).status_code == 200
    assert _approve(leader, world).status_code == 201


# -- the approved baseline ------------------------------------------------------------------------

def test_the_baseline_is_frozen_at_approval(app, login_as, world):
    leader = login_as("cx_leader")
    url = f"/api/initiatives/{world['initiative']}"
    assert leader.get(f"{url}/baseline").status_code == 404
    _plan(app, world["initiative"])
    assert _approve(leader, world).status_code == 201
    baseline = leader.get(f"{url}/baseline").json
    assert baseline["approved_on"] == "2026-11-03" and baseline["decision_id"] == world["approve"]
    assert baseline["migrated"] is False
    assert [(f["kind"], f["year"], f["amount"]) for f in baseline["cash_flows"]] == [
        ("cost", 0, "10000.00"), ("benefit", 1, "15000.00")]
    assert len(baseline["impacts"]) == 1 and baseline["impacts"][0]["attribution"] == 0.25
    # 15000 / 1.1 − 10000 = 3636.36…
    assert baseline["npv"] == "3636.36" and baseline["pv_costs"] == "10000.00"
    roi = leader.get(f"{url}/roi?basis=baseline").json
    assert (roi["basis"], roi["npv"], roi["pv_benefits"]) == ("baseline", "3636.36", "13636.36")
    # Later edits of the plan change the plan, not the baseline.
    flows = leader.get(f"{url}/cash-flows?basis=planned").json["items"]
    benefit = next(f for f in flows if f["kind"] == "benefit")
    assert leader.patch(f"{url}/cash-flows/{benefit['id']}", json={"amount": "99000"}).status_code == 200
    assert leader.get(f"{url}/baseline").json == baseline
    assert leader.get(f"{url}/roi?basis=baseline").json["npv"] == "3636.36"
    assert leader.get(f"{url}/roi?basis=planned").json["npv"] != "3636.36"


def test_rebaselining_needs_a_rebaseline_decision_and_keeps_the_history(app, login_as, world):
    _plan(app, world["initiative"])
    leader = login_as("cx_leader")
    url = f"/api/initiatives/{world['initiative']}"
    with app.app_context():
        meeting = db.session.get(factories.Meeting, world["meeting"])
        initiative = db.session.get(Initiative, world["initiative"])
        rebaseline = factories.create_decision(meeting, initiative=initiative, kind="rebaseline_initiative").id
    assert leader.post(f"{url}/baseline", json={"decision_id": rebaseline}).status_code == 409  # not approved yet
    assert _approve(leader, world).status_code == 201
    first = leader.get(f"{url}/baseline").json
    assert leader.post(f"{url}/baseline", json={"decision_id": world["approve"]}).status_code == 422
    assert leader.post(f"{url}/cash-flows", json={"kind": "benefit", "category": "Retention", "year": 2,
                                                  "amount": "5000"}).status_code == 201
    assert login_as("member").post(f"{url}/baseline", json={"decision_id": rebaseline}).status_code == 403
    created = leader.post(f"{url}/baseline", json={"decision_id": rebaseline})
    assert created.status_code == 201, created.json
    assert created.json["decision_id"] == rebaseline and len(created.json["cash_flows"]) == 3
    assert leader.get(f"{url}/baseline").json == created.json
    history = leader.get(f"{url}/baselines").json
    assert history["total"] == 2 and [b["id"] for b in history["items"]] == [created.json["id"], first["id"]]
    assert leader.post(f"{url}/baseline", json={"decision_id": rebaseline}).status_code == 409  # applied already


def test_the_baseline_is_for_who_reads_the_business_case(app, login_as, world):
    _plan(app, world["initiative"])
    assert _approve(login_as("cx_leader"), world).status_code == 201
    url = f"/api/initiatives/{world['initiative']}"
    assert login_as("member").get(f"{url}/baseline").status_code == 403
    assert login_as("member").get(f"{url}/baselines").status_code == 403
    assert login_as("executive").get(f"{url}/baseline").status_code == 200


def test_the_portfolio_on_the_baseline_basis_counts_approved_initiatives_only(app, login_as, world):
    _plan(app, world["initiative"])
    with app.app_context():
        factories.complete_plan(factories.create_initiative())  # planned, never approved
    leader = login_as("executive")
    assert leader.get("/api/reports/roi?basis=baseline").json["totals"]["npv"] == "0.00"
    assert _approve(login_as("cx_leader"), world).status_code == 201
    report = leader.get("/api/reports/roi?basis=baseline").json
    assert report["basis"] == "baseline"
    assert report["totals"]["npv"] == "3636.36"
    by_id = {row["id"]: row for row in report["initiatives"]}
    assert by_id[world["initiative"]]["npv"] == "3636.36"
    assert leader.get("/api/reports/roi?basis=planned").json["totals"]["npv"] == "7272.73"
