"""The rules of the ambassador network: assignments, the action log, initiatives proposed from it.

Services check the policy, validate, flush and return; the caller commits.
"""
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from cxgov import policy
from cxgov.ambassadors.models import Ambassador, AmbassadorAction
from cxgov.db import today as utc_today
from cxgov.errors import Conflict, Forbidden, Invalid
from cxgov.extensions import db
from cxgov.initiatives import reviews as review_rules
from cxgov.initiatives import services as initiatives
from cxgov.initiatives.models import Initiative
from cxgov.journeys.models import Journey, Stage, Touchpoint
from cxgov.org.models import Department, User
from cxgov.references import require_existing
from cxgov.rest import apply_changes


def _not_in_future(value, field, today):
    if value > today:
        raise Invalid(_("%(field)s cannot be in the future.", field=field),
                      errors={field: [_("Must be on or before %(day)s.", day=today.isoformat())]})


# -- assignments ------------------------------------------------------------------------------

def active_for_department(department_id):
    return db.session.scalar(
        select(Ambassador).where(Ambassador.department_id == department_id, Ambassador.ended_on.is_(None))
    )


def assign_ambassador(actor, data, today=None):
    """Make a user the active ambassador of a department (at most one per department, and a
    user is ambassador of one department at a time)."""
    policy.require(policy.manage_ambassadors, actor)
    today = today or utc_today()
    user = require_existing(User, data["user_id"], "user_id")
    require_existing(Department, data["department_id"], "department_id")
    if not user.active:
        raise Invalid(_("user_id is a deactivated user."), errors={"user_id": [_("This user is deactivated.")]})
    started_on = data.get("started_on") or today
    _not_in_future(started_on, "started_on", today)
    current = active_for_department(data["department_id"])
    if current is not None:
        raise Conflict(_("This department already has an active ambassador; end that assignment first."),
                       errors={"department_id": [_("Already has an active ambassador.")]},
                       active_ambassador_id=current.id)
    elsewhere = policy.active_assignment(user)
    if elsewhere is not None:
        raise Conflict(_("This user is already the active ambassador of another department."),
                       errors={"user_id": [_("Already an active ambassador.")]}, active_ambassador_id=elsewhere.id)
    assignment = Ambassador(user_id=user.id, department_id=data["department_id"], started_on=started_on)
    db.session.add(assignment)
    # The partial unique index settles a race between two simultaneous assignments (→ 409).
    db.session.flush()
    return assignment


def end_assignment(actor, assignment, data, today=None):
    """End an active assignment; it stays as history and frees the department."""
    policy.require(policy.manage_ambassadors, actor)
    today = today or utc_today()
    if assignment.ended_on is not None:
        raise Conflict(_("This assignment has already ended."), errors={"ended_on": [_("Already ended.")]})
    ended_on = data["ended_on"]
    if ended_on < assignment.started_on:
        raise Invalid(_("ended_on is before started_on."),
                      errors={"ended_on": [_("Must be on or after %(day)s.", day=assignment.started_on.isoformat())]})
    _not_in_future(ended_on, "ended_on", today)
    last = db.session.scalar(
        select(AmbassadorAction.occurred_on).where(AmbassadorAction.ambassador_id == assignment.id)
        .order_by(AmbassadorAction.occurred_on.desc()).limit(1)
    )
    if last is not None and ended_on < last:
        raise Invalid(_("ended_on is before the last logged action."),
                      errors={"ended_on": [_("An action was logged on %(day)s.", day=last.isoformat())]})
    assignment.ended_on = ended_on
    db.session.flush()
    return assignment


def delete_assignment(actor, assignment):
    """Only an assignment made by mistake (no actions) may be deleted; the rest is history."""
    policy.require(policy.manage_ambassadors, actor)
    has_actions = db.session.scalar(select(exists().where(AmbassadorAction.ambassador_id == assignment.id)))
    if has_actions:
        raise Conflict(_("This assignment has logged actions; end it instead of deleting it."))
    db.session.delete(assignment)
    db.session.flush()


