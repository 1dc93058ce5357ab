"""approved baselines; decisions may re-baseline an initiative

`baselines` keeps the business case and measurement plan as the committee approved them
(SPEC §8.2): `baseline_cash_flows` copies the planned cash flows, `baseline_impacts` the KPI
impacts. Initiatives approved before this revision get one baseline each, made from their plan
as it stands at the upgrade and marked `migrated`; it is dated by their approval transition
(or the upgrade day when they have none) and cites that transition's decision.

`decisions.kind` also accepts `rebaseline_initiative`. On SQLite the decisions table is rebuilt
(batch mode) with foreign keys switched off for the rebuild: the transitions that cite decisions
would otherwise refuse the drop of the old table.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 13:00:00

"""
from datetime import date

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

APPROVED = ("approved", "in_progress", "delivered", "closed")
OLD_KINDS = "kind IN ('approve_initiative', 'reject_initiative', 'other')"
NEW_KINDS = "kind IN ('approve_initiative', 'reject_initiative', 'rebaseline_initiative', 'other')"


def _decision_kinds(check):
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("decisions") as batch_op:
        batch_op.drop_constraint("kind", type_="check")
        batch_op.create_check_constraint("kind", check)
    if sqlite:
        with op.get_context().autocommit_block():
            op.execute("PRAGMA foreign_keys=ON")


