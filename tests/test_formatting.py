"""cxgov.formatting: how a figure, a date or a code reads, by worked examples."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxgov import formatting


@pytest.mark.parametrize("value, shown", [
    ("642105.94", "642K"), ("64210.59", "64.2K"), ("5902.33", "5.9K"), ("20632.16", "20.6K"),
    ("1240000", "1.24M"), ("12400000", "12.4M"), ("999950", "1M"), ("9999.5", "10K"),
    ("2500000000", "2.5B"), ("-124056.42", "-124K"), ("-20632.16", "-20.6K"), ("999.99", "999.99"),
    ("0", "0.00"),
])
def test_compact_money_is_the_amount_in_thousands_millions_billions(app, value, shown):
    with app.app_context():
        assert formatting.money_compact(Decimal(value)) == shown


def test_compact_money_is_never_ten_times_too_small(app):
    """The reported headline: PV costs 642,105.94 once read "64.21 k"."""
    with app.app_context():
        assert formatting.money_compact(Decimal("642105.94"), with_currency=True) == "€642K"


def test_money(app):
    with app.app_context():
        assert formatting.money(Decimal("1234567.895")) == "1,234,567.90"
        assert formatting.money(Decimal("-0.001")) == "0.00"
        assert formatting.money(None) == "—"
        app.config["CXGOV_CURRENCY"] = "CHF"
        assert formatting.money(Decimal("12.5"), with_currency=True) == "CHF\xa012.50"  # CLDR spacing


def test_kpi_numbers_never_read_as_an_exponent():
    assert formatting.number(Decimal("20.00")) == "20"  # not "2E+1"
    assert formatting.number(Decimal("1234.50")) == "1,234.5"
    assert formatting.number(Decimal("-0.25")) == "-0.25"


def test_plain_decimal_for_csv_has_no_separators():
    assert formatting.plain_decimal(Decimal("1234567.891")) == "1234567.89"
    assert formatting.plain_decimal(None) == ""


def test_percent_and_the_number_a_person_types():
    assert formatting.percent(Decimal("-0.7756")) == "-77.6%"
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
        assert render.render() == "642K 10.0% 30 Nov 2026 In progress"


@pytest.mark.parametrize("language, money, compact, day, local, percent", [
    ("en", "1,234,567.90", "€1.24M", "30 Nov 2026", "1 Dec 2026, 00:30", "12.3%"),
    ("pt_PT", "1\xa0234\xa0567,90", "1,24\xa0M\xa0€", "30/11/2026", "01/12/2026, 00:30", "12,3%"),
    ("pt_BR", "1.234.567,90", "€\xa01,24\xa0mi", "30 de nov. de 2026", "1 de dez. de 2026, 00:30", "12,3%"),
    ("ro", "1.234.567,90", "1,24\xa0mil.\xa0EUR", "30 nov. 2026", "1 dec. 2026, 00:30", "12,3%"),
])
def test_each_language_reads_its_own_conventions(app, language, money, compact, day, local, percent):
    from flask_babel import force_locale

    app.config["CXGOV_TIMEZONE"] = "Europe/Zurich"
    with app.test_request_context("/"), force_locale(language):
        assert formatting.money(Decimal("1234567.895")) == money
        assert formatting.money_compact(Decimal("1240000"), with_currency=True) == compact
        assert formatting.day(date(2026, 11, 30)) == day
        assert formatting.local_time(datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)) == local
        assert formatting.percent(Decimal("0.1234")) == percent


def test_a_reader_elsewhere_sees_instants_in_their_own_zone(app):
    with app.test_request_context("/"):
        late = datetime(2026, 11, 30, 23, 30, tzinfo=timezone.utc)
        with formatting.zone_of_reader("America/Sao_Paulo"):
            assert formatting.local_time(late) == "30 Nov 2026, 20:30"
        assert formatting.local_time(late) == "30 Nov 2026, 23:30"


@given(value=st.decimals(min_value=-10**12, max_value=10**12, allow_nan=False, allow_infinity=False, places=6),
       places=st.integers(0, 4))
@settings(max_examples=300, deadline=None)
def test_the_fast_figures_write_what_babel_writes(value, places):
    """`Numbers` (the tables' and every page's fast path for money and percentages) against Babel's
    own decimal and percent formatting, in every language."""
    from babel import numbers as babel_numbers

    for language in ("en", "pt_PT", "pt_BR", "ro"):
        locale = formatting._locale_of(language)
        fast = formatting._numbers_of(language)
        rounded = formatting._rounded(value, Decimal(1).scaleb(-places))
        pattern = "#,##0" + ("." + "0" * places if places else "")
        assert fast.decimal(value, places) == babel_numbers.format_decimal(rounded, format=pattern, locale=locale)
        assert fast.number(value) == babel_numbers.format_decimal(value.normalize(), locale=locale,
                                                                  decimal_quantization=False)
        ratio = value / 100
        assert fast.percent(ratio, places) == babel_numbers.format_percent(
            formatting._rounded(ratio * 100, Decimal(1).scaleb(-places)) / 100, format=pattern + "%", locale=locale)
