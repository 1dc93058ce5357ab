"""password set links: one-time "set your password" links an admin hands out

`password_set_links` holds the SHA-256 digest of each random token (never the token), the person
it is for, who issued it, when it expires and when it was used (once).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 16:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_set_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_password_set_links_user_id_users'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_password_set_links_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_set_links')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_set_links_token_hash'))
    )
    with op.batch_alter_table('password_set_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_set_links_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_password_set_links_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('password_set_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_set_links_user_id'))
        batch_op.drop_index(batch_op.f('ix_password_set_links_created_by_id'))

    op.drop_table('password_set_links')
