"""How cxgov shows a figure, a date or a code to a person: pages, the board PDF, CSV and mails.

Figures stay exact (Decimal) until they reach this module; it only rounds for display. The API
keeps its own machine formats (money as "1234.50", dates as ISO 8601) and never comes here, and
neither do CSV cells (`plain_decimal`: dot decimal, no separators, whatever the reader's language).

Everything is formatted by Babel with the CLDR conventions of the reader's language
(`cxgov.i18n`): "12,345.68" in English, "12 345,68" in Portugal, "12.345,68" in Brazil and
Romania; "30 Nov 2026", "30/11/2026", "30 de nov. de 2026", "30 nov. 2026". English is written
with British conventions (day before month, 24-hour clock), as a European organisation reads it.
Instants are shown in the reader's time zone (`display_zone`); the organisation's own time zone
(`local_zone`, CXGOV_TIMEZONE) is what schedules and "today" are computed in.
"""
import functools
import re
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import current_app, has_app_context
from flask_babel import get_locale, get_timezone, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

DASH = "—"
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
# Compact money: the largest unit the amount reaches, with three significant digits; the unit is
# the language's own ("642K", "64,2 mil", "1,24 mi", "12,4 mil.").
UNITS = (Decimal(10) ** 9, Decimal(10) ** 6, Decimal(10) ** 3)
# The CLDR data each catalogue's language is formatted with.
FORMAT_LOCALES = {"en": "en_GB"}


# -- the deployment's settings and the reader ---------------------------------------------------

def currency():
    return current_app.config["CXGOV_CURRENCY"]


def local_zone(app=None):
    """The time zone the organisation works in (CXGOV_TIMEZONE): schedules, due days, "today"."""
    return ZoneInfo((app or current_app).config["CXGOV_TIMEZONE"])


_reader_zone = ContextVar("reader_zone", default=None)


@contextmanager
def zone_of_reader(zone_name):
    """Show instants in `zone_name` inside the block (a mail to a person in another zone)."""
    token = _reader_zone.set(ZoneInfo(zone_name) if zone_name else None)
    try:
        yield
    finally:
        _reader_zone.reset(token)


def display_zone():
    """The time zone instants are shown in: the reader's (their account, else CXGOV_TIMEZONE)."""
    zone = _reader_zone.get()
    if zone is not None:
        return zone
    if has_app_context():
        selected = get_timezone()
        return ZoneInfo(str(selected)) if selected is not None else local_zone()
    return ZoneInfo("UTC")


def _language():
    selected = get_locale() if has_app_context() else None
    return _name_of(selected) if selected is not None else "en"


@functools.cache
def _name_of(locale_):
    """A Babel locale's name ("pt_PT"), kept: a page asks for it at every figure and date."""
    return str(locale_)


@functools.cache
def _locale_of(language):
    return Locale.parse(FORMAT_LOCALES.get(language, language))


def locale():
    """The Babel locale figures and dates are formatted with (the reader's language)."""
    return _locale_of(_language())


class Numbers:
    """Plain figures in one language's symbols, for the pages' long tables (hundreds of figures a
    page): Python's own formatting with the locale's group and decimal marks put in, which is what
    Babel's standard decimal patterns write for cxgov's languages (tests/test_formatting.py
    compares them) at a fraction of the cost. `reader_numbers()` gives the reader's, once."""

    def __init__(self, locale_):
        self.marks = str.maketrans({",": babel_numbers.get_group_symbol(locale_),
                                    ".": babel_numbers.get_decimal_symbol(locale_),
                                    "-": babel_numbers.get_minus_sign_symbol(locale_)})
        self.percent_sign = locale_.number_symbols["latn"]["percentSign"]

    def decimal(self, value, places=2):
        """Exactly `places` decimals: 4.5 → "4.50"; None → "—"."""
        if value is None:
            return DASH
        return f"{_rounded(value, Decimal(1).scaleb(-places)):,.{places}f}".translate(self.marks)

    def percent(self, ratio, places=1):
        """0.1234 → "12.3%"; None → "—"."""
        if ratio is None:
            return DASH
        return self.decimal(Decimal(ratio) * 100, places) + self.percent_sign

    def number(self, value):
        """As written, without trailing zeros or exponent: 20.00 → "20", 1234.50 → "1,234.5"."""
        if value is None:
            return DASH
        return f"{Decimal(value).normalize():,f}".translate(self.marks)

    def signed(self, value, places=2):
        """With its sign: 1.5 → "+1.50", -2 → "-2.00"; None → "—"."""
        if value is None:
            return DASH
        text = self.decimal(value, places)
        return text if text.startswith(("-", "−")) or Decimal(value) == 0 else "+" + text


@functools.cache
def _numbers_of(language):
    return Numbers(_locale_of(language))


def reader_numbers():
    """The reader's `Numbers` (look it up once for a table, not once a cell)."""
    return _numbers_of(_language())


# -- numbers --------------------------------------------------------------------------------------