# -- actions ----------------------------------------------------------------------------------

def _check_within_assignment(assignment, occurred_on):
    if occurred_on < assignment.started_on or (assignment.ended_on is not None and occurred_on > assignment.ended_on):
        ended = assignment.ended_on.isoformat() if assignment.ended_on else _("now")
        raise Invalid(_("occurred_on is outside the ambassador's assignment."),
                      errors={"occurred_on": [_("Must fall within the assignment (%(start)s – %(end)s).",
                                                start=assignment.started_on.isoformat(), end=ended)]})


def resolve_assignment(actor, ambassador_id):
    """The assignment an action is logged under: the actor's own active one, or, for CX
    leaders and admins, the one they name."""
    own = policy.active_assignment(actor)
    if policy.is_governance(actor):
        if ambassador_id is None:
            if own is None:
                raise Invalid(_("Name the ambassador this action belongs to."),
                              errors={"ambassador_id": ["Missing data for required field."]})
            return own
        return require_existing(Ambassador, ambassador_id, "ambassador_id")
    if own is None:
        raise Forbidden(_("Only an active ambassador logs actions."))
    if ambassador_id is not None and ambassador_id != own.id:
        raise Forbidden(_("An ambassador logs actions for their own assignment only."))
    return own


def log_action(actor, data, today=None):
    policy.require(policy.log_ambassador_action, actor)
    today = today or utc_today()
    data = dict(data)
    assignment = resolve_assignment(actor, data.pop("ambassador_id", None))
    occurred_on = data.pop("occurred_on", None) or today
    _not_in_future(occurred_on, "occurred_on", today)
    _check_within_assignment(assignment, occurred_on)
    require_existing(Journey, data.get("journey_id"), "journey_id")
    if data.get("initiative_id") is not None and data["kind"] == "improvement_idea":
        # An idea's initiative is the one proposed from it: that is what "ideas converted" counts.
        raise Invalid(_("An improvement idea gets its initiative by being proposed."),
                      errors={"initiative_id": [_("Propose the idea as an initiative instead.")]})
    require_existing(Initiative, data.get("initiative_id"), "initiative_id")
    action = AmbassadorAction(
        ambassador_id=assignment.id,
        department_id=assignment.department_id,  # never from the client
        occurred_on=occurred_on,
        **data,
    )
    db.session.add(action)
    db.session.flush()
    return action


def update_action(actor, action, data, today=None):
    policy.require(policy.edit_ambassador_action, actor, action,
                   _("Only the ambassador who logged it, a CX leader or an admin may change this action."))
    today = today or utc_today()
    if "occurred_on" in data:
        if data["occurred_on"] is None:
            raise Invalid(_("occurred_on cannot be empty."), errors={"occurred_on": ["Field may not be null."]})
        _not_in_future(data["occurred_on"], "occurred_on", today)
        _check_within_assignment(action.ambassador, data["occurred_on"])
    for field in ("kind", "title", "people_reached", "hours"):
        if field in data and data[field] is None:
            raise Invalid(_("%(field)s cannot be empty.", field=field), errors={field: ["Field may not be null."]})
    if "journey_id" in data:
        require_existing(Journey, data["journey_id"], "journey_id")
    if action.initiative_id is not None and data.get("kind", action.kind) != action.kind:
        raise Conflict(_("This idea became an initiative; its kind can no longer change."),
                       errors={"kind": [_("Linked to an initiative.")]})
    apply_changes(action, data)
    db.session.flush()
    return action


def delete_action(actor, action):
    policy.require(policy.edit_ambassador_action, actor, action,
                   _("Only the ambassador who logged it, a CX leader or an admin may delete this action."))
    db.session.delete(action)
    db.session.flush()


# -- proposing an initiative from an improvement idea -------------------------------------------

