"""Benefits realisation (SPEC §8.6) as pure functions: worked examples and properties."""
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from cxgov.initiatives.calc import Flow
from cxgov.roi.realisation import (
    THRESHOLD,
    ToDate,
    benefits_to_date,
    combined,
    initiative_to_date,
    measured_sum,
    realisation,
    years_to_date,
)

D = Decimal


def test_years_to_date():
    start = date(2024, 3, 15)
    assert years_to_date(None, date(2026, 1, 1)) == range(0)  # never started
    assert years_to_date(start, date(2024, 3, 14)) == range(0)  # the day before it starts
    assert list(years_to_date(start, start)) == [0]  # year 0 from the first day
    assert list(years_to_date(start, date(2025, 3, 14))) == [0]
    assert list(years_to_date(start, date(2025, 3, 15))) == [0, 1]  # a whole year on its anniversary
    assert list(years_to_date(start, date(2026, 11, 30))) == [0, 1, 2]
    # Started on 29 February: the year is whole on 28 February of a common year.
    assert list(years_to_date(date(2024, 2, 29), date(2025, 2, 27))) == [0]
    assert list(years_to_date(date(2024, 2, 29), date(2025, 2, 28))) == [0, 1]


def test_a_worked_initiative():
    """Started 1 year and a bit ago: years 0 and 1 count.

    baseline: year 0 benefit 1 000 at r 0.2 → 800; year 1 benefit 2 000 at r 0.5 → 1 000;
              year 2 benefit 5 000 → not yet due; a cost of 9 000 → not a benefit.
    actual:   year 1 benefit 900 at r 0.1 → 810; year 3 benefit 10 000 → not yet due.
    planned to date 1 800, actual to date 810, realisation 0.45.
    """
    baseline = [Flow("benefit", 0, D("1000"), D("0.2")), Flow("benefit", 1, D("2000"), D("0.5")),
                Flow("benefit", 2, D("5000")), Flow("cost", 0, D("9000"))]
    actual = [Flow("benefit", 1, D("900"), D("0.1")), Flow("benefit", 3, D("10000"))]
    figures = initiative_to_date(date(2025, 10, 1), date(2026, 11, 30), baseline, actual,
                                 [D("1200.50"), None, D("-200.50")])
    assert figures == ToDate(D("1800"), D("810"), D("1000.00"))
    assert figures.realisation == D("0.45")
    assert figures.below_threshold


def test_before_the_start_nothing_is_planned_or_realised():
    baseline = [Flow("benefit", 0, D("1000"))]
    figures = initiative_to_date(date(2027, 1, 1), date(2026, 11, 30), baseline, baseline)
    assert (figures.planned_to_date, figures.actual_to_date, figures.realisation) == (0, 0, None)
    assert not figures.below_threshold  # nothing planned yet is not "behind"
    assert figures.measured_annual_value is None  # nothing measured


def test_realisation_and_threshold():
    assert realisation(D("5"), D("0")) is None
    assert realisation(D("0"), D("10")) == 0
    assert realisation(D("7"), D("10")) == THRESHOLD
    assert not ToDate(D("10"), D("7")).below_threshold  # exactly 70 % is not below
    assert ToDate(D("10"), D("6.99")).below_threshold
    assert realisation(D("15"), D("10")) == D("1.5")  # over-delivery is above 100 %


def test_a_group_takes_the_ratio_of_its_sums_not_the_mean_of_ratios():
    big = ToDate(D("9000"), D("9000"), None)  # 100 %
    small = ToDate(D("1000"), D("0"), D("250"))  # 0 %
    group = combined([big, small])
    assert group == ToDate(D("10000"), D("9000"), D("250"))
    assert group.realisation == D("0.9")  # not (1 + 0) / 2
    assert combined([]) == ToDate(D("0"), D("0"), None)
    assert combined([]).realisation is None
    assert measured_sum([None, None]) is None and measured_sum([]) is None


AMOUNTS = st.decimals(min_value=D("0.01"), max_value=D("9999999.99"), places=2)
RISKS = st.sampled_from([D("0"), D("0.1"), D("0.25"), D("0.5"), D("0.9999")])
FLOWS = st.lists(st.builds(Flow, st.sampled_from(["cost", "benefit"]), st.integers(0, 10), AMOUNTS, RISKS),
                 max_size=12)
DATES = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))
INITIATIVES = st.lists(st.tuples(st.one_of(st.none(), DATES), FLOWS, FLOWS,
                                 st.lists(st.one_of(st.none(), AMOUNTS), max_size=3)), max_size=6)


@given(INITIATIVES, DATES)
def test_the_portfolio_realisation_is_the_ratio_of_summed_figures(initiatives, today):
    rows = [initiative_to_date(start, today, planned, actual, values) for start, planned, actual, values in initiatives]
    totals = combined(rows)
    planned = sum((row.planned_to_date for row in rows), D(0))
    actual = sum((row.actual_to_date for row in rows), D(0))
    assert (totals.planned_to_date, totals.actual_to_date) == (planned, actual)
    assert totals.realisation == (None if planned == 0 else realisation(actual, planned))
    # Splitting the portfolio into groups and combining the groups gives the same totals.
    half = len(rows) // 2
    assert combined([combined(rows[:half]), combined(rows[half:])]) == totals


@given(st.one_of(st.none(), DATES), DATES, FLOWS, FLOWS)
def test_to_date_grows_with_time_and_stays_within_the_whole_case(start, today, planned, actual):
    now = initiative_to_date(start, today, planned, actual)
    later = initiative_to_date(start, today + timedelta(days=400), planned, actual)
    assert D(0) <= now.planned_to_date <= later.planned_to_date
    assert now.actual_to_date <= later.actual_to_date
    everything = benefits_to_date(planned, range(11))
    assert now.planned_to_date <= everything
    if start is None or today < start:
        assert (now.planned_to_date, now.actual_to_date, now.realisation) == (0, 0, None)
    if now.realisation is not None:
        assert now.realisation * now.planned_to_date == now.actual_to_date or abs(
            now.realisation * now.planned_to_date - now.actual_to_date) < D("1e-20")
