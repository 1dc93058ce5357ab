"""CSV import of measurements (SPEC §4), all-or-nothing, idempotent.

Two formats:

``format=measurements`` (default) — one measurement per row. Header (line 1), names
case-insensitive, any order: ``metric,journey_id,period_start,period_end,value`` and optionally
``stage_id,touchpoint_id,sample_size,source``. ``metric`` is the metric's code; dates are
``YYYY-MM-DD``; ``source`` defaults to ``import``. Any other column refuses the file.

``format=scores`` — a survey tool's export with one answer per row. The query names the
``metric`` (``nps``, ``csat`` or ``ces``); ``journey_id``, ``period_start``, ``period_end``,
``stage_id``, ``touchpoint_id`` come from same-named columns when the file has them, otherwise
from the query string. The score column is ``?column=…`` or the first column named (any case)
``score``, the metric's code (``NPS``), ``<metric>_score`` (``nps_score``) or ``recommend``.
Other columns are ignored and blank scores (respondents who skipped the question) are skipped.
Answers are grouped by journey, stage, touchpoint and period; each group becomes one
measurement computed with `cxgov.journeys.scores` (source ``survey``, ``sample_size`` = answers).
Tested exports: a plain CSV such as ``respondent,journey_id,period_start,period_end,nps_score``
(SurveyMonkey/Typeform downloads renamed to carry a score column), and Qualtrics "CSV with
choice values" exports, whose lines 2 and 3 (question text, ``{"ImportId": …}``) are skipped.

Both formats: a row whose metric, journey, stage, touchpoint and period match a stored
measurement updates it; an identical row counts as ``unchanged``, so re-importing a file
changes nothing. The answer is ``{"created", "updated", "unchanged", "rows"}``.

Refusals write nothing: a caller who may not write one of the file's journeys gets 403; bad
rows give 422 with ``errors`` mapping ``"line N"`` (the header is line 1) to messages
``"field: problem"``, and the same in file order as ``lines: [{"line": N, "errors": [...]}, ...]``;
every bad line is listed, up to `MAX_LISTED` lines (the first ones of the file; `MAX_LISTED_SCORES`
for a survey export, whose bad answers are usually one mistake repeated), and ``bad_lines`` counts
them all; header problems are under ``"header"``, problems with the query
string under the parameter's name, an unreadable file under ``"file"``.

Large files are read as a stream (the upload's file, decoded as it is read) and handled `CHUNK`
lines at a time, so memory does not grow with the file. What one file may hold is capped (`Limits`,
from `CXGOV_IMPORT_MAX_ROWS`, `_LINE_CHARS`, `_CELLS`, `_CELL_CHARS`): a line is never read past its
cap, and the first line beyond one refuses the file, named (413 for too many lines, 422 otherwise).
Numbers are refused by line when their column cannot hold them (ids and sample sizes beyond the
database's INTEGER, values beyond Numeric(14, 4)). A chunk is parsed into plain tuples (each
distinct date and value parsed once), checked against the metrics, journeys, stages and touchpoints
it names (loaded in bulk, each once per import) and copied into a temporary table (COPY on
PostgreSQL); there one query matches it against the stored measurements with the same keys (only
those this chunk may match) and one statement inserts its new measurements. Queries: a fixed number
per chunk, whatever the chunk holds. All of it happens in one transaction: every chunk is checked
and staged before anything is written, and a refusal found late (a key repeating an earlier line's,
found in the temporary table) rolls the transaction back with what was written: a refused file
writes nothing. Imports of the same journeys are serialised: on PostgreSQL each takes a
transaction-scoped advisory lock per journey of its file, in ascending journey order, before writing
(SQLite has one writer), so two uploads never deadlock, the one applied last wins whole, and the
counts each answers are what it wrote. Within each chunk's statements rows are written in key order.
Bulk-created measurements are recorded in the audit trail as one `create` entry of entity
`measurement_import` with the counts, not one entry per row; updated measurements are audited one by
one as always.

A score export is read as a stream too: each answer's score joins its group (journey, stage,
touchpoint, period) as it is read, so memory holds the scores, not the file's text.
"""
import csv
import io
from bisect import insort
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from itertools import chain, islice
from operator import itemgetter

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from cxgov import policy
from cxgov.db import KpiValue, utcnow
from cxgov.errors import Forbidden, Invalid
from cxgov.extensions import db
from cxgov.journeys import scores as score_math
from cxgov.journeys.models import SOURCES, Journey, Measurement, Metric, Stage, Touchpoint
from cxgov.journeys.services import kpi

