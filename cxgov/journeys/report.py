"""The journey KPI report: per metric its time series, target lines and deliveries (four queries).

Choices where SPEC is silent:
- The series is made of journey-level measurements (no stage, no touchpoint), ordered by period.
- Every series is bounded (SPEC §10): the `CXGOV_REPORT_MAX_POINTS` (default 120) most recent
  periods, by start, end and id; `omitted` counts the older ones left out and `earlier` summarises
  them (how many, the first's start, the last's end, their mean), read in the same query. The
  before/after averages are those of the periods in the report.
- `stages`: the journey's stages in order, each with its own series per metric measured on it (the
  stage's rows without a touchpoint), bounded the same way; read in the same query as the journey's.
- `touchpoints` (only when asked: `touchpoints=True`, the API's `?touchpoints=true`): the
  journey's touchpoints in stage order, each with its series per metric measured on it, bounded
  the same way; one more query.
- A metric is in the report when it is measured on the journey or targeted by an impact on it.
- Deliveries are the journey's initiatives with a `delivered_on`.
- Before/after averages around a delivery: the plain mean of the values of periods starting
  within `window_months` (default 6) before it, up to and including the delivery day, versus
  periods starting after it (strictly, as for `actual_value`) within `window_months`.

Target lines and deliveries come from the journey's initiatives, a feature above journeys that
this module never imports: it hands over its two statements when the app is created
(`use_initiatives`).

The busiest journeys have hundreds of points and deliveries, so the report reads plain rows (only
the columns it shows), loads each metric once, and finds every window by bisection in the sorted
series. The API takes it already in JSON values (`journey_report_json`), as `JourneyReportSchema`
would dump it, without a marshmallow pass over every point.
"""
from bisect import bisect_left, bisect_right
from collections import defaultdict
from decimal import Decimal
from itertools import accumulate, groupby
from operator import itemgetter

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import BigInteger, Float, String, and_, bindparam, case, cast, func, select, type_coerce

from cxgov.extensions import db
from cxgov.journeys.models import Measurement, Metric, Stage, Touchpoint

MAX_POINTS = 120  # CXGOV_REPORT_MAX_POINTS' default
_SERIES = itemgetter(0, 1)  # a bounded row's series: (stage, touchpoint or None; metric)


def window_positions(starts, windows):
    """Per window (earliest, delivered_on, latest) the slice bounds in `starts` (sorted) of the
    periods starting in [earliest, delivered_on] and in (delivered_on, latest]."""
    return [(bisect_left(starts, earliest), bisect_right(starts, delivered_on), bisect_right(starts, latest))
            for earliest, delivered_on, latest in windows]


def before_after(values, positions, deliveries, number):
    """Per delivery the averages of a series' `values` before and after it (`positions` from
    `window_positions`). Each window's sum comes from running totals in ten-thousandths: KPI values
    have four places, so the totals are exact integers (from a float too, below 10^10), and a sum
    divided in Decimal is the plain Decimal mean. Deliveries close in time share a window, and its
    figures are computed once."""
    totals = list(accumulate((round(value * 10000) for value in values), initial=0))
    figures = {}
    result = []
    for delivery, bounds in zip(deliveries, positions, strict=True):
        found = figures.get(bounds)
        if found is None:
            low, middle, high = bounds
            before = Decimal(totals[middle] - totals[low]).scaleb(-4) / (middle - low) if middle > low else None
            after = Decimal(totals[high] - totals[middle]).scaleb(-4) / (high - middle) if high > middle else None
            found = figures[bounds] = {
                "before_average": None if before is None else number(before), "before_count": middle - low,
                "after_average": None if after is None else number(after), "after_count": high - middle,
                "change": None if before is None or after is None else number(after - before)}
        result.append({**delivery, **found})
    return result


def _same(value):
    return value


