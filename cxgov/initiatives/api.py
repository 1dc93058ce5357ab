"""/api/initiatives and their cash flows (SPEC §4). Status changes go through transitions."""
from flask.views import MethodView
from flask_login import current_user

from cxgov import policy
from cxgov.errors import NotFound
from cxgov.extensions import db
from cxgov.initiatives import gate_api, services
from cxgov.initiatives.models import CashFlow, Initiative
from cxgov.initiatives.schemas import (
    CashFlowArgs,
    CashFlowSchema,
    InitiativeArgs,
    InitiativeSchema,
    InitiativeSummarySchema,
)
from cxgov.rest import Blueprint, check_if_match, get_or_404, page_of, paginate, with_etag

blp = Blueprint("api_initiatives", __name__, url_prefix="/api/initiatives",
                description="Initiatives and their business cases (cash flows).")


def _initiative(initiative_id):
    initiative = services.load_initiative(initiative_id)
    if initiative is None:
        raise NotFound(f"Initiative {initiative_id} does not exist.")
    return initiative


@blp.route("")
class Initiatives(MethodView):
    @blp.arguments(InitiativeArgs, location="query")
    @blp.response(200, page_of(InitiativeSummarySchema))
    @blp.problems(401, 422)
    def get(self, args):
        """List initiatives (filters: status, journey_id, department_id, owner_id, sponsor_id, category)."""
        policy.require(policy.read, current_user)
        return paginate(services.list_initiatives(args), args)

    @blp.arguments(InitiativeSchema)
    @blp.response(201, InitiativeSchema)
    @blp.problems(400, 401, 403, 422)
    def post(self, data):
        """Propose an initiative (always `proposed`; the owner defaults to you)."""
        initiative = services.propose_initiative(current_user, data)
        db.session.commit()
        return with_etag(_initiative(initiative.id), 201)


@blp.route("/<int:initiative_id>")
class InitiativeById(MethodView):
    @blp.response(200, InitiativeSchema)
    @blp.problems(401, 404)
    def get(self, initiative_id):
        """Read an initiative with its lifecycle history."""
        return with_etag(_initiative(initiative_id))

    @blp.arguments(InitiativeSchema(partial=True))
    @blp.response(200, InitiativeSchema)
    @blp.problems(400, 401, 403, 404, 409, 412, 422)
    def patch(self, data, initiative_id):
        """Change an initiative (CX leaders and admins, or its owner while not closed)."""
        initiative = _initiative(initiative_id)
        policy.require(policy.edit_initiative, current_user, initiative)
        check_if_match(initiative)
        services.update_initiative(current_user, initiative, data)
        db.session.commit()
        return with_etag(_initiative(initiative_id))

    @blp.response(204)
    @blp.problems(401, 403, 404, 409, 412)
    def delete(self, initiative_id):
        """Delete a proposed initiative (CX leaders and admins)."""
        initiative = _initiative(initiative_id)
        policy.require(policy.manage_governance, current_user)
        check_if_match(initiative)
        services.delete_initiative(current_user, initiative)
        db.session.commit()


def _cash_flow(initiative_id, cash_flow_id):
    cash_flow = db.session.get(CashFlow, cash_flow_id)
    if cash_flow is None or cash_flow.initiative_id != initiative_id:
        raise NotFound(f"Cash flow {cash_flow_id} of initiative {initiative_id} does not exist.")
    return cash_flow


@blp.route("/<int:initiative_id>/cash-flows")
class CashFlows(MethodView):
    @blp.arguments(CashFlowArgs, location="query")
    @blp.response(200, page_of(CashFlowSchema))
    @blp.problems(401, 403, 404, 422)
    def get(self, args, initiative_id):
        """List an initiative's cash flows (filters: basis, kind, year): for CX leaders, admins,
        executives and the initiative's owner."""
        initiative = get_or_404(Initiative, initiative_id)
        policy.require(policy.view_business_case, current_user, initiative, policy.BUSINESS_CASE_REFUSED)
        return paginate(services.list_cash_flows(initiative, args), args)

    @blp.arguments(CashFlowSchema)
    @blp.response(201, CashFlowSchema)
    @blp.problems(400, 401, 403, 404, 422)
    def post(self, data, initiative_id):
        """Add a planned or actual cost or benefit."""
        initiative = get_or_404(Initiative, initiative_id)
        cash_flow = services.add_cash_flow(current_user, initiative, data)
        db.session.commit()
        return with_etag(cash_flow, 201)


@blp.route("/<int:initiative_id>/cash-flows/<int:cash_flow_id>")
class CashFlowById(MethodView):
    @blp.response(200, CashFlowSchema)
    @blp.problems(401, 403, 404)
    def get(self, initiative_id, cash_flow_id):
        """Read a cash flow (who may read the business case)."""
        cash_flow = _cash_flow(initiative_id, cash_flow_id)
        policy.require(policy.view_business_case, current_user, cash_flow.initiative, policy.BUSINESS_CASE_REFUSED)
        return with_etag(cash_flow)

    @blp.arguments(CashFlowSchema(partial=True))
    @blp.response(200, CashFlowSchema)
    @blp.problems(400, 401, 403, 404, 412, 422)
    def patch(self, data, initiative_id, cash_flow_id):
        """Change a cash flow."""
        cash_flow = _cash_flow(initiative_id, cash_flow_id)
        policy.require(policy.edit_initiative, current_user, cash_flow.initiative)
        check_if_match(cash_flow)
        services.update_cash_flow(current_user, cash_flow, data)
        db.session.commit()
        return with_etag(cash_flow)

    @blp.response(204)
    @blp.problems(401, 403, 404, 412)
    def delete(self, initiative_id, cash_flow_id):
        """Delete a cash flow."""
        cash_flow = _cash_flow(initiative_id, cash_flow_id)
        policy.require(policy.edit_initiative, current_user, cash_flow.initiative)
        check_if_match(cash_flow)
        services.delete_cash_flow(current_user, cash_flow)
        db.session.commit()


blueprints = [blp, *gate_api.blueprints]
