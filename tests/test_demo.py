"""`flask --app wsgi cxgov seed-demo`: a believable organisation on an empty database, once."""
import ast
import re
import subprocess
import sys
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cxgov.ambassadors.models import ACTION_KINDS
from cxgov.db import load, today
from cxgov.extensions import db
from cxgov.initiatives.models import STATUSES
from cxgov.journeys.hourglass import PHASE_OF
from cxgov.models import (
    ActionItem,
    Ambassador,
    AmbassadorAction,
    CashFlow,
    Decision,
    Department,
    Impact,
    Initiative,
    Journey,
    Measurement,
    Meeting,
    Metric,
    Stage,
    Touchpoint,
    Transition,
    User,
)
from cxgov.org.models import ROLES
from cxgov.steering import standing

BUILT_IN = ("nps", "csat", "ces", "churn_rate", "retention_rate")
LOGINS = ("lena.fischer@demo.cxgov.example", "ceo@demo.cxgov.example", "admin@demo.cxgov.example",
          "emma.klein@demo.cxgov.example", "mehmet.yilmaz@demo.cxgov.example", "leon.fuchs@demo.cxgov.example")


@pytest.fixture
def seeded(demo_seeded):
    """`cxgov seed-demo` on an empty database (conftest: seeded once, restored for each test)."""
    return demo_seeded


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def all_counts():
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def test_it_prints_a_summary_and_how_to_sign_in(seeded):
    assert "8 departments" in seeded.output
    for label, email in zip(("CX leader", "CEO", "admin", "ambassador", "journey owner", "member"), LOGINS,
                            strict=True):
        assert re.search(rf"^  {label} +{re.escape(email)}$", seeded.output, re.M), label
    assert "demo-password-1" in seeded.output


def test_the_named_people_are_what_the_summary_calls_them(app, seeded):
    with app.app_context():
        users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(LOGINS)))}
        ambassadors = set(db.session.scalars(select(Ambassador.user_id).where(Ambassador.ended_on.is_(None))))
        owners = set(db.session.scalars(select(Journey.owner_id)))
        leader, ceo, admin, ambassador, owner, member = (users[email] for email in LOGINS)
        assert (leader.role, ceo.role, admin.role) == ("cx_leader", "executive", "admin")
        assert ambassador.role == "member" and ambassador.id in ambassadors and ambassador.id not in owners
        assert owner.role == "member" and owner.id in owners and owner.id not in ambassadors
        assert member.role == "member" and member.id not in owners and member.id not in ambassadors


def test_the_organisation(app, seeded):
    with app.app_context():
        assert count(Department) == 8
        assert count(User) >= 25
        assert set(db.session.scalars(select(User.role).distinct())) == set(ROLES)
        roles = dict(db.session.execute(select(User.email, User.role).where(User.email.in_(LOGINS[:3]))).all())
        assert roles == {LOGINS[0]: "cx_leader", LOGINS[1]: "executive", LOGINS[2]: "admin"}
        hashes = set(db.session.scalars(select(User.password_hash)))
        assert len(hashes) == 1 and hashes.pop().startswith("$argon2id$")


@pytest.mark.parametrize("email", LOGINS)
def test_the_demo_logins_work(seeded, client, email):
    response = client.post("/api/auth/tokens", json={"email": email, "password": "demo-password-1"})
    assert response.status_code == 201
    me = client.get("/api/users/me", headers={"Authorization": f"Bearer {response.json['token']}"})
    assert me.json["email"] == email


def test_the_journeys_span_the_hourglass_channels_and_departments(app, seeded):
    with app.app_context():
        journeys = db.session.scalars(select(Journey).where(Journey.kind == "customer").options(
            selectinload(Journey.stages).selectinload(Stage.touchpoints))).all()
        assert len(journeys) == 3
        assert max(len(j.stages) for j in journeys) == 10
        for journey in journeys:
            assert [s.position for s in journey.stages] == list(range(len(journey.stages)))
            touchpoints = [t for s in journey.stages for t in s.touchpoints]
            assert {t.digital for t in touchpoints} == {True, False}
            assert len({t.department_id for t in touchpoints}) >= 3
        full = next(j for j in journeys if len(j.stages) == 10)
        assert [s.phase for s in full.stages] == ["pre_sale"] * 6 + ["post_sale"] * 4
        # Laid on the hourglass: every stage has its standard type, so stages compare across journeys.
        assert [s.stage_type for s in full.stages] == list(PHASE_OF)
        assert all(s.stage_type == s.name.lower() for j in journeys for s in j.stages)


