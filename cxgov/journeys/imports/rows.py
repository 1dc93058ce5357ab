"""Cells to rows: the header of a measurements file, each line's cells parsed into a plain tuple
(plain conversions first; a line they do not take is read again cell by cell, every problem
named), and the problems collected by line (`Problems`)."""
import re
from bisect import insort
from datetime import date
from decimal import Decimal, InvalidOperation
from operator import itemgetter

import sqlalchemy as sa
from flask_babel import gettext as _

from cxgov.db import KpiValue
from cxgov.errors import Invalid
from cxgov.journeys.imports.reading import blank
from cxgov.journeys.models import SOURCES
from cxgov.journeys.services import kpi

REQUIRED = ("metric", "journey_id", "period_start", "period_end", "value")
OPTIONAL = ("stage_id", "touchpoint_id", "sample_size", "source")
MAX_LISTED = 1_000  # bad lines listed in a refusal, the first ones of the file; the others are counted
MAX_INTEGER = 2**31 - 1  # the database's INTEGER
MAX_VALUE = Decimal("1e10")
CACHED = 50_000  # distinct dates or values kept parsed
DECIMAL_MARKS = (".", ",")
# A number written with a decimal comma: "4,5", "-0,25", "1.234,5", "1 234,5" (never a plain
# integer, and never with a decimal point). Read with decimal=",", refused with the default ".".
COMMA_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:[. \u00a0\u202f]\d{3})+|\d+)(?:,\d+)?$")
COMMA_DECIMAL = re.compile(r"^[+-]?(?:\d{1,3}(?:[. \u00a0\u202f]\d{3})+|\d+),\d+$")

# A parsed row is a plain tuple, in the column order of the temporary table (staging.IMPORT_ROWS):
# `metric` is the code when no metric has it (the row is refused), otherwise None; dates and
# value are as the database takes them (the column types' bind processing: SQLite keeps text
# dates and float values).
LINE, METRIC, METRIC_ID, JOURNEY_ID, STAGE_ID, TOUCHPOINT_ID, START, END, VALUE, SAMPLE_SIZE, SOURCE = range(11)


class Problems:
    """Problems by label: "header", a query parameter, "file", "line N". `limit`: only the first
    `limit` bad lines of the file are listed (None: all); `bad_lines` counts them all."""

    def __init__(self, limit=MAX_LISTED):
        self.by_label = {}
        self.limit = limit
        self.listed = []  # the listed lines' numbers, in order
        self.bad_lines = 0
        self._unlisted = None  # the last line counted but not listed
        self.comma_at = None  # (line, column, text): the first number written with a decimal comma

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

    def has_line(self, number):
        return f"line {number}" in self.by_label

    def comma_decimal(self, line, name, text):
        """A number written with a decimal comma in a file read with the decimal point: the line is
        refused, and the whole refusal says to choose the decimal mark (it is never guessed)."""
        self.line(line, _("%(column)s: %(text)s is written with a decimal comma; choose the decimal mark "
                          "“,” (decimal=\",\") to import this file", column=name, text=repr(text)))
        if self.comma_at is None:
            self.comma_at = (line, name, text)

    def take(self, other):
        """The problems of `other` (a chunk's lines), in line order."""
        for label, messages in sorted(other.by_label.items(), key=_label_order):
            for message in messages:
                if label.startswith("line "):
                    self.line(int(label[5:]), message)
                else:
                    self.add(label, message)
        if self.comma_at is None:
            self.comma_at = other.comma_at

    def raise_if_any(self, detail=None):
        detail = _("The file was refused; nothing was imported.") if detail is None else detail
        if self.comma_at is not None and "decimal" not in self.by_label:
            line, name, text = self.comma_at
            detail = _("The file writes its numbers with a decimal comma (line %(line)s, column %(column)s: "
                       "%(text)s); nothing was imported. Choose the decimal mark “,” (decimal=\",\") and upload "
                       "it again.", line=line, column=name, text=repr(text))
            self.by_label["decimal"] = [_("Line %(line)s, column %(column)s has %(text)s, a number with a decimal "
                                          "comma: choose the decimal mark “,” for this file.",
                                          line=line, column=name, text=repr(text))]
        if self.by_label:
            ordered = dict(sorted(self.by_label.items(), key=_label_order))
            # JSON objects come out with sorted keys ("line 10" before "line 3"): `lines` keeps the order.
            lines = [{"line": int(label[5:]), "errors": messages} for label, messages in ordered.items()
                     if label.startswith("line ")]
            extra = {}
            if self.bad_lines:
                extra["bad_lines"] = self.bad_lines
                if self.bad_lines > len(lines):
                    detail += " " + _("%(bad)s lines are bad; the first %(listed)s are listed.",
                                      bad=self.bad_lines, listed=len(lines))
            raise Invalid(detail, errors=ordered, lines=lines, **extra)


