"""Compare one stage of the hourglass across journeys (SPEC §10): `GET /api/reports/stages?
stage_type=&metric=` — every journey's stage of that type with the metric's latest value there
(the stage's own measurements, no touchpoint, of the latest period) and the status of the stage's
target on that metric, if it has one (the earliest due). Three queries whatever the number of
journeys and measurements.

Rows are ordered best first in the metric's direction, stages not measured last, then by journey
name."""
from flask_babel import gettext as _
from sqlalchemy import func, select

from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.journeys.models import Journey, Measurement, Metric, Stage, Target
from cxgov.journeys.targets import target_status


def _latest(stage_ids, metric_id):
    """{stage_id: (value, period_start, period_end)} of the latest period's measurement."""
    if not stage_ids:
        return {}
    rank = func.row_number().over(partition_by=Measurement.stage_id, order_by=(
        Measurement.period_start.desc(), Measurement.period_end.desc(), Measurement.id.desc())).label("rank")
    ranked = (select(Measurement.stage_id, Measurement.value, Measurement.period_start, Measurement.period_end, rank)
              .where(Measurement.stage_id.in_(stage_ids), Measurement.metric_id == metric_id,
                     Measurement.touchpoint_id.is_(None))
              .subquery())
    rows = db.session.execute(select(ranked).where(ranked.c.rank == 1)).all()
    return {row.stage_id: (row.value, row.period_start, row.period_end) for row in rows}


def stage_comparison(stage_type, metric_code):
    metric = db.session.scalar(select(Metric).where(Metric.code == metric_code))
    if metric is None:
        raise Invalid(_("No such metric."),
                      errors={"metric": [_("No metric with code %(code)s.", code=repr(metric_code))]})
    target = (select(Target.value, Target.due_on).where(Target.stage_id == Stage.id, Target.metric_id == metric.id)
              .order_by(Target.due_on, Target.id).limit(1).correlate(Stage))
    rows = db.session.execute(
        select(Stage.id, Stage.name, Stage.status, Journey.id, Journey.name, Journey.kind, Journey.status,
               Journey.owner_id, target.with_only_columns(Target.value).scalar_subquery(),
               target.with_only_columns(Target.due_on).scalar_subquery())
        .join(Journey, Journey.id == Stage.journey_id)
        .where(Stage.stage_type == stage_type)
        .order_by(Journey.name, Stage.position, Stage.id)
    ).all()
    latest = _latest([row[0] for row in rows], metric.id)
    entries = []
    for (stage_id, stage_name, stage_status, journey_id, journey_name, kind, journey_status, owner_id,
         target_value, due_on) in rows:
        value, start, end = latest.get(stage_id, (None, None, None))
        entries.append({
            "journey": {"id": journey_id, "name": journey_name, "kind": kind, "status": journey_status,
                        "owner_id": owner_id},
            "stage": {"id": stage_id, "name": stage_name, "status": stage_status},
            "latest_value": value, "period_start": start, "period_end": end,
            "target": None if target_value is None else {
                "value": target_value, "due_on": due_on,
                "status": target_status(target_value, value, metric.direction)},
        })
    better = 1 if metric.direction == "lower_is_better" else -1
    entries.sort(key=lambda e: (e["latest_value"] is None, better * (e["latest_value"] or 0)))
    return {"stage_type": stage_type,
            "metric": {"id": metric.id, "code": metric.code, "name": metric.name, "unit": metric.unit,
                       "direction": metric.direction},
            "journeys": entries}
