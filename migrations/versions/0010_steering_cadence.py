"""steering cadence: quorum

`committees.quorum` (null: more than half the members) and `meetings.quorum_note` (why a meeting
was held below quorum).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 17:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _foreign_keys(on):
    """SQLite rebuilds a table in batch mode: the rows referring to it must not be cascaded away."""
    if op.get_bind().dialect.name == "sqlite":
        with op.get_context().autocommit_block():
            op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade():
    _foreign_keys(False)
    with op.batch_alter_table('committees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quorum', sa.Integer(), nullable=True))
        batch_op.create_check_constraint('quorum_positive', 'quorum IS NULL OR quorum > 0')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quorum_note', sa.Text(), nullable=True))
    _foreign_keys(True)


def downgrade():
    _foreign_keys(False)
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('quorum_note')
    with op.batch_alter_table('committees', schema=None) as batch_op:
        batch_op.drop_constraint('quorum_positive', type_='check')
        batch_op.drop_column('quorum')
    _foreign_keys(True)
