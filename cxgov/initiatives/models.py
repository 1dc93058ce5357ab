"""Initiatives, their lifecycle history, business case (cash flows) and KPI impacts."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxgov.db import KpiValue, Money, Ratio, Timestamped, Versioned, choice_check, collection, fk, utcnow
from cxgov.extensions import db
from cxgov.journeys.models import Journey, Metric
from cxgov.org.models import User

CATEGORIES = ("process", "digital", "people", "product", "policy")
STATUSES = ("proposed", "approved", "rejected", "in_progress", "delivered", "closed", "cancelled")
CASH_FLOW_KINDS = ("cost", "benefit")
BASES = ("planned", "actual")


class Initiative(Versioned, Timestamped, db.Model):
    __tablename__ = "initiatives"
    __table_args__ = (
        choice_check("category", CATEGORIES),
        choice_check("status", STATUSES),
        sa.CheckConstraint("target_on IS NULL OR start_on IS NULL OR target_on >= start_on", name="target_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    journey_id: Mapped[int] = fk("journeys.id", ondelete="RESTRICT", nullable=False)
    stage_id: Mapped[int | None] = fk("stages.id", ondelete="SET NULL")
    department_id: Mapped[int] = fk("departments.id", ondelete="RESTRICT", nullable=False)
    owner_id: Mapped[int] = fk("users.id", ondelete="RESTRICT", nullable=False)
    sponsor_id: Mapped[int | None] = fk("users.id", ondelete="SET NULL")
    category: Mapped[str] = mapped_column(sa.String(16), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="proposed", index=True)
    start_on: Mapped[date | None]
    target_on: Mapped[date | None]
    delivered_on: Mapped[date | None] = mapped_column(index=True)

    journey: Mapped[Journey] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    sponsor: Mapped[User | None] = relationship(foreign_keys=[sponsor_id])
    transitions: Mapped[list["Transition"]] = collection(
        back_populates="initiative", cascade="all, delete-orphan", order_by="Transition.id"
    )
    cash_flows: Mapped[list["CashFlow"]] = collection(
        back_populates="initiative", cascade="all, delete-orphan", order_by="(CashFlow.year, CashFlow.id)"
    )
    impacts: Mapped[list["Impact"]] = collection(
        back_populates="initiative", cascade="all, delete-orphan", order_by="Impact.id"
    )


class Transition(db.Model):
    """One step of an initiative's lifecycle, kept forever."""

    __tablename__ = "initiative_transitions"
    __table_args__ = (choice_check("from_status", STATUSES), choice_check("to_status", STATUSES))

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = fk("initiatives.id", ondelete="CASCADE", nullable=False)
    from_status: Mapped[str] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    decision_id: Mapped[int | None] = fk("decisions.id", ondelete="RESTRICT")
    note: Mapped[str | None] = mapped_column(sa.Text)
    effective_on: Mapped[date]
    actor_id: Mapped[int | None] = fk("users.id", ondelete="SET NULL")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    initiative: Mapped[Initiative] = relationship(back_populates="transitions")
    actor: Mapped[User | None] = relationship()


