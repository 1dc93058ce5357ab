"""two data-version sets: `measured` (impacts and measurements), whose token keys the lists of
delivered initiatives not measured yet with the portfolio's (`cxgov.roi.services.not_yet_measured`),
and `network` (assignments, actions, departments, people), whose token keys the ambassador
network's report (`cxgov.ambassadors.report`)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 22:30:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

SETS = ('measured', 'network')
DATA_VERSIONS = sa.table('data_versions', sa.column('name', sa.String), sa.column('token', sa.BigInteger))


def upgrade():
    op.bulk_insert(DATA_VERSIONS, [{'name': name, 'token': secrets.randbits(62)} for name in SETS])


def downgrade():
    op.execute(DATA_VERSIONS.delete().where(DATA_VERSIONS.c.name.in_(SETS)))