def _create_tables():
    op.create_table(
        "baselines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("migrated", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_baselines_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"], name=op.f("fk_baselines_decision_id_decisions"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiatives.id"],
                                name=op.f("fk_baselines_initiative_id_initiatives"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baselines")),
    )
    with op.batch_alter_table("baselines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_baselines_created_by_id"), ["created_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_baselines_decision_id"), ["decision_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_baselines_initiative_id"), ["initiative_id"], unique=False)
    op.create_table(
        "baseline_cash_flows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("baseline_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("risk_adjustment", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_baseline_cash_flows_amount_positive")),
        sa.CheckConstraint("kind IN ('cost', 'benefit')", name=op.f("ck_baseline_cash_flows_kind")),
        sa.CheckConstraint("risk_adjustment >= 0 AND risk_adjustment < 1",
                           name=op.f("ck_baseline_cash_flows_risk_adjustment_range")),
        sa.CheckConstraint("year >= 0 AND year <= 10", name=op.f("ck_baseline_cash_flows_year_range")),
        sa.ForeignKeyConstraint(["baseline_id"], ["baselines.id"],
                                name=op.f("fk_baseline_cash_flows_baseline_id_baselines"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baseline_cash_flows")),
    )
    with op.batch_alter_table("baseline_cash_flows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_baseline_cash_flows_baseline_id"), ["baseline_id"], unique=False)
    op.create_table(
        "baseline_impacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("baseline_id", sa.Integer(), nullable=False),
        sa.Column("impact_id", sa.Integer(), nullable=True),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("baseline_value", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("target_value", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("value_per_unit", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("attribution", sa.Numeric(precision=5, scale=4), nullable=False),
        sa.CheckConstraint("attribution >= 0 AND attribution <= 1",
                           name=op.f("ck_baseline_impacts_attribution_range")),
        sa.ForeignKeyConstraint(["baseline_id"], ["baselines.id"],
                                name=op.f("fk_baseline_impacts_baseline_id_baselines"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["impact_id"], ["impacts.id"], name=op.f("fk_baseline_impacts_impact_id_impacts"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["journey_id"], ["journeys.id"], name=op.f("fk_baseline_impacts_journey_id_journeys"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["metric_id"], ["metrics.id"], name=op.f("fk_baseline_impacts_metric_id_metrics"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_baseline_impacts")),
    )
    with op.batch_alter_table("baseline_impacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_baseline_impacts_baseline_id"), ["baseline_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_baseline_impacts_impact_id"), ["impact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_baseline_impacts_journey_id"), ["journey_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_baseline_impacts_metric_id"), ["metric_id"], unique=False)


def _baseline_approved_initiatives():
    """One `migrated` baseline per initiative approved before this revision."""
    from datetime import datetime, timezone

    bind = op.get_bind()
    meta = sa.MetaData()
    initiatives = sa.Table("initiatives", meta, autoload_with=bind)
    transitions = sa.Table("initiative_transitions", meta, autoload_with=bind)
    cash_flows = sa.Table("cash_flows", meta, autoload_with=bind)
    impacts = sa.Table("impacts", meta, autoload_with=bind)
    baselines = sa.Table("baselines", meta, autoload_with=bind)
    baseline_cash_flows = sa.Table("baseline_cash_flows", meta, autoload_with=bind)
    baseline_impacts = sa.Table("baseline_impacts", meta, autoload_with=bind)

    approvals = {}  # the latest approval of each initiative
    for initiative_id, effective_on, decision_id in bind.execute(
            sa.select(transitions.c.initiative_id, transitions.c.effective_on, transitions.c.decision_id)
            .where(transitions.c.to_status == "approved").order_by(transitions.c.id)):
        approvals[initiative_id] = (effective_on, decision_id)
    approved = bind.execute(sa.select(initiatives.c.id).where(
        initiatives.c.status.in_(APPROVED) | initiatives.c.id.in_(list(approvals) or [0]))
        .order_by(initiatives.c.id)).scalars().all()
    now = datetime.now(timezone.utc)
    for initiative_id in approved:
        approved_on, decision_id = approvals.get(initiative_id, (date.today(), None))
        baseline_id = bind.execute(baselines.insert().values(
            initiative_id=initiative_id, approved_on=approved_on, decision_id=decision_id, migrated=True,
            created_by_id=None, created_at=now).returning(baselines.c.id)).scalar_one()
        flows = bind.execute(sa.select(cash_flows).where(cash_flows.c.initiative_id == initiative_id,
                                                         cash_flows.c.basis == "planned")
                             .order_by(cash_flows.c.year, cash_flows.c.id)).mappings().all()
        if flows:
            bind.execute(baseline_cash_flows.insert(), [
                {"baseline_id": baseline_id, "kind": f["kind"], "category": f["category"], "year": f["year"],
                 "amount": f["amount"], "risk_adjustment": f["risk_adjustment"], "description": f["description"]}
                for f in flows])
        planned = bind.execute(sa.select(impacts).where(impacts.c.initiative_id == initiative_id)
                               .order_by(impacts.c.id)).mappings().all()
        if planned:
            bind.execute(baseline_impacts.insert(), [
                {"baseline_id": baseline_id, "impact_id": i["id"], "metric_id": i["metric_id"],
                 "journey_id": i["journey_id"], "baseline_value": i["baseline_value"],
                 "target_value": i["target_value"], "value_per_unit": i["value_per_unit"],
                 "attribution": i["attribution"]}
                for i in planned])


def upgrade():
    _decision_kinds(NEW_KINDS)
    _create_tables()
    _baseline_approved_initiatives()


def downgrade():
    with op.batch_alter_table("baseline_impacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_baseline_impacts_metric_id"))
        batch_op.drop_index(batch_op.f("ix_baseline_impacts_journey_id"))
        batch_op.drop_index(batch_op.f("ix_baseline_impacts_impact_id"))
        batch_op.drop_index(batch_op.f("ix_baseline_impacts_baseline_id"))
    op.drop_table("baseline_impacts")
    with op.batch_alter_table("baseline_cash_flows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_baseline_cash_flows_baseline_id"))
    op.drop_table("baseline_cash_flows")
    with op.batch_alter_table("baselines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_baselines_initiative_id"))
        batch_op.drop_index(batch_op.f("ix_baselines_decision_id"))
        batch_op.drop_index(batch_op.f("ix_baselines_created_by_id"))
    op.drop_table("baselines")
    op.execute("DELETE FROM decisions WHERE kind = 'rebaseline_initiative'")
    _decision_kinds(OLD_KINDS)
