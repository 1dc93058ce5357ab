"""The leadership ROI report: /reports/roi (a page, with the benefits realisation of SPEC §8.6),
/reports/roi.pdf (one A4 page for the CEO) and the CSVs of both reports."""
from decimal import Decimal, InvalidOperation

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from cxgov import charts, formatting
from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.journeys.models import Journey
from cxgov.org.models import Department
from cxgov.pdf import pdf_bytes_response, render_pdf
from cxgov.roi import benefits, formats, services
from cxgov.roi.schemas import ReportArgs

bp = Blueprint("roi", __name__)


# -- the report -------------------------------------------------------------------------------------

def _given():
    """The query string without the empty choices a GET form sends ("All"). The page shows the
    funded portfolio unless asked for everything."""
    given = {key: value for key, value in request.args.items() if value.strip() != "" and key != "unmeasured"}
    given.setdefault("portfolio", "funded")
    return given


def _percent_as_rate(given):
    """The page's form takes the discount rate as a percentage (10 for 10 %); the report takes
    the ratio (0.10), as the API does."""
    given = dict(given)
    percent = given.pop("discount_percent", None)
    if percent is None:
        return given
    try:
        rate = Decimal(percent.strip().rstrip("%").strip().replace(",", ".")) / 100
    except InvalidOperation:
        raise Invalid(_("The report's parameters are not valid."),
                      errors={"discount_percent": [_("Give the discount rate as a percentage, e.g. 10.")]}) from None
    if not rate.is_finite() or not 0 <= rate <= 1:
        raise Invalid(_("The report's parameters are not valid."),
                      errors={"discount_percent": [_("Give a percentage from 0 to 100.")]})
    given["discount_rate"] = str(rate)
    return given


def _args():
    try:
        return ReportArgs().load(_percent_as_rate(_given()))
    except ValidationError as error:
        raise Invalid(_("The report's parameters are not valid."), errors=error.messages) from None


def _charts(report, compact=False):
    size = {"width": 5.2, "height": 2.3, "for_print": True} if compact else {}
    currency = report["currency"]
    by_department = report["by"]["department"]
    result = {}
    if by_department:
        result["npv_by_department"] = charts.bar_chart(
            [g["label"] for g in by_department], [g["npv"] for g in by_department],
            title=_("NPV by department (%(currency)s)", currency=currency), category_label=_("Department"),
            value_label=_("NPV (%(currency)s)", currency=currency), tick_format=formatting.money_compact, **size)
    if report["years"]:
        result["cumulative"] = charts.bar_chart(
            [_("Y%(year)s", year=y.year) for y in report["years"]], [y.cumulative_net for y in report["years"]],
            title=_("Cumulative net by year, risk-adjusted, undiscounted (%(currency)s)", currency=currency),
            category_label=_("Year"), value_label=_("Cumulative net (%(currency)s)", currency=currency),
            tick_format=formatting.money_compact, **size)
    return result


def _build(unmeasured):
    args = _args()
    report = services.leadership_report(current_user, args, unmeasured)
    departments = db.session.scalars(select(Department).order_by(Department.name)).all()
    journeys = db.session.scalars(select(Journey).order_by(Journey.name)).all()
    return args, report, departments, journeys


def _benefits(args):
    """The benefits realisation of the page's initiatives (same filters, SPEC §8.6) and those below
    the threshold."""
    report = benefits.benefits_report(current_user, args)
    below = benefits.below_threshold(report)
    # The lowest first; the CSV has every initiative.
    return {"report": report, "below": below[:services.BY_INITIATIVE], "below_count": len(below)}


@bp.route("/reports/roi")
def report():
    """The page lists the first `BY_INITIATIVE` delivered initiatives not measured yet, every one
    with `?unmeasured=all`."""
    unmeasured = None if request.args.get("unmeasured") == "all" else services.BY_INITIATIVE
    args, report, departments, journeys = _build(unmeasured)
    return render_template("roi/report.html", args=args, report=report, charts=_charts(report),
                           benefits=_benefits(args), departments=departments, journeys=journeys, filters=_given())


@bp.route("/reports/roi.csv")
def report_csv():
    """Every initiative of the page's report (same filters) as CSV, for a spreadsheet."""
    return formats.csv_response(formats.roi_csv(current_user, _args()))


@bp.route("/reports/benefits.csv")
def benefits_csv():
    """The benefits realisation of the page's initiatives (same filters) as CSV."""
    return formats.benefits_csv_response(benefits.benefits_report(current_user, _args()))


@bp.route("/reports/roi.pdf")
def report_pdf():
    """One A4 page for the CEO. Its bytes are kept per process, per reader's scope, parameters and
    language, under the tokens of the portfolio and of the measurements (the unmeasured list), as
    the report it shows is: a repeat view reads two tokens, not the report and its layout."""
    language = str(get_locale() or "en")
    pdf = services.kept_answer(("pdf", language), current_user, _args(), lambda: _report_pdf(language),
                               sets=(services.PORTFOLIO_TABLES, services.MEASURED_TABLES))
    return pdf_bytes_response(pdf, "cxgov-roi.pdf")


def _report_pdf(language):
    args, report, departments, journeys = _build(services.BY_INITIATIVE)
    # Keyed by the chart's name, the images' alternative text.
    images = {chart.name: chart.image for chart in _charts(report, compact=True).values()}
    html = render_template("roi/report_pdf.html", args=args, report=report, images=images,
                           lang=language.replace("_", "-"), department_names={d.id: d.name for d in departments})
    return render_pdf(html)  # the charts are embedded as data: URLs


blueprints = [bp]
