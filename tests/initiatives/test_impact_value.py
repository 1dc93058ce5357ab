"""annual_value (SPEC §3): worked examples and properties."""
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from cxgov.initiatives.impacts import annual_value

values = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
money = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)
ratios = st.decimals(min_value=0, max_value=1, places=4, allow_nan=False, allow_infinity=False)
directions = st.sampled_from(["higher_is_better", "lower_is_better"])


def test_worked_example_higher_is_better():
    # NPS 20 → 32 with 1,500 a year per point and half the credit: 12 × 1500 × 0.5 = 9000
    assert annual_value(D("32"), D("20"), D("1500"), D("0.5"), "higher_is_better") == D("9000")


def test_worked_example_lower_is_better():
    # churn 8% → 6.5% with 20,000 a year per point, 80% attributed: −1.5 × 20000 × 0.8, flipped = 24000
    assert annual_value(D("6.5"), D("8"), D("20000"), D("0.8"), "lower_is_better") == D("24000")


def test_a_worse_kpi_is_a_negative_value():
    assert annual_value(D("18"), D("20"), D("1000"), D("1"), "higher_is_better") == D("-2000")
    assert annual_value(D("9"), D("8"), D("1000"), D("1"), "lower_is_better") == D("-1000")


def test_no_actual_no_value():
    assert annual_value(None, D("20"), D("1000"), D("1"), "higher_is_better") is None


@given(values, values, money, ratios)
def test_direction_flips_the_sign(actual, baseline, per_unit, attribution):
    up = annual_value(actual, baseline, per_unit, attribution, "higher_is_better")
    down = annual_value(actual, baseline, per_unit, attribution, "lower_is_better")
    assert up == -down


@given(values, values, money, directions)
def test_zero_attribution_is_worth_nothing(actual, baseline, per_unit, direction):
    assert annual_value(actual, baseline, per_unit, D(0), direction) == 0


@given(values, values, money, money, ratios, directions)
def test_linear_in_value_per_unit(actual, baseline, a, b, attribution, direction):
    assert (annual_value(actual, baseline, a + b, attribution, direction)
            == annual_value(actual, baseline, a, attribution, direction)
            + annual_value(actual, baseline, b, attribution, direction))


@given(values, money, ratios, directions)
def test_no_change_is_worth_nothing(baseline, per_unit, attribution, direction):
    assert annual_value(baseline, baseline, per_unit, attribution, direction) == 0
