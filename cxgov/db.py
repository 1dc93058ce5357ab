"""Declarative base, column types and mixins shared by every feature's models."""
from datetime import date, datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import MetaData, orm
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def today() -> date:
    return utcnow().date()


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware instant, stored in UTC; SQLite's naive values come back as UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: instants must be timezone-aware")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# Money: exact, two places. KPI values: four places. Ratios (risk, attribution): four places.
Money = sa.Numeric(14, 2, asdecimal=True)
KpiValue = sa.Numeric(14, 4, asdecimal=True)
Ratio = sa.Numeric(5, 4, asdecimal=True)


def collection(*args, lazy="raise_on_sql", **kwargs):
    """A one-to-many relationship, which by default refuses to load itself with a query: the query
    says how (`selectinload`), or a service working on one object says so with `load()`. A list or
    a report cannot fall into one query per row unnoticed."""
    return orm.relationship(*args, lazy=lazy, **kwargs)


def copy_rows(connection, table, columns, rows):
    """PostgreSQL: write `rows` (tuples in `columns` order) into `table` with COPY … FROM STDIN,
    the fastest way in (bulk loads: an import's staging table, generated data)."""
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def load(instance, *names):
    """`instance` with the named relationships loaded (those not loaded yet, one query each): the
    explicit lazy load of a service or a view working on one object."""
    state = sa.inspect(instance)
    missing = [name for name in names if name in state.unloaded]
    if missing and state.persistent:  # a new object's collections start empty, with no query
        state.session.refresh(instance, attribute_names=missing)
    return instance


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime(), Decimal: Money},
    )


def choice_check(column: str, values, name: str | None = None) -> sa.CheckConstraint:
    """A CHECK constraint that keeps `column` within `values` (enums live in the database)."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=name or column)


def fk(target: str, *, ondelete: str | None = None, nullable: bool = True, index: bool = True):
    """A foreign-key column, indexed by default."""
    return mapped_column(sa.ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)


class Versioned:
    """Optimistic locking: every UPDATE checks and bumps `version`; it is also the ETag."""

    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}
