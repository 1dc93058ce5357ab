"""`python -m bench.scale --initiatives N --measurements M`: the demo plus generated scale data."""
from sqlalchemy import func, select

from bench import scale
from cxgov.audit.models import AuditEntry
from cxgov.db import today
from cxgov.demo import month_period
from cxgov.demo.data import INITIATIVES, JOURNEYS
from cxgov.extensions import db
from cxgov.models import CashFlow, Impact, Initiative, Journey, Measurement


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def seed(runner, *args):
    result = runner.invoke(scale.command, args)
    assert result.exit_code == 0, result.output
    return result


def test_it_adds_the_requested_initiatives_and_measurements(app, runner):
    seeded = seed(runner, "--initiatives", "50", "--measurements", "2000")
    assert "Added 50 initiatives" in seeded.output
    with app.app_context():
        assert count(Initiative) == len(INITIATIVES) + 50
        # The demo's series cover the last 12 months; generated ones go further back.
        assert count(Measurement, Measurement.period_start <= month_period(today(), 13)[0]) == 2000
        assert count(Journey) > len(JOURNEYS)
        generated_ids = db.session.scalars(select(Initiative.id).order_by(Initiative.id.desc()).limit(50)).all()
        assert count(CashFlow, CashFlow.initiative_id.in_(generated_ids)) >= 50 * 7  # a business case each
        assert count(Impact, Impact.initiative_id.in_(generated_ids)) > 0
        # Spread over statuses and departments.
        statuses = set(db.session.scalars(select(Initiative.status).where(Initiative.id.in_(generated_ids))))
        assert len(statuses) >= 5
        departments = set(db.session.scalars(select(Initiative.department_id).where(Initiative.id.in_(generated_ids))))
        assert len(departments) == 8
        # Generated rows are not audited one by one.
        assert count(AuditEntry, AuditEntry.entity == "initiative", AuditEntry.entity_id.in_(generated_ids)) == 0


def test_the_reports_work_on_the_generated_data(app, runner, login_as):
    seed(runner, "--initiatives", "50", "--measurements", "2000")
    api = login_as("executive")
    for group_by in ("department", "journey", "status", "category"):
        report = api.get(f"/api/reports/roi?group_by={group_by}")
        assert report.status_code == 200
        assert len(report.json["initiatives"]) >= 62
        assert sum(group["initiatives"] for group in report.json["groups"]) == len(report.json["initiatives"])
    with app.app_context():
        journey_id = db.session.scalar(select(Journey.id).order_by(Journey.id.desc()))
    journey = api.get(f"/api/reports/journeys/{journey_id}")
    assert journey.status_code == 200
    assert journey.json["metrics"] and all(m["series"] for m in journey.json["metrics"])


def test_measurement_keys_stay_unique(app, runner):
    seed(runner, "--initiatives", "0", "--measurements", "3000")
    with app.app_context():
        key = (Measurement.metric_id, Measurement.journey_id, func.coalesce(Measurement.stage_id, 0),
               func.coalesce(Measurement.touchpoint_id, 0), Measurement.period_start)
        distinct = db.session.scalar(select(func.count()).select_from(select(*key).distinct().subquery()))
        assert distinct == count(Measurement)


def test_it_refuses_a_database_that_has_users(app, runner):
    seed(runner)
    with app.app_context():
        before = count(Initiative)
    again = seed(runner, "--initiatives", "10", "--measurements", "10")
    assert "left it as it is" in again.output
    with app.app_context():
        assert count(Initiative) == before
