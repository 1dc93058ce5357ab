"""Journey and stage targets (SPEC §10): a value to reach on a metric by a date, with an owner,
and its status against the latest measurement.

`target_status` is the one rule, used by the API, the journey page and the report:

- `no_data` — nothing measured yet for the target's journey (or stage) and metric;
- `met` — the latest value is at or beyond the target, in the metric's direction (at or above
  it for `higher_is_better`, at or below it for `lower_is_better`);
- `near` — short of the target by at most 10 % of the target value (of its magnitude);
- `off` — further away.

Worked examples (tests/journeys/test_targets.py): NPS target 40 — 42 met, 40 met, 37 near (short
by 3 ≤ 4), 35 off; churn rate target 5 (lower is better) — 4.8 met, 5.4 near (over by 0.4 ≤ 0.5),
6 off. A target of 0 has no "near" band: only reaching it counts.

The latest value is the metric's measurement of the journey itself (a journey target) or of the
stage (a stage target: the stage's own rows, not its touchpoints'), of the latest period.
"""
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import joinedload

from cxgov import policy
from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.journeys.models import Journey, Measurement, Metric, Stage, Target
from cxgov.org.models import User
from cxgov.references import require_existing
from cxgov.rest import apply_changes

STATUSES = ("met", "near", "off", "no_data")
NEAR_SHARE = Decimal("0.10")


def target_status(target, latest, direction):
    """`met`, `near`, `off` or `no_data` for a target value, the latest measured value (or None)
    and the metric's direction (see the module's description)."""
    if latest is None:
        return "no_data"
    target, latest = Decimal(target), Decimal(latest)
    shortfall = target - latest if direction == "higher_is_better" else latest - target
    if shortfall <= 0:
        return "met"
    if shortfall <= abs(target) * NEAR_SHARE:
        return "near"
    return "off"


def latest_values(keys):
    """{(journey_id, stage_id or None, metric_id): (value, period_start, period_end)} of the latest
    period's measurement for each key (journey-level rows for stage None, the stage's own rows
    otherwise), in one query whatever the number of keys."""
    keys = set(keys)
    if not keys:
        return {}
    stage = func.coalesce(Measurement.stage_id, 0)
    rank = func.row_number().over(
        partition_by=(Measurement.journey_id, stage, Measurement.metric_id),
        order_by=(Measurement.period_start.desc(), Measurement.period_end.desc(), Measurement.id.desc()),
    ).label("rank")
    ranked = (select(Measurement.journey_id, Measurement.stage_id, Measurement.metric_id, Measurement.value,
                     Measurement.period_start, Measurement.period_end, rank)
              .where(func.coalesce(Measurement.touchpoint_id, 0) == 0,  # not IS NULL: see report._points
                     Measurement.journey_id.in_({key[0] for key in keys}),
                     Measurement.metric_id.in_({key[2] for key in keys}),
                     tuple_(Measurement.journey_id, stage, Measurement.metric_id).in_(
                         [(journey, stage_id or 0, metric) for journey, stage_id, metric in keys]))
              .subquery())
    rows = db.session.execute(select(ranked).where(ranked.c.rank == 1)).all()
    return {(row.journey_id, row.stage_id, row.metric_id): (row.value, row.period_start, row.period_end)
            for row in rows}


def latest_in_report(report):
    """`latest_values` of every series of a journey report (`cxgov.journeys.report`, in Python
    values): a series' last period is the latest one, in the same order, of the same rows (the
    journey's without a stage or touchpoint, each stage's own without a touchpoint)."""
    journey_id = report["journey"]["id"]
    latest = {}
    for stage_id, entries in [(None, report["metrics"])] + [(s["stage"]["id"], s["metrics"]) for s in report["stages"]]:
        for entry in entries:
            if entry["series"]:
                point = entry["series"][-1]
                latest[journey_id, stage_id, entry["metric"]["id"]] = (
                    point["value"], point["period_start"], point["period_end"])
    return latest


