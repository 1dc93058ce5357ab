"""journey-level measurements, the latest first: a partial index for the KPI movements

The home page and a meeting's agenda suggestions read the latest two journey-wide values of every
journey and metric (`steering.suggestions.kpi_movements`). Without this index the database reads
every journey-wide row from the table and sorts them: 35 ms at 1M measurements on PostgreSQL. With
it, the rows come in the window's order from the index alone (PostgreSQL also carries `value` in
the index), in 5 ms. Partial on both databases, written by hand: autogenerate compares neither the
WHERE clause nor the descending columns. A later SQLite rebuild of `measurements` (batch mode)
must drop and create it again, as 0005 does for the other special indexes.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 06:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

JOURNEY_LEVEL = sa.text("stage_id IS NULL AND touchpoint_id IS NULL")


def upgrade():
    op.create_index("ix_measurements_journey_level_latest", "measurements",
                    ["journey_id", "metric_id", sa.text("period_start DESC"), sa.text("period_end DESC"),
                     sa.text("id DESC")],
                    unique=False, sqlite_where=JOURNEY_LEVEL, postgresql_where=JOURNEY_LEVEL,
                    postgresql_include=["value"])


def downgrade():
    op.drop_index("ix_measurements_journey_level_latest", table_name="measurements")
