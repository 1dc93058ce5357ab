"""ROI of the portfolio (`/api/reports/roi`, `/api/reports/roi.csv`), SPEC §4. One initiative's
(`/api/initiatives/{id}/roi`) is served by `cxgov.initiatives.api`, in this section of the API
description."""
from flask.views import MethodView
from flask_login import current_user

from cxgov.rest import Blueprint, json_bytes, json_response
from cxgov.roi import benefits, formats, services
from cxgov.roi.schemas import BenefitsArgs, BenefitsQuery, BenefitsReportSchema, ReportArgs, ReportQuery, ReportSchema

blp = Blueprint("api_roi", __name__, url_prefix="/api",
                description="ROI: risk-adjusted, discounted costs and benefits (SPEC §3).")


@blp.route("/reports/roi")
class PortfolioRoi(MethodView):
    @blp.arguments(ReportQuery, location="query")
    @blp.response(200, ReportSchema)
    @blp.problems(401, 422)
    def get(self, args):
        """Portfolio ROI: totals (PVs summed, then ROI), groups and initiatives (by id), or the parts
        named by `include`, and the initiatives a page at a time if asked. Members see their own
        initiatives only."""
        def answer():
            report = services.roi_report(current_user, args, args["include"], services.page_asked(args))
            # Formatted by `formats` rather than through the schema, which documents it.
            return json_bytes(formats.report_json(report))
        return json_response(services.kept_answer("json", current_user, args, answer))


@blp.route("/reports/roi.csv")
class PortfolioRoiCsv(MethodView):
    @blp.arguments(ReportArgs, location="query")
    @blp.response(200, description="The report's initiatives as CSV.", content_type="text/csv")
    @blp.doc(responses={"200": {"description": "The report's initiatives as CSV.",
                                "content": {"text/csv": {"schema": {"type": "string"}}}}})
    @blp.problems(401, 422)
    def get(self, args):
        """The report's initiatives as CSV (same filters and permissions)."""
        return formats.csv_response(formats.roi_csv(current_user, args))


@blp.route("/reports/benefits")
class BenefitsRealisation(MethodView):
    @blp.arguments(BenefitsQuery, location="query")
    @blp.response(200, BenefitsReportSchema)
    @blp.problems(401, 422)
    def get(self, args):
        """Benefits realisation (SPEC §8.6): of each initiative with an approved baseline, the
        risk-adjusted baseline and actual benefits of its years to date (undiscounted), their
        ratio and its impacts' measured annual value; groups and totals take the ratio of the
        sums. `include` and paging as in `/api/reports/roi`. Members see their own initiatives only."""
        report = benefits.benefits_report(current_user, args, include=args["include"],
                                          paging=services.page_asked(args))
        return json_response(formats.benefits_json(report))


@blp.route("/reports/benefits.csv")
class BenefitsRealisationCsv(MethodView):
    @blp.arguments(BenefitsArgs, location="query")
    @blp.response(200, description="The report's initiatives as CSV.", content_type="text/csv")
    @blp.doc(responses={"200": {"description": "The report's initiatives as CSV.",
                                "content": {"text/csv": {"schema": {"type": "string"}}}}})
    @blp.problems(401, 422)
    def get(self, args):
        """The benefits report's initiatives as CSV (same filters, order and permissions)."""
        return formats.benefits_csv_response(benefits.benefits_report(current_user, args))


blueprints = [blp]
