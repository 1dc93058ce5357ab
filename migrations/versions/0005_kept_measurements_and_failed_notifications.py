"""measurements and impacts block deleting what they measure; notifications that failed for good

Their foreign keys to journeys, stages and touchpoints were ON DELETE CASCADE: deleting a journey
took its measurements and other initiatives' impacts along, unaudited. They become RESTRICT; the
services refuse such a delete with 409 (SPEC §10), and the database refuses it too.

On SQLite the tables are rebuilt (batch mode). The expression index `uq_measurements_key` and the
partial index `ix_measurements_journey_level` are not reproduced by that rebuild, so they are
dropped before it and created again after it.

`notifications.failed_at`: set when mailing a notification failed for good (a permanent
refusal, or every attempt used); such a row is no longer tried and admins list it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

JOURNEY_LEVEL = sa.text("stage_id IS NULL AND touchpoint_id IS NULL")
MEASUREMENT_KEYS = (
    ("journey_id", "journeys"),
    ("stage_id", "stages"),
    ("touchpoint_id", "touchpoints"),
)


def _drop_special_indexes():
    op.drop_index("uq_measurements_key", table_name="measurements")
    op.drop_index("ix_measurements_journey_level", table_name="measurements")


def _create_special_indexes():
    op.create_index("uq_measurements_key", "measurements",
                    ["metric_id", "journey_id", sa.text("coalesce(stage_id, 0)"), sa.text("coalesce(touchpoint_id, 0)"),
                     "period_start", "period_end"], unique=True)
    op.create_index("ix_measurements_journey_level", "measurements", ["journey_id", "period_start", "period_end"],
                    unique=False, sqlite_where=JOURNEY_LEVEL, postgresql_where=JOURNEY_LEVEL)


def _set_ondelete(ondelete):
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_special_indexes()
    with op.batch_alter_table("measurements") as batch_op:
        for column, table in MEASUREMENT_KEYS:
            name = f"fk_measurements_{column}_{table}"
            batch_op.drop_constraint(name, type_="foreignkey")
            batch_op.create_foreign_key(name, table, [column], ["id"], ondelete=ondelete)
    if sqlite:
        _create_special_indexes()
    with op.batch_alter_table("impacts") as batch_op:
        batch_op.drop_constraint("fk_impacts_journey_id_journeys", type_="foreignkey")
        batch_op.create_foreign_key("fk_impacts_journey_id_journeys", "journeys", ["journey_id"], ["id"],
                                    ondelete=ondelete)


def upgrade():
    _set_ondelete("RESTRICT")
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_column("failed_at")
    _set_ondelete("CASCADE")
