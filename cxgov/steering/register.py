"""The decision register and a decision's trace (SPEC §8.5): every decision across meetings with
its derived `outcome`, and what followed it, from the meeting to the review verdicts.

Both cost a constant number of SQL statements whatever the number of decisions: the register
reads the page (or, filtered by outcome, every decision matching the other filters, whose
outcomes are then computed together) and the facts of its initiatives in two more queries.
The outcome itself is `outcomes.outcome`, computed in one place.

Choices where SPEC is silent:
- `from` and `to` bound the meeting's date in the organisation's time zone (CXGOV_TIMEZONE),
  both inclusive, as the pages show the date.
- A decision without an initiative has a trace with `initiative`, `baseline` and `actual` null
  and no transitions, impacts or reviews.
- The money of a trace (baseline and actual NPV and ROI, impacts' annual values, review
  snapshots) is for who may read the initiative's ROI (`policy.view_trace_figures`); others get
  the same trace with those figures null and `figures_visible` false.
"""
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from cxgov import policy
from cxgov.errors import NotFound
from cxgov.extensions import db
from cxgov.formatting import local_zone
from cxgov.initiatives import calc, gate, reviews
from cxgov.initiatives.business_case import default_rate, flows_of
from cxgov.initiatives.gate_api import with_figures
from cxgov.initiatives.impacts import impact_values, measured_initiatives
from cxgov.initiatives.models import CashFlow, Impact, Initiative, Transition
from cxgov.journeys.models import Metric
from cxgov.steering.models import Committee, Decision, Meeting
from cxgov.steering.outcomes import Facts, outcome

_correction = aliased(Decision)
CORRECTED_BY = (select(func.max(_correction.id)).where(_correction.corrects_id == Decision.id)
                .correlate(Decision).scalar_subquery())


@dataclass(frozen=True)
class Entry:
    """One decision of the register, as the API and the pages show it."""

    decision: Decision
    committee_id: int
    committee_name: str
    meeting_title: str
    meeting_starts_at: datetime
    meeting_date: date
    initiative_title: str | None
    initiative_status: str | None
    initiative_owner_id: int | None
    corrected_by_id: int | None
    outcome: str = "recorded"


def _start_of(day):
    return datetime.combine(day, time(0), tzinfo=local_zone())


def _statement(args):
    stmt = (select(Decision, Meeting.committee_id, Committee.name, Meeting.title, Meeting.starts_at,
                   Initiative.title, Initiative.status, Initiative.owner_id, CORRECTED_BY)
            .join(Meeting, Meeting.id == Decision.meeting_id)
            .join(Committee, Committee.id == Meeting.committee_id)
            .outerjoin(Initiative, Initiative.id == Decision.initiative_id))
    for name, column in (("committee_id", Meeting.committee_id), ("meeting_id", Decision.meeting_id),
                         ("initiative_id", Decision.initiative_id), ("kind", Decision.kind),
                         ("id", Decision.id)):
        if args.get(name) is not None:
            stmt = stmt.where(column == args[name])
    # A bound at the calendar's ends bounds nothing (and has no instant in UTC).
    if args.get("date_from") is not None and args["date_from"] > date.min + timedelta(days=1):
        stmt = stmt.where(Meeting.starts_at >= _start_of(args["date_from"]))
    if args.get("date_to") is not None and args["date_to"] < date.max - timedelta(days=1):
        stmt = stmt.where(Meeting.starts_at < _start_of(args["date_to"] + timedelta(days=1)))
    return stmt


ORDER = (Meeting.starts_at.desc(), Decision.id.desc())


def _entries(rows):
    """Entries of the rows, with their outcomes: two queries whatever their number."""
    zone = local_zone()
    entries = [Entry(decision, committee_id, committee_name, title, starts_at, starts_at.astimezone(zone).date(),
                     initiative_title, status, owner_id, corrected_by)
               for decision, committee_id, committee_name, title, starts_at, initiative_title, status, owner_id,
               corrected_by in rows]
    ids = {e.decision.initiative_id for e in entries
           if e.decision.initiative_id is not None and e.decision.kind == "approve_initiative"}
    measured = measured_initiatives(ids)
    facts = reviews.facts_for(ids)
    return [replace(e, outcome=outcome(_facts(e, measured, facts))) for e in entries]


