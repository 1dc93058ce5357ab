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
``"field: problem"``, every bad line listed, and the same in file order as
``lines: [{"line": N, "errors": [...]}, ...]``; header problems are under ``"header"``, problems
with the query string under the parameter's name, an unreadable file under ``"file"``.

Validation costs a bounded number of queries whatever the size of the file: metrics,
journeys, stages, touchpoints and the stored measurements they may match are loaded in bulk.

Large files (up to `MAX_ROWS`, one million rows): the file is parsed as a stream into compact
rows (never one ORM object per row), and new measurements are written with bulk inserts in
chunks inside the request's one transaction, so a refusal still writes nothing. Bulk-created
measurements are recorded in the audit trail as one `create` entry of entity `measurement_import`
with the counts, not one entry per row; updated measurements are audited one by one as always.
"""
import csv
import io
from itertools import chain
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import insert, select, tuple_

from cxgov import policy
from cxgov.db import utcnow
from cxgov.errors import Forbidden, Invalid
from cxgov.extensions import db
from cxgov.journeys import scores as score_math
from cxgov.journeys.models import SOURCES, Journey, Measurement, Metric, Stage, Touchpoint
from cxgov.journeys.services import kpi

REQUIRED = ("metric", "journey_id", "period_start", "period_end", "value")
OPTIONAL = ("stage_id", "touchpoint_id", "sample_size", "source")
KEY_COLUMNS = ("journey_id", "period_start", "period_end", "stage_id", "touchpoint_id")
MAX_ROWS = 1_000_000
CHUNK = 10_000
MAX_VALUE = Decimal("1e10")


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
    lines: list | None = None  # every line behind a computed row (format=scores)


class Errors:
    def __init__(self):
        self.by_label = {}

    def add(self, label, message):
        self.by_label.setdefault(label, []).append(message)

    def line(self, number, message):
        self.add(f"line {number}", message)

    def raise_if_any(self, detail="The file was refused; nothing was imported."):
        if self.by_label:
            ordered = dict(sorted(self.by_label.items(), key=_label_order))
            # JSON objects come out with sorted keys ("line 10" before "line 3"): `lines` keeps the order.
            lines = [{"line": int(label[5:]), "errors": messages} for label, messages in ordered.items()
                     if label.startswith("line ")]
            raise Invalid(detail, errors=ordered, lines=lines)


def _label_order(item):
    label = item[0]
    if label.startswith("line "):
        return (1, int(label[5:]), "")
    return (0, 0, label)


# -- reading ------------------------------------------------------------------------------------------

def _records(raw, stream=False):
    """(line number, cells) of every record after the header, and the header itself. `raw` is
    bytes, text or a binary file; with `stream` the records come as an iterator, read lazily."""
    if hasattr(raw, "read"):
        handle = raw
        first = handle.read(4096)
        raw = (chain([first], iter(lambda: handle.read(1 << 20), b"")) if isinstance(first, bytes)
               else first + handle.read())
    if isinstance(raw, bytes):
        raw = iter([raw])
    if isinstance(raw, str):
        lines = io.StringIO(raw, newline="")
    else:
        lines = _decoded(raw)
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise Invalid("The file is not valid CSV.", errors={"file": [f"line {reader.line_num}: {error}"]})
    if header is None:
        raise Invalid("The file is empty.", errors={"file": ["The file is empty; line 1 must be the header."]})
    records = _read(reader)
    return [cell.strip() for cell in header], (records if stream else list(records))


def _decoded(chunks):
    """Lines of UTF-8 text (BOM dropped) from an iterable of byte chunks."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    rest = ""
    try:
        for chunk in chunks:
            text = rest + decoder.decode(chunk)
            lines = text.splitlines(keepends=True)
            rest = lines.pop() if lines and not lines[-1].endswith(("\n", "\r")) else ""
            yield from lines
        rest += decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise Invalid("The file is not UTF-8 text.", errors={"file": ["Save the file as CSV (UTF-8)."]})
    if rest:
        yield rest


def _read(reader):
    previous, count = reader.line_num, 0
    try:
        for cells in reader:
            count += 1
            if count > MAX_ROWS:
                raise Invalid("The file is too long.", errors={"file": [f"At most {MAX_ROWS} rows per file."]})
            yield previous + 1, cells
            previous = reader.line_num
    except csv.Error as error:
        raise Invalid("The file is not valid CSV.", errors={"file": [f"line {reader.line_num}: {error}"]})


def _blank(cells):
    return all(not cell.strip() for cell in cells)


def _int(text, name, errors, line, minimum=None):
    try:
        number = int(text)
    except ValueError:
        errors.line(line, f"{name}: {text!r} is not a whole number")
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
    if not number.is_finite() or abs(number) >= MAX_VALUE:
        errors.line(line, f"{name}: {text!r} is not a usable number")
        return None
    return number


