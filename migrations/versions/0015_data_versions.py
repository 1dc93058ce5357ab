"""data versions: a token per named set of tables, changed by every write to them
(`cxgov.data_versions`), and the set `portfolio` (initiatives, cash flows, baselines) whose token
keys the home page's portfolio figures

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 03:30:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'data_versions',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('token', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_data_versions')),
    )
    op.bulk_insert(table, [{'name': 'portfolio', 'token': secrets.randbits(62)}])


def downgrade():
    op.drop_table('data_versions')
