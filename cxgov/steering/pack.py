"""The pre-read pack of a meeting (SPEC §9): its agenda and, for each initiative on it, the approval
gate's checks, the business case exactly as `GET /api/initiatives/{id}/roi` answers it (planned
basis, default discount rate) and the impacts; for each review due by the meeting's date, the
impacts' actual against target. The same dictionary feeds the JSON and the PDF; a fixed number of
queries whatever the agenda's size."""
from sqlalchemy import select

from cxgov import policy
from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.formatting import currency
from cxgov.initiatives import business_case, calc, gate, reviews
from cxgov.initiatives.impacts import with_values
from cxgov.initiatives.models import Impact, Initiative
from cxgov.initiatives.readiness import is_ready
from cxgov.journeys.models import Metric
from cxgov.steering import services
from cxgov.steering.suggestions import meeting_date


def _roi(result, rate):
    """The `…/roi` answer (planned basis) from a computed result."""
    return {"basis": "planned", "discount_rate": rate, "currency": currency(), **business_case.figures(result),
            "payback_months": result.payback_months, "years": result.years}


def build_pack(actor, meeting_id, now=None):
    meeting = services.load_meeting(meeting_id)
    ids = list(dict.fromkeys(item.initiative_id for item in meeting.agenda_items if item.initiative_id))
    on_agenda = {i.id: i for i in db.session.scalars(select(Initiative).where(Initiative.id.in_(ids)))} if ids else {}
    due = db.session.execute(reviews.due_reviews(meeting_date(meeting))).all()
    review_ids = {initiative.id for _, initiative in due}
    every_id = set(on_agenda) | review_ids
    impacts = with_values(db.session.scalars(select(Impact).where(Impact.initiative_id.in_(every_id))
                                             .order_by(Impact.initiative_id, Impact.id))) if every_id else []
    by_initiative = {}
    for impact in impacts:
        by_initiative.setdefault(impact.initiative_id, []).append(impact)
    metric_ids = {impact.metric_id for impact in impacts}
    metrics = {m.id: m for m in db.session.scalars(select(Metric).where(Metric.id.in_(metric_ids)))} \
        if metric_ids else {}
    initiatives = [on_agenda[i] for i in ids if i in on_agenda]
    checks = gate.readiness_for(initiatives)
    cases = business_case.business_cases(actor, initiatives)
    rate = business_case.default_rate()
    entries = []
    for initiative in initiatives:
        visible = policy.view_initiative_roi(actor, initiative)
        case = cases.get(initiative.id) or calc.compute_roi([], rate)
        entries.append({
            "initiative": initiative,
            "readiness": {"ready": is_ready(checks[initiative.id]), "checks": checks[initiative.id]},
            "roi": _roi(case, rate) if visible else None,
            "impacts": [_impact(i, metrics) for i in by_initiative.get(initiative.id, [])]
            if policy.view_business_case(actor, initiative) else None,
        })
    return {
        "as_of": now or utcnow(), "meeting": meeting, "agenda": meeting.agenda_items, "initiatives": entries,
        "reviews_due": [{"review": review, "initiative_id": initiative.id, "initiative_title": initiative.title,
                         "impacts": [_impact(i, metrics) for i in by_initiative.get(initiative.id, [])]
                         if policy.view_business_case(actor, initiative) else None}
                        for review, initiative in due],
    }


def _impact(impact, metrics):
    metric = metrics.get(impact.metric_id)
    return {"impact_id": impact.id, "metric_id": impact.metric_id, "metric_name": metric.name if metric else None,
            "unit": metric.unit if metric else None, "journey_id": impact.journey_id,
            "baseline_value": impact.baseline_value, "target_value": impact.target_value,
            "actual_value": impact.actual_value, "annual_value": impact.annual_value}