def with_status(targets, latest=None):
    """`targets` with `latest_value`, `latest_period_end` and `status` set (two queries for them all;
    one when their metrics are loaded with them, none more with `latest`: the `latest_values` of
    their journeys and metrics already read, e.g. `latest_in_report`)."""
    targets = list(targets)
    # The metrics' directions: from the targets' metrics where loaded already (`joinedload`), else read.
    directions = {t.metric_id: t.metric.direction for t in targets if "metric" in t.__dict__}
    missing = {t.metric_id for t in targets} - directions.keys()
    if missing:
        directions.update(db.session.execute(select(Metric.id, Metric.direction).where(Metric.id.in_(missing))).all())
    if latest is None:
        latest = latest_values((t.journey_id, t.stage_id, t.metric_id) for t in targets)
    for target in targets:
        value, _, period_end = latest.get((target.journey_id, target.stage_id, target.metric_id), (None, None, None))
        target.latest_value, target.latest_period_end = value, period_end
        target.status = target_status(target.value, value, directions[target.metric_id])
    return targets


def shortfall_share(target, latest, direction):
    """How far the latest value is short of the target, as a share of the target's magnitude (0 when
    met; a target of 0 missed counts as infinitely far)."""
    target, latest = Decimal(target), Decimal(latest)
    shortfall = target - latest if direction == "higher_is_better" else latest - target
    if shortfall <= 0:
        return Decimal(0)
    return shortfall / abs(target) if target else Decimal("Infinity")


def needing_attention():
    """Every target of a journey not retired whose status is `off` or `near` (as `with_status` and
    the API give it), worst first: off before near, then the furthest short of its target (as a
    share of it), then the earliest due. Each with its journey, stage, metric and owner; three
    queries whatever the number of targets."""
    rows = db.session.scalars(
        select(Target).join(Journey, Journey.id == Target.journey_id).where(Journey.status != "retired")
        .options(joinedload(Target.journey), joinedload(Target.stage), joinedload(Target.metric),
                 joinedload(Target.owner))
        .order_by(Target.due_on, Target.id)).all()
    flagged = [target for target in with_status(rows) if target.status in ("off", "near")]
    for target in flagged:
        target.shortfall = shortfall_share(target.value, target.latest_value, target.metric.direction)
    return sorted(flagged, key=lambda t: (t.status != "off", -t.shortfall, t.due_on, t.id))


# -- the rules --------------------------------------------------------------------------------------

def _check(journey, data):
    require_existing(Metric, data.get("metric_id"), "metric_id")
    require_existing(User, data.get("owner_id"), "owner_id")
    stage_id = data.get("stage_id")
    if stage_id is not None:
        stage = db.session.get(Stage, stage_id)
        if stage is None or stage.journey_id != journey.id:
            raise Invalid(_("stage_id is not a stage of this journey."),
                          errors={"stage_id": [_("Stage %(stage)s is not a stage of journey %(journey)s.",
                                                 stage=stage_id, journey=journey.id)]})
        if stage.status == "retired":
            raise Invalid(_("The stage is retired: it takes no new targets."),
                          errors={"stage_id": [_("Stage %(stage)s is retired.", stage=stage_id)]})


def _kpi(data):
    if "value" in data:
        data["value"] = Decimal(data["value"]).quantize(Decimal("0.0001"))
    return data


def create_target(actor, journey, data):
    """A target on the journey (or one of its active stages); its owner defaults to the journey's."""
    policy.require(policy.write_journey, actor, journey)
    data = _kpi(dict(data))
    if data.get("owner_id") is None:
        data["owner_id"] = journey.owner_id
    _check(journey, data)
    target = Target(journey_id=journey.id, **data)
    db.session.add(target)
    db.session.flush()
    return target


def update_target(actor, target, data):
    journey = target.journey
    policy.require(policy.write_journey, actor, journey)
    data = _kpi(dict(data))
    if "owner_id" in data and data["owner_id"] is None:
        data["owner_id"] = journey.owner_id
    _check(journey, {key: value for key, value in data.items()
                     if key != "stage_id" or value != target.stage_id})
    apply_changes(target, data)
    db.session.flush()
    return target


def delete_target(actor, target):
    policy.require(policy.write_journey, actor, target.journey)
    db.session.delete(target)
    db.session.flush()