class CashFlow(Versioned, db.Model):
    __tablename__ = "cash_flows"
    __table_args__ = (
        choice_check("kind", CASH_FLOW_KINDS),
        choice_check("basis", BASES),
        sa.CheckConstraint("year >= 0 AND year <= 10", name="year_range"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("risk_adjustment >= 0 AND risk_adjustment < 1", name="risk_adjustment_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = fk("initiatives.id", ondelete="CASCADE", nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(8))
    category: Mapped[str] = mapped_column(sa.String(80))
    year: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Money)
    risk_adjustment: Mapped[Decimal] = mapped_column(Ratio, default=Decimal("0"))
    basis: Mapped[str] = mapped_column(sa.String(8), default="planned")
    description: Mapped[str | None] = mapped_column(sa.Text)

    initiative: Mapped[Initiative] = relationship(back_populates="cash_flows")


class Impact(Versioned, db.Model):
    __tablename__ = "impacts"
    __table_args__ = (
        sa.CheckConstraint("attribution >= 0 AND attribution <= 1", name="attribution_range"),
        sa.UniqueConstraint("initiative_id", "metric_id", "journey_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = fk("initiatives.id", ondelete="CASCADE", nullable=False)
    metric_id: Mapped[int] = fk("metrics.id", ondelete="RESTRICT", nullable=False)
    journey_id: Mapped[int] = fk("journeys.id", ondelete="RESTRICT", nullable=False)  # kept: SPEC §10
    baseline_value: Mapped[Decimal] = mapped_column(KpiValue)
    target_value: Mapped[Decimal] = mapped_column(KpiValue)
    value_per_unit: Mapped[Decimal] = mapped_column(Money)
    attribution: Mapped[Decimal] = mapped_column(Ratio, default=Decimal("1"))

    initiative: Mapped[Initiative] = relationship(back_populates="impacts")
    metric: Mapped[Metric] = relationship()


class Baseline(db.Model):
    """The business case and measurement plan as the committee approved them (SPEC §8.2): a
    frozen copy of the planned cash flows and the impacts, never changed by later edits. A
    re-baselining decision adds a newer one; the newest is the initiative's baseline."""

    __tablename__ = "baselines"

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = fk("initiatives.id", ondelete="CASCADE", nullable=False)
    approved_on: Mapped[date]
    decision_id: Mapped[int | None] = fk("decisions.id", ondelete="RESTRICT")
    # True for a baseline the 0007 migration made from the plan as it stood then.
    migrated: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = fk("users.id", ondelete="SET NULL")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cash_flows: Mapped[list["BaselineCashFlow"]] = collection(
        cascade="all, delete-orphan", order_by="(BaselineCashFlow.year, BaselineCashFlow.id)"
    )
    impacts: Mapped[list["BaselineImpact"]] = collection(cascade="all, delete-orphan", order_by="BaselineImpact.id")


class BaselineCashFlow(db.Model):
    """A planned cash flow as it stood at approval."""

    __tablename__ = "baseline_cash_flows"
    __table_args__ = (
        choice_check("kind", CASH_FLOW_KINDS),
        sa.CheckConstraint("year >= 0 AND year <= 10", name="year_range"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("risk_adjustment >= 0 AND risk_adjustment < 1", name="risk_adjustment_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    baseline_id: Mapped[int] = fk("baselines.id", ondelete="CASCADE", nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(8))
    category: Mapped[str] = mapped_column(sa.String(80))
    year: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Money)
    risk_adjustment: Mapped[Decimal] = mapped_column(Ratio)
    description: Mapped[str | None] = mapped_column(sa.Text)


class BaselineImpact(db.Model):
    """A KPI impact as it stood at approval (`impact_id`: the live impact it was copied from,
    while it exists)."""

    __tablename__ = "baseline_impacts"
    __table_args__ = (sa.CheckConstraint("attribution >= 0 AND attribution <= 1", name="attribution_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    baseline_id: Mapped[int] = fk("baselines.id", ondelete="CASCADE", nullable=False)
    impact_id: Mapped[int | None] = fk("impacts.id", ondelete="SET NULL")
    metric_id: Mapped[int] = fk("metrics.id", ondelete="RESTRICT", nullable=False)
    journey_id: Mapped[int] = fk("journeys.id", ondelete="RESTRICT", nullable=False)
    baseline_value: Mapped[Decimal] = mapped_column(KpiValue)
    target_value: Mapped[Decimal] = mapped_column(KpiValue)
    value_per_unit: Mapped[Decimal] = mapped_column(Money)
    attribution: Mapped[Decimal] = mapped_column(Ratio)

    metric: Mapped[Metric] = relationship()


REVIEW_VERDICTS = ("achieved", "partly_achieved", "not_achieved", "inconclusive")


class Review(db.Model):
    """A post-implementation review (SPEC §8.4): scheduled when the initiative is delivered, one per
    day of `CXGOV_REVIEW_DAYS`; a verdict is recorded once, with a frozen `snapshot` of what the
    impacts and the actual NPV stood at then. `status` is `done` once there is a verdict."""

    __tablename__ = "reviews"
    __table_args__ = (
        sa.UniqueConstraint("initiative_id", "number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        choice_check("verdict", REVIEW_VERDICTS),
        sa.CheckConstraint("(verdict IS NULL) = (recorded_at IS NULL)", name="recorded_with_verdict"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = fk("initiatives.id", ondelete="CASCADE", nullable=False)
    number: Mapped[int]
    due_on: Mapped[date] = mapped_column(index=True)
    verdict: Mapped[str | None] = mapped_column(sa.String(16))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    recorded_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int | None] = fk("users.id", ondelete="SET NULL")
    snapshot: Mapped[dict | None] = mapped_column(sa.JSON)

    initiative: Mapped[Initiative] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    @property
    def status(self):
        return "due" if self.verdict is None else "done"
