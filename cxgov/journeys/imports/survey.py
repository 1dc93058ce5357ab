"""A survey tool's export (``format=scores``): the answers grouped by journey, stage, touchpoint and
period as they are read (memory holds the scores, not the file's text), each group one measurement
computed with `cxgov.journeys.scores` (source ``survey``, ``sample_size`` = answers)."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import chain, islice

from flask_babel import gettext as _

from cxgov.errors import Invalid
from cxgov.journeys import scores as score_math
from cxgov.journeys.imports.reading import blank
from cxgov.journeys.imports.rows import parse_date, parse_int

KEY_COLUMNS = ("journey_id", "period_start", "period_end", "stage_id", "touchpoint_id")
SCORE_NAMES = ("score", "{metric}", "{metric}_score", "recommend")
MAX_LISTED_SCORES = 20  # bad lines listed in a refused survey export (often the same mistake throughout)


@dataclass(slots=True)
class Row:
    """One group's measurement; `line` is the group's first answer."""

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


def _score_column(names, args, problems):
    metric = args["metric"]
    if args.get("column"):
        wanted = [args["column"].strip().lower()]
    else:
        wanted = [name.format(metric=metric) for name in SCORE_NAMES]
    for candidate in wanted:
        if candidate in names:
            return names.index(candidate)
    problems.add("header", _("no score column: expected one named %(names)s", names=" or ".join(wanted)))
    return None


def score_rows(header, records, args, problems):
    """Group the answers of a survey export into one computed `Row` per journey, stage, touchpoint, period."""
    if not args.get("metric"):
        problems.add("metric", _("required with format=scores: nps, csat or ces"))
        problems.raise_if_any(_("Say which metric the scores measure; nothing was imported."))
    names = [name.lower() for name in header]
    metric = args["metric"]
    score_at = _score_column(names, args, problems)
    for name in ("journey_id", "period_start", "period_end"):
        if name not in names and args.get(name) is None:
            problems.add(name, _("required: give it in the query string or as a column"))
    problems.raise_if_any(_("The file cannot be read as survey scores; nothing was imported."))
    first = list(islice(records, 2))
    if len(first) == 2 and any(cell.strip().startswith('{"ImportId"') for cell in first[1][1]):
        first = []  # Qualtrics: question text and import ids under the header
    low, high = score_math.SCALES[metric]
    groups = {}
    for line, cells in chain(first, records):
        if blank(cells):
            continue
        if len(cells) < len(names):
            cells = cells + [""] * (len(names) - len(cells))
        # A survey export's cells past the header's columns are not read.
        cell = {name: value.strip() for name, value in zip(names, cells, strict=False)}
        text = cells[score_at].strip()
        if not text:
            continue
        before = len(problems.by_label.get(f"line {line}", []))
        score = parse_int(text, header[score_at], problems, line)
        if score is not None and not low <= score <= high:
            problems.line(line, _("%(column)s: %(score)s is outside %(low)s..%(high)s", column=header[score_at],
                                  score=score, low=low, high=high))
        key = {}
        for name in KEY_COLUMNS:
            if name in names and cell.get(name):
                parse = parse_date if name.startswith("period") else parse_int
                key[name] = parse(cell[name], name, problems, line)
            else:
                key[name] = args.get(name)
            if key[name] is None and name in ("journey_id", "period_start", "period_end") and name in names \
                    and not cell.get(name):
                problems.line(line, _("%(column)s: required", column=name))
        if len(problems.by_label.get(f"line {line}", [])) > before:
            continue
        groups.setdefault(tuple(key[name] for name in KEY_COLUMNS), (key, [], line))[1].append(score)
    problems.raise_if_any()
    if not groups:
        raise Invalid(_("The file holds no scores."), errors={"file": [_("No row carries a score.")]})
    return [Row(line=line, metric=metric, value=score_math.compute(metric, answers), sample_size=len(answers),
                source="survey", **key) for key, answers, line in groups.values()]


def check_query_references(args, refs, problems):
    """References given in the query string are reported under the parameter's name."""
    if args.get("journey_id") is not None and args["journey_id"] not in refs.journeys:
        problems.add("journey_id", _("no journey %(id)s", id=args["journey_id"]))
    if args.get("stage_id") is not None and args["stage_id"] not in refs.stages:
        problems.add("stage_id", _("no stage %(id)s", id=args["stage_id"]))
    if args.get("touchpoint_id") is not None and args["touchpoint_id"] not in refs.touchpoints:
        problems.add("touchpoint_id", _("no touchpoint %(id)s", id=args["touchpoint_id"]))