REQUIRED = ("metric", "journey_id", "period_start", "period_end", "value")
OPTIONAL = ("stage_id", "touchpoint_id", "sample_size", "source")
KEY_COLUMNS = ("journey_id", "period_start", "period_end", "stage_id", "touchpoint_id")
MAX_ROWS = 2_000_000  # data lines of a file, by default (CXGOV_IMPORT_MAX_ROWS)
CHUNK = 10_000  # lines checked and written at a time (at most 30,000: SQLite binds 32,766 values a statement)
MAX_LISTED = 1_000  # bad lines listed in a refusal, the first ones of the file; the others are counted
MAX_LISTED_SCORES = 20  # bad lines listed in a refused survey export (often the same mistake throughout)
MAX_INTEGER = 2**31 - 1  # the database's INTEGER
MAX_VALUE = Decimal("1e10")
CACHED = 50_000  # distinct dates or values kept parsed

# A parsed row is a plain tuple, in the column order of the temporary table `IMPORT_ROWS`:
# `metric` is the code when no metric has it (the row is refused), otherwise None; dates and
# value are as the database takes them (the column types' bind processing: SQLite keeps text
# dates and float values).
LINE, METRIC, METRIC_ID, JOURNEY_ID, STAGE_ID, TOUCHPOINT_ID, START, END, VALUE, SAMPLE_SIZE, SOURCE = range(11)


@dataclass(slots=True)
class Row:
    line: int
    metric: str
    journey_id: int
    period_start: date
    period_end: date
    value: Decimal
    stage_id: int | None = None
    touchpoint_id: int | None = None
    sample_size: int | None = None
    source: str = "import"


class Errors:
    """Problems by label: "header", a query parameter, "file", "line N". `capped`: only the first
    `MAX_LISTED` bad lines of the file are listed; `bad_lines` counts them all."""

    def __init__(self, capped=True, limit=None):
        self.by_label = {}
        self.limit = (limit or MAX_LISTED) if capped else None
        self.listed = []  # the listed lines' numbers, in order
        self.bad_lines = 0
        self._unlisted = None  # the last line counted but not listed

    def add(self, label, message):
        self.by_label.setdefault(label, []).append(message)

    def line(self, number, message, counted=False):
        """A problem of line `number`. The messages of a line come one after the other; `counted`:
        the line is bad already (a message found later, in another check)."""
        label = f"line {number}"
        messages = self.by_label.get(label)
        if messages is not None:
            messages.append(message)
            return
        if number == self._unlisted:
            return
        if not counted:
            self.bad_lines += 1
        if self.limit is not None and len(self.listed) >= self.limit:
            if number > self.listed[-1]:
                self._unlisted = number
                return
            del self.by_label[f"line {self.listed.pop()}"]
        insort(self.listed, number)
        self.by_label[label] = [message]

    def take(self, other):
        """The problems of `other` (a chunk's lines), in line order."""
        for label, messages in sorted(other.by_label.items(), key=_label_order):
            for message in messages:
                if label.startswith("line "):
                    self.line(int(label[5:]), message)
                else:
                    self.add(label, message)

    def raise_if_any(self, detail="The file was refused; nothing was imported."):
        if self.by_label:
            ordered = dict(sorted(self.by_label.items(), key=_label_order))
            # JSON objects come out with sorted keys ("line 10" before "line 3"): `lines` keeps the order.
            lines = [{"line": int(label[5:]), "errors": messages} for label, messages in ordered.items()
                     if label.startswith("line ")]
            extra = {}
            if self.bad_lines:
                extra["bad_lines"] = self.bad_lines
                if self.bad_lines > len(lines):
                    detail += f" {self.bad_lines} lines are bad; the first {len(lines)} are listed."
            raise Invalid(detail, errors=ordered, lines=lines, **extra)


def _label_order(item):
    label = item[0]
    if label.startswith("line "):
        return (1, int(label[5:]), "")
    return (0, 0, label)


# -- reading ------------------------------------------------------------------------------------------

class FileTooLarge(Invalid):
    """413: the file has more lines than an import takes."""

    status = 413