def _rounded(value: Decimal, step: Decimal) -> Decimal:
    rounded = Decimal(value).quantize(step, rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded  # never "-0.00"


# CLDR's currency spacing, which Babel leaves out: a currency code (letters) next to a digit gets a
# no-break space: "CHF12.50" → "CHF 12.50".
_CODE_NEXT_TO_DIGIT = re.compile(r"(?<=[A-Za-z])(?=[\d\-−])|(?<=\d)(?=[A-Za-z]{3})")


def _currency_spaced(text):
    return _CODE_NEXT_TO_DIGIT.sub("\u00a0", text)


def money(value, with_currency=False):
    """12345.678 → "12,345.68" ("12 345,68" in pt_PT; with_currency: "€12,345.68",
    "12 345,68 €"); None → "—"."""
    if value is None:
        return DASH
    if with_currency:
        return _currency_spaced(babel_numbers.format_currency(_rounded(value, CENT), currency(), locale=locale()))
    return reader_numbers().decimal(value, 2)


def _three_digits(scaled: Decimal):
    """At least three significant digits: 9.876 → (9.88, 2), 98.76 → (98.8, 1), 987.6 → (988, 0)."""
    for places, below in ((2, 10), (1, 100), (0, None)):
        rounded = scaled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if below is None or abs(rounded) < below:
            return rounded, places


def money_compact(value, with_currency=False):
    """Headline money with three significant digits in the language's compact units: 642,105.94 →
    "642K", 64,210.59 → "64.2K" ("64,2 mil"), 1,240,000 → "1.24M" ("1,24 mi"), -20,632.16 →
    "-20.6K"; under a thousand, plain money."""
    if value is None:
        return DASH
    value = Decimal(value)
    for index, size in enumerate(UNITS):
        if abs(value) >= size:
            rounded, places = _three_digits(value / size)
            if abs(rounded) >= 1000 and index > 0:  # 999,950 is "1.00M", not "1000K"
                size = UNITS[index - 1]
                rounded, places = _three_digits(value / size)
            shown = rounded * size
            if with_currency:
                return _currency_spaced(babel_numbers.format_compact_currency(
                    shown, currency(), locale=locale(), fraction_digits=places))
            return babel_numbers.format_compact_decimal(shown, locale=locale(), fraction_digits=places)
    return money(value, with_currency)


def number(value):
    """A KPI value as written, without trailing zeros or exponent: 20.00 → "20", 1234.50 →
    "1,234.5" ("1234,5" in pt_PT)."""
    return reader_numbers().number(value)


def decimal(value, places=2):
    """A figure with exactly `places` decimals, in the reader's convention: 4.5 → "4.50"."""
    return reader_numbers().decimal(value, places)


def signed(value, places=2):
    """A change with its sign: 1.5 → "+1.50", -2 → "-2.00"; None → "—"."""
    return reader_numbers().signed(value, places)


def plain_decimal(value, step=CENT):
    """A machine-readable decimal for CSV: dot decimal, no separators; None → ""."""
    return "" if value is None else str(Decimal(value).quantize(step, rounding=ROUND_HALF_UP))


def percent(ratio, places=1):
    """0.1234 → "12.3%" ("12,3%"); None → "—"."""
    return reader_numbers().percent(ratio, places)


def months(value, has_flows=True, without=DASH, unturned=None):
    """A payback period: "14.5 months"; `unturned` ("never"; for actuals to date, "not yet")
    when the cumulative net does not turn; `without` ("—") when there are no cash flows to have
    a payback at all (not "0.0 months")."""
    if not has_flows:
        return without
    if value is None:
        return _("never") if unturned is None else unturned
    rounded = _rounded(value, TENTH)
    return ngettext("%(months)s month", "%(months)s months", 1 if rounded == 1 else 2, months=decimal(rounded, 1))


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
        return _("no years yet")
    if len(years) == 1:
        return _("year %(year)s", year=years[0])
    if years == list(range(years[0], years[-1] + 1)):
        return _("years %(first)s–%(last)s", first=years[0], last=years[-1])
    return _("years %(years)s", years=", ".join(str(y) for y in years))


# -- dates and instants ----------------------------------------------------------------------------

def day(value):
    """One human date everywhere: 2026-11-30 → "30 Nov 2026" ("30/11/2026", "30 de nov. de 2026",
    "30 nov. 2026"); an instant is taken on the reader's local day; None → "—"."""
    if value is None or value == "":
        return DASH
    if isinstance(value, str):  # an ISO date a report carries as text
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.astimezone(display_zone()).date()
    return _medium_day(value, _language())


@functools.lru_cache(maxsize=4096)
def _medium_day(value, language):
    """A date in `language`'s medium form, kept: long tables show the same days again and again."""
    return babel_dates.format_date(value, "medium", locale=_locale_of(language))


def month(value):
    """A month: 2026-11-01 → "November 2026" ("novembro de 2026", "noiembrie 2026")."""
    if value is None:
        return DASH
    return babel_dates.format_skeleton("yMMMM", value, locale=locale())


def local_time(value, zone_name=False):
    """An instant in the reader's time zone: "30 Nov 2026, 14:00" (zone_name: "… CET")."""
    if value is None:
        return DASH
    local = value.astimezone(display_zone())
    text = f"{day(local.date())}, {babel_dates.format_time(local, 'short', locale=locale())}"
    return f"{text} {local.tzname()}" if zone_name and local.tzname() else text


def clock(value):
    """The time of day of an instant in the reader's zone: "14:00"."""
    if value is None:
        return DASH
    return babel_dates.format_time(value.astimezone(display_zone()), "short", locale=locale())


# -- codes -----------------------------------------------------------------------------------------

LABELS = {
    # initiative statuses
    "proposed": _l("Proposed"), "approved": _l("Approved"),
    "in_progress": _l("In progress"), "delivered": _l("Delivered"),
    "closed": _l("Closed"), "rejected": _l("Rejected"), "cancelled": _l("Cancelled"),
    # bases
    "planned": _l("Planned"), "actual": _l("Actual to date"), "baseline": _l("Approved baseline"),
    # decisions, agenda items
    "approve_initiative": _l("Approve initiative"), "reject_initiative": _l("Reject initiative"),
    "rebaseline_initiative": _l("Re-baseline initiative"), "other": _l("Other"),
    "initiative_review": _l("Initiative review"), "journey_review": _l("Journey review"), "decision": _l("Decision"),
    "information": _l("Information"),
    # decision outcomes (SPEC §8.5), review verdicts
    "pending": _l("Pending"), "in_delivery": _l("In delivery"), "delivered_unmeasured": _l("Delivered, not measured"),
    "measured": _l("Measured"), "realised": _l("Realised"),
    "not_realised": _l("Not realised"), "superseded": _l("Superseded"),
    "recorded": _l("Recorded"), "achieved": _l("Achieved"), "partly_achieved": _l("Partly achieved"),
    "not_achieved": _l("Not achieved"), "inconclusive": _l("Inconclusive"),
    # journey targets (SPEC §10)
    "met": _l("Met"), "near": _l("Near"), "off": _l("Off track"), "no_data": _l("No data"),
    # meetings, attendance, action items
    "scheduled": _l("Scheduled"), "held": _l("Held"), "invited": _l("Invited"),
    "accepted": _l("Accepted"), "declined": _l("Declined"),
    "attended": _l("Attended"), "absent": _l("Absent"), "open": _l("Open"), "done": _l("Done"),
    # ambassador actions
    "training": _l("Training"), "customer_story": _l("Customer story shared"),
    "voc_session": _l("Voice-of-customer session"),
    "improvement_idea": _l("Improvement idea"), "process_fix": _l("Process fix"), "recognition": _l("Recognition"),
    # cash flows, categories
    "cost": _l("Cost"), "benefit": _l("Benefit"), "process": _l("Process"),
    "digital": _l("Digital"), "people": _l("People"),
    "product": _l("Product"), "policy": _l("Policy"),
    # roles
    "admin": _l("Admin"), "cx_leader": _l("CX leader"), "executive": _l("Executive"), "member": _l("Member"),
    # metrics
    "higher_is_better": _l("higher is better"), "lower_is_better": _l("lower is better"),
    # built-in metrics, when only the code is at hand
    "nps": _l("Net Promoter Score"), "csat": _l("Customer satisfaction"), "ces": _l("Customer effort score"),
    "churn_rate": _l("Churn rate"), "retention_rate": _l("Retention rate"),
    # journeys
    "draft": _l("Draft"), "active": _l("Active"), "retired": _l("Retired"),
    # notifications (the inbox)
    "meeting_reminder": _l("Meeting reminder"), "action_item_due": _l("Action item due"),
    "action_item_overdue": _l("Action item overdue"), "action_item_escalation": _l("Action item escalation"),
    "measurement_due": _l("Measurement due"), "review_due": _l("Review due"),
    "ambassador_inactive": _l("Ambassador inactive"), "ambassador_inactivity": _l("Ambassador inactivity"),
    "weekly_digest": _l("Weekly digest"), "daily_digest": _l("Daily digest"),
    "password_set_link": _l("Password set link"),
}


def label(code):
    """A status, kind, basis or metric code as people say it: "in_progress" → "In progress"."""
    if code is None:
        return DASH
    known = LABELS.get(code)
    if known is None:
        return str(code).replace("_", " ").capitalize()
    # Each label translated once per language: long tables show the same statuses row after row.
    key = (code, _language())
    text = _translated_labels.get(key)
    if text is None:
        text = _translated_labels[key] = str(known)
    return text


_translated_labels = {}  # {(code, language): its label's text}


# -- templates -------------------------------------------------------------------------------------

FILTERS = {
    "money": money, "money_compact": money_compact, "percent": percent, "months": months,
    "day": day, "local": local_time, "label": label, "year_span": year_span,
    "percent_number": percent_number, "number": number, "decimal": decimal, "signed": signed,
    "month": month, "clock": clock,
}


def register(app):
    """The filters every template (pages, the PDF, mails) formats with, app-wide."""
    app.jinja_env.filters.update(FILTERS)
