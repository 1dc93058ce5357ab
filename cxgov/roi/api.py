"""ROI of one initiative (`/api/initiatives/{id}/roi`) and of the portfolio (`/api/reports/roi`,
`/api/reports/roi.csv`), SPEC §4."""
from flask.views import MethodView
from flask_login import current_user

from cxgov.initiatives.models import Initiative
from cxgov.rest import Blueprint, get_or_404, json_response
from cxgov.roi import formats, services
from cxgov.roi.schemas import ReportArgs, ReportSchema, RoiArgs, RoiSchema

blp = Blueprint("api_roi", __name__, url_prefix="/api",
                description="ROI: risk-adjusted, discounted costs and benefits (SPEC §3).")


@blp.route("/initiatives/<int:initiative_id>/roi")
class InitiativeRoi(MethodView):
    @blp.arguments(RoiArgs, location="query")
    @blp.response(200, RoiSchema)
    @blp.problems(401, 403, 404, 422)
    def get(self, args, initiative_id):
        """ROI, NPV, PVs and payback of an initiative's planned or actual cash flows."""
        initiative = get_or_404(Initiative, initiative_id)
        return services.initiative_roi(current_user, initiative, args["basis"], args.get("discount_rate"))


@blp.route("/reports/roi")
class PortfolioRoi(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, ReportSchema)
    @blp.problems(401, 422)
    def get(self, args):
        """Portfolio ROI: totals (PVs summed, then ROI), groups and initiatives.
        Members see their own initiatives only."""
        # Formatted by `formats` rather than through the schema, which documents it.
        return json_response(formats.report_json(services.roi_report(current_user, args)))


@blp.route("/reports/roi.csv")
class PortfolioRoiCsv(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, description="The report's initiatives as CSV.", content_type="text/csv")
    @blp.doc(responses={"200": {"description": "The report's initiatives as CSV.",
                                "content": {"text/csv": {"schema": {"type": "string"}}}}})
    @blp.problems(401, 422)
    def get(self, args):
        """The report's initiatives as CSV (same filters and permissions)."""
        return formats.csv_response(services.roi_report(current_user, args))


blueprints = [blp]
