"""How cxgov shows a figure, a date or a code to a person: pages, the board PDF, CSV and mails.

Figures stay exact (Decimal) until they reach this module; it only rounds for display. The API
keeps its own machine formats (money as "1234.50", dates as ISO 8601) and never comes here.

One place so that a figure reads the same wherever it appears, and so that a later locale
(thousands separator, decimal mark, month names) changes only this module.
"""
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask import current_app

DASH = "—"
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
# Compact money: the largest unit the amount reaches (1 k = 1,000), with three significant digits:
# "642 k", "64.2 k", "1.24 M", "12.4 M", "124 M".
UNITS = ((Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "k"))


# -- the deployment's settings ------------------------------------------------------------------

def currency():
    return current_app.config["CXGOV_CURRENCY"]


def local_zone(app=None):
    """The time zone the organisation works in (CXGOV_TIMEZONE)."""
    return ZoneInfo((app or current_app).config["CXGOV_TIMEZONE"])


# -- numbers --------------------------------------------------------------------------------------

def _grouped(value: Decimal, step: Decimal) -> str:
    """`value` rounded to `step`, with thousands separators: 12345.678 → "12,345.68"."""
    rounded = value.quantize(step, rounding=ROUND_HALF_UP)
    return f"{abs(rounded) if rounded == 0 else rounded:,}"  # never "-0.00"


def money(value, with_currency=False):
    """12345.678 → "12,345.68" (with_currency: "EUR 12,345.68"); None → "—"."""
    if value is None:
        return DASH
    text = _grouped(Decimal(value), CENT)
    return f"{currency()} {text}" if with_currency else text


def _three_digits(scaled: Decimal) -> Decimal:
    """At least three significant digits: 9.876 → 9.88, 98.76 → 98.8, 987.6 → 988."""
    for places, below in ((2, 10), (1, 100), (0, None)):
        rounded = scaled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if below is None or abs(rounded) < below:
            return rounded


def money_compact(value, with_currency=False):
    """Headline money with three significant digits: 642,105.94 → "642 k", 64,210.59 → "64.2 k",
    1,240,000 → "1.24 M", -20,632.16 → "-20.6 k"; under a thousand, plain money."""
    if value is None:
        return DASH
    value = Decimal(value)
    text = _grouped(value, CENT)
    for index, (size, suffix) in enumerate(UNITS):
        if abs(value) >= size:
            rounded = _three_digits(value / size)
            if abs(rounded) >= 1000 and index > 0:  # 999,950 is "1.00 M", not "1000 k"
                size, suffix = UNITS[index - 1]
                rounded = _three_digits(value / size)
            text = f"{rounded:,} {suffix}"
            break
    return f"{currency()} {text}" if with_currency else text


def number(value):
    """A KPI value as written, without trailing zeros or exponent: 20.00 → "20", 1234.50 → "1,234.5"."""
    if value is None:
        return DASH
    return f"{Decimal(value).normalize():,f}"


def plain_decimal(value, step=CENT):
    """A machine-readable decimal for CSV: dot decimal, no separators; None → ""."""
    return "" if value is None else str(Decimal(value).quantize(step, rounding=ROUND_HALF_UP))


def percent(ratio, places=1):
    """0.1234 → "12.3 %"; None → "—"."""
    if ratio is None:
        return DASH
    return f"{(Decimal(ratio) * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)} %"


def months(value, has_flows=True, without=DASH, unturned="never"):
    """A payback period: "14.5 months"; `unturned` ("never"; for actuals to date, "not yet")
    when the cumulative net does not turn; `without` ("—") when there are no cash flows to have
    a payback at all (not "0.0 months")."""
    if not has_flows:
        return without
    if value is None:
        return unturned
    return f"{Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP)} months"


def percent_number(ratio):
    """A ratio as the number a person types as a percentage: 0.1 → "10", 0.075 → "7.5"."""
    if ratio is None:
        return ""
    number = (Decimal(ratio) * 100).normalize()
    return f"{number:f}"


