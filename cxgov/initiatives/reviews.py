"""Post-implementation reviews (SPEC §8.4): did the value come?

Entering `delivered` schedules one review per day of `CXGOV_REVIEW_DAYS` after `delivered_on`
(default 30, 60, 90), numbered from 1. CX leaders and admins record a verdict on a review once;
the verdict freezes a snapshot of the impacts' measured values and the actual NPV as they stand
then, so a later measurement never rewrites what the committee concluded. An initiative is
`closed` only once its last review has a verdict.

Choices where SPEC is silent:
- A verdict may be recorded before the review's due date (a committee may conclude early); the
  review then counts as done.
- Reviews of an initiative cancelled after delivery stay as they are, but are no longer
  suggested or reminded (see `due_reviews`).
- With `CXGOV_REVIEW_DAYS` empty no review is scheduled and closing needs none.

Functions flush, never commit (the caller's `transactional` does).
"""
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from cxgov import formatting, policy
from cxgov.db import utcnow
from cxgov.errors import Conflict
from cxgov.extensions import db
from cxgov.formatting import local_zone
from cxgov.initiatives import calc
from cxgov.initiatives.business_case import default_rate, flows_of
from cxgov.initiatives.impacts import impact_values
from cxgov.initiatives.models import REVIEW_VERDICTS, CashFlow, Impact, Initiative, Review
from cxgov.rest import hundredths

# Verdicts that say the value came (SPEC §8.5 `realised`); the others say it did not.
REALISED = frozenset({"achieved", "partly_achieved"})
REFUSED = _l("Only CX leaders and admins record review verdicts.")


def parse_days(text):
    """`CXGOV_REVIEW_DAYS` ("30,60,90") as sorted distinct positive days; ValueError otherwise."""
    days = sorted({int(part) for part in str(text).split(",") if part.strip()})
    if any(day <= 0 for day in days):
        raise ValueError("CXGOV_REVIEW_DAYS holds positive numbers of days, e.g. 30,60,90.")
    return days


def review_days():
    return parse_days(current_app.config.get("CXGOV_REVIEW_DAYS", "30,60,90"))


def schedule_reviews(initiative):
    """The reviews of a just delivered initiative, due `delivered_on` + each review day."""
    reviews = [Review(initiative_id=initiative.id, number=number,
                      due_on=initiative.delivered_on + timedelta(days=days))
               for number, days in enumerate(review_days(), start=1)]
    db.session.add_all(reviews)
    db.session.flush()
    return reviews


def reviews_of(initiative_id):
    """The initiative's reviews in order (a statement for the caller to paginate)."""
    return select(Review).where(Review.initiative_id == initiative_id).order_by(Review.number)


def final_review(initiative_id):
    """The last review of an initiative (the highest number), or None."""
    return db.session.scalar(select(Review).where(Review.initiative_id == initiative_id)
                             .order_by(Review.number.desc()).limit(1))


def require_final_verdict(initiative):
    """409 with `missing: ["final_review"]` while the last review has no verdict."""
    last = final_review(initiative.id)
    if last is not None and last.verdict is None:
        raise Conflict(_("The initiative is closed only after its final review (review %(number)s, due %(day)s) "
                         "has a verdict.", number=last.number, day=formatting.day(last.due_on)),
                       missing=["final_review"])


def snapshot_of(initiative, on=None):
    """What a verdict freezes: each impact's measured `actual_value` and `annual_value` (as
    measured by `on`, a day, when given) and the actual NPV (SPEC §3, at the default discount
    rate), as decimal strings."""
    impacts = db.session.scalars(select(Impact).where(Impact.initiative_id == initiative.id)
                                 .order_by(Impact.id)).all()
    values = impact_values(impacts, until=on)
    flows = db.session.scalars(select(CashFlow).where(CashFlow.initiative_id == initiative.id,
                                                      CashFlow.basis == "actual")).all()
    npv = calc.compute_roi(flows_of(flows, "actual"), default_rate()).npv
    return {
        "impacts": [{"impact_id": impact.id,
                     "actual_value": _text(values[impact.id][0]),
                     "annual_value": _text(hundredths(values[impact.id][1]))}
                    for impact in impacts],
        "actual_npv": _text(hundredths(npv)),
    }


def local_date(instant):
    return instant.astimezone(local_zone()).date()


def _text(value):
    return None if value is None else str(value)


def record_verdict(actor, review, verdict, notes=None, now=None):
    """Record the verdict of `review` once (again: 409) and freeze its snapshot."""
    policy.require(policy.record_review, actor, review.initiative, REFUSED)
    if verdict not in REVIEW_VERDICTS:
        raise ValueError(verdict)
    if review.verdict is not None:
        raise Conflict(_("Review %(number)s already has a verdict (%(verdict)s).", number=review.number,
                         verdict=formatting.label(review.verdict)),
                       errors={"verdict": [_("Recorded already; a verdict is recorded once.")]})
    review.verdict, review.notes = verdict, notes
    review.recorded_at = now or utcnow()
    review.recorded_by_id = getattr(actor, "id", None)
    # As measured by the day it is recorded (the demo records verdicts of past days).
    review.snapshot = snapshot_of(review.initiative, on=local_date(review.recorded_at))
    db.session.flush()
    return review


@dataclass(frozen=True)
class ReviewFacts:
    """What the decision register reads of an initiative's reviews."""
    any_verdict: bool
    final_verdict: str | None


def facts_for(initiative_ids):
    """{initiative id: ReviewFacts} for the initiatives that have reviews: one query."""
    ids = list(set(initiative_ids))
    if not ids:
        return {}
    last = (select(Review.initiative_id, func.max(Review.number).label("number"))
            .where(Review.initiative_id.in_(ids)).group_by(Review.initiative_id).subquery())
    final = aliased(Review)
    rows = db.session.execute(
        select(Review.initiative_id, func.count(Review.verdict), final.verdict)
        .join(last, last.c.initiative_id == Review.initiative_id)
        .join(final, (final.initiative_id == last.c.initiative_id) & (final.number == last.c.number))
        .where(Review.initiative_id.in_(ids))
        .group_by(Review.initiative_id, final.verdict))
    return {initiative_id: ReviewFacts(count > 0, verdict) for initiative_id, count, verdict in rows}


def reviews_for(initiative_ids):
    """{initiative id: [Review, …] in order} for many initiatives: one query."""
    result = {ident: [] for ident in initiative_ids}
    if result:
        for review in db.session.scalars(select(Review).where(Review.initiative_id.in_(list(result)))
                                         .order_by(Review.initiative_id, Review.number)):
            result[review.initiative_id].append(review)
    return result


def due_reviews(until, since=None):
    """Reviews without a verdict due on or before `until` (and on or after `since`) of initiatives
    still `delivered`, oldest due first, with their initiative: a statement of (Review, Initiative)."""
    stmt = (select(Review, Initiative).join(Initiative, Initiative.id == Review.initiative_id)
            .where(Review.verdict.is_(None), Review.due_on <= until, Initiative.status == "delivered")
            .order_by(Review.due_on, Review.initiative_id, Review.number))
    if since is not None:
        stmt = stmt.where(Review.due_on >= since)
    return stmt