def test_every_demo_journey_has_targets_read_against_its_measurements(app, seeded, login_as):
    api = login_as("admin")
    with app.app_context():
        ids = db.session.scalars(select(Journey.id)).all()
    statuses = []
    for journey_id in ids:
        items = api.get(f"/api/journeys/{journey_id}/targets").json["items"]
        assert items, journey_id
        assert all(t["owner_id"] for t in items)
        statuses += [t["status"] for t in items]
    # Journey-level targets read the demo's monthly measurements, stage targets the stages' CSAT;
    # the renewal's retention-rate target at its Retention stage has nothing measured yet.
    assert statuses.count("no_data") == 1
    assert {"met", "near", "off"} <= set(statuses)


def test_the_demo_shows_the_hourglass_at_work(app, seeded, login_as):
    """Stage targets met, near and off; a retired touchpoint keeping its measurements; an employee
    journey on the hourglass; the adoption stage compared across journeys."""
    from cxgov.journeys.models import Touchpoint

    api = login_as("member")
    with app.app_context():
        retired = db.session.scalars(select(Touchpoint).where(Touchpoint.status == "retired")).all()
        [employee] = db.session.scalars(select(Journey).where(Journey.kind == "employee")).all()
        ids = db.session.scalars(select(Journey.id)).all()
    assert [t.name for t in retired] == ["Broker reports the loss"]
    assert api.get(f"/api/measurements?touchpoint_id={retired[0].id}").json["total"] == 4
    stage_statuses = [t["status"] for journey_id in ids
                      for t in api.get(f"/api/journeys/{journey_id}/targets").json["items"] if t["stage_id"]]
    assert {"met", "near", "off"} <= set(stage_statuses)
    assert len(api.get(f"/api/journeys/{employee.id}/stages").json["items"]) == 10
    compared = api.get("/api/reports/stages?stage_type=adoption&metric=csat").json["journeys"]
    assert [row["latest_value"] for row in compared][:3] == [72, 70, 69]


def test_a_year_of_monthly_measurements_per_metric_and_journey(app, seeded):
    with app.app_context():
        rows = db.session.execute(  # the journeys' own measurements (stages': test_the_demo_shows_the_hourglass…)
            select(Metric.code, Measurement.journey_id, func.count(), func.min(Measurement.period_start),
                   func.max(Measurement.period_end))
            .join(Metric).where(Measurement.stage_id.is_(None), Measurement.touchpoint_id.is_(None))
            .group_by(Metric.code, Measurement.journey_id)).all()
        per_metric = {}
        for code, journey_id, n, first, last in rows:
            assert n == 12
            assert last < today().replace(day=1)
            assert first >= today() - timedelta(days=366 + 31)
            per_metric.setdefault(code, set()).add(journey_id)
        for code in BUILT_IN:
            assert len(per_metric[code]) == 3
        custom = db.session.scalars(select(Metric).where(Metric.builtin.is_(False))).all()
        assert {m.code for m in custom} == {"first_contact_resolution", "claim_cycle_days", "cost_to_serve"}
        assert {m.code: m.direction for m in custom}["claim_cycle_days"] == "lower_is_better"
        assert all(m.code in per_metric for m in custom)


def test_initiatives_in_every_status_with_consistent_history(app, seeded):
    with app.app_context():
        with_history = (selectinload(Initiative.transitions), selectinload(Initiative.cash_flows),
                        selectinload(Initiative.impacts))
        initiatives = db.session.scalars(select(Initiative).options(*with_history)).all()
        assert {i.status for i in initiatives} == set(STATUSES)
        assert len(initiatives) >= 12
        for initiative in initiatives:
            history = initiative.transitions
            if initiative.status == "proposed":
                assert history == []
                continue
            assert history[0].from_status == "proposed"
            assert history[-1].to_status == initiative.status
            for before, after in pairwise(history):
                assert before.to_status == after.from_status
                assert before.effective_on <= after.effective_on
            for step in history:
                if step.to_status in ("approved", "rejected"):
                    decision = db.session.get(Decision, step.decision_id)
                    assert decision.initiative_id == initiative.id
                    assert decision.kind == (
                        "approve_initiative" if step.to_status == "approved" else "reject_initiative"
                    )
                    assert decision.meeting.status == "held"
                else:
                    assert step.decision_id is None
            if initiative.status in ("in_progress", "delivered", "closed"):
                assert initiative.start_on is not None
            if initiative.status in ("delivered", "closed"):
                assert initiative.delivered_on is not None
            assert any(f.basis == "planned" and f.kind == "cost" and f.year == 0 for f in initiative.cash_flows)
            assert {f.year for f in initiative.cash_flows} >= {0, 1, 2, 3}
            assert initiative.impacts
        assert count(CashFlow, CashFlow.basis == "actual") > 0
        assert count(CashFlow, CashFlow.risk_adjustment > 0) > 0