@dataclass(frozen=True)
class Limits:
    """What one upload may hold, from the configuration (`CXGOV_IMPORT_MAX_*`, see config.py). With
    `line_chars` bounding a line (a CSV record, quoted line breaks included) the memory an import
    takes does not grow with the file, however it is crafted."""

    rows: int = MAX_ROWS
    line_chars: int = 1_000_000
    cells: int = 1_000
    cell_chars: int = 10_000

    @classmethod
    def configured(cls):
        config, default = current_app.config, cls()
        return cls(rows=config.get("CXGOV_IMPORT_MAX_ROWS", default.rows),
                   line_chars=config.get("CXGOV_IMPORT_MAX_LINE_CHARS", default.line_chars),
                   cells=config.get("CXGOV_IMPORT_MAX_CELLS", default.cells),
                   cell_chars=config.get("CXGOV_IMPORT_MAX_CELL_CHARS", default.cell_chars))


class _LineTooLong(Exception):
    pass


class _Lines:
    """The text's physical lines, read one at a time and never more than the cap of a line: `record`
    counts the characters of the CSV record being read (reset by the reader at each record)."""

    def __init__(self, text, limit):
        self.text = text
        self.limit = limit
        self.record = 0

    def __iter__(self):
        return self

    def __next__(self):
        line = self.text.readline(self.limit + 1)
        if not line:
            raise StopIteration
        self.record += len(line)
        if self.record > self.limit:
            raise _LineTooLong
        return line


def _text(raw):
    """`raw` (bytes, text, or a binary file such as the upload's stream) as text read lazily: UTF-8,
    a byte order mark dropped, line breaks kept as they are for the CSV reader."""
    if isinstance(raw, str):
        return io.StringIO(raw, newline="")
    if isinstance(raw, bytes):
        raw = io.BytesIO(raw)
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _records(raw, limits):
    """The header, and an iterator of (line number, cells) of every record after it, read lazily
    within `limits`."""
    lines = _Lines(_text(raw), limits.line_chars)
    reader = csv.reader(lines)
    records = _read(reader, lines, limits)
    header = next(records, None)
    if header is None:
        raise Invalid("The file is empty.", errors={"file": ["The file is empty; line 1 must be the header."]})
    return [cell.strip() for cell in header[1]], records


def _read(reader, lines, limits):
    """(line number, cells) of every record, the header first; a record beyond a limit refuses the
    file there, naming its first line."""
    previous, count = 0, -1
    try:
        while True:
            lines.record = 0
            cells = next(reader, None)
            if cells is None:
                return
            count += 1
            line = previous + 1
            if count > limits.rows:
                raise FileTooLarge("The file is too long; nothing was imported.", errors={
                    f"line {line}": [f"file: more than {limits.rows} data lines; split the file"]})
            if len(cells) > limits.cells:
                raise Invalid("A line has too many cells; nothing was imported.", errors={
                    f"line {line}": [f"row: more than {limits.cells} cells; a line may have at most {limits.cells}"]})
            if lines.record > limits.cell_chars:
                for at, cell in enumerate(cells, 1):
                    if len(cell) > limits.cell_chars:
                        raise Invalid("A cell is too long; nothing was imported.", errors={
                            f"line {line}": [f"cell {at}: more than {limits.cell_chars} characters"]})
            yield line, cells
            previous = reader.line_num
    except _LineTooLong:
        raise Invalid("A line is too long; nothing was imported.", errors={
            f"line {previous + 1}": [f"line: more than {limits.line_chars} characters"]}) from None
    except UnicodeDecodeError:
        raise Invalid("The file is not UTF-8 text.", errors={"file": ["Save the file as CSV (UTF-8)."]}) from None
    except csv.Error as error:
        if "field larger than field limit" in str(error):  # the csv module's own cap on a cell
            raise Invalid("A cell is too long; nothing was imported.", errors={
                f"line {previous + 1}": [f"cell: more than {limits.cell_chars} characters"]}) from None
        raise Invalid("The file is not valid CSV.", errors={"file": [f"line {reader.line_num}: {error}"]}) from None


def _blank(cells):
    return all(not cell.strip() for cell in cells)


def _int(text, name, errors, line, minimum=None):
    try:
        number = int(text)
    except ValueError:
        errors.line(line, f"{name}: {text!r} is not a whole number")
        return None
    if abs(number) > MAX_INTEGER:
        errors.line(line, f"{name}: {number} is too large (the limit is {MAX_INTEGER} either way)")
        return None
    if minimum is not None and number < minimum:
        errors.line(line, f"{name}: must be {minimum} or more")
        return None
    return number