def journey_report(journey, window_months=6, touchpoints=False, metric_id=None, stages=None, metrics=None,
                   delivered=None):
    """The report in Python values (dates, Decimals): the journey page draws and formats them.
    With `metric_id`, only that metric's journey-level series is read (no stage's): what one KPI
    chart of the page needs, its entry in `metrics` the same as in the whole report. `stages`:
    the journey's `Stage`s in order, `metrics` every metric (`ALL_METRICS`' rows), `delivered`
    its delivered initiatives (`delivered_of` the page's list), when the caller has them already
    (not read again)."""
    if metric_id is not None:
        return _report(journey, window_months, _METRIC_POINTS, _FROM_INITIATIVES.get("targets"), _same, _same,
                       params={"metric_id": metric_id})
    return _report(journey, window_months, _POINTS, _FROM_INITIATIVES.get("targets"), _same, _same,
                   _TOUCHPOINT_POINTS if touchpoints else None,
                   stages=None if stages is None else [(s.id, s.name, s.stage_type, s.phase, s.status) for s in stages],
                   metrics=metrics, delivered=delivered)


def delivered_of(initiatives):
    """The delivered ones of a journey's initiatives (rows with `id`, `title`, `delivered_on`) as the
    report reads them: (id, title, delivered_on) by delivery date, then id."""
    return sorted(((i.id, i.title, i.delivered_on) for i in initiatives if i.delivered_on is not None),
                  key=lambda row: (row[2], row[0]))


def journey_report_json(journey, window_months=6, touchpoints=False):
    """The report exactly as `JourneyReportSchema` dumps it: ISO dates, KPI values as JSON numbers
    (`Number` dumps a Decimal as its float)."""
    return _report(journey, window_months, _POINTS_JSON, _FROM_INITIATIVES.get("targets_json"), _iso, float,
                   _TOUCHPOINT_POINTS_JSON if touchpoints else None)


def _iso(day):
    """An ISO date from a `date`, or the stored text itself (SQLite keeps dates as ISO text)."""
    return day if day.__class__ is str else day.isoformat()


def _as_float(column):
    """A KPI value as the float `Number` dumps, cast in the database: the stored numeric rounds to
    it exactly as Python's float() of the Decimal does, without a conversion per value here."""
    return cast(column, Float)


def _as_stored(column):
    """A date as the driver gives it: a `date` on PostgreSQL, the stored ISO text on SQLite."""
    return type_coerce(column, String)


def _bounded(key, where, day, value):
    """Series of the journey's measurements, one per (`key`, metric), each cut to its
    `:max_points` most recent periods, as (key, metric_id, period_start, period_end, value,
    sample_size, series length, earlier start, earlier end, earlier total) by key, metric and
    period; `day` and `value` turn the columns into the report's values. The journey's id and
    the bound are bound at each call."""
    partition_key = func.coalesce(key, 0)
    ranked = (
        select(key.label("key"), Measurement.metric_id, Measurement.period_start, Measurement.period_end,
               Measurement.value, Measurement.sample_size, Measurement.id,
               func.row_number().over(partition_by=(partition_key, Measurement.metric_id), order_by=(
                   Measurement.period_start.desc(), Measurement.period_end.desc(), Measurement.id.desc()))
               .label("recent"),
               func.count().over(partition_by=(partition_key, Measurement.metric_id)).label("length"))
        .where(Measurement.journey_id == bindparam("journey_id"), where)
        .subquery()
    )
    c = ranked.c
    # The periods left out, summarised over the same partition: first start, last end, and the sum
    # of their values in ten-thousandths (exact integers: KPI values have four places).
    earlier = c.recent > bindparam("max_points")
    partition = {"partition_by": (func.coalesce(c.key, 0), c.metric_id)}
    summarised = select(
        c.key, c.metric_id, c.period_start, c.period_end, c.value, c.sample_size, c.id, c.recent, c.length,
        func.min(case((earlier, c.period_start))).over(**partition).label("earlier_start"),
        func.max(case((earlier, c.period_end))).over(**partition).label("earlier_end"),
        func.sum(case((earlier, cast(func.round(c.value * 10000), BigInteger)))).over(**partition)
        .label("earlier_total"),
    ).subquery()
    s = summarised.c
    return (select(s.key, s.metric_id, day(s.period_start), day(s.period_end), value(s.value), s.sample_size,
                   s.length, day(s.earlier_start), day(s.earlier_end), s.earlier_total)
            .where(s.recent <= bindparam("max_points"))
            .order_by(func.coalesce(s.key, 0), s.metric_id, s.period_start, s.period_end, s.id))


