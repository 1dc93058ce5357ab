"""The ROI math of SPEC §3 against worked examples done by hand, and its properties."""
from decimal import Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from cxgov.initiatives.calc import (
    Flow,
    compute_roi,
    payback_months,
    portfolio,
    present_value,
    risk_adjusted,
    roi,
    yearly,
)

D = Decimal
TEN = D("0.10")
CENT = D("0.01")


def cents(value):
    return value.quantize(CENT)


def three_year_case():
    """A TEI-style business case with an initial column and risk adjustments.

    year 0: cost 100 000 at r 0.10            → costs 110 000
    year 1: cost  20 000 at r 0               → costs  20 000
            benefit 80 000 at r 0.25          → benefits 60 000
    year 2: cost  20 000 at r 0.05            → costs  21 000
            benefit 100 000 at r 0.20         → benefits 80 000
    year 3: cost  10 000 at r 0               → costs  10 000
            benefit 120 000 at r 0.25         → benefits 90 000
    """
    return [
        Flow("cost", 0, D("100000"), D("0.10")),
        Flow("cost", 1, D("20000")),
        Flow("benefit", 1, D("80000"), D("0.25")),
        Flow("cost", 2, D("20000"), D("0.05")),
        Flow("benefit", 2, D("100000"), D("0.20")),
        Flow("cost", 3, D("10000")),
        Flow("benefit", 3, D("120000"), D("0.25")),
    ]


def test_three_year_case_by_hand():
    result = compute_roi(three_year_case(), TEN)
    # Yearly (risk-adjusted, undiscounted):
    #   costs    110 000 | 20 000 | 21 000 | 10 000
    #   benefits       0 | 60 000 | 80 000 | 90 000
    #   net     −110 000 | 40 000 | 59 000 | 80 000
    #   cumul.  −110 000 |−70 000 |−11 000 | 69 000
    assert [(y.costs, y.benefits, y.net, y.cumulative_net) for y in result.years] == [
        (D("110000"), D("0"), D("-110000"), D("-110000")),
        (D("20000"), D("60000"), D("40000"), D("-70000")),
        (D("21000"), D("80000"), D("59000"), D("-11000")),
        (D("10000"), D("90000"), D("80000"), D("69000")),
    ]
    # PV costs = 110 000 + 20 000/1.1 + 21 000/1.21 + 10 000/1.331
    #          = 110 000 + 18 181.818… + 17 355.372… + 7 513.148… = 153 050.338…
    assert cents(result.pv_costs) == D("153050.34")
    # PV benefits = 60 000/1.1 + 80 000/1.21 + 90 000/1.331
    #             = 54 545.455… + 66 115.702… + 67 618.332… = 188 279.489…
    assert cents(result.pv_benefits) == D("188279.49")
    # NPV = 188 279.489… − 153 050.338… = 35 229.151…
    assert cents(result.npv) == D("35229.15")
    # ROI = 35 229.151… / 153 050.338… = 0.230180…
    assert result.roi.quantize(D("0.000001")) == D("0.230180")
    # Payback: the cumulative net turns in year 3: −11 000 + 80 000 ≥ 0.
    # Inside year 3 it needs 11 000 / 80 000 = 0.1375 of the year: 24 + 12 × 0.1375 = 25.65 months.
    assert result.payback_months == D("25.65")


def test_no_costs_means_no_roi():
    # Benefit 1 000 in year 1 only: PV = 1 000 / 1.1 = 909.09; ROI undefined (null).
    result = compute_roi([Flow("benefit", 1, D("1000"))], TEN)
    assert result.pv_costs == 0
    assert cents(result.pv_benefits) == D("909.09")
    assert cents(result.npv) == D("909.09")
    assert result.roi is None
    assert result.payback_months == 0  # year 0 (nothing) is already non-negative


def test_a_case_that_never_pays_back():
    # Cost 1 000 now, benefits 300 in years 1 and 2: cumulative −1 000, −700, −400: never turns.
    # PV benefits = 300/1.1 + 300/1.21 = 272.727… + 247.934… = 520.661…; NPV = −479.338…
    result = compute_roi([Flow("cost", 0, D("1000")), Flow("benefit", 1, D("300")),
                          Flow("benefit", 2, D("300"))], TEN)
    assert result.payback_months is None
    assert cents(result.pv_benefits) == D("520.66")
    assert cents(result.npv) == D("-479.34")
    assert result.roi.quantize(D("0.0001")) == D("-0.4793")


def test_payback_interpolates_inside_the_year():
    # Cumulative −1 000, −600, +200: turns in year 2 after 600 / 800 = 0.75 of it → 12 + 9 = 21 months.
    result = compute_roi([Flow("cost", 0, D("1000")), Flow("benefit", 1, D("400")),
                          Flow("benefit", 2, D("800"))], TEN)
    assert result.payback_months == D("21")
    # Turns in year 1 after 1 200 / 2 400 = half of it → 6 months.
    assert compute_roi([Flow("cost", 0, D("1200")), Flow("benefit", 1, D("2400"))], TEN).payback_months == 6
    # Reaching exactly zero at the end of year 1 is paying back: 12 months.
    assert compute_roi([Flow("cost", 0, D("500")), Flow("benefit", 1, D("500"))], TEN).payback_months == 12


