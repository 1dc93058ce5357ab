"""meeting packs: the pre-read pack as the meeting reminders sent it

- `meeting_packs`: one row per send (meeting, `sent_at` UTC, the pack's JSON as the API serializes
  it in full, the PDF's bytes). Deleting a meeting deletes its packs.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 19:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('meeting_packs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'],
                            name=op.f('fk_meeting_packs_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_packs'))
    )
    with op.batch_alter_table('meeting_packs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_packs_meeting_id'), ['meeting_id'], unique=False)


def downgrade():
    with op.batch_alter_table('meeting_packs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_packs_meeting_id'))
    op.drop_table('meeting_packs')
