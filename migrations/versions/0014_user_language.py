"""a person's language and time zone: `users.language` (one of the catalogues) and `users.timezone`

Both null until the person chooses (or their first sign-in takes the browser's language): then
the deployment's CXGOV_LOCALE and CXGOV_TIMEZONE apply.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 23:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

LANGUAGES = ('en', 'pt_PT', 'pt_BR', 'ro')


def _foreign_keys(on):
    """SQLite rebuilds a table in batch mode: the rows referring to it must not be cascaded away."""
    if op.get_bind().dialect.name == "sqlite":
        with op.get_context().autocommit_block():
            op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade():
    _foreign_keys(False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))
        batch_op.create_check_constraint(
            'language_known', f"language IS NULL OR language IN ({', '.join(repr(x) for x in LANGUAGES)})")
    _foreign_keys(True)


def downgrade():
    _foreign_keys(False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_language_known'), type_='check')
        batch_op.drop_column('timezone')
        batch_op.drop_column('language')
    _foreign_keys(True)