def test_year_zero_non_negative_pays_back_at_once():
    flows = [Flow("benefit", 0, D("500")), Flow("cost", 0, D("200")), Flow("cost", 1, D("1000"))]
    assert compute_roi(flows, TEN).payback_months == 0


def test_year_zero_is_not_discounted_and_gaps_are_zero_years():
    result = compute_roi([Flow("cost", 0, D("100")), Flow("benefit", 3, D("133.1"))], TEN)
    assert [y.year for y in result.years] == [0, 1, 2, 3]
    assert result.pv_costs == D("100")
    assert result.pv_benefits == D("100")  # 133.1 / 1.1³ exactly
    assert result.npv == 0 and result.roi == 0


def test_no_flows_at_all():
    result = compute_roi([], TEN)
    assert (result.pv_costs, result.pv_benefits, result.npv, result.roi) == (0, 0, 0, None)


def test_risk_adjustment_formulas():
    assert risk_adjusted(Flow("benefit", 1, D("1000"), D("0.15"))) == D("850")
    assert risk_adjusted(Flow("cost", 1, D("1000"), D("0.15"))) == D("1150")


# -- properties ----------------------------------------------------------------------------------

money = st.decimals(min_value=D("0.01"), max_value=D("10000000"), places=2)
ratio = st.decimals(min_value=D("0"), max_value=D("0.9999"), places=4)
rate = st.decimals(min_value=D("0"), max_value=D("1"), places=4)
flow = st.builds(Flow, st.sampled_from(["cost", "benefit"]), st.integers(0, 10), money, ratio)
flows = st.lists(flow, max_size=12)


@settings(max_examples=150)
@given(st.lists(flows, min_size=1, max_size=6), rate)
def test_portfolio_roi_is_roi_of_summed_pvs(cases, d):
    results = [compute_roi(case, d) for case in cases]
    totals = portfolio(results)
    with localcontext() as context:
        context.prec = 34
        pv_costs = sum((r.pv_costs for r in results), D(0))
        pv_benefits = sum((r.pv_benefits for r in results), D(0))
        npv = pv_benefits - pv_costs
    assert totals["pv_costs"] == pv_costs and totals["pv_benefits"] == pv_benefits
    assert totals["npv"] == npv
    assert totals["roi"] == roi(npv, pv_costs)
    # …and PV is linear: the portfolio's PVs equal those of all flows taken as one case.
    together = compute_roi([f for case in cases for f in case], d)
    assert abs(together.pv_costs - pv_costs) < D("1e-18")
    assert abs(together.pv_benefits - pv_benefits) < D("1e-18")
    # It is the cost-weighted mean of the ROIs, not their plain mean: between the extremes.
    if all(r.pv_costs for r in results):
        rois = [r.roi for r in results]
        # 34-digit arithmetic: the tolerance is relative to the size of the ratios.
        tolerance = D("1e-20") * max(D(1), *(abs(x) for x in rois))
        assert min(rois) - tolerance <= totals["roi"] <= max(rois) + tolerance


@given(flows, rate, rate)
def test_a_higher_discount_rate_never_raises_pv_of_future_benefits(case, a, b):
    low, high = sorted((a, b))
    future = {y.year: y.benefits for y in yearly(case) if y.year > 0}
    assert present_value(future, high) <= present_value(future, low)
    # and year 0 is never discounted
    now = {0: sum((risk_adjusted(f) for f in case if f.year == 0 and f.kind == "benefit"), D(0))}
    assert present_value(now, high) == now[0]


@given(flow)
def test_risk_adjustment_never_raises_benefits_nor_lowers_costs(f):
    if f.kind == "benefit":
        assert 0 < risk_adjusted(f) <= f.amount
    else:
        assert risk_adjusted(f) >= f.amount


@given(flows)
def test_pv_at_rate_zero_is_the_plain_sum(case):
    result = compute_roi(case, D(0))
    assert result.pv_costs == sum((risk_adjusted(f) for f in case if f.kind == "cost"), D(0))
    assert result.pv_benefits == sum((risk_adjusted(f) for f in case if f.kind == "benefit"), D(0))


@given(flows, rate)
def test_payback_is_within_the_case_or_null(case, d):
    result = compute_roi(case, d)
    years = yearly(case)
    if result.payback_months is None:
        assert all(y.cumulative_net < 0 for y in years)
    else:
        assert 0 <= result.payback_months <= 12 * years[-1].year
        assert payback_months(years) == result.payback_months