def _date(text, name, errors, line):
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.line(line, f"{name}: {text!r} is not a date (YYYY-MM-DD)")
        return None


def _decimal(text, name, errors, line):
    try:
        number = Decimal(text)
    except InvalidOperation:
        errors.line(line, f"{name}: {text!r} is not a number")
        return None
    # Checked as stored (four places): 9999999999.99999 rounds to 1e10, past the column.
    if not number.is_finite() or abs(number) >= MAX_VALUE or abs(kpi(number)) >= MAX_VALUE:
        errors.line(line, f"{name}: {text!r} is not a usable number")
        return None
    return number


def _usable_value(text):
    number = Decimal(text)
    if not number.is_finite() or abs(number) >= MAX_VALUE:
        raise ValueError(text)
    stored = kpi(number)
    if abs(stored) >= MAX_VALUE:
        raise ValueError(text)
    return stored


class _Parsed(dict):
    """Parsed values by their text, parsed on first use (a file repeats its dates and values)."""

    def __init__(self, parse):
        super().__init__()
        self.parse = parse

    def __missing__(self, text):
        value = self.parse(text)  # ValueError or InvalidOperation: not cached, the line is read again
        if len(self) >= CACHED:
            self.clear()
        self[text] = value
        return value


def _measurement_columns(header, errors):
    """The header's column names, lower case; refuses a header with unknown, missing or repeated ones."""
    names = [name.lower() for name in header]
    unknown = [h for h, n in zip(header, names, strict=True) if n not in REQUIRED + OPTIONAL]
    missing = [name for name in REQUIRED if name not in names]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if unknown:
        errors.add("header", f"unknown column(s): {', '.join(unknown)}; allowed: {', '.join(REQUIRED + OPTIONAL)}")
    if missing:
        errors.add("header", f"missing column(s): {', '.join(missing)}")
    if duplicated:
        errors.add("header", f"repeated column(s): {', '.join(duplicated)}")
    errors.raise_if_any("The header is not the expected one; nothing was imported.")
    return names


def _measurement_chunks(names, records, job):
    """(rows, problems) for every CHUNK lines: the parsed rows and an `Errors` with the problems of
    the other lines. A line is read with plain conversions first; any line those do not take (a
    blank cell, a bad number, an unknown metric, extra spaces) is read again, cell by cell, by
    `_read_line`, which names each problem."""
    width = len(names)
    # Every record gets one "" more: the cell read for an optional column the file does not have.
    cells_of = itemgetter(*[names.index(name) if name in names else width for name in REQUIRED + OPTIONAL])
    metric_ids = job.metric_ids
    dates = _Parsed(lambda text: job.db_date(date.fromisoformat(text)))
    values = _Parsed(lambda text: job.db_value(_usable_value(text)))
    sources = frozenset(SOURCES)
    rows, problems, count = [], Errors(capped=False), 0
    for line, cells in records:
        row = None
        if len(cells) == width:
            cells.append("")
            code, journey, start, end, value, stage, touchpoint, size, source = cells_of(cells)
            del cells[-1]
            try:
                row = (line, None, metric_ids[code], int(journey), int(stage) if stage else None,
                       int(touchpoint) if touchpoint else None, dates[start], dates[end], values[value],
                       int(size) if size else None, source or "import")
            except (KeyError, ValueError, ArithmeticError):
                row = None
            else:
                if (row[SOURCE] not in sources or (row[SAMPLE_SIZE] is not None and row[SAMPLE_SIZE] < 0)
                        or max(abs(row[JOURNEY_ID]), abs(row[STAGE_ID] or 0), abs(row[TOUCHPOINT_ID] or 0),
                               row[SAMPLE_SIZE] or 0) > MAX_INTEGER):
                    row = None
        if row is None:
            row = _read_line(line, cells, names, problems, job)
        if row is not None:
            rows.append(row)
        count += 1
        if count == CHUNK:
            yield rows, problems
            rows, problems, count = [], Errors(capped=False), 0
    if count:
        yield rows, problems


