"""The journey KPI report: per metric its time series, target lines and deliveries (four queries).

Choices where SPEC is silent:
- The series is made of journey-level measurements (no stage, no touchpoint), ordered by period.
- A metric is in the report when it is measured on the journey or targeted by an impact on it.
- Deliveries are the journey's initiatives with a `delivered_on`.
- Before/after averages around a delivery: the plain mean of the values of periods starting
  within `window_months` (default 6) before it, up to and including the delivery day, versus
  periods starting after it (strictly, as for `actual_value`) within `window_months`.

The busiest journeys have hundreds of points and deliveries, so the report reads plain rows (only
the columns it shows), loads each metric once, and finds every window by bisection in the sorted
series. The API takes it already in JSON values (`journey_report_json`), as `JourneyReportSchema`
would dump it, without a marshmallow pass over every point.
"""
import calendar
from bisect import bisect_left, bisect_right
from collections import defaultdict
from itertools import accumulate
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, select

from cxgov.extensions import db
from cxgov.initiatives.models import Impact, Initiative
from cxgov.journeys.models import Measurement, Metric


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window_positions(starts, windows):
    """Per window (earliest, delivered_on, latest) the slice bounds in `starts` (sorted) of the
    periods starting in [earliest, delivered_on] and in (delivered_on, latest]."""
    return [(bisect_left(starts, earliest), bisect_right(starts, delivered_on), bisect_right(starts, latest))
            for earliest, delivered_on, latest in windows]


def before_after(values, positions, deliveries, number):
    """Per delivery the averages of a series' `values` before and after it (`positions` from
    `window_positions`). Running totals give each window's sum: KPI values have four places, so
    every total is exact and equals the plain sum. Deliveries close in time share a window, and
    its figures are computed once."""
    totals = list(accumulate(values, initial=Decimal(0)))
    figures = {}
    result = []
    for delivery, bounds in zip(deliveries, positions):
        found = figures.get(bounds)
        if found is None:
            low, middle, high = bounds
            before = (totals[middle] - totals[low]) / (middle - low) if middle > low else None
            after = (totals[high] - totals[middle]) / (high - middle) if high > middle else None
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
    return _report(journey, window_months, _same, _same)


def journey_report_json(journey, window_months=6):
    """The report exactly as `JourneyReportSchema` dumps it: ISO dates, KPI values as JSON numbers
    (`Number` dumps a Decimal as its float)."""
    return _report(journey, window_months, date.isoformat, float)


# Only the columns the report shows; the journey's id is bound at each call.
_POINTS = (
    select(Measurement.metric_id, Measurement.period_start, Measurement.period_end, Measurement.value,
           Measurement.sample_size)
    .where(Measurement.journey_id == bindparam("journey_id"), Measurement.stage_id.is_(None),
           Measurement.touchpoint_id.is_(None))
    .order_by(Measurement.period_start, Measurement.period_end, Measurement.id)
)
_TARGETS = (
    select(Impact.metric_id, Impact.id, Impact.initiative_id, Initiative.title, Impact.baseline_value,
           Impact.target_value)
    .join(Initiative, Initiative.id == Impact.initiative_id)
    .where(Impact.journey_id == bindparam("journey_id")).order_by(Impact.id)
)
_DELIVERED = (
    select(Initiative.id, Initiative.title, Initiative.delivered_on)
    .where(Initiative.journey_id == bindparam("journey_id"), Initiative.delivered_on.is_not(None))
    .order_by(Initiative.delivered_on, Initiative.id)
)
_METRICS = (
    select(Metric.id, Metric.code, Metric.name, Metric.unit, Metric.direction, Metric.builtin)
    .where(Metric.id.in_(bindparam("ids", expanding=True)))
)


def _report(journey, window_months, day, number):
    """`day` and `number` turn dates and (non-null) KPI values into the report's values."""
    db.session.flush()  # plain rows below: the session's pending changes first, as an ORM query would
    execute = db.session.connection().execute
    journey_id = {"journey_id": journey.id}
    points, impacts, delivered = (execute(stmt, journey_id).all() for stmt in (_POINTS, _TARGETS, _DELIVERED))

    series, targets = defaultdict(list), defaultdict(list)
    for point in points:
        series[point[0]].append(point)
    for metric_id, impact_id, initiative_id, title, baseline_value, target_value in impacts:
        targets[metric_id].append({
            "impact_id": impact_id, "initiative_id": initiative_id, "initiative_title": title,
            "baseline_value": number(baseline_value), "target_value": number(target_value)})
    metrics = execute(_METRICS, {"ids": sorted(series.keys() | targets.keys())}).all()
    deliveries = [{"initiative_id": initiative_id, "title": title, "delivered_on": day(delivered_on)}
                  for initiative_id, title, delivered_on in delivered]
    windows = [(add_months(delivered_on, -window_months), delivered_on, add_months(delivered_on, window_months))
               for _, _, delivered_on in delivered]

    # Metrics measured in the same periods share their window positions, and every period's
    # date is formatted once.
    positions, days = {}, {}

    def formatted(value):
        text = days.get(value)
        if text is None:
            text = days[value] = day(value)
        return text

    report_metrics = []
    for metric_id, code, name, unit, direction, _ in sorted(metrics, key=lambda m: (not m.builtin, m.code)):
        points = series[metric_id]
        starts = tuple(point[1] for point in points)
        if starts not in positions:
            positions[starts] = window_positions(starts, windows)
        report_metrics.append({
            "metric": {"id": metric_id, "code": code, "name": name, "unit": unit, "direction": direction},
            "series": [{"period_start": formatted(start), "period_end": formatted(end), "value": number(value),
                        "sample_size": sample_size} for _, start, end, value, sample_size in points],
            "targets": targets[metric_id],
            "before_after": before_after([point[3] for point in points], positions[starts], deliveries, number),
        })
    journey_ref = {"id": journey.id, "name": journey.name, "owner_id": journey.owner_id, "status": journey.status}
    return {"journey": journey_ref, "window_months": window_months, "deliveries": deliveries,
            "metrics": report_metrics}