def _measurement_rows(header, records, errors):
    names = [name.lower() for name in header]
    unknown = [h for h, n in zip(header, names) if n not in REQUIRED + OPTIONAL]
    missing = [name for name in REQUIRED if name not in names]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if unknown:
        errors.add("header", f"unknown column(s): {', '.join(unknown)}; allowed: {', '.join(REQUIRED + OPTIONAL)}")
    if missing:
        errors.add("header", f"missing column(s): {', '.join(missing)}")
    if duplicated:
        errors.add("header", f"repeated column(s): {', '.join(duplicated)}")
    errors.raise_if_any("The header is not the expected one; nothing was imported.")
    rows = []
    for line, cells in records:
        if _blank(cells):
            continue
        if len(cells) != len(names):
            errors.line(line, f"row: {len(cells)} cells, the header has {len(names)}")
            continue
        cell = {name: value.strip() for name, value in zip(names, cells)}
        before = len(errors.by_label.get(f"line {line}", []))
        for name in REQUIRED:
            if not cell[name]:
                errors.line(line, f"{name}: required")
        if len(errors.by_label.get(f"line {line}", [])) > before:
            continue
        parsed = {
            "metric": cell["metric"],
            "journey_id": _int(cell["journey_id"], "journey_id", errors, line),
            "period_start": _date(cell["period_start"], "period_start", errors, line),
            "period_end": _date(cell["period_end"], "period_end", errors, line),
            "value": _decimal(cell["value"], "value", errors, line),
            "stage_id": _int(cell["stage_id"], "stage_id", errors, line) if cell.get("stage_id") else None,
            "touchpoint_id": (_int(cell["touchpoint_id"], "touchpoint_id", errors, line)
                              if cell.get("touchpoint_id") else None),
            "sample_size": (_int(cell["sample_size"], "sample_size", errors, line, minimum=0)
                            if cell.get("sample_size") else None),
            "source": cell.get("source") or "import",
        }
        if parsed["source"] not in SOURCES:
            errors.line(line, f"source: {parsed['source']!r} is not one of {', '.join(SOURCES)}")
        if len(errors.by_label.get(f"line {line}", [])) > before:
            continue
        rows.append(Row(line=line, **parsed))
    return rows


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
    if len(records) >= 2 and any(cell.strip().startswith('{"ImportId"') for cell in records[1][1]):
        records = records[2:]  # Qualtrics: question text and import ids under the header
    low, high = score_math.SCALES[metric]
    groups = {}
    for line, cells in records:
        if _blank(cells):
            continue
        if len(cells) < len(names):
            cells = cells + [""] * (len(names) - len(cells))
        cell = {name: value.strip() for name, value in zip(names, cells)}
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
        group = groups.setdefault(tuple(key[name] for name in KEY_COLUMNS), (key, [], []))
        group[1].append(score)
        group[2].append(line)
    errors.raise_if_any()
    if not groups:
        raise Invalid("The file holds no scores.", errors={"file": ["No row carries a score."]})
    rows = []
    for key, answers, lines in groups.values():
        rows.append(Row(line=lines[0], lines=lines, metric=metric, value=score_math.compute(metric, answers),
                        sample_size=len(answers), source="survey", **key))
    return rows


# -- checking and writing -----------------------------------------------------------------------------

def _check_query_refs(args, journeys, stages, touchpoints, errors):
    """References given in the query string (format=scores) are reported under the parameter's name."""
    if args.get("journey_id") is not None and args["journey_id"] not in journeys:
        errors.add("journey_id", f"no journey {args['journey_id']}")
    if args.get("stage_id") is not None and args["stage_id"] not in stages:
        errors.add("stage_id", f"no stage {args['stage_id']}")
    if args.get("touchpoint_id") is not None and args["touchpoint_id"] not in touchpoints:
        errors.add("touchpoint_id", f"no touchpoint {args['touchpoint_id']}")


def _check_rows(rows, metrics, journeys, stages, touchpoints, errors):
    seen = {}
    for row in rows:
        line = row.line
        if row.metric not in metrics:
            errors.line(line, f"metric: no metric with code {row.metric!r}")
        if row.journey_id not in journeys:
            errors.line(line, f"journey_id: no journey {row.journey_id}")
        if row.period_end < row.period_start:
            errors.line(line, "period_end: before period_start")
        if row.stage_id is not None and stages.get(row.stage_id) != row.journey_id:
            errors.line(line, f"stage_id: stage {row.stage_id} is not a stage of journey {row.journey_id}")
        if row.touchpoint_id is not None:
            stage_id, journey_id = touchpoints.get(row.touchpoint_id, (None, None))
            if journey_id != row.journey_id:
                errors.line(line, f"touchpoint_id: touchpoint {row.touchpoint_id} is not on journey {row.journey_id}")
            elif row.stage_id is not None and stage_id != row.stage_id:
                errors.line(line, f"touchpoint_id: touchpoint {row.touchpoint_id} is not in stage {row.stage_id}")
        key = (row.metric, row.journey_id, row.stage_id, row.touchpoint_id, row.period_start, row.period_end)
        if key in seen:
            errors.line(line, f"row: same metric, journey, stage, touchpoint and period as line {seen[key]}")
        else:
            seen[key] = line