def _read_line(line, cells, names, errors, job):
    """One line read cell by cell, every problem named: the row, or None (blank or bad line)."""
    if _blank(cells):
        return None
    if len(cells) != len(names):
        errors.line(line, f"row: {len(cells)} cells, the header has {len(names)}")
        return None
    cell = {name: value.strip() for name, value in zip(names, cells, strict=True)}
    missing = [name for name in REQUIRED if not cell[name]]
    for name in missing:
        errors.line(line, f"{name}: required")
    if missing:
        return None
    journey_id = _int(cell["journey_id"], "journey_id", errors, line)
    start = _date(cell["period_start"], "period_start", errors, line)
    end = _date(cell["period_end"], "period_end", errors, line)
    value = _decimal(cell["value"], "value", errors, line)
    stage_id = _int(cell["stage_id"], "stage_id", errors, line) if cell.get("stage_id") else None
    touchpoint_id = _int(cell["touchpoint_id"], "touchpoint_id", errors, line) if cell.get("touchpoint_id") else None
    sample_size = _int(cell["sample_size"], "sample_size", errors, line, minimum=0) if cell.get("sample_size") else None
    source = cell.get("source") or "import"
    if source not in SOURCES:
        errors.line(line, f"source: {source!r} is not one of {', '.join(SOURCES)}")
    if f"line {line}" in errors.by_label:
        return None
    return job.row(line, cell["metric"], journey_id, stage_id, touchpoint_id, start, end, value, sample_size, source)


# -- survey exports -----------------------------------------------------------------------------------

SCORE_NAMES = ("score", "{metric}", "{metric}_score", "recommend")


def _score_column(names, args, errors):
    metric = args["metric"]
    if args.get("column"):
        wanted = [args["column"].strip().lower()]
    else:
        wanted = [name.format(metric=metric) for name in SCORE_NAMES]
    for candidate in wanted:
        if candidate in names:
            return names.index(candidate)
    errors.add("header", f"no score column: expected one named {' or '.join(wanted)}")
    return None


def _score_rows(header, records, args, errors):
    """Group the answers of a survey export into one computed row per journey, stage, touchpoint, period."""
    if not args.get("metric"):
        errors.add("metric", "required with format=scores: nps, csat or ces")
        errors.raise_if_any("Say which metric the scores measure; nothing was imported.")
    names = [name.lower() for name in header]
    metric = args["metric"]
    score_at = _score_column(names, args, errors)
    for name in ("journey_id", "period_start", "period_end"):
        if name not in names and args.get(name) is None:
            errors.add(name, "required: give it in the query string or as a column")
    errors.raise_if_any("The file cannot be read as survey scores; nothing was imported.")
    first = list(islice(records, 2))
    if len(first) == 2 and any(cell.strip().startswith('{"ImportId"') for cell in first[1][1]):
        first = []  # Qualtrics: question text and import ids under the header
    low, high = score_math.SCALES[metric]
    groups = {}
    for line, cells in chain(first, records):
        if _blank(cells):
            continue
        if len(cells) < len(names):
            cells = cells + [""] * (len(names) - len(cells))
        # A survey export's cells past the header's columns are not read.
        cell = {name: value.strip() for name, value in zip(names, cells, strict=False)}
        text = cells[score_at].strip()
        if not text:
            continue
        before = len(errors.by_label.get(f"line {line}", []))
        score = _int(text, header[score_at], errors, line)
        if score is not None and not low <= score <= high:
            errors.line(line, f"{header[score_at]}: {score} is outside {low}..{high}")
        key = {}
        for name in KEY_COLUMNS:
            if name in names and cell.get(name):
                parse = _date if name.startswith("period") else _int
                key[name] = parse(cell[name], name, errors, line)
            else:
                key[name] = args.get(name)
            if key[name] is None and name in ("journey_id", "period_start", "period_end") and name in names \
                    and not cell.get(name):
                errors.line(line, f"{name}: required")
        if len(errors.by_label.get(f"line {line}", [])) > before:
            continue
        groups.setdefault(tuple(key[name] for name in KEY_COLUMNS), (key, [], line))[1].append(score)
    errors.raise_if_any()
    if not groups:
        raise Invalid("The file holds no scores.", errors={"file": ["No row carries a score."]})
    rows = []
    for key, answers, line in groups.values():
        rows.append(Row(line=line, metric=metric, value=score_math.compute(metric, answers),
                        sample_size=len(answers), source="survey", **key))
    return rows


