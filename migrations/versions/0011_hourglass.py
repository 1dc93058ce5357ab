"""journeys on the hourglass: stage types, journey kind, retired stages and touchpoints, targets

- `journeys.kind` (`customer`, `employee`; existing journeys: `customer`).
- `stages.stage_type`: one of the hourglass's ten stages or `custom`. An existing stage whose name
  is a standard type (any case, outer spaces ignored) and whose phase is that type's takes the
  type; every other stage is `custom` (its phase is kept: nothing is changed under the owner).
- `stages.status`, `touchpoints.status` (`active`, `retired`; existing rows: `active`).
- `targets`: a value a journey or one of its stages is to reach on a metric by a date, with its
  owner. Their foreign keys RESTRICT: the services remove a journey's or a stage's targets
  through the session (audited) when they delete it.

On SQLite the columns are added with `ALTER TABLE … ADD COLUMN` carrying their CHECK, not by
rebuilding the tables: with foreign keys enforced, dropping `stages` or `journeys` during a
rebuild would cascade to touchpoints and trip the RESTRICT of measurements.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 17:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

STANDARD = (
    ("engagement", "pre_sale"), ("education", "pre_sale"), ("research", "pre_sale"),
    ("evaluation", "pre_sale"), ("justification", "pre_sale"), ("purchase", "pre_sale"),
    ("adoption", "post_sale"), ("retention", "post_sale"), ("expansion", "post_sale"), ("advocacy", "post_sale"),
)
STAGE_TYPES = tuple(name for name, _ in STANDARD) + ("custom",)

# (table, column, default, allowed values)
COLUMNS = (
    ("journeys", "kind", "customer", ("customer", "employee")),
    ("stages", "stage_type", "custom", STAGE_TYPES),
    ("stages", "status", "active", ("active", "retired")),
    ("touchpoints", "status", "active", ("active", "retired")),
)


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def _within(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _add_choice_column(table, column, default, values):
    check = f"ck_{table}_{column}"
    if _sqlite():
        op.execute(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR(16) DEFAULT '{default}' NOT NULL "
                   f"CONSTRAINT {check} CHECK ({_within(column, values)})")
    else:
        op.add_column(table, sa.Column(column, sa.String(length=16), server_default=default, nullable=False))
        op.create_check_constraint(check, table, _within(column, values))


def _drop_choice_column(table, column):
    if not _sqlite():
        op.drop_constraint(f"ck_{table}_{column}", table, type_="check")
    op.drop_column(table, column)


def upgrade():
    for table, column, default, values in COLUMNS:
        _add_choice_column(table, column, default, values)
    op.create_index("ix_stages_stage_type", "stages", ["stage_type"], unique=False)
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("journey_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["journey_id"], ["journeys.id"], name=op.f("fk_targets_journey_id_journeys"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["stage_id"], ["stages.id"], name=op.f("fk_targets_stage_id_stages"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["metric_id"], ["metrics.id"], name=op.f("fk_targets_metric_id_metrics"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_targets_owner_id_users"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_targets")),
    )
    for column in ("journey_id", "stage_id", "metric_id", "owner_id"):
        op.create_index(f"ix_targets_{column}", "targets", [column], unique=False)
    stages = sa.table("stages", sa.column("name", sa.String), sa.column("phase", sa.String),
                      sa.column("stage_type", sa.String))
    for stage_type, phase in STANDARD:
        op.execute(stages.update()
                   .where(sa.func.lower(sa.func.trim(stages.c.name)) == stage_type, stages.c.phase == phase)
                   .values(stage_type=stage_type))


def downgrade():
    for column in ("journey_id", "stage_id", "metric_id", "owner_id"):
        op.drop_index(f"ix_targets_{column}", table_name="targets")
    op.drop_table("targets")
    op.drop_index("ix_stages_stage_type", table_name="stages")
    for table, column, _, _ in reversed(COLUMNS):
        _drop_choice_column(table, column)