def import_measurements(actor, raw, args):
    """Import a CSV (bytes or text) in the format `args["format"]`; see the module docstring.
    Returns {"created", "updated", "unchanged", "rows"}. Writes nothing when it raises."""
    errors = Errors()
    scores_format = args.get("format") == "scores"
    header, records = _records(raw, stream=not scores_format)
    if scores_format:
        rows = _score_rows(header, records, args, errors)
        read = sum(len(row.lines) for row in rows)
    else:
        rows = _measurement_rows(header, records, errors)
        read = len(rows)
    if not rows and not errors.by_label:
        errors.add("file", "No data rows under the header.")

    # Everything the rows refer to, in bulk: one query per table.
    codes = {row.metric for row in rows}
    journey_ids = {row.journey_id for row in rows} | ({args["journey_id"]} if args.get("journey_id") else set())
    stage_ids = {row.stage_id for row in rows if row.stage_id is not None}
    touchpoint_ids = {row.touchpoint_id for row in rows if row.touchpoint_id is not None}
    metrics = {m.code: m for m in db.session.scalars(select(Metric).where(Metric.code.in_(codes)))} if codes else {}
    journeys = ({j.id: j for j in db.session.scalars(select(Journey).where(Journey.id.in_(journey_ids)))}
                if journey_ids else {})
    stages = (dict(db.session.execute(select(Stage.id, Stage.journey_id).where(Stage.id.in_(stage_ids))).all())
              if stage_ids else {})
    touchpoints = ({tp_id: (stage_id, journey_id) for tp_id, stage_id, journey_id in db.session.execute(
        select(Touchpoint.id, Touchpoint.stage_id, Stage.journey_id).join(Stage, Stage.id == Touchpoint.stage_id)
        .where(Touchpoint.id.in_(touchpoint_ids))).all()} if touchpoint_ids else {})

    refused = sorted(j.id for j in journeys.values() if not policy.write_journey(actor, j))
    if refused:
        raise Forbidden("You may not record measurements of journey(s) " + ", ".join(map(str, refused))
                        + "; nothing was imported.", journeys=refused)
    if scores_format:
        _check_query_refs(args, journeys, stages, touchpoints, errors)
    _check_rows(rows, metrics, journeys, stages, touchpoints, errors)
    errors.raise_if_any()

    existing = {}
    if rows:
        candidates = db.session.scalars(select(Measurement).where(
            Measurement.journey_id.in_({row.journey_id for row in rows}),
            Measurement.metric_id.in_({m.id for m in metrics.values()}),
            tuple_(Measurement.period_start, Measurement.period_end).in_(
                {(row.period_start, row.period_end) for row in rows}),
        ))
        for m in candidates:
            existing[(m.metric_id, m.journey_id, m.stage_id, m.touchpoint_id, m.period_start, m.period_end)] = m
    counts = {"created": 0, "updated": 0, "unchanged": 0, "rows": read}
    now = utcnow()
    new = []
    for row in rows:
        metric_id = metrics[row.metric].id
        values = {"value": kpi(row.value), "sample_size": row.sample_size, "source": row.source}
        stored = existing.get((metric_id, row.journey_id, row.stage_id, row.touchpoint_id,
                               row.period_start, row.period_end))
        if stored is None:
            new.append({"metric_id": metric_id, "journey_id": row.journey_id, "stage_id": row.stage_id,
                        "touchpoint_id": row.touchpoint_id, "period_start": row.period_start,
                        "period_end": row.period_end, "version": 1, "created_at": now, "updated_at": now,
                        **values})
            counts["created"] += 1
            if len(new) == CHUNK:
                db.session.execute(insert(Measurement.__table__), new)
                new = []
        elif all(getattr(stored, name) == value for name, value in values.items()):
            counts["unchanged"] += 1
        else:
            for name, value in values.items():
                setattr(stored, name, value)
            counts["updated"] += 1
    if new:
        db.session.execute(insert(Measurement.__table__), new)
    db.session.flush()
    _audit_created(actor, counts, now)
    return counts


def _audit_created(actor, counts, now):
    """Bulk-inserted measurements are audited as one entry with the counts."""
    if not counts["created"]:
        return
    from cxgov.audit.models import AuditEntry

    db.session.execute(insert(AuditEntry.__table__), [{
        "actor_id": getattr(actor, "id", None), "action": "create", "entity": "measurement_import",
        "entity_id": None, "changes": {"created": counts["created"], "rows": counts["rows"]}, "created_at": now}])