def _facts(entry, measured, review_facts):
    initiative_id = entry.decision.initiative_id
    reviewed = review_facts.get(initiative_id)
    return Facts(kind=entry.decision.kind, superseded=entry.corrected_by_id is not None,
                 status=entry.initiative_status, measured=initiative_id in measured,
                 any_verdict=reviewed.any_verdict if reviewed else False,
                 final_verdict=reviewed.final_verdict if reviewed else None)


def register(args):
    """SPEC §8.5 `GET /api/decisions`: the envelope of `Entry`s, meeting date newest first, then
    newest decision first. Filtered by `outcome`, every decision matching the other filters is
    read and its outcome computed (three queries), so that `total` and the pages are exact."""
    page, size = args["page"], args["page_size"]
    stmt = _statement(args).order_by(*ORDER)
    if args.get("outcome"):
        matching = [e for e in _entries(db.session.execute(stmt).all()) if e.outcome == args["outcome"]]
        items, total = matching[(page - 1) * size:page * size], len(matching)
    else:
        total = db.session.scalar(select(func.count()).select_from(_statement(args).subquery()))
        items = _entries(db.session.execute(stmt.limit(size).offset((page - 1) * size)).all())
    return {"items": items, "total": total, "page": page, "page_size": size}


def entry(decision_id):
    """One decision of the register, or 404."""
    found = _entries(db.session.execute(_statement({"id": decision_id})).all())
    if not found:
        raise NotFound(_("Decision %(id)s does not exist.", id=decision_id))
    return found[0]


def _figures(npv, roi):
    return {"npv": npv, "roi": roi}


HIDDEN = {"npv": None, "roi": None}


def trace(actor, decision_id):
    """SPEC §8.5 `GET /api/decisions/{id}/trace`, as `actor` may read it."""
    found = entry(decision_id)
    meeting = db.session.get(Meeting, found.decision.meeting_id)
    answer = {"decision": found, "meeting": meeting, "initiative": None,
              "transitions": [], "baseline": None, "actual": None, "impacts": [], "reviews": [],
              "figures_visible": False}
    initiative = db.session.get(Initiative, found.decision.initiative_id) if found.decision.initiative_id else None
    if initiative is None:
        return answer
    visible = policy.view_trace_figures(actor, initiative)
    baseline = gate.current_baseline(initiative.id)
    if baseline is not None:
        baseline = with_figures(baseline)
        answer["baseline"] = _figures(baseline.npv, baseline.roi) if visible else dict(HIDDEN)
    actual_flows = db.session.scalars(select(CashFlow).where(CashFlow.initiative_id == initiative.id,
                                                             CashFlow.basis == "actual")).all()
    actual = calc.compute_roi(flows_of(actual_flows, "actual"), default_rate())
    impacts = db.session.scalars(select(Impact).where(Impact.initiative_id == initiative.id).order_by(Impact.id)).all()
    values = impact_values(impacts)
    metrics = {m.id: m for m in db.session.scalars(select(Metric).where(
        Metric.id.in_({i.metric_id for i in impacts})))} if impacts else {}
    answer.update(
        initiative=initiative, figures_visible=visible,
        transitions=db.session.scalars(select(Transition).where(Transition.initiative_id == initiative.id)
                                       .order_by(Transition.id)).all(),
        actual=_figures(actual.npv, actual.roi) if visible else dict(HIDDEN),
        impacts=[{"impact_id": i.id, "metric": metrics[i.metric_id], "journey_id": i.journey_id,
                  "baseline_value": i.baseline_value, "target_value": i.target_value,
                  "actual_value": values[i.id][0], "annual_value": values[i.id][1] if visible else None}
                 for i in impacts],
        reviews=reviews.reviews_for([initiative.id])[initiative.id],
    )
    return answer