def _label_order(item):
    label = item[0]
    if label.startswith("line "):
        return (1, int(label[5:]), "")
    return (0, 0, label)


# -- cells ----------------------------------------------------------------------------------------

def parse_int(text, name, problems, line, minimum=None):
    try:
        number = int(text)
    except ValueError:
        problems.line(line, _("%(column)s: %(text)s is not a whole number", column=name, text=repr(text)))
        return None
    if abs(number) > MAX_INTEGER:
        problems.line(line, _("%(column)s: %(number)s is too large (the limit is %(limit)s either way)",
                              column=name, number=number, limit=MAX_INTEGER))
        return None
    if minimum is not None and number < minimum:
        problems.line(line, _("%(column)s: must be %(minimum)s or more", column=name, minimum=minimum))
        return None
    return number


def parse_date(text, name, problems, line):
    try:
        return date.fromisoformat(text)
    except ValueError:
        problems.line(line, _("%(column)s: %(text)s is not a date (YYYY-MM-DD)", column=name, text=repr(text)))
        return None


def with_point(text, decimal="."):
    """A number's text as Decimal reads it: with decimal=",", "1.234,5" → "1234.5" (its thousands
    separators dropped); ValueError when it is not a number written that way."""
    if decimal == ".":
        return text
    if not COMMA_NUMBER.match(text):
        raise ValueError(text)
    return re.sub(r"[. \u00a0\u202f]", "", text).replace(",", ".")


def parse_decimal(text, name, problems, line, decimal="."):
    if decimal == "." and COMMA_DECIMAL.match(text):
        problems.comma_decimal(line, name, text)
        return None
    try:
        number = Decimal(with_point(text, decimal))
    except (InvalidOperation, ValueError):
        if decimal == ",":
            problems.line(line, _("%(column)s: %(text)s is not a number written with a decimal comma (like 4,5 or "
                                  "1.234,5)", column=name, text=repr(text)))
        else:
            problems.line(line, _("%(column)s: %(text)s is not a number", column=name, text=repr(text)))
        return None
    # Checked as stored (four places): 9999999999.99999 rounds to 1e10, past the column.
    if not number.is_finite() or abs(number) >= MAX_VALUE or abs(kpi(number)) >= MAX_VALUE:
        problems.line(line, _("%(column)s: %(text)s is not a usable number", column=name, text=repr(text)))
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


def _same(value):
    return value


class Converter:
    """Rows as the database of `dialect` takes them: metric codes to ids (`metric_ids`), dates and
    values through the column types' bind processing."""

    def __init__(self, dialect, metric_ids):
        self.metric_ids = metric_ids
        self.date = sa.Date().dialect_impl(dialect).bind_processor(dialect) or _same
        self.value = KpiValue.dialect_impl(dialect).bind_processor(dialect) or _same

    def row(self, line, code, journey_id, stage_id, touchpoint_id, start, end, value, sample_size, source):
        metric_id = self.metric_ids.get(code)
        return (line, code if metric_id is None else None, metric_id, journey_id, stage_id, touchpoint_id,
                self.date(start), self.date(end), self.value(kpi(value)), sample_size, source)


# -- a measurements file ----------------------------------------------------------------------------

def measurement_columns(header, problems):
    """The header's column names, lower case; refuses a header with unknown, missing or repeated ones."""
    names = [name.lower() for name in header]
    unknown = [h for h, n in zip(header, names, strict=True) if n not in REQUIRED + OPTIONAL]
    missing = [name for name in REQUIRED if name not in names]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if unknown:
        problems.add("header", _("unknown column(s): %(unknown)s; allowed: %(allowed)s", unknown=", ".join(unknown),
                                 allowed=", ".join(REQUIRED + OPTIONAL)))
    if missing:
        problems.add("header", _("missing column(s): %(missing)s", missing=", ".join(missing)))
    if duplicated:
        problems.add("header", _("repeated column(s): %(repeated)s", repeated=", ".join(duplicated)))
    problems.raise_if_any(_("The header is not the expected one; nothing was imported."))
    return names