# -- checking and writing -----------------------------------------------------------------------------

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
    create = {dialect: insert(Measurement.__table__).from_select(
        WRITTEN + ["version", "created_at", "updated_at"],
        sa.select(*[staged[name] for name in WRITTEN], sa.literal_column("1"), now, now).where(in_chunk)
        .order_by(*staged_key),
    ).on_conflict_do_nothing(index_elements=key).returning(stored.id)
        for dialect, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))}
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
    return create, matches, refuse, repeats, staged_values


CREATE, MATCHES, REFUSE, REPEATS, STAGED_VALUES = _statements()

IMPORT_LOCK_NAMESPACE = 0x696D  # "im": pg_advisory_xact_lock(namespace, journey id) of a journey's imports
JOURNEY_LOCK = sa.text("SELECT pg_advisory_xact_lock(:namespace, :journey_id)")


class _References:
    """The metrics, journeys, stages and touchpoints the rows name, loaded in bulk when a chunk
    names new ones and kept: they grow with the tables, not with the file."""

    def __init__(self, actor):
        self.actor = actor
        self.metrics = dict(db.session.execute(sa.select(Metric.code, Metric.id)).all())
        self.journeys = {}  # id → whether the actor may write the journey's measurements
        self.stages = {}  # id → journey id
        self.touchpoints = {}  # id → (stage id, journey id)
        self.forbidden = False  # some journey may not be written by the actor

    def load(self, journey_ids, stage_ids, touchpoint_ids):
        journey_ids = journey_ids - self.journeys.keys()
        if journey_ids:
            for journey in db.session.scalars(sa.select(Journey).where(Journey.id.in_(journey_ids))):
                may = self.journeys[journey.id] = policy.write_journey(self.actor, journey)
                self.forbidden = self.forbidden or not may
        stage_ids = stage_ids - self.stages.keys()
        if stage_ids:
            self.stages.update(db.session.execute(
                sa.select(Stage.id, Stage.journey_id).where(Stage.id.in_(stage_ids))).all())
        touchpoint_ids = touchpoint_ids - self.touchpoints.keys()
        if touchpoint_ids:
            found = db.session.execute(
                sa.select(Touchpoint.id, Touchpoint.stage_id, Stage.journey_id)
                .join(Stage, Stage.id == Touchpoint.stage_id).where(Touchpoint.id.in_(touchpoint_ids))).all()
            self.touchpoints.update({tp_id: (stage_id, journey_id) for tp_id, stage_id, journey_id in found})

    def refused_journeys(self):
        return sorted(journey_id for journey_id, may in self.journeys.items() if not may)


def _check_query_refs(args, refs, errors):
    """References given in the query string (format=scores) are reported under the parameter's name."""
    if args.get("journey_id") is not None and args["journey_id"] not in refs.journeys:
        errors.add("journey_id", f"no journey {args['journey_id']}")
    if args.get("stage_id") is not None and args["stage_id"] not in refs.stages:
        errors.add("stage_id", f"no stage {args['stage_id']}")
    if args.get("touchpoint_id") is not None and args["touchpoint_id"] not in refs.touchpoints:
        errors.add("touchpoint_id", f"no touchpoint {args['touchpoint_id']}")


