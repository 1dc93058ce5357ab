"""standing agenda: a committee's standing sections, agenda items filed under them

`committee_sections`: a committee's standing agenda, in `position` order (unique per committee);
its `kind` is one of the sources of what is due before a meeting (each at most once per
committee, a partial unique index) or `fixed` (a standing item without a source). On
`agenda_items`, `section_id`: the section an item was filled under (set null when the section
goes).

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 19:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

KINDS = ('initiatives_ready', 'reviews_due', 'carried_over', 'kpis_wrong_way', 'silent_ambassadors', 'fixed')


def _foreign_keys(on):
    """SQLite rebuilds a table in batch mode: the rows referring to it must not be cascaded away."""
    if op.get_bind().dialect.name == "sqlite":
        with op.get_context().autocommit_block():
            op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade():
    op.create_table('committee_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint(f"kind IN ({', '.join(repr(k) for k in KINDS)})", name=op.f('ck_committee_sections_kind')),
    sa.CheckConstraint('position >= 0', name=op.f('ck_committee_sections_position_nonnegative')),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'],
                            name=op.f('fk_committee_sections_committee_id_committees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_committee_sections')),
    sa.UniqueConstraint('committee_id', 'position', name=op.f('uq_committee_sections_committee_id_position'))
    )
    op.create_index('uq_committee_sections_source', 'committee_sections', ['committee_id', 'kind'], unique=True,
                    sqlite_where=sa.text("kind <> 'fixed'"), postgresql_where=sa.text("kind <> 'fixed'"))
    _foreign_keys(False)
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('section_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_agenda_items_section_id_committee_sections'),
                                    'committee_sections', ['section_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_agenda_items_section_id'), ['section_id'], unique=False)
    _foreign_keys(True)


def downgrade():
    _foreign_keys(False)
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_items_section_id'))
        batch_op.drop_constraint(batch_op.f('fk_agenda_items_section_id_committee_sections'), type_='foreignkey')
        batch_op.drop_column('section_id')
    _foreign_keys(True)
    op.drop_index('uq_committee_sections_source', table_name='committee_sections')
    op.drop_table('committee_sections')