def measurement_chunks(names, records, convert, size, decimal="."):
    """(rows, problems, lines) for every `size` lines: the parsed rows, a `Problems` with the
    problems of the other lines, and how many lines they are. A line is read with plain conversions
    first; any line those do not take (a blank cell, a bad number, an unknown metric, extra spaces)
    is read again, cell by cell, by `_read_line`, which names each problem."""
    width = len(names)
    # Every record gets one "" more: the cell read for an optional column the file does not have.
    cells_of = itemgetter(*[names.index(name) if name in names else width for name in REQUIRED + OPTIONAL])
    metric_ids = convert.metric_ids
    dates = _Parsed(lambda text: convert.date(date.fromisoformat(text)))
    if decimal == ".":
        values = _Parsed(lambda text: convert.value(_usable_value(text)))
    else:
        values = _Parsed(lambda text: convert.value(_usable_value(with_point(text, decimal))))
    sources = frozenset(SOURCES)
    rows, problems, count = [], Problems(limit=None), 0
    for line, cells in records:
        row = None
        if len(cells) == width:
            cells.append("")
            code, journey, start, end, value, stage, touchpoint, size_, source = cells_of(cells)
            del cells[-1]
            try:
                row = (line, None, metric_ids[code], int(journey), int(stage) if stage else None,
                       int(touchpoint) if touchpoint else None, dates[start], dates[end], values[value],
                       int(size_) if size_ else None, source or "import")
            except (KeyError, ValueError, ArithmeticError):
                row = None
            else:
                if (row[SOURCE] not in sources or (row[SAMPLE_SIZE] is not None and row[SAMPLE_SIZE] < 0)
                        or max(abs(row[JOURNEY_ID]), abs(row[STAGE_ID] or 0), abs(row[TOUCHPOINT_ID] or 0),
                               row[SAMPLE_SIZE] or 0) > MAX_INTEGER):
                    row = None
        if row is None:
            row = _read_line(line, cells, names, problems, convert, decimal)
        if row is not None:
            rows.append(row)
        count += 1
        if count == size:
            yield rows, problems, count
            rows, problems, count = [], Problems(limit=None), 0
    if count:
        yield rows, problems, count


def _read_line(line, cells, names, problems, convert, decimal="."):
    """One line read cell by cell, every problem named: the row, or None (blank or bad line)."""
    if blank(cells):
        return None
    if len(cells) != len(names):
        problems.line(line, _("row: %(cells)s cells, the header has %(columns)s", cells=len(cells), columns=len(names)))
        return None
    cell = {name: value.strip() for name, value in zip(names, cells, strict=True)}
    missing = [name for name in REQUIRED if not cell[name]]
    for name in missing:
        problems.line(line, _("%(column)s: required", column=name))
    if missing:
        return None
    journey_id = parse_int(cell["journey_id"], "journey_id", problems, line)
    start = parse_date(cell["period_start"], "period_start", problems, line)
    end = parse_date(cell["period_end"], "period_end", problems, line)
    value = parse_decimal(cell["value"], "value", problems, line, decimal)
    stage_id = parse_int(cell["stage_id"], "stage_id", problems, line) if cell.get("stage_id") else None
    touchpoint_id = (parse_int(cell["touchpoint_id"], "touchpoint_id", problems, line)
                     if cell.get("touchpoint_id") else None)
    sample_size = (parse_int(cell["sample_size"], "sample_size", problems, line, minimum=0)
                   if cell.get("sample_size") else None)
    source = cell.get("source") or "import"
    if source not in SOURCES:
        problems.line(line, _("source: %(source)s is not one of %(sources)s", source=repr(source),
                              sources=", ".join(SOURCES)))
    if problems.has_line(line):
        return None
    return convert.row(line, cell["metric"], journey_id, stage_id, touchpoint_id, start, end, value, sample_size,
                       source)
