"""steering cadence: quorum, outcomes per agenda item, meeting series

`committees.quorum` (null: more than half the members) and `meetings.quorum_note` (why a meeting
was held below quorum); `decisions.agenda_item_id` and `action_items.agenda_item_id` (the agenda
item an outcome came from; set null when the item goes); `meeting_series` (an RRULE and what its
meetings share) and on `meetings` its `series_id`, the `occurrence_at` of the rule it is and
`series_detached` (changed on its own).

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

OUTCOMES = ('decisions', 'action_items')


def _foreign_keys(on):
    """SQLite rebuilds a table in batch mode: the rows referring to it must not be cascaded away."""
    if op.get_bind().dialect.name == "sqlite":
        with op.get_context().autocommit_block():
            op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def upgrade():
    op.create_table('meeting_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('rrule', sa.String(length=500), nullable=False),
    sa.Column('first_starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=True),
    sa.Column('ics_uid', sa.String(length=120), nullable=False),
    sa.Column('ics_sequence', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_meeting_series_duration_positive')),
    sa.CheckConstraint('ics_sequence >= 0', name=op.f('ck_meeting_series_ics_sequence_nonnegative')),
    sa.ForeignKeyConstraint(['committee_id'], ['committees.id'],
                            name=op.f('fk_meeting_series_committee_id_committees'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_series')),
    sa.UniqueConstraint('ics_uid', name=op.f('uq_meeting_series_ics_uid'))
    )
    with op.batch_alter_table('meeting_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_series_committee_id'), ['committee_id'], unique=False)
    _foreign_keys(False)
    with op.batch_alter_table('committees', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quorum', sa.Integer(), nullable=True))
        batch_op.create_check_constraint('quorum_positive', 'quorum IS NULL OR quorum > 0')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('quorum_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('occurrence_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('series_detached', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_meetings_series_id_meeting_series'), 'meeting_series',
                                    ['series_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_meetings_series_id'), ['series_id'], unique=False)
    for table in OUTCOMES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('agenda_item_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_agenda_item_id_agenda_items'), 'agenda_items',
                                        ['agenda_item_id'], ['id'], ondelete='SET NULL')
            batch_op.create_index(batch_op.f(f'ix_{table}_agenda_item_id'), ['agenda_item_id'], unique=False)
    _foreign_keys(True)


def downgrade():
    _foreign_keys(False)
    for table in OUTCOMES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_agenda_item_id'))
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_agenda_item_id_agenda_items'), type_='foreignkey')
            batch_op.drop_column('agenda_item_id')
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meetings_series_id'))
        batch_op.drop_constraint(batch_op.f('fk_meetings_series_id_meeting_series'), type_='foreignkey')
        batch_op.drop_column('series_detached')
        batch_op.drop_column('occurrence_at')
        batch_op.drop_column('series_id')
        batch_op.drop_column('quorum_note')
    with op.batch_alter_table('committees', schema=None) as batch_op:
        batch_op.drop_constraint('quorum_positive', type_='check')
        batch_op.drop_column('quorum')
    _foreign_keys(True)
    op.drop_table('meeting_series')
