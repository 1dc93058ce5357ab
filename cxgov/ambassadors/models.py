"""CX ambassador assignments (one active per department) and the actions they log."""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxgov.db import Timestamped, Versioned, choice_check, fk
from cxgov.extensions import db
from cxgov.org.models import Department, User

ACTION_KINDS = (
    "training", "customer_story", "voc_session", "improvement_idea", "process_fix", "recognition", "other",
)


class Ambassador(Versioned, Timestamped, db.Model):
    __tablename__ = "ambassadors"
    __table_args__ = (
        sa.CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="ended_after_started"),
        # At most one active ambassador per department.
        sa.Index(
            "uq_ambassadors_active_department",
            "department_id",
            unique=True,
            sqlite_where=sa.text("ended_on IS NULL"),
            postgresql_where=sa.text("ended_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = fk("users.id", ondelete="RESTRICT", nullable=False)
    department_id: Mapped[int] = fk("departments.id", ondelete="RESTRICT", nullable=False)
    started_on: Mapped[date]
    ended_on: Mapped[date | None]

    user: Mapped[User] = relationship()
    department: Mapped[Department] = relationship()

    @property
    def active(self) -> bool:
        return self.ended_on is None


class AmbassadorAction(Versioned, Timestamped, db.Model):
    __tablename__ = "ambassador_actions"
    __table_args__ = (
        choice_check("kind", ACTION_KINDS),
        sa.CheckConstraint("people_reached >= 0", name="people_reached_nonnegative"),
        sa.CheckConstraint("hours >= 0", name="hours_nonnegative"),
        sa.Index("ix_ambassador_actions_department_id_occurred_on", "department_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ambassador_id: Mapped[int] = fk("ambassadors.id", ondelete="CASCADE", nullable=False)
    department_id: Mapped[int] = fk("departments.id", ondelete="RESTRICT", nullable=False, index=False)
    occurred_on: Mapped[date] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    people_reached: Mapped[int] = mapped_column(default=0)
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), default=Decimal("0"))
    initiative_id: Mapped[int | None] = fk("initiatives.id", ondelete="SET NULL")
    journey_id: Mapped[int | None] = fk("journeys.id", ondelete="SET NULL")

    ambassador: Mapped[Ambassador] = relationship()
