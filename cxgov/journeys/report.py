"""The journey KPI report: per metric its time series, target lines and deliveries (four queries).

Choices where SPEC is silent:
- The series is made of journey-level measurements (no stage, no touchpoint), ordered by period.
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
from itertools import accumulate

from dateutil.relativedelta import relativedelta
from sqlalchemy import Float, String, bindparam, cast, select, type_coerce

from cxgov.extensions import db
from cxgov.journeys.models import Measurement, Metric


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


def journey_report(journey, window_months=6):
    """The report in Python values (dates, Decimals): the journey page draws and formats them."""
    return _report(journey, window_months, _POINTS, _FROM_INITIATIVES.get("targets"), _same, _same)


def journey_report_json(journey, window_months=6):
    """The report exactly as `JourneyReportSchema` dumps it: ISO dates, KPI values as JSON numbers
    (`Number` dumps a Decimal as its float)."""
    return _report(journey, window_months, _POINTS_JSON, _FROM_INITIATIVES.get("targets_json"), _iso, float)


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


_JOURNEY_LEVEL = (Measurement.journey_id == bindparam("journey_id"), Measurement.stage_id.is_(None),
                  Measurement.touchpoint_id.is_(None))
_SERIES_ORDER = (Measurement.period_start, Measurement.period_end, Measurement.id)
# Only the columns the report shows, in Python values (the page) or ready for JSON (the API);
# the journey's id is bound at each call.
_POINTS = (
    select(Measurement.metric_id, Measurement.period_start, Measurement.period_end, Measurement.value,
           Measurement.sample_size)
    .where(*_JOURNEY_LEVEL).order_by(*_SERIES_ORDER)
)
_POINTS_JSON = (
    select(Measurement.metric_id, _as_stored(Measurement.period_start), _as_stored(Measurement.period_end),
           _as_float(Measurement.value), Measurement.sample_size)
    .where(*_JOURNEY_LEVEL).order_by(*_SERIES_ORDER)
)


_FROM_INITIATIVES = {}


def use_initiatives(targets, delivered):
    """`targets(value)`: the statement of the impacts on the journey `:journey_id` as rows
    (metric_id, impact id, initiative id, initiative title, baseline value, target value) by
    impact, `value` turning a KPI column into the report's values; `delivered`: the statement of
    its delivered initiatives as (id, title, delivered_on) by date."""
    _FROM_INITIATIVES.update(targets=targets(_same), targets_json=targets(_as_float), delivered=delivered)
_METRICS = (
    select(Metric.id, Metric.code, Metric.name, Metric.unit, Metric.direction, Metric.builtin)
    .where(Metric.id.in_(bindparam("ids", expanding=True)))
)


def _report(journey, window_months, points_statement, targets_statement, day, number):
    """The statements give points and targets in the report's values; `day` turns a period's or
    a delivery's date into one, `number` a computed average."""
    db.session.flush()  # plain rows below: the session's pending changes first, as an ORM query would
    execute = db.session.connection().execute
    journey_id = {"journey_id": journey.id}
    points, impacts, delivered = ([] if stmt is None else execute(stmt, journey_id).all()
                                  for stmt in (points_statement, targets_statement, _FROM_INITIATIVES.get("delivered")))

    series, targets, days = defaultdict(list), defaultdict(list), {}
    for point in points:
        series[point[0]].append(point)
        days[point[1]] = days[point[2]] = None
    for metric_id, impact_id, initiative_id, title, baseline_value, target_value in impacts:
        targets[metric_id].append({
            "impact_id": impact_id, "initiative_id": initiative_id, "initiative_title": title,
            "baseline_value": baseline_value, "target_value": target_value})
    metrics = execute(_METRICS, {"ids": sorted(series.keys() | targets.keys())}).all()
    deliveries = [{"initiative_id": initiative_id, "title": title, "delivered_on": day(delivered_on)}
                  for initiative_id, title, delivered_on in delivered]
    # Each period's date is formatted once. Window bounds compare with the periods' starts as the
    # driver gives them (ISO text sorts as its dates do).
    days = {value: day(value) for value in days}
    bound = _iso if points and points[0][1].__class__ is str else _same
    # Whole calendar months, clamped to the month's last day (31 Aug - 6 months = 28/29 Feb).
    window = relativedelta(months=window_months)
    windows = [(bound(delivered_on - window), bound(delivered_on), bound(delivered_on + window))
               for _, _, delivered_on in delivered]

    positions = {}  # metrics measured in the same periods share their window positions
    report_metrics = []
    for metric_id, code, name, unit, direction, _ in sorted(metrics, key=lambda m: (not m.builtin, m.code)):
        points = series[metric_id]
        starts = tuple(point[1] for point in points)
        if starts not in positions:
            positions[starts] = window_positions(starts, windows)
        report_metrics.append({
            "metric": {"id": metric_id, "code": code, "name": name, "unit": unit, "direction": direction},
            "series": [{"period_start": days[start], "period_end": days[end], "value": value,
                        "sample_size": sample_size} for _, start, end, value, sample_size in points],
            "targets": targets[metric_id],
            "before_after": before_after([point[3] for point in points], positions[starts], deliveries, number),
        })
    journey_ref = {"id": journey.id, "name": journey.name, "owner_id": journey.owner_id, "status": journey.status}
    return {"journey": journey_ref, "window_months": window_months, "deliveries": deliveries,
            "metrics": report_metrics}
