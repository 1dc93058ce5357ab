"""The portfolio ROI report as JSON data (the shape `ReportSchema` documents) and as CSV.

Formatted here rather than through marshmallow: at ten thousand initiatives the schema would
take longer than computing the report. Money: decimal strings with two places; ROI: a number with
four places; payback: months with one (SPEC §4)."""
import csv
import io
from decimal import ROUND_HALF_UP, localcontext

from flask import Response

from cxgov.formatting import plain_decimal
from cxgov.rest import CENT
from cxgov.roi import services


def _rounded(value, step):
    """A display rounding (`services.rounded`) as the JSON number the schema documents."""
    return None if value is None else float(services.rounded(value, step))


def _money(value):
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _totals(figures):
    return {"pv_costs": _money(figures["pv_costs"]), "pv_benefits": _money(figures["pv_benefits"]),
            "npv": _money(figures["npv"]), "roi": _rounded(figures["roi"], services.ROI_STEP)}


def report_json(report):
    """The report as ReportSchema describes it: money as strings with two places, ROI with four,
    payback in months with one. Only the parts the report has (`services.roi_report`'s
    `include`), and when it is paged what the page is."""
    answer = {
        "basis": report["basis"], "discount_rate": float(report["discount_rate"]),
        "currency": report["currency"], "group_by": report["group_by"],
    }
    if "totals" in report:
        answer["totals"] = _totals(report["totals"])
    if "groups" in report:
        answer["groups"] = [{"key": group["key"], "label": group["label"], "initiatives": group["initiatives"],
                             **_totals(group)} for group in report["groups"]]
    if "rows" in report:
        answer["initiatives"] = _initiatives(report["rows"])
        answer.update(report.get("page", {}))
    return answer


def _initiatives(rows):
    """The report's rows as JSON values. Decimal's own formatting in a context rounding half up
    rounds as `_money` and `_rounded` do (quantize, ROUND_HALF_UP; tests hold them equal) in
    about half the time: at ten thousand initiatives this loop was the larger part of the report's
    time outside the database."""
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        return [{
            "id": row.id, "title": row.title, "status": row.status, "department_id": row.department_id,
            "journey_id": row.journey_id, "category": row.category,
            "pv_costs": format(row.pv_costs, ".2f"), "pv_benefits": format(row.pv_benefits, ".2f"),
            "npv": format(row.npv, ".2f"),
            "roi": None if row.roi is None else float(format(row.roi, ".4f")),
            "payback_months": None if row.payback_months is None else float(format(row.payback_months, ".1f")),
        } for row in rows]


# For a spreadsheet and for programs alike: the department and journey by name, for people, and
# by id, for joining (the id columns are the ones clients have always read); numbers with a dot
# decimal and no thousands separators.
CSV_COLUMNS = ("id", "title", "status", "department", "department_id", "journey", "journey_id", "category",
               "pv_costs", "pv_benefits", "npv", "roi", "payback_months")


def _cell(name, value):
    if value is None:
        return ""
    if name in ("pv_costs", "pv_benefits", "npv"):
        return plain_decimal(value)
    if name == "roi":
        return plain_decimal(value, services.ROI_STEP)
    if name == "payback_months":
        return plain_decimal(value, services.MONTH_STEP)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # a title is text, never a spreadsheet formula
    return value


def csv_text(report):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in report["rows"]:
        writer.writerow([_cell(name, getattr(row, name)) for name in CSV_COLUMNS])
    return buffer.getvalue()


def roi_csv(actor, args):
    """The initiatives of `actor`'s report for `args` as CSV (`csv_text`, UTF-8), made once per
    portfolio version (`services.kept_answer`)."""
    return services.kept_answer("csv", actor, args, lambda: csv_text(services.roi_report(actor, args)).encode())


def csv_response(body):
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": 'attachment; filename="roi.csv"'})


# -- benefits realisation (SPEC §8.6) ---------------------------------------------------------------

BENEFITS_MONEY = ("planned_to_date", "actual_to_date", "measured_annual_value")


def _benefits_figures(figures):
    """Money as strings with two places (None stays null), the realisation a number with four."""
    answer = {name: None if figures[name] is None else _money(figures[name]) for name in BENEFITS_MONEY}
    answer["realisation"] = _rounded(figures["realisation"], services.ROI_STEP)
    return answer


def _row_figures(row):
    return {"planned_to_date": row.planned_to_date, "actual_to_date": row.actual_to_date,
            "realisation": row.realisation, "measured_annual_value": row.measured_annual_value}


def benefits_json(report):
    """The benefits report as BenefitsReportSchema describes it: the parts the report has
    (`benefits.benefits_report`'s `include`), and when it is paged what the page is."""
    def counts(figures):
        return {"initiatives": figures["initiatives"], "below_threshold": figures["below_threshold"]}

    answer = {
        "as_of": report["as_of"].isoformat(), "currency": report["currency"], "group_by": report["group_by"],
        "threshold": float(report["threshold"]),
    }
    if "totals" in report:
        answer["totals"] = {**_benefits_figures(report["totals"]), **counts(report["totals"])}
    if "groups" in report:
        answer["groups"] = [{"key": group["key"], "label": group["label"], **_benefits_figures(group), **counts(group)}
                            for group in report["groups"]]
    if "rows" in report:
        answer["initiatives"] = [{
            "id": row.id, "title": row.title, "status": row.status, "department_id": row.department_id,
            "department": row.department, "journey_id": row.journey_id, "journey": row.journey,
            "category": row.category, "start_on": row.start_on.isoformat() if row.start_on else None,
            "years_to_date": row.years_to_date, "below_threshold": row.below_threshold,
            **_benefits_figures(_row_figures(row)),
        } for row in report["rows"]]
        answer.update(report.get("page", {}))
    return answer


BENEFITS_COLUMNS = ("id", "title", "status", "department", "department_id", "journey", "journey_id", "category",
                    "start_on", "years_to_date", "planned_to_date", "actual_to_date", "realisation",
                    "measured_annual_value")


def _benefits_cell(name, value):
    if name in BENEFITS_MONEY:
        return plain_decimal(value)
    if name == "realisation":
        return plain_decimal(value, services.ROI_STEP)
    if name == "start_on":
        return "" if value is None else value.isoformat()
    return _cell(name, value)


def benefits_csv_response(report):
    """The report's initiatives, one a row, in the report's order (same figures as the JSON)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(BENEFITS_COLUMNS)
    for row in report["rows"]:
        writer.writerow([_benefits_cell(name, getattr(row, name)) for name in BENEFITS_COLUMNS])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="benefits.csv"'})