class _Import:
    """One file's import on `connection`, in the session's transaction: chunks checked and staged
    (`add`), then, nothing refused, written chunk after chunk under the journeys' locks (`finish`)."""

    def __init__(self, connection, actor, errors):
        self.connection = connection
        self.errors = errors
        self.refs = _References(actor)
        self.metric_ids = self.refs.metrics
        dialect = connection.dialect
        self.db_date = sa.Date().dialect_impl(dialect).bind_processor(dialect) or _same
        self.db_value = KpiValue.dialect_impl(dialect).bind_processor(dialect) or _same
        self.create = CREATE[dialect.name]
        self.now = utcnow()
        self.counts = {"created": 0, "updated": 0, "unchanged": 0, "rows": 0}
        self.repeated = False  # two rows of a chunk have the same key
        self.matched = False  # some row matched a stored measurement: it may repeat an earlier row
        self.chunks = []  # (first line, last line, rows) of every chunk staged
        self._autocommit = None  # SQLite: the driver connection staging outside a transaction, its setting
        if dialect.name == "sqlite":
            driver = connection.connection.driver_connection
            if not driver.in_transaction:
                # Staging writes only the temporary table; outside a transaction the reads of the
                # stored tables meanwhile hold no snapshot, so the writes that follow wait for the
                # write lock (busy timeout) instead of failing at once because someone else
                # committed while this file was being checked (WAL's "busy snapshot").
                self._autocommit = (driver, driver.isolation_level)
                driver.isolation_level = None
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {IMPORT_ROWS.name}")
        IMPORT_ROWS.create(connection)

    def end_staging(self):
        """Back to the driver's transactions (SQLite): the writes and their checks are one transaction."""
        if self._autocommit is not None:
            driver, setting = self._autocommit
            driver.isolation_level = setting
            self._autocommit = None

    def row(self, line, code, journey_id, stage_id, touchpoint_id, start, end, value, sample_size, source):
        metric_id = self.metric_ids.get(code)
        return (line, code if metric_id is None else None, metric_id, journey_id, stage_id, touchpoint_id,
                self.db_date(start), self.db_date(end), self.db_value(kpi(value)), sample_size, source)

    def refusing(self):
        return bool(self.errors.by_label or self.repeated or self.refs.forbidden)

    def add(self, rows, problems):
        """Check a chunk and stage it: nothing is written before the whole file is checked."""
        if not rows:
            self.errors.take(problems)
            return
        self.counts["rows"] += len(rows)
        self.refs.load({row[JOURNEY_ID] for row in rows}, {row[STAGE_ID] for row in rows} - {None},
                       {row[TOUCHPOINT_ID] for row in rows} - {None})
        refused = self._check(rows, problems)
        self.errors.take(problems)
        if self.refs.forbidden:
            return  # the file is refused with 403, whatever else is wrong
        self._stage(rows)
        self.chunks.append((rows[0][LINE], rows[-1][LINE], len(rows)))
        if refused:
            self.connection.execute(REFUSE, {"lines": refused})

    def _check(self, rows, problems):
        """What no single line shows: unknown metrics and journeys, stages and touchpoints of other
        journeys, reversed periods, repeated keys. Returns the lines refused."""
        journeys, stages, touchpoints = self.refs.journeys, self.refs.stages, self.refs.touchpoints
        refused = []
        for line, code, metric_id, journey_id, stage_id, touchpoint_id, start, end, _, _, _ in rows:
            before = len(problems.by_label)
            if metric_id is None:
                problems.line(line, f"metric: no metric with code {code!r}")
            if journey_id not in journeys:
                problems.line(line, f"journey_id: no journey {journey_id}")
            if end < start:  # ISO dates (SQLite's text) sort as dates do
                problems.line(line, "period_end: before period_start")
            if stage_id is not None and stages.get(stage_id) != journey_id:
                problems.line(line, f"stage_id: stage {stage_id} is not a stage of journey {journey_id}")
            if touchpoint_id is not None:
                tp_stage_id, tp_journey_id = touchpoints.get(touchpoint_id, (None, None))
                if tp_journey_id != journey_id:
                    problems.line(line, f"touchpoint_id: touchpoint {touchpoint_id} is not on journey {journey_id}")
                elif stage_id is not None and tp_stage_id != stage_id:
                    problems.line(line, f"touchpoint_id: touchpoint {touchpoint_id} is not in stage {stage_id}")
            if len(problems.by_label) > before:
                refused.append(line)
        keys = set(map(itemgetter(METRIC, METRIC_ID, JOURNEY_ID, STAGE_ID, TOUCHPOINT_ID, START, END), rows))
        if len(keys) < len(rows):
            self.repeated = True  # named, with the earlier line, by the check of the whole file
        return refused

    def _stage(self, rows):
        """Copy the rows into the temporary table, the fastest way the database has."""
        driver = self.connection.connection.driver_connection
        if self.connection.dialect.name == "postgresql":
            with driver.cursor() as cursor, cursor.copy(
                    f"COPY {IMPORT_ROWS.name} ({', '.join(ROW_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            driver.executemany(f"INSERT INTO {IMPORT_ROWS.name} ({', '.join(ROW_COLUMNS)}) "
                               f"VALUES ({', '.join('?' * len(ROW_COLUMNS))})", rows)

    def _lock_journeys(self):
        """Serialise the imports of a journey: on PostgreSQL a transaction-scoped advisory lock per
        journey of the file, taken in ascending id order (two imports naming the same journeys wait
        for each other instead of deadlocking), held until the commit. What is counted afterwards
        is what this import finds and changes. SQLite has a single writer: its write lock does it."""
        if self.connection.dialect.name != "postgresql":
            return
        for journey_id in sorted(self.refs.journeys):
            self.connection.execute(JOURNEY_LOCK, {"namespace": IMPORT_LOCK_NAMESPACE, "journey_id": journey_id})

    def write(self, progress=None):
        """Write the staged rows, chunk after chunk, once nothing is refused; `progress("writing", done)`."""
        self.end_staging()
        self._lock_journeys()
        done = 0
        for first, last, count in self.chunks:
            self._write(first, last, count)
            done += count
            if progress is not None:
                progress("writing", done)

    def _write(self, first, last, count):
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
            # Compared as the database takes them: SQLite's floats stand for four-place values.
            if (self.db_value(value), sample_size, source) == row:
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

    def finish(self, actor, progress=None):
        """Refuse the file (403, 422), or write it and audit what it created; the counts."""
        forbidden = self.refs.refused_journeys()
        if forbidden:
            raise Forbidden("You may not record measurements of journey(s) " + ", ".join(map(str, forbidden))
                            + "; nothing was imported.", journeys=forbidden)
        if self.refusing():
            self._name_repeats()
        if not self.counts["rows"] and not self.errors.by_label:
            self.errors.add("file", "No data rows under the header.")
        self.errors.raise_if_any()
        self.write(progress)
        if self.matched:  # a row matched a stored one: maybe one this file created on an earlier line
            self._name_repeats()
            self.errors.raise_if_any()
        self.connection.execute(sa.text(f"DROP TABLE {IMPORT_ROWS.name}"))
        _audit_created(actor, self.counts, self.now)
        return self.counts

    def _name_repeats(self):
        """Every row whose key an earlier row has, with that row's line, from the temporary table."""
        result = self.connection.execute(REPEATS.execution_options(yield_per=1_000))
        for line, first, refused in result:
            self.errors.line(line, f"row: same metric, journey, stage, touchpoint and period as line {first}",
                             counted=refused)