def test_delivered_initiatives_move_their_kpis(app, seeded):
    with app.app_context():
        delivered = db.session.scalars(select(Initiative).where(Initiative.delivered_on.is_not(None))
                                       .options(selectinload(Initiative.impacts))).all()
        assert delivered
        unmeasured = []
        for initiative in delivered:
            for impact in initiative.impacts:
                latest = db.session.scalars(
                    select(Measurement.value).where(Measurement.metric_id == impact.metric_id,
                                                    Measurement.journey_id == impact.journey_id,
                                                    Measurement.period_start > initiative.delivered_on)
                    .order_by(Measurement.period_start.desc())).first()
                if latest is None:  # delivered this month: no month measured since, yet
                    assert initiative.delivered_on > today() - timedelta(days=31)
                    unmeasured.append(initiative.title)
                    continue
                if impact.target_value > impact.baseline_value:
                    assert latest > impact.baseline_value
                else:
                    assert latest < impact.baseline_value
        assert unmeasured == ["Claims FAQ in plain words"]


def test_the_steering_record(app, seeded):
    with app.app_context():
        meetings = db.session.scalars(select(Meeting).order_by(Meeting.starts_at).options(
            selectinload(Meeting.decisions), selectinload(Meeting.agenda_items),
            selectinload(Meeting.attendance))).all()
        held = [m for m in meetings if m.status == "held"]
        scheduled = [m for m in meetings if m.status == "scheduled"]
        assert len(held) >= 3 and len(scheduled) >= 1
        for meeting in held:
            assert meeting.minutes and meeting.minutes_published_at is not None
            assert meeting.decisions and meeting.agenda_items
            assert meeting.starts_at.date() < today()
        for meeting in scheduled:
            assert meeting.starts_at.date() > today()
            assert meeting.agenda_items and meeting.attendance
        committee = meetings[0].committee
        # The committee's standing agenda, and the next meeting's agenda filled from it.
        sections = standing.sections_of(committee.id)
        assert [s.kind for s in sections] == ["fixed", "initiatives_ready", "reviews_due", "carried_over",
                                              "kpis_wrong_way", "silent_ambassadors"]
        filled = {item.section_id for item in scheduled[0].agenda_items}
        assert None not in filled and len(filled) >= 4
        assert not standing.due(scheduled[0])
        roles = {m.member_role for m in load(committee, "members").members}
        assert roles == {"chair", "secretary", "member", "sponsor"}
        assert committee.chair.email == LOGINS[0]

        assert count(ActionItem, ActionItem.status == "done") > 0
        assert count(ActionItem, ActionItem.status == "open", ActionItem.due_on < today()) > 0  # overdue
        assert count(ActionItem, ActionItem.status == "open", ActionItem.due_on >= today()) > 0


def test_the_history_is_dated_when_it_happened(app, seeded):
    """Proposals, decisions, status changes and finished action items carry the past moments the
    story gives them (a weekly digest must not present the year's decisions as this week's)."""
    with app.app_context():
        for decision in db.session.scalars(select(Decision).options(selectinload(Decision.meeting))):
            if decision.corrects_id is None:  # taken in the meeting
                assert decision.created_at.date() == decision.meeting.starts_at.date() < today()
            else:  # a correction, once the minutes were published
                assert decision.meeting.starts_at < decision.meeting.minutes_published_at < decision.created_at
                assert decision.created_at.date() < today()
        initiatives = db.session.scalars(select(Initiative).options(selectinload(Initiative.transitions))).all()
        for initiative in initiatives:
            assert initiative.created_at.date() < today()
            for step in initiative.transitions:
                assert initiative.created_at.date() <= step.effective_on == step.created_at.date()
        held_on = dict(db.session.execute(select(Meeting.id, Meeting.starts_at)).all())
        for item in db.session.scalars(select(ActionItem)):
            assert item.created_at.date() == held_on[item.meeting_id].date()
            assert item.completed_at is None or item.completed_at.date() < today()

def test_the_ambassador_network(app, seeded):
    with app.app_context():
        active = db.session.scalars(select(Ambassador).where(Ambassador.ended_on.is_(None))).all()
        assert len(active) == 7
        assert count(Department) - len({a.department_id for a in active}) == 1
        actions = db.session.scalars(select(AmbassadorAction)).all()
        assert len(actions) >= 75
        assert {a.kind for a in actions} == set(ACTION_KINDS)
        assert min(a.occurred_on for a in actions) >= today() - timedelta(days=184)
        last = {a.id: max((x.occurred_on for x in actions if x.ambassador_id == a.id), default=None) for a in active}
        silent = [a for a in active if last[a.id] is None or last[a.id] < today() - timedelta(days=30)]
        assert len(silent) == 1
        for action in actions:
            assert action.department_id == action.ambassador.department_id


def test_running_it_twice_adds_nothing(app, seeded, runner):
    with app.app_context():
        before = all_counts()
    result = runner.invoke(args=["cxgov", "seed-demo"])
    assert result.exit_code == 0
    assert "left it as it is" in result.output and "emma.klein@demo.cxgov.example" in result.output
    with app.app_context():
        assert all_counts() == before


