"""the data-version set `measured` (impacts and measurements), whose token keys the lists of
delivered initiatives not measured yet (`cxgov.roi.services.not_yet_measured`) with the
portfolio's

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

DATA_VERSIONS = sa.table('data_versions', sa.column('name', sa.String), sa.column('token', sa.BigInteger))


def upgrade():
    op.bulk_insert(DATA_VERSIONS, [{'name': 'measured', 'token': secrets.randbits(62)}])


def downgrade():
    op.execute(DATA_VERSIONS.delete().where(DATA_VERSIONS.c.name == 'measured'))
