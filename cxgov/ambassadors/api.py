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
from cxgov.resources import Resource, guarded, item, transactional
from cxgov.rest import Blueprint

ambassadors = Blueprint("api_ambassadors", __name__, url_prefix="/api/ambassadors",
                        description="Ambassador assignments: one active per department (CX leaders and admins write).")
actions = Blueprint("api_ambassador_actions", __name__, url_prefix="/api/ambassador-actions",
                    description="What ambassadors did for CX; an active ambassador logs for their own department.")
reports = Blueprint("api_ambassador_report", __name__, url_prefix="/api/reports",
                    description="Ambassador network health (admins, CX leaders, executives).")


def _assignments(args):
    stmt = select(Ambassador).options(selectinload(Ambassador.user), selectinload(Ambassador.department))
    if args.get("active") is not None:
        stmt = stmt.where(Ambassador.ended_on.is_(None) if args["active"] else Ambassador.ended_on.is_not(None))
    return stmt


Resource(
    ambassadors, model=Ambassador, schema=AmbassadorSchema, args=AmbassadorArgs, item="<int:ambassador_id>",
    query=_assignments, order_by=(Ambassador.started_on.desc(), Ambassador.id.desc()),
    filters=("department_id", "user_id"), update_schema=AmbassadorEndSchema,
    guard=policy.manage_ambassadors, create_guard=policy.manage_ambassadors,
    create=services.assign_ambassador, update=services.end_assignment, delete=services.delete_assignment,
    conflicts=("create", "update", "delete"),
    docs={"list": "List ambassador assignments (`active=true` for the current network).",
          "create": "Assign an ambassador to a department (409 if it already has an active one).",
          "read": "Read an ambassador assignment.",
          "update": "End an assignment (`ended_on`); the department is free again, the history stays.",
          "delete": "Delete an assignment made by mistake (only one without logged actions)."},
)


def _actions(args):
    stmt = select(AmbassadorAction)
    if args.get("from_") is not None:
        stmt = stmt.where(AmbassadorAction.occurred_on >= args["from_"])
    if args.get("to") is not None:
        stmt = stmt.where(AmbassadorAction.occurred_on <= args["to"])
    return stmt


Resource(
    actions, model=AmbassadorAction, schema=AmbassadorActionSchema, args=AmbassadorActionArgs,
    item="<int:action_id>", query=_actions,
    order_by=(AmbassadorAction.occurred_on.desc(), AmbassadorAction.id.desc()),
    filters=("ambassador_id", "department_id", "kind"), update_schema=AmbassadorActionUpdateSchema,
    guard=policy.edit_ambassador_action, create_guard=policy.log_ambassador_action,
    create=services.log_action, update=services.update_action, delete=services.delete_action,
    conflicts=("update",),
    docs={"list": "List ambassador actions, newest first (`from`/`to` bound `occurred_on`).",
          "create": "Log an action; its department is the ambassador's (never sent by the client).",
          "read": "Read an ambassador action.",
          "update": "Correct an action (its ambassador while active, CX leaders, admins).",
          "delete": "Delete an action (its ambassador while active, CX leaders, admins)."},
)


@actions.route("/<int:action_id>/initiative")
class ProposeFromAction(MethodView):
    @actions.arguments(ProposalSchema)
    @actions.response(201, ProposedInitiativeSchema)
    @actions.problems(400, 401, 403, 404, 409, 422)
    def post(self, data, action_id):
        """Propose an initiative from an improvement idea, linked to the action."""
        with transactional():
            action = item(AmbassadorAction, action_id)
            initiative = services.propose_initiative(current_user, action, data)
        initiative.action_id = action.id
        return initiative, 201, {"Location": f"/api/initiatives/{initiative.id}"}


@reports.route("/ambassadors")
class AmbassadorReport(MethodView):
    @reports.arguments(ReportArgs, location="query")
    @reports.response(200, AmbassadorReportSchema)
    @reports.problems(401, 403, 422)
    def get(self, args):
        """Network health per department: coverage, activity, silence and the health score (0–100) with
        its parts; totals; monthly series.

        The score is the sum of six parts' whole points: coverage (20: an active ambassador), recency
        (20 within 7 days of the last action, none from 60), cadence (20 at 2 actions a month), breadth
        (15 at 4 kinds), reach (15 at one person reached per head of the department) and
        ideas_converted (10 with an improvement idea that became an initiative). Recognitions count in
        no part. The exact text is returned as `health_formula`.
        """
        guarded(policy.view_ambassador_network)
        start, end = report.report_period(args.get("from_"), args.get("to"))
        return report.ambassador_report(start, end)


blueprints = [ambassadors, actions, reports]
