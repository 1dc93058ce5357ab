"""Initiatives and cash flows: the rules of proposing, editing and deleting, checked here only.

Status and `delivered_on` belong to the lifecycle (transitions), never to these functions.
"""
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cxgov import formatting, policy
from cxgov.db import load
from cxgov.errors import Conflict, Forbidden, Invalid
from cxgov.extensions import db
from cxgov.initiatives import lifecycle
from cxgov.initiatives.models import CashFlow, Initiative
from cxgov.journeys.models import Journey, Stage
from cxgov.org.models import Department, User
from cxgov.references import require_existing
from cxgov.rest import apply_changes, filter_by

FILTERS = ["status", "journey_id", "department_id", "owner_id", "sponsor_id", "category"]


def list_initiatives(args):
    """The filtered list, newest first (the caller paginates)."""
    stmt = select(Initiative).order_by(Initiative.id.desc())
    return filter_by(stmt, Initiative, args, FILTERS)


def load_initiative(initiative_id):
    """One initiative with its history, or None."""
    initiative = db.session.get(Initiative, initiative_id, options=[selectinload(Initiative.transitions)])
    return initiative and load(initiative, "transitions")  # also when the session held it already


def _check_references(data, initiative=None):
    """Every id the client gave points at a row; the stage belongs to the journey."""
    for field, model in (("journey_id", Journey), ("department_id", Department),
                         ("owner_id", User), ("sponsor_id", User)):
        if field in data:
            require_existing(model, data[field], field)
    journey_id = data.get("journey_id", initiative.journey_id if initiative else None)
    stage_id = data.get("stage_id", initiative.stage_id if initiative else None)
    if stage_id is not None and ("stage_id" in data or "journey_id" in data):
        stage = require_existing(Stage, stage_id, "stage_id")
        if stage.journey_id != journey_id:
            raise Invalid(_("The stage belongs to another journey."),
                          errors={"stage_id": [_("Stage %(stage)s is not a stage of journey %(journey)s.",
                                                 stage=stage_id, journey=journey_id)]})
    start_on = data.get("start_on", initiative.start_on if initiative else None)
    target_on = data.get("target_on", initiative.target_on if initiative else None)
    if start_on and target_on and target_on < start_on:
        raise Invalid(_("The target date is before the start date."),
                      errors={"target_on": [_("Must be on or after start_on.")]})


def propose_initiative(actor, data, now=None):
    """A new initiative, always `proposed`; the owner defaults to the proposer. `now`: when it
    was proposed (the present by default; the demo's history passes past instants)."""
    policy.require(policy.propose_initiative, actor)
    data = dict(data)
    if data.get("owner_id") is None:
        data["owner_id"] = actor.id
    if not policy.is_governance(actor) and data["owner_id"] != actor.id:
        raise Forbidden(_("Members propose initiatives they own themselves."),
                        errors={"owner_id": [_("Must be yourself.")]})
    _check_references(data)
    initiative = Initiative(status="proposed", **data)
    if now is not None:
        initiative.created_at = now
    db.session.add(initiative)
    db.session.flush()
    return initiative


def update_initiative(actor, initiative, data):
    policy.require(policy.edit_initiative, actor, initiative)
    data = dict(data)
    for field in ("title", "journey_id", "department_id", "category", "owner_id"):
        if field in data and data[field] is None:
            raise Invalid(_("%(field)s cannot be empty.", field=field), errors={field: ["Field may not be null."]})
    if "owner_id" in data and data["owner_id"] != initiative.owner_id and not policy.is_governance(actor):
        raise Forbidden(_("Only CX leaders and admins hand an initiative to another owner."),
                        errors={"owner_id": [_("Not yours to change.")]})
    _check_references(data, initiative)
    apply_changes(initiative, data)
    db.session.flush()
    return initiative


def delete_initiative(actor, initiative):
    """Governance deletes proposals only; anything further along is kept (cancel it instead)."""
    policy.require(policy.manage_governance, actor)
    if initiative.status != "proposed":
        raise Conflict(_("Only a proposed initiative can be deleted; cancel it instead."),
                       errors={"status": [_("Is %(status)s.", status=initiative.status)]})
    naming = lifecycle.decisions_naming(initiative)
    if naming:
        raise Conflict(_("A steering decision is about this proposal, so it is kept; reject or cancel it instead."),
                       errors={"decisions": [_("Decision %(id)s of the meeting on %(day)s.", id=d.id,
                                               day=formatting.day(d.meeting.starts_at)) for d in naming]})
    db.session.delete(initiative)
    db.session.flush()


# -- cash flows ----------------------------------------------------------------------------------

# Planned before actual, then by year.
CASH_FLOW_ORDER = (CashFlow.basis.desc(), CashFlow.year, CashFlow.kind, CashFlow.id)


def _normalise_cash_flow(data):
    data = dict(data)
    for field in ("kind", "category", "year", "amount", "risk_adjustment", "basis"):
        if field in data and data[field] is None:
            raise Invalid(_("%(field)s cannot be empty.", field=field), errors={field: ["Field may not be null."]})
    if "risk_adjustment" in data:
        data["risk_adjustment"] = Decimal(str(data["risk_adjustment"]))
    return data


def add_cash_flow(actor, initiative, data):
    policy.require(policy.edit_initiative, actor, initiative)
    data = _normalise_cash_flow(data)
    data.setdefault("risk_adjustment", Decimal("0"))
    data.setdefault("basis", "planned")
    cash_flow = CashFlow(initiative_id=initiative.id, **data)
    db.session.add(cash_flow)
    db.session.flush()
    return cash_flow


def update_cash_flow(actor, cash_flow, data):
    policy.require(policy.edit_initiative, actor, cash_flow.initiative)
    apply_changes(cash_flow, _normalise_cash_flow(data))
    db.session.flush()
    return cash_flow


def delete_cash_flow(actor, cash_flow):
    policy.require(policy.edit_initiative, actor, cash_flow.initiative)
    db.session.delete(cash_flow)
    db.session.flush()