def _same(value):
    return value


def import_measurements(actor, raw, args, limits=None, progress=None):
    """Import a CSV (bytes, text or a binary file) in the format `args["format"]`; see the module
    docstring. Returns {"created", "updated", "unchanged", "rows"}. `progress(phase, rows)` is told,
    chunk after chunk, how many rows were checked ("checking") and then written ("writing"). Writes
    nothing when it raises: it rolls the session's transaction back (the request's, which a refusal
    ends anyway)."""
    scores_format = args.get("format") == "scores"
    errors = Errors(limit=MAX_LISTED_SCORES if scores_format else MAX_LISTED)
    header, records = _records(raw, limits or Limits.configured())
    if scores_format:
        computed = _score_rows(header, records, args, errors)
    else:
        names = _measurement_columns(header, errors)
    job = None
    try:
        job = _Import(db.session.connection(), actor, errors)
        if scores_format:
            job.refs.load({args.get("journey_id")} - {None}, {args.get("stage_id")} - {None},
                          {args.get("touchpoint_id")} - {None})
            _check_query_refs(args, job.refs, errors)
            rows = [job.row(row.line, row.metric, row.journey_id, row.stage_id, row.touchpoint_id, row.period_start,
                            row.period_end, row.value, row.sample_size, row.source) for row in computed]
            chunks = ((rows[at:at + CHUNK], Errors(capped=False)) for at in range(0, len(rows), CHUNK))
        else:
            chunks = _measurement_chunks(names, records, job)
        for rows, problems in chunks:
            job.add(rows, problems)
            if progress is not None:
                progress("checking", job.counts["rows"])
        if scores_format:
            job.counts["rows"] = sum(row.sample_size for row in computed)  # answers, not measurements
        return job.finish(actor, progress)
    except BaseException:
        # What earlier chunks wrote goes with the transaction. (SQLite creates the temporary table
        # outside it when nothing was written before: dropped here.)
        if job is not None:
            job.end_staging()
        db.session.rollback()
        db.session.connection().exec_driver_sql(f"DROP TABLE IF EXISTS {IMPORT_ROWS.name}")
        raise


def _audit_created(actor, counts, now):
    """Bulk-inserted measurements are audited as one entry with the counts."""
    if not counts["created"]:
        return
    from cxgov.audit.models import AuditEntry

    db.session.execute(sa.insert(AuditEntry.__table__), [{
        "actor_id": getattr(actor, "id", None), "action": "create", "entity": "measurement_import",
        "entity_id": None, "changes": {"created": counts["created"], "rows": counts["rows"]}, "created_at": now}])
