"""ROI of one initiative (`/api/initiatives/{id}/roi`) and of the portfolio (`/api/reports/roi`,
`/api/reports/roi.csv`), SPEC §4."""
import csv
import io

from flask import Response
from flask.views import MethodView
from flask_login import current_user

from cxgov.initiatives.models import Initiative
from cxgov.rest import Blueprint, get_or_404, money
from cxgov.roi import services
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
        return services.roi_report(current_user, args)


CSV_COLUMNS = ("id", "title", "status", "department_id", "journey_id", "category",
               "pv_costs", "pv_benefits", "npv", "roi", "payback_months")


def _cell(name, value):
    if value is None:
        return ""
    if name in ("pv_costs", "pv_benefits", "npv"):
        return str(money(value))
    if name == "roi":
        return str(services.rounded(value, services.ROI_STEP))
    if name == "payback_months":
        return str(services.rounded(value, services.MONTH_STEP))
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # a title is text, never a spreadsheet formula
    return value


@blp.route("/reports/roi.csv")
class PortfolioRoiCsv(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, description="The report's initiatives as CSV.", content_type="text/csv")
    @blp.doc(responses={"200": {"description": "The report's initiatives as CSV.",
                                "content": {"text/csv": {"schema": {"type": "string"}}}}})
    @blp.problems(401, 422)
    def get(self, args):
        """The report's initiatives as CSV (same filters and permissions)."""
        report = services.roi_report(current_user, args)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for row in report["initiatives"]:
            writer.writerow([_cell(name, row[name]) for name in CSV_COLUMNS])
        return Response(buffer.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="roi.csv"'})


blueprints = [blp]
