"""The journey KPI report: per metric its time series, target lines and deliveries (three queries).

Choices where SPEC is silent:
- The series is made of journey-level measurements (no stage, no touchpoint), ordered by period.
- A metric is in the report when it is measured on the journey or targeted by an impact on it.
- Deliveries are the journey's initiatives with a `delivered_on`.
- Before/after averages around a delivery: the plain mean of the values of periods starting
  within `window_months` (default 6) before it, up to and including the delivery day, versus
  periods starting after it (strictly, as for `actual_value`) within `window_months`.
"""
import calendar
from collections import defaultdict
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cxgov.extensions import db
from cxgov.journeys.models import Measurement


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def mean(values):
    values = list(values)
    return sum(values, Decimal(0)) / len(values) if values else None


def before_after(series, delivered_on, window_months):
    """Averages of `series` [(period_start, value)] before and after `delivered_on`."""
    earliest, latest = add_months(delivered_on, -window_months), add_months(delivered_on, window_months)
    before = [value for start, value in series if earliest <= start <= delivered_on]
    after = [value for start, value in series if delivered_on < start <= latest]
    before_average, after_average = mean(before), mean(after)
    change = after_average - before_average if before and after else None
    return {"before_average": before_average, "before_count": len(before),
            "after_average": after_average, "after_count": len(after), "change": change}


def journey_report(journey, window_months=6):
    from cxgov.initiatives.models import Impact, Initiative

    measurements = db.session.scalars(
        select(Measurement).options(joinedload(Measurement.metric))
        .where(Measurement.journey_id == journey.id, Measurement.stage_id.is_(None),
               Measurement.touchpoint_id.is_(None))
        .order_by(Measurement.period_start, Measurement.period_end, Measurement.id)
    ).all()
    impacts = db.session.scalars(
        select(Impact).options(joinedload(Impact.metric), joinedload(Impact.initiative))
        .where(Impact.journey_id == journey.id).order_by(Impact.id)
    ).all()
    delivered = db.session.scalars(
        select(Initiative).where(Initiative.journey_id == journey.id, Initiative.delivered_on.is_not(None))
        .order_by(Initiative.delivered_on, Initiative.id)
    ).all()

    metrics, series, targets = {}, defaultdict(list), defaultdict(list)
    for m in measurements:
        metrics.setdefault(m.metric_id, m.metric)
        series[m.metric_id].append(m)
    for impact in impacts:
        metrics.setdefault(impact.metric_id, impact.metric)
        targets[impact.metric_id].append({
            "impact_id": impact.id, "initiative_id": impact.initiative_id,
            "initiative_title": impact.initiative.title, "baseline_value": impact.baseline_value,
            "target_value": impact.target_value})
    deliveries = [{"initiative_id": i.id, "title": i.title, "delivered_on": i.delivered_on} for i in delivered]

    report_metrics = []
    for metric in sorted(metrics.values(), key=lambda m: (not m.builtin, m.code)):
        points = series[metric.id]
        pairs = [(p.period_start, p.value) for p in points]
        report_metrics.append({
            "metric": metric,
            "series": [{"period_start": p.period_start, "period_end": p.period_end, "value": p.value,
                        "sample_size": p.sample_size} for p in points],
            "targets": targets[metric.id],
            "before_after": [{**delivery, **before_after(pairs, delivery["delivered_on"], window_months)}
                             for delivery in deliveries],
        })
    return {"journey": journey, "window_months": window_months, "deliveries": deliveries,
            "metrics": report_metrics}
