"""The initiative lifecycle (SPEC §2): the one place an initiative changes status.

    proposed → approved → in_progress → delivered → closed
    proposed → rejected
    any non-final state → cancelled

`approved` and `rejected` need a steering-committee decision of the matching kind for that
initiative, and are recorded by CX leaders and admins only. `approved` also needs the initiative
to be ready (SPEC §8.1: business case, measurement plan, target date, attribution budget) and
freezes its baseline (§8.2). Entering `delivered` schedules the post-implementation reviews and
`closed` needs a verdict on the last of them (§8.4). A transition citing a decision is never dated before the meeting
that took it. Every step is kept as a
`Transition` row (who, when, from, to, decision, note).

Decisions are the steering committee's (`cxgov.steering`), a feature above this one (its meetings
review initiatives): it tells the lifecycle how to find them (`use_decisions`) when the app is
created, and this module never imports it.
"""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from cxgov import formatting, policy
from cxgov.db import today
from cxgov.errors import Conflict, Invalid
from cxgov.extensions import db
from cxgov.initiatives import gate, reviews
from cxgov.initiatives.models import Transition

ALLOWED = {
    "proposed": ["approved", "rejected", "cancelled"],
    "approved": ["in_progress", "cancelled"],
    "in_progress": ["delivered", "cancelled"],
    "delivered": ["closed", "cancelled"],
    "closed": [],
    "rejected": [],
    "cancelled": [],
}
FINAL = frozenset(status for status, targets in ALLOWED.items() if not targets)
# Targets that only a steering-committee decision of this kind may justify.
DECISION_KINDS = {"approved": "approve_initiative", "rejected": "reject_initiative"}
# Decisions that are about one initiative and mean nothing without it.
NAMING_KINDS = ("approve_initiative", "reject_initiative", "rebaseline_initiative")
DECIDERS_ONLY = _l("Only CX leaders and admins approve or reject initiatives.")


def _no_decisions(ids):
    return {}


def _none_about(initiative_id, kind):
    return []


_decisions = _no_decisions
_decisions_about = _none_about


def use_decisions(find, about=_none_about):
    """`find(ids)` answers {id: decision} (each with `kind`, `initiative_id`, `text`,
    `meeting_id`, `meeting`) for the decision ids that exist; `about(initiative_id, kind)` the
    decisions of that kind about that initiative, the latest meeting's first."""
    global _decisions, _decisions_about
    _decisions = find
    _decisions_about = about


def decisions(ids):
    """{id: decision} of the steering decisions `ids` that exist."""
    ids = {ident for ident in ids if ident is not None}
    return _decisions(ids) if ids else {}


def decisions_for(initiative, to):
    """The steering decisions that may justify moving `initiative` to `to` (those of the
    matching kind about it); none for a move that needs no decision."""
    kind = DECISION_KINDS.get(to)
    return _decisions_about(initiative.id, kind) if kind else []


def decisions_naming(initiative):
    """The steering decisions that need `initiative` to exist (approving, rejecting or
    re-baselining it), the latest meeting's first."""
    return [decision for kind in NAMING_KINDS for decision in _decisions_about(initiative.id, kind)]


def _decision(decision_id):
    return decisions([decision_id]).get(decision_id)


def allowed_targets(initiative):
    return list(ALLOWED.get(initiative.status, []))


def required_rule(to):
    """The rule that decides whether someone may move an initiative to `to`."""
    return policy.decide_initiative if to in DECISION_KINDS else policy.edit_initiative


def refusal(to):
    """What a refused move to `to` says (None: the usual words)."""
    return DECIDERS_ONLY if to in DECISION_KINDS else None


