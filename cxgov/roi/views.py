"""The leadership ROI report: /reports/roi (a page) and /reports/roi.pdf (one A4 page for the CEO)."""
import base64
from decimal import ROUND_HALF_UP, Decimal

from flask import Blueprint, Response, render_template, request
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from cxgov import charts
from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.journeys.models import Journey
from cxgov.org.models import Department
from cxgov.roi import formats, services
from cxgov.roi.schemas import ReportArgs

bp = Blueprint("roi", __name__)


# -- display filters (the figures stay exact until here) -------------------------------------------

@bp.app_template_filter("roi_money")
def format_money(value):
    """12345.678 → "12,345.68"; None → "—"."""
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


@bp.app_template_filter("roi_compact")
def format_compact(value):
    """Headline money: 1 234 567 → "1.23 M", 12 345 → "12.3 k"."""
    if value is None:
        return "—"
    value = Decimal(value)
    for size, suffix in ((Decimal("1e9"), " bn"), (Decimal("1e6"), " M"), (Decimal("1e4"), " k")):
        if abs(value) >= size:
            return f"{(value / size).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}{suffix}"
    return format_money(value)


@bp.app_template_filter("roi_percent")
def format_percent(value):
    if value is None:
        return "—"
    return f"{(Decimal(value) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} %"


@bp.app_template_filter("roi_months")
def format_months(value):
    if value is None:
        return "never"
    return f"{Decimal(value).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} months"


# -- the report -------------------------------------------------------------------------------------

def _given():
    """The query string without the empty choices a GET form sends ("All"). The page shows the
    funded portfolio unless asked for everything."""
    given = {key: value for key, value in request.args.items() if value.strip() != ""}
    given.setdefault("portfolio", "funded")
    return given


def _args():
    try:
        return ReportArgs().load(_given())
    except ValidationError as error:
        raise Invalid("The report's parameters are not valid.", errors=error.messages) from None


def _charts(report, compact=False):
    size = {"width": 5.2, "height": 2.3} if compact else {}
    currency = report["currency"]
    by_department = report["by"]["department"]
    result = {}
    if by_department:
        result["npv_by_department"] = charts.bar_chart(
            [g["label"] for g in by_department], [g["npv"] for g in by_department],
            title=f"NPV by department ({currency})", category_label="Department",
            value_label=f"NPV ({currency})", **size)
    if report["years"]:
        result["cumulative"] = charts.bar_chart(
            [f"Y{y.year}" for y in report["years"]], [y.cumulative_net for y in report["years"]],
            title=f"Cumulative net by year, risk-adjusted, undiscounted ({currency})",
            category_label="Year", value_label=f"Cumulative net ({currency})", **size)
    return result


def _build():
    args = _args()
    report = services.leadership_report(current_user, args)
    departments = db.session.scalars(select(Department).order_by(Department.name)).all()
    journeys = db.session.scalars(select(Journey).order_by(Journey.name)).all()
    return args, report, departments, journeys


@bp.route("/reports/roi")
def report():
    args, report, departments, journeys = _build()
    return render_template("roi/report.html", args=args, report=report, charts=_charts(report),
                           departments=departments, journeys=journeys, filters=_given())


@bp.route("/reports/roi.csv")
def report_csv():
    """Every initiative of the page's report (same filters) as CSV, for a spreadsheet."""
    return formats.csv_response(services.roi_report(current_user, _args()))


@bp.route("/reports/roi.pdf")
def report_pdf():
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    args, report, departments, journeys = _build()
    # Keyed by the chart's name, the images' alternative text.
    images = {chart.name: "data:image/svg+xml;base64," + base64.b64encode(chart.svg.encode()).decode()
              for chart in _charts(report, compact=True).values()}
    html = render_template("roi/report_pdf.html", args=args, report=report, images=images,
                           department_names={d.id: d.name for d in departments})
    # The charts are embedded as data: URLs; the PDF never fetches anything from the network.
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"])).write_pdf()
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="cxgov-roi.pdf"'})


blueprints = [bp]
