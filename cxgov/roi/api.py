"""ROI of one initiative (`/api/initiatives/{id}/roi`) and of the portfolio (`/api/reports/roi`,
`/api/reports/roi.csv`), SPEC §4."""
import csv
import io
from decimal import ROUND_HALF_UP

from flask import Response
from flask.views import MethodView
from flask_login import current_user

from cxgov.initiatives.models import Initiative
from cxgov.rest import CENT, Blueprint, get_or_404, json_response, money
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
        # Serialised here rather than through the schema (which documents it): at ten thousand
        # initiatives, marshmallow would take longer than computing the report.
        return json_response(report_json(services.roi_report(current_user, args)))


def _rounded(value, step):
    return None if value is None else float(value.quantize(step, rounding=ROUND_HALF_UP))


def _money(value):
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _totals(figures):
    return {"pv_costs": str(money(figures["pv_costs"])), "pv_benefits": str(money(figures["pv_benefits"])),
            "npv": str(money(figures["npv"])), "roi": _rounded(figures["roi"], services.ROI_STEP)}


def report_json(report):
    """The report as ReportSchema describes it: money as strings with two places, ROI with four,
    payback in months with one."""
    roi_step, month_step = services.ROI_STEP, services.MONTH_STEP
    initiatives = []
    for row in report["rows"]:
        initiatives.append({
            "id": row.id, "title": row.title, "status": row.status, "department_id": row.department_id,
            "journey_id": row.journey_id, "category": row.category,
            "pv_costs": _money(row.pv_costs), "pv_benefits": _money(row.pv_benefits), "npv": _money(row.npv),
            "roi": _rounded(row.roi, roi_step), "payback_months": _rounded(row.payback_months, month_step),
        })
    return {
        "basis": report["basis"], "discount_rate": float(report["discount_rate"]),
        "currency": report["currency"], "group_by": report["group_by"],
        "totals": _totals(report["totals"]),
        "groups": [{"key": group["key"], "label": group["label"], "initiatives": group["initiatives"],
                    **_totals(group)} for group in report["groups"]],
        "initiatives": initiatives,
    }


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
        for row in report["rows"]:
            writer.writerow([_cell(name, getattr(row, name)) for name in CSV_COLUMNS])
        return Response(buffer.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="roi.csv"'})


blueprints = [blp]
