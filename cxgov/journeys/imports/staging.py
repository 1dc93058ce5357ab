"""Staging and writing: each chunk's rows checked against what they name (metrics, journeys, stages,
touchpoints, loaded in bulk, each once per import) and copied into a temporary table (COPY on
PostgreSQL); once the whole file is checked, one statement per chunk inserts its new measurements
and one query matches the rest against the stored ones. Queries: a fixed number per chunk. Nothing
here commits or rolls back: the caller's transaction takes the writes, or drops them on a refusal."""
from operator import itemgetter

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite

from cxgov import data_versions, policy
from cxgov.audit.services import record_event
from cxgov.db import KpiValue, copy_rows, utcnow
from cxgov.errors import Forbidden
from cxgov.extensions import db
from cxgov.journeys.imports.rows import (
    END,
    JOURNEY_ID,
    LINE,
    METRIC,
    METRIC_ID,
    STAGE_ID,
    START,
    TOUCHPOINT_ID,
    Converter,
)
from cxgov.journeys.models import MEASURED_TABLES, Journey, Measurement, Metric, Stage, Touchpoint
from cxgov.journeys.services import kpi

IMPORT_ROWS = sa.Table(
    "measurement_import_rows", sa.MetaData(),
    sa.Column("line", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("metric", sa.String),
    sa.Column("metric_id", sa.Integer),
    sa.Column("journey_id", sa.Integer),
    sa.Column("stage_id", sa.Integer),
    sa.Column("touchpoint_id", sa.Integer),
    sa.Column("period_start", sa.Date),
    sa.Column("period_end", sa.Date),
    sa.Column("value", KpiValue),
    sa.Column("sample_size", sa.Integer),
    sa.Column("source", sa.String(16)),
    sa.Column("refused", sa.Boolean, nullable=False, server_default=sa.false()),  # a row with problems
    prefixes=["TEMPORARY"],
)
ROW_COLUMNS = [column.name for column in IMPORT_ROWS.columns if column.name != "refused"]
WRITTEN = ["metric_id", "journey_id", "stage_id", "touchpoint_id", "period_start", "period_end", "value",
           "sample_size", "source"]


def _statements():
    staged, stored = IMPORT_ROWS.c, Measurement.__table__.c
    zero = sa.literal_column("0")  # literally the expressions of the unique index uq_measurements_key
    key = [stored.metric_id, stored.journey_id, sa.func.coalesce(stored.stage_id, zero),
           sa.func.coalesce(stored.touchpoint_id, zero), stored.period_start, stored.period_end]
    staged_key = [staged.metric_id, staged.journey_id, sa.func.coalesce(staged.stage_id, zero),
                  sa.func.coalesce(staged.touchpoint_id, zero), staged.period_start, staged.period_end]
    in_chunk = staged.line.between(sa.bindparam("first"), sa.bindparam("last"))
    now = sa.bindparam("now", type_=stored.created_at.type)
    # The chunk's rows whose key is not stored yet are inserted (its stored keys are skipped by
    # ON CONFLICT DO NOTHING on the unique index: one look-up per row, the insert's own), and the
    # new ids returned; only when some row was skipped are the chunk's keys matched.
    # In what order: PostgreSQL takes the rows in key order. SQLite takes them in file order: its
    # small page cache then meets the table's eight indexes where the file's rows lie (an export
    # lists a journey's, stage's or touchpoint's metrics for one period together), not at random
    # as key order does for all but the key's index; the bench's million rows into a million:
    # 25–27 → 17–21 s of writing (docs/scaling.md).
    create = {dialect: insert(Measurement.__table__).from_select(
        WRITTEN + ["version", "created_at", "updated_at"],
        sa.select(*[staged[name] for name in WRITTEN], sa.literal_column("1"), now, now).where(in_chunk)
        .order_by(*order),
    ).on_conflict_do_nothing(index_elements=key).returning(stored.id)
        for dialect, insert, order in (("postgresql", postgresql.insert, staged_key),
                                       ("sqlite", sqlite.insert, [staged.line]))}
    matches = (sa.select(staged.line, stored.id, stored.value, stored.sample_size, stored.source)
               .select_from(IMPORT_ROWS).join(Measurement.__table__, sa.and_(*[
                   column == staged_column for column, staged_column in zip(key, staged_key, strict=True)]))
               .where(in_chunk).order_by(*key))
    refuse = IMPORT_ROWS.update().where(staged.line.in_(sa.bindparam("lines", expanding=True))).values(refused=True)
    first = sa.func.min(staged.line).over(partition_by=[
        staged.metric_id, staged.metric, staged.journey_id, staged.stage_id, staged.touchpoint_id,
        staged.period_start, staged.period_end]).label("first")
    keyed = sa.select(staged.line, staged.refused, first).subquery()
    repeats = (sa.select(keyed.c.line, keyed.c.first, keyed.c.refused).where(keyed.c.line > keyed.c.first)
               .order_by(keyed.c.line))
    # The staged values as the database keeps them (no result processing: compared with the stored).
    staged_values = sa.text(f"SELECT line, value, sample_size, source FROM {IMPORT_ROWS.name} "
                            "WHERE line BETWEEN :first AND :last")
    # Every staged row of the chunk with the stored measurement of its key, if any (the preview).
    preview = (sa.select(staged.line, staged.metric_id, staged.journey_id, staged.stage_id, staged.touchpoint_id,
                         staged.period_start, staged.period_end, stored.id.label("stored_id"),
                         stored.value.label("old_value"), stored.sample_size.label("old_sample_size"),
                         stored.source.label("old_source"))
               .select_from(IMPORT_ROWS.outerjoin(Measurement.__table__, sa.and_(*[
                   column == staged_column for column, staged_column in zip(key, staged_key, strict=True)])))
               .where(in_chunk).order_by(staged.line))
    return create, matches, refuse, repeats, staged_values, preview


CREATE, MATCHES, REFUSE, REPEATS, STAGED_VALUES, PREVIEW = _statements()

IMPORT_LOCK_NAMESPACE = 0x696D  # "im": pg_advisory_xact_lock(namespace, journey id) of a journey's imports
JOURNEY_LOCK = sa.text("SELECT pg_advisory_xact_lock(:namespace, :journey_id)")


class References:
    """The metrics, journeys, stages and touchpoints the rows name, loaded in bulk when a chunk
    names new ones and kept: they grow with the tables, not with the file."""

    def __init__(self, actor):
        self.actor = actor
        self.metrics = dict(db.session.execute(sa.select(Metric.code, Metric.id)).all())
        self.journeys = {}  # id → whether the actor may write the journey's measurements
        self.stages = {}  # id → journey id
        self.touchpoints = {}  # id → (stage id, journey id)
        # Retired stages and touchpoints (a touchpoint of a retired stage too) take no new rows (SPEC §10).
        self.retired_stages, self.retired_touchpoints = set(), set()
        self.forbidden = False  # some journey may not be written by the actor

    def load(self, journey_ids, stage_ids, touchpoint_ids):
        journey_ids = journey_ids - self.journeys.keys()
        if journey_ids:
            for journey in db.session.scalars(sa.select(Journey).where(Journey.id.in_(journey_ids))):
                may = self.journeys[journey.id] = policy.write_journey(self.actor, journey)
                self.forbidden = self.forbidden or not may
        stage_ids = stage_ids - self.stages.keys()
        if stage_ids:
            for stage_id, journey_id, status in db.session.execute(
                    sa.select(Stage.id, Stage.journey_id, Stage.status).where(Stage.id.in_(stage_ids))):
                self.stages[stage_id] = journey_id
                if status == "retired":
                    self.retired_stages.add(stage_id)
        touchpoint_ids = touchpoint_ids - self.touchpoints.keys()
        if touchpoint_ids:
            found = db.session.execute(
                sa.select(Touchpoint.id, Touchpoint.stage_id, Stage.journey_id, Touchpoint.status, Stage.status)
                .join(Stage, Stage.id == Touchpoint.stage_id).where(Touchpoint.id.in_(touchpoint_ids))).all()
            for tp_id, stage_id, journey_id, status, stage_status in found:
                self.touchpoints[tp_id] = (stage_id, journey_id)
                if "retired" in (status, stage_status):
                    self.retired_touchpoints.add(tp_id)

    def refused_journeys(self):
        return sorted(journey_id for journey_id, may in self.journeys.items() if not may)


# Rows written by one statement: a chunk is staged at once and written in pieces, so that a
# background import gives way to requests (`import_pace`) between short statements (2,500 rows
# take about 0.15 s on PostgreSQL into a table of a million rows, 10,000 about 0.6 s).
WRITE_ROWS = 2_500


class Staging:
    """One file's import on the session's connection, in its transaction: chunks checked and staged
    (`add`), then, nothing refused, written chunk after chunk under the journeys' locks (`finish`).
    `close` ends the staging whatever happened (the caller's `finally`)."""

    def __init__(self, actor, problems):
        self.connection = connection = db.session.connection()
        self.actor = actor
        self.problems = problems
        self.refs = References(actor)
        self.convert = Converter(connection.dialect, self.refs.metrics)
        self.create = CREATE[connection.dialect.name]
        self.now = utcnow()
        self.counts = {"created": 0, "updated": 0, "unchanged": 0, "rows": 0}
        self.repeated = False  # two rows of a chunk have the same key
        self.matched = False  # some row matched a stored measurement: it may repeat an earlier row
        self.chunks = []  # (first line, last line, rows) of every piece of WRITE_ROWS staged
        self._autocommit = None  # SQLite: the driver connection staging outside a transaction, its setting
        if connection.dialect.name == "sqlite":
            driver = connection.connection.driver_connection
            if not driver.in_transaction:
                # Staging writes only the temporary table; outside a transaction the reads of the
                # stored tables meanwhile hold no snapshot, so the writes that follow wait for the
                # write lock (busy timeout) instead of failing at once because someone else
                # committed while this file was being checked (WAL's "busy snapshot").
                self._autocommit = (driver, driver.isolation_level)
                driver.isolation_level = None
        try:
            # A table left by an import refused on this connection after it began writing (SQLite:
            # staged outside the transaction its refusal rolled back) goes first.
            connection.exec_driver_sql(f"DROP TABLE IF EXISTS {IMPORT_ROWS.name}")
            IMPORT_ROWS.create(connection)
        except BaseException:
            self._end_staging()
            raise

    def _end_staging(self):
        """Back to the driver's transactions (SQLite): the writes and their checks are one transaction."""
        if self._autocommit is not None:
            driver, setting = self._autocommit
            driver.isolation_level = setting
            self._autocommit = None

    def discard(self):
        """A refused file: the temporary table goes (at once when staged outside a transaction;
        otherwise with the transaction the caller rolls back)."""
        self.connection.exec_driver_sql(f"DROP TABLE IF EXISTS {IMPORT_ROWS.name}")

    def close(self):
        self._end_staging()

    def refusing(self):
        return bool(self.problems.by_label or self.repeated or self.refs.forbidden)

    def add(self, rows, problems):
        """Check a chunk and stage it: nothing is written before the whole file is checked."""
        if not rows:
            self.problems.take(problems)
            return
        self.counts["rows"] += len(rows)
        self.refs.load({row[JOURNEY_ID] for row in rows}, {row[STAGE_ID] for row in rows} - {None},
                       {row[TOUCHPOINT_ID] for row in rows} - {None})
        refused = self._check(rows, problems)
        self.problems.take(problems)
        if self.refs.forbidden:
            return  # the file is refused with 403, whatever else is wrong
        self._stage(rows)
        for at in range(0, len(rows), WRITE_ROWS):
            piece = rows[at:at + WRITE_ROWS]
            self.chunks.append((piece[0][LINE], piece[-1][LINE], len(piece)))
        if refused:
            self.connection.execute(REFUSE, {"lines": refused})

    def _check(self, rows, problems):
        """What no single line shows: unknown metrics and journeys, stages and touchpoints of other
        journeys, reversed periods, repeated keys. Returns the lines refused."""
        journeys, stages, touchpoints = self.refs.journeys, self.refs.stages, self.refs.touchpoints
        refused = []
        for line, code, metric_id, journey_id, stage_id, touchpoint_id, start, end, *_rest in rows:
            before = len(problems.by_label)
            if metric_id is None:
                problems.line(line, _("metric: no metric with code %(code)s", code=repr(code)))
            if journey_id not in journeys:
                problems.line(line, _("journey_id: no journey %(id)s", id=journey_id))
            if end < start:  # ISO dates (SQLite's text) sort as dates do
                problems.line(line, _("period_end: before period_start"))
            if stage_id is not None and stages.get(stage_id) != journey_id:
                problems.line(line, _("stage_id: stage %(stage)s is not a stage of journey %(journey)s", stage=stage_id,
                                      journey=journey_id))
            elif stage_id in self.refs.retired_stages:
                problems.line(line, _("stage_id: stage %(stage)s is retired; it takes no new measurements",
                                      stage=stage_id))
            if touchpoint_id is not None:
                tp_stage_id, tp_journey_id = touchpoints.get(touchpoint_id, (None, None))
                if tp_journey_id != journey_id:
                    problems.line(line, _("touchpoint_id: touchpoint %(touchpoint)s is not on journey %(journey)s",
                                          touchpoint=touchpoint_id, journey=journey_id))
                elif stage_id is not None and tp_stage_id != stage_id:
                    problems.line(line, _("touchpoint_id: touchpoint %(touchpoint)s is not in stage %(stage)s",
                                          touchpoint=touchpoint_id, stage=stage_id))
                elif touchpoint_id in self.refs.retired_touchpoints:
                    problems.line(line, _("touchpoint_id: touchpoint %(touchpoint)s is retired (or its stage is); "
                                          "it takes no new measurements", touchpoint=touchpoint_id))
            if len(problems.by_label) > before:
                refused.append(line)
        keys = set(map(itemgetter(METRIC, METRIC_ID, JOURNEY_ID, STAGE_ID, TOUCHPOINT_ID, START, END), rows))
        if len(keys) < len(rows):
            self.repeated = True  # named, with the earlier line, by the check of the whole file
        return refused

    def _stage(self, rows):
        """Copy the rows into the temporary table, the fastest way the database has."""
        if self.connection.dialect.name == "postgresql":
            copy_rows(self.connection, IMPORT_ROWS.name, ROW_COLUMNS, rows)
            return
        driver = self.connection.connection.driver_connection
        insert = (f"INSERT INTO {IMPORT_ROWS.name} ({', '.join(ROW_COLUMNS)}) "
                  f"VALUES ({', '.join('?' * len(ROW_COLUMNS))})")
        if self._autocommit is None:
            driver.executemany(insert, rows)
            return
        # Staged outside the transaction: the chunk is one transaction of the temporary table
        # alone (it reads no stored table, so it holds no snapshot), not one per row (4.2 → 2.2 s
        # a million rows).
        driver.execute("BEGIN")
        try:
            driver.executemany(insert, rows)
        except BaseException:
            if driver.in_transaction:  # SQLite may have rolled it back itself (a full disk)
                driver.execute("ROLLBACK")
            raise
        driver.execute("COMMIT")

    def _lock_journeys(self):
        """Serialise the imports of a journey: on PostgreSQL a transaction-scoped advisory lock per
        journey of the file, taken in ascending id order (two imports naming the same journeys wait
        for each other instead of deadlocking), held until the commit. What is counted afterwards
        is what this import finds and changes. SQLite has a single writer: its write lock does it."""
        if self.connection.dialect.name != "postgresql":
            return
        for journey_id in sorted(self.refs.journeys):
            self.connection.execute(JOURNEY_LOCK, {"namespace": IMPORT_LOCK_NAMESPACE, "journey_id": journey_id})

    def _refuse(self, repeats=False):
        """Refuse the file (403, 422) for what its checks found. `repeats`: name repeated keys
        even when nothing else is wrong (otherwise a key repeating an earlier chunk's is found
        as the rows are written)."""
        forbidden = self.refs.refused_journeys()
        if forbidden:
            raise Forbidden(_("You may not record measurements of journey(s) %(journeys)s; nothing was imported.",
                              journeys=", ".join(map(str, forbidden))), journeys=forbidden)
        if repeats or self.refusing():
            self._name_repeats()
        if not self.counts["rows"] and not self.problems.by_label:
            self.problems.add("file", _("No data rows under the header."))
        self.problems.raise_if_any()

    def finish(self, progress=None):
        """Refuse the file (403, 422), or write it and audit what it created; the counts. A refusal
        found once writing began (a key repeating an earlier line's) leaves the writes to the
        caller's rollback."""
        self._refuse()
        self._write(progress)
        if self.matched:  # a row matched a stored one: maybe one this file created on an earlier line
            self._name_repeats()
            self.problems.raise_if_any()
        self.connection.execute(sa.text(f"DROP TABLE {IMPORT_ROWS.name}"))
        if self.counts["created"]:
            data_versions.changed(MEASURED_TABLES)  # the ORM does not see the bulk insert
            # Bulk-inserted measurements are audited as one entry with the counts.
            record_event("create", "measurement_import", None, actor_id=getattr(self.actor, "id", None),
                         created=self.counts["created"], rows=self.counts["rows"])
            db.session.flush()
        return self.counts

    def preview(self, listed):
        """What `finish` would do, nothing written: the same refusals (repeated keys named with
        the rest), then each chunk's staged rows matched against the stored measurements with
        their keys (one query a chunk) and compared as `_write_chunk` compares them. Returns the
        counts and the first `listed` replaced and new measurements (ids, not names)."""
        self._refuse(repeats=True)
        self._end_staging()
        result = {**self.counts, "replaced": [], "new": []}
        for first, last, _count in self.chunks:
            bounds = {"first": first, "last": last}
            staged = {line: (value, sample_size, source) for line, value, sample_size, source in
                      self.connection.execute(STAGED_VALUES, bounds)}
            for row in self.connection.execute(PREVIEW, bounds).mappings():
                change = dict(row)
                value, sample_size, source = staged[change["line"]]
                change.update(value=kpi(value), sample_size=sample_size, source=source)
                if change.pop("stored_id") is None:
                    result["created"] += 1
                    kind = "new"
                elif self._unchanged(change["old_value"], change["old_sample_size"], change["old_source"],
                                     staged[change["line"]]):
                    result["unchanged"] += 1
                    continue
                else:
                    result["updated"] += 1
                    kind = "replaced"
                if len(result[kind]) < listed:
                    result[kind].append(change)
        self.discard()
        return result

    def _unchanged(self, value, sample_size, source, staged):
        """A stored measurement's value, sample size and source are those of the staged row,
        compared as the database takes them (SQLite's floats stand for four-place values)."""
        return (self.convert.value(value), sample_size, source) == staged

    def _write(self, progress):
        """Write the staged rows, chunk after chunk; `progress("writing", done)`."""
        self._end_staging()
        self._lock_journeys()
        done = 0
        for first, last, count in self.chunks:
            self._write_chunk(first, last, count)
            done += count
            if progress is not None:
                progress("writing", done)

    def _write_chunk(self, first, last, count):
        """Insert the chunk's new measurements; update the stored ones it matches."""
        bounds = {"first": first, "last": last}
        created = set(self.connection.execute(self.create, {**bounds, "now": self.now}).scalars().all())
        self.counts["created"] += len(created)
        if len(created) == count:
            return
        self.matched = True
        staged = {line: (value, sample_size, source) for line, value, sample_size, source in
                  self.connection.execute(STAGED_VALUES, bounds)}
        changed = {}
        for line, measurement_id, value, sample_size, source in self.connection.execute(MATCHES, bounds):
            if measurement_id in created:
                continue
            row = staged[line]
            if self._unchanged(value, sample_size, source, row):
                self.counts["unchanged"] += 1
            else:
                changed[measurement_id] = row
        if changed:
            for measurement in db.session.scalars(sa.select(Measurement).where(Measurement.id.in_(changed))
                                                  .order_by(Measurement.id)):
                value, sample_size, source = changed[measurement.id]
                measurement.value, measurement.sample_size, measurement.source = kpi(value), sample_size, source
            db.session.flush()
            self.counts["updated"] += len(changed)

    def _name_repeats(self):
        """Every row whose key an earlier row has, with that row's line, from the temporary table."""
        result = self.connection.execute(REPEATS.execution_options(yield_per=1_000))
        for line, first, refused in result:
            self.problems.line(line, _("row: same metric, journey, stage, touchpoint and period as line %(first)s",
                                         first=first),
                               counted=refused)
