"""Everything under /api/initiatives (SPEC §4): initiatives, their lifecycle (transitions), business
case (cash flows, ROI) and KPI impacts."""
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy.orm import selectinload

from cxgov import policy
from cxgov.initiatives import business_case, gate_api, lifecycle, reviews_api, services
from cxgov.initiatives import impacts as impact_rules
from cxgov.initiatives.models import CashFlow, Impact, Initiative, Transition
from cxgov.initiatives.schemas import (
    CashFlowArgs,
    CashFlowSchema,
    ImpactArgs,
    ImpactSchema,
    InitiativeArgs,
    InitiativeSchema,
    InitiativeSummarySchema,
    RoiArgs,
    RoiSchema,
    TransitionRequestSchema,
    TransitionSchema,
)
from cxgov.resources import Parent, Resource, guarded, item, transactional
from cxgov.rest import Blueprint

# Three blueprints under one prefix: each is a section (tag) of the API description.
initiatives = Blueprint("api_initiatives", __name__, url_prefix="/api/initiatives",
                        description="Initiatives and their business cases (cash flows).")
transitions = Blueprint("api_initiative_transitions", __name__, url_prefix="/api/initiatives",
                        description="The initiative lifecycle: status changes and their history.")
impacts = Blueprint("api_impacts", __name__, url_prefix="/api/initiatives", description=(
    "The KPIs an initiative is meant to move, with the measured actual_value and its annual_value in money."))

INITIATIVE = Parent(Initiative, "initiative_id")


def _its_initiative(child):
    """The initiative a cash flow or an impact belongs to: what its rules decide on."""
    return child.initiative


# -- initiatives -----------------------------------------------------------------------------------

Resource(
    initiatives, model=Initiative, schema=InitiativeSchema, list_schema=InitiativeSummarySchema, args=InitiativeArgs,
    item="<int:initiative_id>", query=services.list_initiatives, options=(selectinload(Initiative.transitions),),
    list_options=(),
    guard=policy.edit_initiative, delete_guard=policy.manage_governance,
    create=services.propose_initiative, update=services.update_initiative, delete=services.delete_initiative,
    conflicts=("update", "delete"), names=("Initiatives", "InitiativeById"),
    docs={"list": "List initiatives (filters: status, journey_id, department_id, owner_id, sponsor_id, category).",
          "create": "Propose an initiative (always `proposed`; the owner defaults to you).",
          "read": "Read an initiative with its lifecycle history.",
          "update": "Change an initiative (CX leaders and admins, or its owner while not closed).",
          "delete": "Delete a proposed initiative (CX leaders and admins)."},
)


# -- the lifecycle ---------------------------------------------------------------------------------

class TransitionRequests(MethodView):
    @transitions.arguments(TransitionRequestSchema)
    @transitions.response(201, TransitionSchema)
    @transitions.problems(400, 401, 403, 404, 409, 422)
    def post(self, data, initiative_id):
        """Move the initiative to `to` (approved/rejected need a matching decision).

        An illegal jump → 409 with `allowed`; an approval while the initiative is not ready
        (SPEC §8.1) → 409 with `missing`, the names of the failing readiness checks."""
        with transactional():
            initiative = guarded(lifecycle.required_rule(data["to"]), item(Initiative, initiative_id),
                                 lifecycle.refusal(data["to"]))
            transition = lifecycle.transition_initiative(current_user, initiative, data["to"],
                                                         decision_id=data["decision_id"], note=data["note"],
                                                         on=data["on"])
        return transition


Resource(
    transitions, model=Transition, schema=TransitionSchema, path="/<int:initiative_id>/transitions",
    parent=INITIATIVE, order_by=(Transition.id,), names=("Transitions", None),
    hand_written=(TransitionRequests, None),
    docs={"list": "The initiative's status history, oldest first."},
)


# -- the business case: cash flows and ROI ---------------------------------------------------------

Resource(
    initiatives, model=CashFlow, schema=CashFlowSchema, args=CashFlowArgs, path="/<int:initiative_id>/cash-flows",
    item="<int:cash_flow_id>", parent=INITIATIVE, order_by=services.CASH_FLOW_ORDER, filters=("basis", "kind", "year"),
    read_guard=policy.view_business_case, refused=policy.BUSINESS_CASE_REFUSED, decide_on=_its_initiative,
    guard=policy.edit_initiative, create_guard=policy.edit_initiative,
    create=services.add_cash_flow, update=services.update_cash_flow, delete=services.delete_cash_flow,
    names=("CashFlows", "CashFlowById"),
    docs={"list": "List an initiative's cash flows (filters: basis, kind, year): for CX leaders, admins,\n"
                  "executives and the initiative's owner.",
          "create": "Add a planned or actual cost or benefit.",
          "read": "Read a cash flow (who may read the business case).",
          "update": "Change a cash flow.", "delete": "Delete a cash flow."},
)


# The ROI is documented with the portfolio's (`cxgov.roi`), in the API description's ROI section.
@initiatives.route("/<int:initiative_id>/roi", tags=["api_roi"])
class InitiativeRoi(MethodView):
    @initiatives.arguments(RoiArgs, location="query")
    @initiatives.response(200, RoiSchema)
    @initiatives.problems(401, 403, 404, 422)
    def get(self, args, initiative_id):
        """ROI, NPV, PVs and payback of an initiative's planned or actual cash flows."""
        initiative = guarded(policy.view_initiative_roi, item(Initiative, initiative_id), business_case.ROI_REFUSED)
        return business_case.initiative_roi(current_user, initiative, args["basis"], args.get("discount_rate"))


# -- KPI impacts -----------------------------------------------------------------------------------

Resource(
    impacts, model=Impact, schema=ImpactSchema, args=ImpactArgs, path="/<int:initiative_id>/impacts",
    item="<int:impact_id>", parent=INITIATIVE, order_by=(Impact.id,), prepare=impact_rules.with_values,
    read_guard=policy.view_business_case, refused=policy.BUSINESS_CASE_REFUSED, decide_on=_its_initiative,
    guard=policy.edit_initiative, create_guard=policy.edit_initiative,
    create=impact_rules.create_impact, update=impact_rules.update_impact, delete=impact_rules.delete_impact,
    conflicts=("create", "update"), names=("Impacts", "ImpactById"),
    docs={"list": "The KPIs the initiative is meant to move, with `actual_value` and `annual_value` (for CX\n"
                  "leaders, admins, executives and the initiative's owner, as its cash flows).",
          "create": "Add a KPI impact (CX leaders, admins, the initiative's owner while not closed).",
          "read": "Read an impact with its `actual_value` and `annual_value` (who may read the business case).",
          "update": "Change an impact's baseline, target, value per unit or attribution.",
          "delete": "Remove an impact."},
)

blueprints = [transitions, impacts, initiatives, *gate_api.blueprints, *reviews_api.blueprints]