def propose_initiative(actor, action, data):
    """An improvement idea becomes a proposed initiative owned by the ambassador, led by the
    action's department, and linked back to the action."""
    policy.require(policy.edit_ambassador_action, actor, action,
                   _("Only the action's ambassador, a CX leader or an admin may propose it."))
    policy.require(policy.propose_initiative, actor)
    if action.kind != "improvement_idea":
        raise Conflict(_("Only an improvement idea can become an initiative."),
                       errors={"kind": [_("Not improvement_idea.")]})
    if action.initiative_id is not None:
        raise Conflict(_("This idea is already an initiative."), initiative_id=action.initiative_id)
    journey_id = data.get("journey_id") or action.journey_id
    if journey_id is None:
        raise Invalid(_("Choose the journey the initiative improves."),
                      errors={"journey_id": ["Missing data for required field."]})
    initiative = initiatives.propose_initiative(actor, {
        "title": data.get("title") or action.title,
        "description": data["description"] if data.get("description") is not None else action.description,
        "journey_id": journey_id,
        "department_id": action.department_id,
        "owner_id": action.ambassador.user_id,
        "category": data.get("category") or "process",
    })
    action.initiative_id = initiative.id
    if action.journey_id is None:
        action.journey_id = journey_id
    db.session.flush()
    return initiative


def actions_of_user(user_id, limit=None):
    """Every action logged under any of a user's assignments (the newest `limit` of them), newest
    first."""
    return db.session.scalars(
        select(AmbassadorAction).join(Ambassador, AmbassadorAction.ambassador_id == Ambassador.id)
        .where(Ambassador.user_id == user_id)
        .options(selectinload(AmbassadorAction.ambassador).selectinload(Ambassador.department))
        .order_by(AmbassadorAction.occurred_on.desc(), AmbassadorAction.id.desc())
        .limit(limit)
    ).all()



# -- an ambassador's own view -------------------------------------------------------------------

def ideas_and_fates(user_id):
    """The user's improvement ideas, newest first, each with its fate: the initiative proposed
    from it (or None), and that initiative's post-implementation reviews. Three queries."""
    ideas = db.session.scalars(
        select(AmbassadorAction).join(Ambassador, AmbassadorAction.ambassador_id == Ambassador.id)
        .where(Ambassador.user_id == user_id, AmbassadorAction.kind == "improvement_idea")
        .order_by(AmbassadorAction.occurred_on.desc(), AmbassadorAction.id.desc())
    ).all()
    ids = {idea.initiative_id for idea in ideas if idea.initiative_id is not None}
    found = {} if not ids else {
        initiative.id: initiative
        for initiative in db.session.scalars(select(Initiative).where(Initiative.id.in_(ids)))}
    reviews = review_rules.reviews_for(found)
    fates = []
    for idea in ideas:
        initiative = found.get(idea.initiative_id)
        done = [r for r in reviews.get(idea.initiative_id, []) if r.verdict is not None]
        fates.append({"idea": idea, "initiative": initiative, "verdict": done[-1].verdict if done else None,
                      "reviews": reviews.get(idea.initiative_id, [])})
    return fates


def journeys_touched(department_id):
    """The journeys with a touchpoint run by the department, by name (one query)."""
    return db.session.scalars(
        select(Journey).where(Journey.id.in_(
            select(Stage.journey_id).join(Touchpoint, Touchpoint.stage_id == Stage.id)
            .where(Touchpoint.department_id == department_id)))
        .order_by(Journey.name, Journey.id)
    ).all()


def actions_of_assignment(ambassador_id):
    """Every action logged under one assignment, newest first (one query)."""
    return db.session.scalars(
        select(AmbassadorAction).where(AmbassadorAction.ambassador_id == ambassador_id)
        .order_by(AmbassadorAction.occurred_on.desc(), AmbassadorAction.id.desc())
    ).all()


def recognise(actor, assignment, data, today=None):
    """A CX leader's (or admin's) recognition of an ambassador: an action of kind `recognition`
    logged for them. It counts in no part of the health score."""
    policy.require(policy.manage_ambassadors, actor, message=_("Only CX leaders and admins record a recognition."))
    return log_action(actor, {**data, "kind": "recognition", "ambassador_id": assignment.id}, today=today)
