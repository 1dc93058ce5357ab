"""post-implementation reviews of delivered initiatives

`reviews` holds the reviews scheduled when an initiative is delivered (SPEC §8.4): one per day of
`CXGOV_REVIEW_DAYS` after `delivered_on`, each with a verdict recorded once and a frozen snapshot.
Initiatives that are `delivered` at the upgrade get their reviews scheduled from their
`delivered_on`, with the days `CXGOV_REVIEW_DAYS` names at the upgrade (default 30, 60, 90);
closed ones were closed without a review and get none.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 16:00:00

"""
import os
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def _review_days():
    text = os.environ.get("CXGOV_REVIEW_DAYS", "30,60,90")
    return sorted({int(part) for part in text.split(",") if part.strip()})


def _schedule_delivered():
    bind = op.get_bind()
    meta = sa.MetaData()
    initiatives = sa.Table("initiatives", meta, autoload_with=bind)
    reviews = sa.Table("reviews", meta, autoload_with=bind)
    days = _review_days()
    rows = [
        {"initiative_id": initiative_id, "number": number, "due_on": delivered_on + timedelta(days=day)}
        for initiative_id, delivered_on in bind.execute(
            sa.select(initiatives.c.id, initiatives.c.delivered_on)
            .where(initiatives.c.status == "delivered", initiatives.c.delivered_on.is_not(None))
            .order_by(initiatives.c.id))
        for number, day in enumerate(days, start=1)
    ]
    if rows:
        bind.execute(reviews.insert(), rows)


def upgrade():
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=True),
        sa.CheckConstraint("verdict IN ('achieved', 'partly_achieved', 'not_achieved', 'inconclusive')",
                           name=op.f("ck_reviews_verdict")),
        sa.CheckConstraint("(verdict IS NULL) = (recorded_at IS NULL)", name=op.f("ck_reviews_recorded_with_verdict")),
        sa.CheckConstraint("number >= 1", name=op.f("ck_reviews_number_positive")),
        sa.ForeignKeyConstraint(["initiative_id"], ["initiatives.id"],
                                name=op.f("fk_reviews_initiative_id_initiatives"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_reviews_recorded_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("initiative_id", "number", name=op.f("uq_reviews_initiative_id_number")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviews_initiative_id"), ["initiative_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviews_recorded_by_id"), ["recorded_by_id"], unique=False)
    _schedule_delivered()


def downgrade():
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_recorded_by_id"))
        batch_op.drop_index(batch_op.f("ix_reviews_initiative_id"))
        batch_op.drop_index(batch_op.f("ix_reviews_due_on"))
    op.drop_table("reviews")