def _points(day, value):
    """The journey's and its stages' series (rows without a touchpoint), keyed by stage (None:
    the journey's own)."""
    # "No touchpoint" as coalesce(…) = 0 rather than IS NULL: an IS NULL lets SQLite's planner go
    # through the touchpoint index, every journey's rows without a touchpoint (80 ms at a million
    # rows, against 20 ms through the journey's index; PostgreSQL 28 ms against 18 ms).
    return _bounded(Measurement.stage_id, func.coalesce(Measurement.touchpoint_id, 0) == 0, day, value)


def _touchpoint_points(day, value):
    """The series of the journey's touchpoints, keyed by touchpoint, bounded and summarised as
    the stages' are."""
    return _bounded(Measurement.touchpoint_id, Measurement.touchpoint_id.is_not(None), day, value)


# Only the columns the report shows, in Python values (the page) or ready for JSON (the API).
_POINTS = _points(_same, _same)
# One metric's journey-level series (`:metric_id`), bounded the same way: a KPI chart's picture.
_METRIC_POINTS = _bounded(Measurement.stage_id, and_(func.coalesce(Measurement.touchpoint_id, 0) == 0,
                                                     func.coalesce(Measurement.stage_id, 0) == 0,
                                                     Measurement.metric_id == bindparam("metric_id")), _same, _same)
_POINTS_JSON = _points(_as_stored, _as_float)
_TOUCHPOINT_POINTS = _touchpoint_points(_same, _same)
_TOUCHPOINT_POINTS_JSON = _touchpoint_points(_as_stored, _as_float)
_TOUCHPOINTS = (select(Touchpoint.id, Touchpoint.name, Touchpoint.channel, Touchpoint.status, Stage.id)
                .join(Stage, Stage.id == Touchpoint.stage_id)
                .where(Stage.journey_id == bindparam("journey_id")).order_by(Stage.position, Stage.id, Touchpoint.id))
_STAGES = (select(Stage.id, Stage.name, Stage.stage_type, Stage.phase, Stage.status)
           .where(Stage.journey_id == bindparam("journey_id")).order_by(Stage.position, Stage.id))


_FROM_INITIATIVES = {}


def use_initiatives(targets, delivered):
    """`targets(value)`: the statement of the impacts on the journey `:journey_id` as rows
    (metric_id, impact id, initiative id, initiative title, baseline value, target value) by
    impact, `value` turning a KPI column into the report's values; `delivered`: the statement of
    its delivered initiatives as (id, title, delivered_on) by date."""
    _FROM_INITIATIVES.update(targets=targets(_same), targets_json=targets(_as_float), delivered=delivered)
_METRIC_COLUMNS = (Metric.id, Metric.code, Metric.name, Metric.unit, Metric.direction, Metric.builtin)
_METRICS = select(*_METRIC_COLUMNS).where(Metric.id.in_(bindparam("ids", expanding=True)))
# Every metric with the columns the report reads, the built-in ones first, then by name (a form's choices).
ALL_METRICS = select(*_METRIC_COLUMNS).order_by(Metric.builtin.desc(), Metric.name)