def _check_decision(initiative, to, decision_id):
    kind = DECISION_KINDS.get(to)
    if kind is None:
        if decision_id is not None:
            decision = _decision(decision_id)
            if decision is None:
                raise Invalid(_("decision_id does not exist."),
                              errors={"decision_id": [_("No decision with id %(id)s.", id=decision_id)]})
            if decision.initiative_id is not None and decision.initiative_id != initiative.id:
                raise Invalid(_("The decision is about another initiative."),
                              errors={"decision_id": [_("The decision is about another initiative.")]})
            return decision
        return None
    if decision_id is None:
        raise Invalid(_("Moving to %(status)s needs a steering-committee decision (%(kind)s).", status=to, kind=kind),
                      errors={"decision_id": [_("Required: a decision of kind %(kind)s for this initiative.",
                                                kind=kind)]})
    decision = _decision(decision_id)
    if decision is None:
        raise Invalid(_("decision_id does not exist."),
                      errors={"decision_id": [_("No decision with id %(id)s.", id=decision_id)]})
    if decision.initiative_id != initiative.id:
        raise Invalid(_("The decision is about another initiative."),
                      errors={"decision_id": [_("Decision %(id)s is not about initiative %(initiative)s.",
                                                id=decision_id, initiative=initiative.id)]})
    if decision.kind != kind:
        raise Invalid(_("Moving to %(status)s needs a decision of kind %(kind)s.", status=to, kind=kind),
                      errors={"decision_id": [_("Decision %(id)s is of kind %(found)s, not %(kind)s.",
                                                id=decision_id, found=decision.kind, kind=kind)]})
    return decision


def transition_initiative(actor, initiative, to, decision_id=None, note=None, on=None, now=None):
    """Move `initiative` to status `to`; returns the new `Transition` (flushed, not committed).
    `on` is the day it took effect (today by default), `now` the instant it was recorded (the
    present by default; the demo's history passes past instants).

    403 when the actor may not, 409 (with `allowed`) for an illegal jump, 409 (with `missing`)
    for an approval while not ready or a closing before the final review's verdict, 422 naming
    `decision_id` when the required decision is
    missing, does not match or was taken after `on`, 422 naming `on` when the date lies in the
    future or before the previous transition.
    """
    policy.require(required_rule(to), actor, initiative, refusal(to))
    allowed = allowed_targets(initiative)
    if to not in allowed:
        raise Conflict(_("An initiative cannot go from %(status)s to %(to)s.", status=initiative.status, to=to),
                       errors={"to": [_("Allowed from %(status)s: %(allowed)s.", status=initiative.status,
                                        allowed=", ".join(allowed)) if allowed else
                                      _("Allowed from %(status)s: nothing (final).", status=initiative.status)]},
                       allowed=allowed)
    decision = _check_decision(initiative, to, decision_id)
    if to == "approved":
        gate.require_ready(initiative)
    if to == "closed":
        reviews.require_final_verdict(initiative)
    on = on or today()
    if on > today():
        raise Invalid(_("A transition cannot be dated in the future."), errors={"on": [_("Must be today or earlier.")]})
    if decision is not None:
        gate.check_decision_date(decision, on)
    previous = db.session.scalar(select(func.max(Transition.effective_on))
                                 .where(Transition.initiative_id == initiative.id))
    if previous is not None and on < previous:
        raise Invalid(_("A transition cannot be dated before the previous one."),
                      errors={"on": [_("Must be on or after %(day)s, the date of the previous transition.",
                                       day=formatting.day(previous))]})
    if to == "in_progress" and initiative.start_on is None:
        if initiative.target_on is not None and on > initiative.target_on:
            raise Invalid(_("The start date would fall after the target date."),
                          errors={"on": [_("Must not be after the target date %(day)s.",
                                           day=formatting.day(initiative.target_on))]})
        initiative.start_on = on
    if to == "delivered":
        initiative.delivered_on = on
    transition = Transition(
        initiative_id=initiative.id, from_status=initiative.status, to_status=to,
        decision_id=decision_id, note=note, effective_on=on,
        actor_id=getattr(actor, "id", None),
    )
    if now is not None:
        transition.created_at = now
    initiative.status = to
    db.session.add(transition)
    db.session.flush()
    if to == "approved":
        gate.freeze_baseline(initiative, on, decision_id, actor)
    if to == "delivered":
        reviews.schedule_reviews(initiative)
    return transition
