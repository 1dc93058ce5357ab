"""/api/ambassadors, /api/ambassador-actions and /api/reports/ambassadors."""
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cxgov import policy
from cxgov.ambassadors import report, services
from cxgov.ambassadors.models import Ambassador, AmbassadorAction
from cxgov.ambassadors.schemas import (
    AmbassadorActionArgs,
    AmbassadorActionSchema,
    AmbassadorActionUpdateSchema,
    AmbassadorArgs,
    AmbassadorEndSchema,
    AmbassadorReportSchema,
    AmbassadorSchema,
    ProposalSchema,
    ProposedInitiativeSchema,
    ReportArgs,
)
from cxgov.extensions import db
from cxgov.rest import Blueprint, check_if_match, filter_by, get_or_404, page_of, paginate, with_etag

ambassadors = Blueprint("api_ambassadors", __name__, url_prefix="/api/ambassadors",
                        description="Ambassador assignments: one active per department (CX leaders and admins write).")
actions = Blueprint("api_ambassador_actions", __name__, url_prefix="/api/ambassador-actions",
                    description="What ambassadors did for CX; an active ambassador logs for their own department.")
reports = Blueprint("api_ambassador_report", __name__, url_prefix="/api/reports",
                    description="Ambassador network health (admins, CX leaders, executives).")


@ambassadors.route("")
class Ambassadors(MethodView):
    @ambassadors.arguments(AmbassadorArgs, location="query")
    @ambassadors.response(200, page_of(AmbassadorSchema))
    @ambassadors.problems(401, 422)
    def get(self, args):
        """List ambassador assignments (`active=true` for the current network)."""
        stmt = (select(Ambassador)
                .options(selectinload(Ambassador.user), selectinload(Ambassador.department))
                .order_by(Ambassador.started_on.desc(), Ambassador.id.desc()))
        stmt = filter_by(stmt, Ambassador, args, ["department_id", "user_id"])
        if args.get("active") is not None:
            stmt = stmt.where(Ambassador.ended_on.is_(None) if args["active"] else Ambassador.ended_on.is_not(None))
        return paginate(stmt, args)

    @ambassadors.arguments(AmbassadorSchema)
    @ambassadors.response(201, AmbassadorSchema)
    @ambassadors.problems(400, 401, 403, 409, 422)
    def post(self, data):
        """Assign an ambassador to a department (409 if it already has an active one)."""
        assignment = services.assign_ambassador(current_user, data)
        db.session.commit()
        return with_etag(assignment, 201)


@ambassadors.route("/<int:ambassador_id>")
class AmbassadorById(MethodView):
    @ambassadors.response(200, AmbassadorSchema)
    @ambassadors.problems(401, 404)
    def get(self, ambassador_id):
        """Read an ambassador assignment."""
        return with_etag(get_or_404(Ambassador, ambassador_id))

    @ambassadors.arguments(AmbassadorEndSchema)
    @ambassadors.response(200, AmbassadorSchema)
    @ambassadors.problems(400, 401, 403, 404, 409, 412, 422)
    def patch(self, data, ambassador_id):
        """End an assignment (`ended_on`); the department is free again, the history stays."""
        assignment = get_or_404(Ambassador, ambassador_id)
        policy.require(policy.manage_ambassadors, current_user)
        check_if_match(assignment)
        services.end_assignment(current_user, assignment, data)
        db.session.commit()
        return with_etag(assignment)

    @ambassadors.response(204)
    @ambassadors.problems(401, 403, 404, 409, 412)
    def delete(self, ambassador_id):
        """Delete an assignment made by mistake (only one without logged actions)."""
        assignment = get_or_404(Ambassador, ambassador_id)
        policy.require(policy.manage_ambassadors, current_user)
        check_if_match(assignment)
        services.delete_assignment(current_user, assignment)
        db.session.commit()


@actions.route("")
class AmbassadorActions(MethodView):
    @actions.arguments(AmbassadorActionArgs, location="query")
    @actions.response(200, page_of(AmbassadorActionSchema))
    @actions.problems(401, 422)
    def get(self, args):
        """List ambassador actions, newest first (`from`/`to` bound `occurred_on`)."""
        stmt = select(AmbassadorAction).order_by(AmbassadorAction.occurred_on.desc(), AmbassadorAction.id.desc())
        stmt = filter_by(stmt, AmbassadorAction, args, ["ambassador_id", "department_id", "kind"])
        if args.get("from_") is not None:
            stmt = stmt.where(AmbassadorAction.occurred_on >= args["from_"])
        if args.get("to") is not None:
            stmt = stmt.where(AmbassadorAction.occurred_on <= args["to"])
        return paginate(stmt, args)

    @actions.arguments(AmbassadorActionSchema)
    @actions.response(201, AmbassadorActionSchema)
    @actions.problems(400, 401, 403, 422)
    def post(self, data):
        """Log an action; its department is the ambassador's (never sent by the client)."""
        action = services.log_action(current_user, data)
        db.session.commit()
        return with_etag(action, 201)


@actions.route("/<int:action_id>")
class AmbassadorActionById(MethodView):
    @actions.response(200, AmbassadorActionSchema)
    @actions.problems(401, 404)
    def get(self, action_id):
        """Read an ambassador action."""
        return with_etag(get_or_404(AmbassadorAction, action_id))

    @actions.arguments(AmbassadorActionUpdateSchema)
    @actions.response(200, AmbassadorActionSchema)
    @actions.problems(400, 401, 403, 404, 409, 412, 422)
    def patch(self, data, action_id):
        """Correct an action (its ambassador while active, CX leaders, admins)."""
        action = get_or_404(AmbassadorAction, action_id)
        policy.require(policy.edit_ambassador_action, current_user, action)
        check_if_match(action)
        services.update_action(current_user, action, data)
        db.session.commit()
        return with_etag(action)

    @actions.response(204)
    @actions.problems(401, 403, 404, 412)
    def delete(self, action_id):
        """Delete an action (its ambassador while active, CX leaders, admins)."""
        action = get_or_404(AmbassadorAction, action_id)
        policy.require(policy.edit_ambassador_action, current_user, action)
        check_if_match(action)
        services.delete_action(current_user, action)
        db.session.commit()


@actions.route("/<int:action_id>/initiative")
class ProposeFromAction(MethodView):
    @actions.arguments(ProposalSchema)
    @actions.response(201, ProposedInitiativeSchema)
    @actions.problems(400, 401, 403, 404, 409, 422)
    def post(self, data, action_id):
        """Propose an initiative from an improvement idea, linked to the action."""
        action = get_or_404(AmbassadorAction, action_id)
        initiative = services.propose_initiative(current_user, action, data)
        db.session.commit()
        initiative.action_id = action.id
        return initiative, 201, {"Location": f"/api/initiatives/{initiative.id}"}


@reports.route("/ambassadors")
class AmbassadorReport(MethodView):
    @reports.arguments(ReportArgs, location="query")
    @reports.response(200, AmbassadorReportSchema)
    @reports.problems(401, 403, 422)
    def get(self, args):
        """Network health per department: coverage, activity, silence; totals; monthly series."""
        policy.require(policy.view_ambassador_network, current_user)
        start, end = report.report_period(args.get("from_"), args.get("to"))
        return report.ambassador_report(start, end)


blueprints = [ambassadors, actions, reports]