def _report(journey, window_months, points_statement, targets_statement, day, number, touchpoints_statement=None,
            params=None, stages=None, metrics=None, delivered=None):
    """The statements give points and targets in the report's values; `day` turns a period's or
    a delivery's date into one, `number` a computed average. `touchpoints_statement`: the
    touchpoints' points, when they are asked for; `params`: the points statement's own; `stages`:
    the journey's stages as `_STAGES` reads them, `metrics` every metric as `ALL_METRICS` does,
    `delivered` its delivered initiatives as the `delivered` statement does, when the caller has them."""
    db.session.flush()  # plain rows below: the session's pending changes first, as an ORM query would
    execute = db.session.connection().execute
    journey_id = {"journey_id": journey.id}
    all_points = execute(points_statement, {**journey_id, "max_points": max_points(), **(params or {})}).all()
    touchpoint_points = [] if touchpoints_statement is None else execute(
        touchpoints_statement, {**journey_id, "max_points": max_points()}).all()
    impacts = [] if targets_statement is None else execute(targets_statement, journey_id).all()
    if delivered is None:
        statement = _FROM_INITIATIVES.get("delivered")
        delivered = [] if statement is None else execute(statement, journey_id).all()
    if stages is None:
        stages = execute(_STAGES, journey_id).all()

    # {(stage_id or None, metric_id): [(metric_id, start, end, value, sample_size)]}, and each series' length;
    # the periods' dates are collected to be turned into the report's once each (not when they are already)
    days = None if day is _same else set()
    by_series, lengths, summaries = _grouped(all_points, days)
    series, targets = defaultdict(list), defaultdict(list)
    for (stage_id, metric_id), points in by_series.items():
        if stage_id is None:
            series[metric_id] = points
    points = [point for (stage_id, _), rows in by_series.items() if stage_id is None for point in rows]
    for metric_id, impact_id, initiative_id, title, baseline_value, target_value in impacts:
        targets[metric_id].append({
            "impact_id": impact_id, "initiative_id": initiative_id, "initiative_title": title,
            "baseline_value": baseline_value, "target_value": target_value})
    by_touchpoint, touchpoint_lengths, touchpoint_summaries = _grouped(touchpoint_points, days)
    ids = series.keys() | targets.keys() | {metric_id for _, metric_id in by_series} \
        | {metric_id for _, metric_id in by_touchpoint}
    metrics = execute(_METRICS, {"ids": sorted(ids)}).all() if metrics is None \
        else [metric for metric in metrics if metric.id in ids]
    refs = {m.id: {"id": m.id, "code": m.code, "name": m.name, "unit": m.unit, "direction": m.direction}
            for m in metrics}
    order = {m.id: (not m.builtin, m.code) for m in metrics}
    deliveries = [{"initiative_id": initiative_id, "title": title, "delivered_on": day(delivered_on)}
                  for initiative_id, title, delivered_on in delivered]
    # Each period's date is formatted once. Window bounds compare with the periods' starts as the
    # driver gives them (ISO text sorts as its dates do).
    if days is not None:
        days = {value: day(value) for value in days}
    bound = _iso if points and points[0][1].__class__ is str else _same
    # Whole calendar months, clamped to the month's last day (31 Aug - 6 months = 28/29 Feb).
    after, before = relativedelta(months=window_months), relativedelta(months=-window_months)  # d - rd is d + (-rd)
    windows = [(bound(delivered_on + before), bound(delivered_on), bound(delivered_on + after))
               for _, _, delivered_on in delivered]

    positions = {}  # metrics measured in the same periods share their window positions
    report_metrics = []
    for metric_id, *_ in sorted((m for m in metrics if m.id in series or m.id in targets),
                                key=lambda m: order[m.id]):
        points = series[metric_id]
        starts = tuple(point[1] for point in points)
        if starts not in positions:
            positions[starts] = window_positions(starts, windows)
        report_metrics.append({
            "metric": refs[metric_id],
            "series": _series(points, days),
            "omitted": lengths.get((None, metric_id), 0) - len(points),
            "earlier": _earlier(lengths.get((None, metric_id), 0) - len(points), summaries.get((None, metric_id)),
                                day, number),
            "targets": targets[metric_id],
            "before_after": before_after([point[3] for point in points], positions[starts], deliveries, number),
        })
    report_stages = [{
        "stage": {"id": stage_id, "name": name, "stage_type": stage_type, "phase": phase, "status": status},
        "metrics": [{"metric": refs[metric_id], "series": _series(by_series[stage_id, metric_id], days),
                     "omitted": lengths[stage_id, metric_id] - len(by_series[stage_id, metric_id]),
                     "earlier": _earlier(lengths[stage_id, metric_id] - len(by_series[stage_id, metric_id]),
                                         summaries[stage_id, metric_id], day, number)}
                    for metric_id in sorted((m for s, m in by_series if s == stage_id), key=order.get)],
    } for stage_id, name, stage_type, phase, status in stages]
    journey_ref = {"id": journey.id, "name": journey.name, "owner_id": journey.owner_id, "status": journey.status}
    report = {"journey": journey_ref, "window_months": window_months, "deliveries": deliveries,
              "metrics": report_metrics, "stages": report_stages}
    if touchpoints_statement is not None:
        report["touchpoints"] = [{
            "touchpoint": {"id": touchpoint_id, "name": name, "channel": channel, "status": status,
                           "stage_id": stage_id},
            "metrics": [{"metric": refs[metric_id], "series": _series(by_touchpoint[touchpoint_id, metric_id], days),
                         "omitted": touchpoint_lengths[touchpoint_id, metric_id]
                         - len(by_touchpoint[touchpoint_id, metric_id]),
                         "earlier": _earlier(touchpoint_lengths[touchpoint_id, metric_id]
                                             - len(by_touchpoint[touchpoint_id, metric_id]),
                                             touchpoint_summaries[touchpoint_id, metric_id], day, number)}
                        for metric_id in sorted((m for t, m in by_touchpoint if t == touchpoint_id), key=order.get)],
        } for touchpoint_id, name, channel, status, stage_id in execute(_TOUCHPOINTS, journey_id).all()]
    return report


