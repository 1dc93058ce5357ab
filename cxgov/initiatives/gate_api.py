"""The approval gate and the approved baseline of an initiative (SPEC §8.1, §8.2):
`/api/initiatives/{id}/readiness`, `…/baseline` and `…/baselines`."""
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import fields

from cxgov import policy
from cxgov.errors import NotFound
from cxgov.initiatives import calc, gate
from cxgov.initiatives.business_case import default_rate, flows_of
from cxgov.initiatives.models import Initiative
from cxgov.initiatives.readiness import CHECKS, is_ready
from cxgov.initiatives.schemas import Rounded
from cxgov.resources import guarded, item, transactional
from cxgov.rest import Blueprint, ListArgs, MoneyField, Number, Schema, page_of, paginate

blp = Blueprint("api_initiative_gate", __name__, url_prefix="/api/initiatives", description=(
    "The approval gate (readiness of an initiative for the committee's approval) and the approved "
    "baseline: the business case and measurement plan frozen at approval (SPEC §8.1, §8.2)."))


class CheckSchema(Schema):
    name = fields.String(metadata={"enum": list(CHECKS)})
    ok = fields.Boolean()
    detail = fields.String(metadata={"description": "What is there or what is missing, in plain words."})


class ReadinessSchema(Schema):
    ready = fields.Boolean()
    checks = fields.List(fields.Nested(CheckSchema), metadata={
        "description": "business_case, measurement_plan, target_on, attribution_budget, in this order."})


class BaselineCashFlowSchema(Schema):
    kind = fields.String()
    category = fields.String()
    year = fields.Integer()
    amount = MoneyField()
    risk_adjustment = Number()
    description = fields.String(allow_none=True)


class BaselineImpactSchema(Schema):
    impact_id = fields.Integer(allow_none=True, metadata={"description": "The live impact it was copied from, "
                                                                         "while that exists."})
    metric_id = fields.Integer()
    journey_id = fields.Integer()
    baseline_value = Number()
    target_value = Number()
    value_per_unit = MoneyField()
    attribution = Number()


class BaselineSchema(Schema):
    id = fields.Integer()
    initiative_id = fields.Integer()
    approved_on = fields.Date()
    decision_id = fields.Integer(allow_none=True)
    migrated = fields.Boolean(metadata={"description": "Made by the upgrade from the plan as it stood then, "
                                                       "not at the approval itself."})
    cash_flows = fields.List(fields.Nested(BaselineCashFlowSchema))
    impacts = fields.List(fields.Nested(BaselineImpactSchema))
    pv_costs = MoneyField()
    pv_benefits = MoneyField()
    npv = MoneyField()
    roi = Rounded(4, allow_none=True, metadata={"description": "NPV / PV(costs); null without costs."})
    payback_months = Rounded(1, allow_none=True)


class RebaselineSchema(Schema):
    decision_id = fields.Integer(required=True, metadata={
        "description": "A decision of kind rebaseline_initiative for this initiative."})


def with_figures(baseline):
    """A baseline with its ROI figures (SPEC §3, at the default discount rate)."""
    result = calc.compute_roi(flows_of(baseline.cash_flows, "planned"), default_rate())
    baseline.pv_costs, baseline.pv_benefits, baseline.npv = result.pv_costs, result.pv_benefits, result.npv
    baseline.roi, baseline.payback_months = result.roi, result.payback_months
    return baseline


@blp.route("/<int:initiative_id>/readiness")
class Readiness(MethodView):
    @blp.response(200, ReadinessSchema)
    @blp.problems(401, 404)
    def get(self, initiative_id):
        """Whether the initiative may be approved, check by check (SPEC §8.1); an approval while
        not ready is refused with 409 and the names of the failing checks in `missing`."""
        initiative = guarded(policy.read, item(Initiative, initiative_id))
        checks = gate.readiness_of(initiative)
        return {"ready": is_ready(checks), "checks": checks}


@blp.route("/<int:initiative_id>/baseline")
class CurrentBaseline(MethodView):
    @blp.response(200, BaselineSchema)
    @blp.problems(401, 403, 404)
    def get(self, initiative_id):
        """The approved baseline: the planned cash flows and impacts as approved, with their ROI
        figures; later edits of the plan never change it (404 before approval). For who may read
        the business case."""
        initiative = guarded(policy.view_business_case, item(Initiative, initiative_id),
                             policy.BUSINESS_CASE_REFUSED)
        baseline = gate.current_baseline(initiative.id)
        if baseline is None:
            raise NotFound(_("Initiative %(id)s has no approved baseline yet.", id=initiative_id))
        return with_figures(baseline)

    @blp.arguments(RebaselineSchema)
    @blp.response(201, BaselineSchema)
    @blp.problems(400, 401, 403, 404, 409, 422)
    def post(self, data, initiative_id):
        """Re-baseline: freeze the plan as it is now, justified by a `rebaseline_initiative`
        decision for this initiative (CX leaders and admins). The former baseline stays in
        `…/baselines`; 409 before approval or for a decision already applied."""
        with transactional():
            initiative = guarded(policy.decide_initiative, item(Initiative, initiative_id),
                                 "Only CX leaders and admins re-baseline initiatives.")
            baseline = gate.rebaseline(current_user, initiative, data["decision_id"])
        return with_figures(gate.current_baseline(initiative_id) or baseline), 201


@blp.route("/<int:initiative_id>/baselines")
class Baselines(MethodView):
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_of(BaselineSchema))
    @blp.problems(401, 403, 404, 422)
    def get(self, args, initiative_id):
        """Every baseline of the initiative, newest first (who may read the business case)."""
        initiative = guarded(policy.view_business_case, item(Initiative, initiative_id),
                             policy.BUSINESS_CASE_REFUSED)
        page = paginate(gate.baselines_of(initiative.id), args)
        page["items"] = [with_figures(baseline) for baseline in page["items"]]
        return page


blueprints = [blp]