def test_it_refuses_a_database_that_already_has_users(app, runner):
    from tests import factories

    with app.app_context():
        factories.create_user()
        before = all_counts()
    result = runner.invoke(args=["cxgov", "seed-demo"])
    assert result.exit_code == 0
    with app.app_context():
        assert all_counts() == before


def test_it_is_deterministic(app, seeded):
    from cxgov.demo import seed_demo

    with app.app_context():
        first = [(m.period_start, m.value) for m in db.session.scalars(select(Measurement).order_by(Measurement.id))]
        first_counts = count(Stage), count(Touchpoint), count(Impact), count(Transition)
        # Empty the database (but the built-in metrics) and seed again: the same rows come out.
        for table in reversed(db.metadata.sorted_tables):
            if table.name != "metrics":
                db.session.execute(table.delete())
        db.session.execute(Metric.__table__.delete().where(Metric.builtin.is_(False)))
        seed_demo()
        second = [(m.period_start, m.value) for m in db.session.scalars(select(Measurement).order_by(Measurement.id))]
        assert second == first
        assert (count(Stage), count(Touchpoint), count(Impact), count(Transition)) == first_counts
        db.session.rollback()


def test_the_web_app_never_imports_the_demo():
    """Only the `seed-demo` command loads the demo, when it runs: building the app and serving
    requests leave it out, and no other module of cxgov imports it."""
    code = """
import sys
from cxgov import create_app
app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
client = app.test_client()
for path in ("/healthz", "/login", "/api/openapi.json", "/"):
    client.get(path)
loaded = sorted(name for name in sys.modules if name == "cxgov.demo" or name.startswith("cxgov.demo."))
assert not loaded, loaded
"""
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    importers = []
    for path in (root / "cxgov").rglob("*.py"):
        if "demo" in path.relative_to(root / "cxgov").parts:
            continue
        tree = ast.parse(path.read_text(), str(path))
        top_level = {id(node) for node in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            if any(name == "cxgov.demo" or name.startswith("cxgov.demo.") for name in names):
                inside_command = path.name == "cli.py" and id(node) not in top_level
                if not inside_command:
                    importers.append(f"{path.relative_to(root)}:{node.lineno}")
    assert importers == []


def test_the_demo_shows_the_governance_loop(app, seeded):
    """SPEC §8: one proposal blocked at the gate, one over-claim refused and audited, reviews with
    verdicts, a re-baselined initiative and a corrected decision."""
    from cxgov.audit.models import AuditEntry
    from cxgov.initiatives.gate import readiness_of
    from cxgov.initiatives.models import Baseline, Initiative, Review
    from cxgov.initiatives.readiness import missing

    with app.app_context():
        proposed = db.session.scalars(select(Initiative).where(Initiative.status == "proposed")).all()
        assert any(missing(readiness_of(i)) for i in proposed)
        [refused] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "attribution_refused")).all()
        assert db.session.get(Initiative, refused.entity_id).title == "Welcome video call for new customers"
        assert refused.changes["conflicts"] and refused.created_at.date() < today()
        verdicts = db.session.scalars(select(Review.verdict).where(Review.verdict.is_not(None))).all()
        assert {"achieved", "partly_achieved", "not_achieved", "inconclusive"} <= set(verdicts)
        assert db.session.scalar(select(func.count(Baseline.id)).where(Baseline.decision_id.is_not(None))) > \
            db.session.scalar(select(func.count(func.distinct(Baseline.initiative_id))))
        assert db.session.scalar(select(func.count(Decision.id)).where(Decision.corrects_id.is_not(None))) == 1


def test_the_network_has_a_healthy_an_average_and_a_silent_department(app, seeded):
    """SPEC §11: the health scores tell the departments apart (Marketing busy, with an idea that
    became an initiative; Operations doing little; Finance silent; HR without an ambassador)."""
    from cxgov.ambassadors import report

    with app.app_context():
        data = report.ambassador_report(*report.report_period())
        scores = {row["department"]["code"]: row for row in data["departments"]}
        assert scores["MKT"]["health_score"] >= 90 and scores["MKT"]["health_parts"]["ideas_converted"]["value"] >= 1
        assert 40 <= scores["OPS"]["health_score"] < 70 and not scores["OPS"]["silent"]
        assert scores["FIN"]["silent"] and scores["FIN"]["health_score"] < 40
        assert scores["HR"]["health_score"] == 0
        converted = db.session.scalars(select(AmbassadorAction).where(
            AmbassadorAction.kind == "improvement_idea", AmbassadorAction.initiative_id.is_not(None))).all()
        assert {a.ambassador.department.code for a in converted} >= {"MKT", "IT", "CS"}