def _grouped(rows, days):
    """The rows of a `_bounded` statement by series, (key, metric_id): the series' points as
    (metric_id, start, end, value, sample_size), its length and its summary of the periods left out
    (the same on every row of a series: window figures over it). The rows come series by series;
    each period's start and end are added to `days` (unless None)."""
    by_series, lengths, summaries = defaultdict(list), {}, {}
    for series, group in groupby(rows, key=_SERIES):
        group = list(group)
        points = [point[1:6] for point in group]
        by_series[series], lengths[series], summaries[series] = points, group[0][6], group[0][7:]
        if days is not None:
            days.update(point[1] for point in points)
            days.update(point[2] for point in points)
    return by_series, lengths, summaries


def max_points():
    """Periods a report's series keeps at most (`CXGOV_REPORT_MAX_POINTS`, default 120)."""
    return int(current_app.config.get("CXGOV_REPORT_MAX_POINTS", MAX_POINTS))


def _earlier(count, summary, day, number):
    """The periods left out of a series in one line: how many, the first one's start, the last
    one's end and the plain mean of their values (None when none is left out)."""
    if not count:
        return None
    first, last, total = summary
    return {"periods": count, "first_period_start": day(first), "last_period_end": day(last),
            "mean": number(Decimal(total).scaleb(-4) / count)}


def _series(points, days):
    """A series' points as the report's periods, their dates turned by `days` (None: as they are)."""
    if days is None:
        return [{"period_start": start, "period_end": end, "value": value, "sample_size": sample_size}
                for _, start, end, value, sample_size in points]
    return [{"period_start": days[start], "period_end": days[end], "value": value, "sample_size": sample_size}
            for _, start, end, value, sample_size in points]
