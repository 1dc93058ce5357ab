"""The migration history: one head, upgrade from empty (and back), no drift from the models,
and the database itself enforcing what the models promise."""
import functools
import re
import uuid
from datetime import date
from types import SimpleNamespace

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from cxgov import ROOT, create_app
from cxgov.extensions import db
from cxgov.models import Ambassador, Metric, User
from tests import factories
from tests.conftest import PG_URL, _pg_admin

BUILT_IN_METRICS = {"nps", "csat", "ces", "churn_rate", "retention_rate"}


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with no tables at all (SQLite file, or a new PostgreSQL database)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    base = re.sub(r"\W", "_", make_url(PG_URL).database or "cxgov_test")
    name = f"{base}_empty_{uuid.uuid4().hex[:8]}"
    with _pg_admin(PG_URL) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with _pg_admin(PG_URL) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_history_has_a_single_head():
    script = ScriptDirectory(str(ROOT / "migrations"))
    assert len(script.get_heads()) == 1


def test_upgrade_from_empty_then_downgrade_to_base_and_upgrade_again(empty_database_url):
    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
    with app.app_context():
        try:
            assert inspect(db.engine).get_table_names() == []
            flask_migrate.upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert {"users", "departments", "initiatives", "measurements", "audit_entries"} <= tables
            with db.engine.connect() as conn:
                assert MigrationContext.configure(conn).get_current_revision() == head

            flask_migrate.downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

            flask_migrate.upgrade()
            assert set(inspect(db.engine).get_table_names()) == tables
            assert set(db.session.scalars(select(Metric.code))) == BUILT_IN_METRICS
        finally:
            db.session.remove()
            db.engine.dispose()


def _journey_as_of_0009(name="Claims"):
    """A journey as the schema had it up to 0009 (the models have columns added since): its id."""
    now = "2026-11-01 00:00:00"
    owner = SimpleNamespace(id=db.session.execute(text(
        "INSERT INTO users (email, name, role, active, digest_preference, version, created_at, updated_at) "
        "VALUES (:email, 'Journey owner', 'member', true, 'immediate', 1, :now, :now) RETURNING id"),
        {"email": f"owner-{name.lower()}@example.com", "now": now}).scalar())
    ident = db.session.execute(text(
        "INSERT INTO journeys (name, owner_id, status, version, created_at, updated_at) "
        "VALUES (:name, :owner, 'active', 1, :now, :now) RETURNING id"),
        {"name": name, "owner": owner.id, "now": now}).scalar()
    return SimpleNamespace(id=ident, owner=owner)


def test_upgrading_to_reviews_schedules_those_of_initiatives_already_delivered(empty_database_url):
    """0008: a delivered initiative gets its three reviews from its delivery date; a closed one
    (closed without review) and one not delivered get none."""
    from cxgov.models import Review

    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            flask_migrate.upgrade(revision="0007")
            db.session.info["data_versions"] = False  # no data_versions table before 0015
            journey = _journey_as_of_0009()
            department = factories.create_department()
            made = functools.partial(factories.create_initiative, journey, owner=journey.owner, department=department)
            delivered = made(status="delivered", delivered_on=date(2026, 3, 1))
            made(status="closed", delivered_on=date(2026, 1, 1))
            made(status="in_progress")
            db.session.commit()
            ident = delivered.id
            flask_migrate.upgrade()
            rows = db.session.execute(select(Review.initiative_id, Review.number, Review.due_on, Review.verdict)
                                      .order_by(Review.initiative_id, Review.number)).all()
            assert rows == [(ident, 1, date(2026, 3, 31), None), (ident, 2, date(2026, 4, 30), None),
                            (ident, 3, date(2026, 5, 30), None)]
        finally:
            db.session.remove()
            db.engine.dispose()


