"""cxgov.formatting: how a figure, a date or a code reads, by worked examples."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from cxgov import formatting


@pytest.mark.parametrize("value, shown", [
    ("642105.94", "642 k"), ("64210.59", "64.2 k"), ("5902.33", "5.90 k"), ("20632.16", "20.6 k"),
    ("1240000", "1.24 M"), ("12400000", "12.4 M"), ("999950", "1.00 M"), ("9999.5", "10.0 k"),
    ("2500000000", "2.50 bn"), ("-124056.42", "-124 k"), ("-20632.16", "-20.6 k"), ("999.99", "999.99"),
    ("0", "0.00"),
])
def test_compact_money_is_the_amount_in_thousands_millions_billions(app, value, shown):
    with app.app_context():
        assert formatting.money_compact(Decimal(value)) == shown


def test_compact_money_is_never_ten_times_too_small(app):
    """The reported headline: PV costs 642,105.94 once read "64.21 k"."""
    with app.app_context():
        assert formatting.money_compact(Decimal("642105.94"), with_currency=True) == "EUR 642 k"


def test_money(app):
    with app.app_context():
        assert formatting.money(Decimal("1234567.895")) == "1,234,567.90"
        assert formatting.money(Decimal("-0.001")) == "0.00"
        assert formatting.money(None) == "—"
        app.config["CXGOV_CURRENCY"] = "CHF"
        assert formatting.money(Decimal("12.5"), with_currency=True) == "CHF 12.50"


def test_kpi_numbers_never_read_as_an_exponent():
    assert formatting.number(Decimal("20.00")) == "20"  # not "2E+1"
    assert formatting.number(Decimal("1234.50")) == "1,234.5"
    assert formatting.number(Decimal("-0.25")) == "-0.25"


def test_plain_decimal_for_csv_has_no_separators():
    assert formatting.plain_decimal(Decimal("1234567.891")) == "1234567.89"
    assert formatting.plain_decimal(None) == ""


def test_percent_and_the_number_a_person_types():
    assert formatting.percent(Decimal("-0.7756")) == "-77.6 %"
    assert formatting.percent(None) == "—"
    assert formatting.percent_number(Decimal("0.10")) == "10"
    assert formatting.percent_number(Decimal("0.075")) == "7.5"


def test_payback_months():
    assert formatting.months(Decimal("14.44")) == "14.4 months"
    assert formatting.months(Decimal("0")) == "0.0 months"
    assert formatting.months(None) == "never"
    assert formatting.months(None, unturned="not yet") == "not yet"
    # No cash flows: no payback at all, not "0.0 months".
    assert formatting.months(Decimal("0"), has_flows=False) == "—"
    assert formatting.months(Decimal("0"), False, "no business case") == "no business case"


def test_years_covered():
    assert formatting.year_span([1, 0, 1]) == "years 0–1"
    assert formatting.year_span([2]) == "year 2"
    assert formatting.year_span([0, 2]) == "years 0, 2"
    assert formatting.year_span([]) == "no years yet"


def test_one_date_format_and_local_time(app):
    with app.app_context():
        app.config["CXGOV_TIMEZONE"] = "Europe/Zurich"
        assert formatting.day(date(2026, 11, 3)) == "3 Nov 2026"
        assert formatting.day("2026-11-30") == "30 Nov 2026"
        assert formatting.day(None) == "—"
        late = datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)  # already 1 December in Zurich
        assert formatting.day(late) == "1 Dec 2026"
        assert formatting.local_time(late) == "1 Dec 2026, 00:30"
        assert formatting.local_time(late, zone_name=True) == "1 Dec 2026, 00:30 CET"


def test_labels_are_names_not_codes():
    assert formatting.label("in_progress") == "In progress"
    assert formatting.label("churn_rate") == "Churn rate"
    assert formatting.label("approve_initiative") == "Approve initiative"
    assert formatting.label("something_new") == "Something new"


def test_the_filters_are_registered_for_every_template(app):
    with app.app_context():
        render = app.jinja_env.from_string(
            "{{ 642105.94|money_compact }} {{ 0.1|percent }} {{ '2026-11-30'|day }} {{ 'in_progress'|label }}")
        assert render.render() == "642 k 10.0 % 30 Nov 2026 In progress"