def year_span(years):
    """[0, 1, 2] → "years 0–2", [3] → "year 3", [] → "no years yet"."""
    years = sorted(set(years))
    if not years:
        return "no years yet"
    if len(years) == 1:
        return f"year {years[0]}"
    if years == list(range(years[0], years[-1] + 1)):
        return f"years {years[0]}–{years[-1]}"
    return "years " + ", ".join(str(y) for y in years)


# -- dates and instants ----------------------------------------------------------------------------

def day(value):
    """One human date everywhere: 2026-11-30 → "30 Nov 2026"; an instant is taken on its local
    day; None → "—"."""
    if value is None or value == "":
        return DASH
    if isinstance(value, str):  # an ISO date a report carries as text
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.astimezone(local_zone()).date()
    return f"{value.day} {value:%b %Y}"


def local_time(value, zone_name=False):
    """An instant in the organisation's time zone: "30 Nov 2026, 14:00" (zone_name: "… CET")."""
    if value is None:
        return DASH
    local = value.astimezone(local_zone())
    text = f"{day(local.date())}, {local:%H:%M}"
    return f"{text} {local.tzname()}" if zone_name and local.tzname() else text


# -- codes -----------------------------------------------------------------------------------------

LABELS = {
    # initiative statuses
    "proposed": "Proposed", "approved": "Approved", "in_progress": "In progress", "delivered": "Delivered",
    "closed": "Closed", "rejected": "Rejected", "cancelled": "Cancelled",
    # bases
    "planned": "Planned", "actual": "Actual to date", "baseline": "Approved baseline",
    # decisions, agenda items
    "approve_initiative": "Approve initiative", "reject_initiative": "Reject initiative",
    "rebaseline_initiative": "Re-baseline initiative", "other": "Other",
    "initiative_review": "Initiative review", "journey_review": "Journey review", "decision": "Decision",
    "information": "Information",
    # decision outcomes (SPEC §8.5), review verdicts
    "pending": "Pending", "in_delivery": "In delivery", "delivered_unmeasured": "Delivered, not measured",
    "measured": "Measured", "realised": "Realised", "not_realised": "Not realised", "superseded": "Superseded",
    "recorded": "Recorded", "achieved": "Achieved", "partly_achieved": "Partly achieved",
    "not_achieved": "Not achieved", "inconclusive": "Inconclusive",
    # journey targets (SPEC §10)
    "met": "Met", "near": "Near", "off": "Off track", "no_data": "No data",
    # meetings, attendance, action items
    "scheduled": "Scheduled", "held": "Held", "invited": "Invited", "accepted": "Accepted", "declined": "Declined",
    "attended": "Attended", "absent": "Absent", "open": "Open", "done": "Done",
    # ambassador actions
    "training": "Training", "customer_story": "Customer story shared", "voc_session": "Voice-of-customer session",
    "improvement_idea": "Improvement idea", "process_fix": "Process fix", "recognition": "Recognition",
    # cash flows, categories
    "cost": "Cost", "benefit": "Benefit", "process": "Process", "digital": "Digital", "people": "People",
    "product": "Product", "policy": "Policy",
    # roles
    "admin": "Admin", "cx_leader": "CX leader", "executive": "Executive", "member": "Member",
    # metrics
    "higher_is_better": "higher is better", "lower_is_better": "lower is better",
    # built-in metrics, when only the code is at hand
    "nps": "Net Promoter Score", "csat": "Customer satisfaction", "ces": "Customer effort score",
    "churn_rate": "Churn rate", "retention_rate": "Retention rate",
}


def label(code):
    """A status, kind, basis or metric code as people say it: "in_progress" → "In progress"."""
    if code is None:
        return DASH
    return LABELS.get(code) or str(code).replace("_", " ").capitalize()


# -- templates -------------------------------------------------------------------------------------

FILTERS = {
    "money": money, "money_compact": money_compact, "percent": percent, "months": months,
    "day": day, "local": local_time, "label": label, "year_span": year_span,
    "percent_number": percent_number, "number": number,
}


def register(app):
    """The filters every template (pages, the PDF, mails) formats with, app-wide."""
    app.jinja_env.filters.update(FILTERS)