def test_upgrading_to_the_hourglass_types_the_stages_named_after_a_standard_stage(empty_database_url):
    """0011: a stage named after one of the ten standard stages (any case) with that stage's phase
    takes its type; any other (another name, or the name with the other phase) is custom and keeps
    its phase. Journeys are customer journeys, stages and touchpoints active."""
    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            flask_migrate.upgrade(revision="0009")
            journey = _journey_as_of_0009()
            stages = [(1, " purchase ", "pre_sale"), (2, "ADVOCACY", "post_sale"), (3, "Report claim", "post_sale"),
                      (4, "Retention", "pre_sale")]
            for ident, name, phase in stages:
                db.session.execute(text(
                    "INSERT INTO stages (id, journey_id, position, name, phase, version) "
                    "VALUES (:id, :journey, :position, :name, :phase, 1)"),
                    {"id": ident, "journey": journey.id, "position": ident - 1, "name": name, "phase": phase})
            db.session.execute(text("INSERT INTO touchpoints (id, stage_id, name, channel, version) "
                                    "VALUES (1, 3, 'Broker call', 'phone', 1)"))
            db.session.commit()
            flask_migrate.upgrade()
            rows = db.session.execute(text("SELECT id, stage_type, phase, status FROM stages ORDER BY id")).all()
            assert [tuple(row) for row in rows] == [
                (1, "purchase", "pre_sale", "active"), (2, "advocacy", "post_sale", "active"),
                (3, "custom", "post_sale", "active"), (4, "custom", "pre_sale", "active")]
            assert db.session.execute(text("SELECT kind FROM journeys")).scalar() == "customer"
            assert db.session.execute(text("SELECT status FROM touchpoints")).scalar() == "active"
            # Nothing was lost on the way (no table rebuilt under enforced foreign keys).
            assert db.session.execute(text("SELECT count(*) FROM touchpoints")).scalar() == 1
        finally:
            db.session.remove()
            db.engine.dispose()


def test_flask_db_check_reports_no_drift(app, runner):
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []


def test_the_five_built_in_metrics_exist_after_migration(app):
    with app.app_context():
        metrics = db.session.scalars(select(Metric)).all()
        assert {m.code for m in metrics} == BUILT_IN_METRICS
        assert all(m.builtin for m in metrics)
        directions = {m.code: m.direction for m in metrics}
        assert directions["churn_rate"] == "lower_is_better"
        assert directions["nps"] == "higher_is_better"


def test_the_database_refuses_a_second_active_ambassador_per_department(app):
    with app.app_context():
        department = factories.create_department()
        factories.create_ambassador(department=department)
        # A former ambassador of the same department is fine: the index covers active ones only.
        factories.create_ambassador(department=department, started_on=date(2025, 1, 1), ended_on=date(2025, 6, 30))
        second = factories.create_user(department_id=department.id)
        db.session.add(Ambassador(user_id=second.id, department_id=department.id, started_on=date(2026, 2, 1)))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        active = db.session.scalar(select(func.count()).select_from(Ambassador).where(
            Ambassador.department_id == department.id, Ambassador.ended_on.is_(None)))
        assert active == 1


def test_the_database_refuses_a_value_outside_an_enum(app):
    with app.app_context():
        user = factories.create_user(role="member")
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE users SET role = 'overlord' WHERE id = :id"), {"id": user.id})
            db.session.flush()
        db.session.rollback()
        with pytest.raises(IntegrityError):
            db.session.execute(text(
                "INSERT INTO metrics (code, name, category, unit, direction, builtin, version) "
                "VALUES ('x', 'X', 'customer', 'pts', 'sideways', false, 1)"))
        db.session.rollback()
        assert db.session.get(User, user.id).role == "member"
        assert db.session.scalar(select(func.count()).select_from(Metric).where(Metric.code == "x")) == 0


def test_the_database_refuses_an_email_that_is_not_lower_case(app):
    with app.app_context():
        db.session.add(User(email="Mixed@Example.com", name="Mixed", role="member"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
