"""An initiative's KPI impacts: the rules of adding and changing them, and what each is worth
(SPEC §2, §3).

`annual_value` is the pure formula. `impact_values` computes `actual_value` and `annual_value`
for many impacts at once (one query), for the impacts API and the ROI report.

Choices where SPEC is silent:
- `actual_value` is read from journey-level measurements only (no stage, no touchpoint): the
  impact is on the journey's KPI, not on one of its parts.
- "Latest" means the measurement with the latest `period_start` (then `period_end`, then id)
  among those whose `period_start` is strictly after the initiative's `delivered_on`.
"""
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from cxgov import policy
from cxgov.audit.services import record_event
from cxgov.errors import Conflict
from cxgov.extensions import db
from cxgov.initiatives import gate
from cxgov.initiatives.models import Impact, Initiative
from cxgov.journeys.models import Journey, Measurement, Metric
from cxgov.references import require_existing
from cxgov.rest import apply_changes
from cxgov.transaction import after_rollback

LOWER_IS_BETTER = "lower_is_better"


def annual_value(actual, baseline, value_per_unit, attribution, direction) -> Decimal | None:
    """(actual − baseline) × value_per_unit × attribution, sign flipped for lower_is_better;
    None when there is no actual value yet."""
    if actual is None:
        return None
    value = (Decimal(actual) - Decimal(baseline)) * Decimal(value_per_unit) * Decimal(attribution)
    return -value if direction == LOWER_IS_BETTER else value


# The measurements an impact's `actual_value` is read from (joined with Impact and Initiative).
MEASURED_AFTER_DELIVERY = ((Measurement.metric_id == Impact.metric_id) & (Measurement.journey_id == Impact.journey_id)
                           & Measurement.stage_id.is_(None) & Measurement.touchpoint_id.is_(None)
                           & (Measurement.period_start > Initiative.delivered_on))


def measured_initiatives(initiative_ids) -> set:
    """The ids among `initiative_ids` of the initiatives some impact of which has an
    `actual_value` (SPEC §8.5 "measured"). One SQL query."""
    ids = list(set(initiative_ids))
    if not ids:
        return set()
    return set(db.session.scalars(
        select(Impact.initiative_id).join(Initiative, Initiative.id == Impact.initiative_id)
        .join(Measurement, MEASURED_AFTER_DELIVERY)
        .where(Impact.initiative_id.in_(ids), Initiative.delivered_on.is_not(None)).distinct()))


def impact_values(impacts, until=None) -> dict:
    """`impacts`: Impact rows (their initiative's `delivered_on` is read in the query).
    Returns {impact_id: (actual_value, annual_value)} for each of them, `(None, None)` where the
    initiative is not delivered or nothing was measured after delivery. With `until` (a date),
    as they stood then: only measurements whose period started by that day count. One SQL query."""
    impacts = list(impacts)
    result = {impact.id: (None, None) for impact in impacts}
    if not impacts:
        return result
    rank = func.row_number().over(
        partition_by=Impact.id,
        order_by=(Measurement.period_start.desc(), Measurement.period_end.desc(), Measurement.id.desc()),
    ).label("rank")
    ranked = (
        select(Impact.id.label("impact_id"), Measurement.value.label("actual"),
               Metric.direction.label("direction"), rank)
        .join(Initiative, Initiative.id == Impact.initiative_id)
        .join(Metric, Metric.id == Impact.metric_id)
        .join(Measurement, MEASURED_AFTER_DELIVERY)
        .where(Impact.id.in_(list(result)), Initiative.delivered_on.is_not(None),
               *([Measurement.period_start <= until] if until is not None else []))
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.impact_id, ranked.c.actual, ranked.c.direction).where(ranked.c.rank == 1)
    ).all()
    by_id = {impact.id: impact for impact in impacts}
    for impact_id, actual, direction in rows:
        impact = by_id[impact_id]
        actual = Decimal(actual)
        result[impact_id] = (actual, annual_value(actual, impact.baseline_value, impact.value_per_unit,
                                                  impact.attribution, direction))
    return result


def with_values(impacts):
    """`impacts` with their `actual_value` and `annual_value` set (one query for them all)."""
    impacts = list(impacts)
    values = impact_values(impacts)
    for impact in impacts:
        impact.actual_value, impact.annual_value = values[impact.id]
    return impacts


# -- the rules ------------------------------------------------------------------------------------

def _check_refs(data):
    require_existing(Metric, data.get("metric_id"), "metric_id")
    require_existing(Journey, data.get("journey_id"), "journey_id")


def _ensure_unique(initiative_id, metric_id, journey_id, current=None):
    existing = db.session.scalar(select(Impact).where(
        Impact.initiative_id == initiative_id, Impact.metric_id == metric_id, Impact.journey_id == journey_id))
    if existing is not None and existing is not current:
        raise Conflict(_("The initiative already has an impact on this metric for this journey."),
                       errors={"metric_id": [_("Already targeted for this journey.")]}, existing_id=existing.id)


def _claim(actor, initiative, metric_id, journey_id, share, impact=None):
    """The attribution budget's check (SPEC §8.3); a refused claim is kept in the audit trail
    (`attribution_refused`, on the initiative) although nothing else is written."""
    try:
        gate.check_claim(initiative, metric_id, journey_id, share, impact)
    except Conflict as refusal:
        details = {"metric_id": metric_id, "journey_id": journey_id, "attribution": share,
                   "impact_id": getattr(impact, "id", None), "conflicts": refusal.extra.get("conflicts", [])}
        initiative_id, actor_id = initiative.id, getattr(actor, "id", None)
        after_rollback(lambda: record_event("attribution_refused", "initiative", initiative_id, actor_id, **details))
        raise


def create_impact(actor, initiative, data):
    """A KPI impact; refused (409, `conflicts`) when it overdraws its attribution budget (SPEC §8.3)."""
    policy.require(policy.edit_initiative, actor, initiative)
    data = dict(data)
    data.setdefault("journey_id", initiative.journey_id)
    if data.get("attribution") is None:
        data["attribution"] = Decimal("1")
    _check_refs(data)
    _ensure_unique(initiative.id, data["metric_id"], data["journey_id"])
    _claim(actor, initiative, data["metric_id"], data["journey_id"], data["attribution"])
    impact = Impact(initiative_id=initiative.id, **data)
    db.session.add(impact)
    db.session.flush()
    return impact


def update_impact(actor, impact, data):
    policy.require(policy.edit_initiative, actor, impact.initiative)
    data = dict(data)
    if "attribution" in data and data["attribution"] is None:
        data["attribution"] = Decimal("1")  # null means the default, as on creation
    _check_refs(data)
    _ensure_unique(impact.initiative_id, data.get("metric_id", impact.metric_id),
                   data.get("journey_id", impact.journey_id), impact)
    _claim(actor, impact.initiative, data.get("metric_id", impact.metric_id),
           data.get("journey_id", impact.journey_id), data.get("attribution", impact.attribution), impact)
    apply_changes(impact, data)
    db.session.flush()
    return impact


def delete_impact(actor, impact):
    policy.require(policy.edit_initiative, actor, impact.initiative)
    db.session.delete(impact)
    db.session.flush()
