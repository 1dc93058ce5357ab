"""journey-level measurements: a partial index for the journey report

The journey report reads a journey's own measurements (no stage, no touchpoint) ordered by
period. Without this index a journey with a million stage and touchpoint measurements is read
through all of them (or, with planner statistics, through the touchpoint index). Partial on
both databases, written by hand (autogenerate does not compare the WHERE clause).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 00:35:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

JOURNEY_LEVEL = sa.text("stage_id IS NULL AND touchpoint_id IS NULL")


def upgrade():
    op.create_index("ix_measurements_journey_level", "measurements", ["journey_id", "period_start", "period_end"],
                    unique=False, sqlite_where=JOURNEY_LEVEL, postgresql_where=JOURNEY_LEVEL)


def downgrade():
    op.drop_index("ix_measurements_journey_level", table_name="measurements")
