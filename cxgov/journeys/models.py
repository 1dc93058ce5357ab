"""Customer journeys (stages, touchpoints), KPI metrics and their measurements."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cxgov.db import KpiValue, Timestamped, Versioned, choice_check, collection, fk, utcnow
from cxgov.extensions import db
from cxgov.journeys.hourglass import STAGE_TYPES
from cxgov.org.models import User

JOURNEY_STATUSES = ("draft", "active", "retired")
JOURNEY_KINDS = ("customer", "employee")
PART_STATUSES = ("active", "retired")  # of stages and touchpoints: retired ones stay in history
PHASES = ("pre_sale", "post_sale")
CHANNELS = ("web", "app", "email", "phone", "chat", "store", "field", "partner", "social", "mail", "other")
DIGITAL_CHANNELS = frozenset({"web", "app", "email", "chat", "social"})
METRIC_CATEGORIES = ("customer", "operational", "financial")
DIRECTIONS = ("higher_is_better", "lower_is_better")
SOURCES = ("survey", "crm", "manual", "import")


class Journey(Versioned, Timestamped, db.Model):
    __tablename__ = "journeys"
    __table_args__ = (choice_check("status", JOURNEY_STATUSES), choice_check("kind", JOURNEY_KINDS))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default="customer", server_default="customer")
    description: Mapped[str | None] = mapped_column(sa.Text)
    owner_id: Mapped[int] = fk("users.id", ondelete="RESTRICT", nullable=False)
    segment: Mapped[str | None] = mapped_column(sa.String(120))
    status: Mapped[str] = mapped_column(sa.String(16), default="draft", index=True)

    owner: Mapped[User] = relationship()
    stages: Mapped[list["Stage"]] = collection(
        back_populates="journey", cascade="all, delete-orphan", order_by="[Stage.position, Stage.id]"
    )
    targets: Mapped[list["Target"]] = collection(
        back_populates="journey", cascade="all, delete-orphan", order_by="Target.id"
    )


class Stage(Versioned, db.Model):
    __tablename__ = "stages"
    __table_args__ = (
        choice_check("phase", PHASES),
        choice_check("stage_type", STAGE_TYPES),
        choice_check("status", PART_STATUSES),
        sa.CheckConstraint("position >= 0", name="position_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = fk("journeys.id", ondelete="CASCADE", nullable=False)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(120))
    phase: Mapped[str] = mapped_column(sa.String(16))
    # One of the hourglass's ten stages (fixing the phase) or custom: typed stages compare across journeys.
    stage_type: Mapped[str] = mapped_column(sa.String(16), default="custom", server_default="custom", index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="active", server_default="active")

    journey: Mapped[Journey] = relationship(back_populates="stages")
    touchpoints: Mapped[list["Touchpoint"]] = collection(
        back_populates="stage", cascade="all, delete-orphan", order_by="Touchpoint.id"
    )
    targets: Mapped[list["Target"]] = collection(
        back_populates="stage", cascade="all, delete-orphan", order_by="Target.id"
    )


class Touchpoint(Versioned, db.Model):
    __tablename__ = "touchpoints"
    __table_args__ = (choice_check("channel", CHANNELS), choice_check("status", PART_STATUSES))

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = fk("stages.id", ondelete="CASCADE", nullable=False)
    name: Mapped[str] = mapped_column(sa.String(160))
    channel: Mapped[str] = mapped_column(sa.String(16))
    department_id: Mapped[int | None] = fk("departments.id", ondelete="SET NULL")
    status: Mapped[str] = mapped_column(sa.String(16), default="active", server_default="active")

    stage: Mapped[Stage] = relationship(back_populates="touchpoints")

    @property
    def digital(self) -> bool:
        return self.channel in DIGITAL_CHANNELS


class Metric(Versioned, db.Model):
    __tablename__ = "metrics"
    __table_args__ = (
        choice_check("category", METRIC_CATEGORIES),
        choice_check("direction", DIRECTIONS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    category: Mapped[str] = mapped_column(sa.String(16))
    unit: Mapped[str | None] = mapped_column(sa.String(24))
    direction: Mapped[str] = mapped_column(sa.String(24), default="higher_is_better")
    builtin: Mapped[bool] = mapped_column(default=False)


JOURNEY_LEVEL = sa.text("stage_id IS NULL AND touchpoint_id IS NULL")
# The data-version set (`cxgov.data_versions`) whose token changes with the measurements: the
# features whose kept figures turn on them watch it, and an import's bulk insert changes it.
MEASURED_TABLES = "measured"


class Measurement(Versioned, Timestamped, db.Model):
    __tablename__ = "measurements"
    __table_args__ = (
        choice_check("source", SOURCES),
        sa.CheckConstraint("period_end >= period_start", name="period_ordered"),
        sa.CheckConstraint("sample_size IS NULL OR sample_size >= 0", name="sample_size_nonnegative"),
        # One value per metric, journey, stage, touchpoint and period: re-imports update it.
        sa.Index(
            "uq_measurements_key",
            "metric_id",
            "journey_id",
            sa.text("coalesce(stage_id, 0)"),
            sa.text("coalesce(touchpoint_id, 0)"),
            "period_start",
            "period_end",
            unique=True,
        ),
        sa.Index("ix_measurements_journey_id_metric_id_period_start", "journey_id", "metric_id", "period_start"),
        # The journey report's series: a journey's own measurements (no stage, no touchpoint) by
        # period. Without it a large journey is read through all its stage and touchpoint rows.
        sa.Index("ix_measurements_journey_level", "journey_id", "period_start", "period_end",
                 sqlite_where=JOURNEY_LEVEL, postgresql_where=JOURNEY_LEVEL),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    metric_id: Mapped[int] = fk("metrics.id", ondelete="RESTRICT", nullable=False)
    # Measurements are never removed with what they measure (SPEC §10): deleting their journey,
    # stage or touchpoint is refused, by the services (409) and by the database.
    journey_id: Mapped[int] = fk("journeys.id", ondelete="RESTRICT", nullable=False, index=False)
    stage_id: Mapped[int | None] = fk("stages.id", ondelete="RESTRICT")
    touchpoint_id: Mapped[int | None] = fk("touchpoints.id", ondelete="RESTRICT")
    period_start: Mapped[date] = mapped_column(index=True)
    period_end: Mapped[date]
    value: Mapped[Decimal] = mapped_column(KpiValue)
    sample_size: Mapped[int | None]
    source: Mapped[str] = mapped_column(sa.String(16), default="manual")

    metric: Mapped[Metric] = relationship()



# The latest journey-wide values of every journey and metric (the KPI movements of the home page and
# a meeting's suggestions): in the window's order, from the index alone on PostgreSQL (migration 0016).
sa.Index("ix_measurements_journey_level_latest", Measurement.journey_id, Measurement.metric_id,
         Measurement.period_start.desc(), Measurement.period_end.desc(), Measurement.id.desc(),
         sqlite_where=JOURNEY_LEVEL, postgresql_where=JOURNEY_LEVEL, postgresql_include=["value"])

class Target(Versioned, Timestamped, db.Model):
    """A value a journey (or one of its stages) is to reach on a metric by `due_on`, and who answers
    for it. Its status against the latest measurement: cxgov.journeys.targets."""

    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Removed with their journey or stage only through the session (each audited): the services
    # delete them along; the database refuses to do it unseen.
    journey_id: Mapped[int] = fk("journeys.id", ondelete="RESTRICT", nullable=False)
    stage_id: Mapped[int | None] = fk("stages.id", ondelete="RESTRICT")
    metric_id: Mapped[int] = fk("metrics.id", ondelete="RESTRICT", nullable=False)
    value: Mapped[Decimal] = mapped_column(KpiValue)
    due_on: Mapped[date]
    owner_id: Mapped[int] = fk("users.id", ondelete="RESTRICT", nullable=False)

    journey: Mapped[Journey] = relationship(back_populates="targets")
    stage: Mapped[Stage | None] = relationship(back_populates="targets")
    metric: Mapped[Metric] = relationship()
    owner: Mapped[User] = relationship()


IMPORT_JOB_STATUSES = ("queued", "running", "done", "failed")


class ImportJob(db.Model):
    """A large measurement import run in the background (SPEC §4's import, past
    `CXGOV_IMPORT_SYNC_ROWS` lines). The uploaded file waits in `instance/imports/<id>.csv` until
    the job is done; `counts` is the import's answer, `problem` its refusal (status, detail,
    errors, lines, bad_lines) as the synchronous import would have answered."""

    __tablename__ = "import_jobs"
    __table_args__ = (choice_check("status", IMPORT_JOB_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="queued", index=True)
    created_by_id: Mapped[int | None] = fk("users.id", ondelete="SET NULL")
    filename: Mapped[str] = mapped_column(sa.String(255))
    # The import's query (format, metric, journey_id, …) as given, loaded again when it runs.
    options: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    lines: Mapped[int] = mapped_column(sa.Integer)  # data lines (line breaks after the header)
    attempts: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict | None] = mapped_column(sa.JSON)
    problem: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
