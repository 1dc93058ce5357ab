"""The ROI math of SPEC §3 as pure functions: Decimal in, Decimal out, no database.

Rounding happens only for display (the API rounds money to cents when it serialises).
"""
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext
from functools import lru_cache
from itertools import pairwise

ZERO = Decimal("0")
ONE = Decimal("1")
# The precision of every division (IEEE 754 decimal128).
DECIMAL128 = Context(prec=34)


@dataclass(frozen=True)
class Flow:
    kind: str  # "cost" or "benefit"
    year: int  # 0 = initial, 1..10
    amount: Decimal
    risk_adjustment: Decimal = ZERO


def risk_adjusted(flow: Flow) -> Decimal:
    """A benefit counts amount × (1 − r), a cost counts amount × (1 + r)."""
    if flow.kind == "benefit":
        return flow.amount * (ONE - flow.risk_adjustment)
    return flow.amount * (ONE + flow.risk_adjustment)


@dataclass(frozen=True)
class Year:
    year: int
    costs: Decimal
    benefits: Decimal
    net: Decimal
    cumulative_net: Decimal


def yearly(flows) -> list[Year]:
    """Risk-adjusted, undiscounted costs and benefits for every year from 0 to the last one used."""
    last = max((f.year for f in flows), default=0)
    costs = [ZERO] * (last + 1)
    benefits = [ZERO] * (last + 1)
    for flow in flows:
        target = benefits if flow.kind == "benefit" else costs
        target[flow.year] += risk_adjusted(flow)
    years, cumulative = [], ZERO
    for year in range(last + 1):
        net = benefits[year] - costs[year]
        cumulative += net
        years.append(Year(year, costs[year], benefits[year], net, cumulative))
    return years


def discount_factor(rate: Decimal, year: int) -> Decimal:
    """(1 + d)^t at 34 digits: the same number every time, so it is computed once per (d, t)
    (Decimal powers dominated the portfolio report over thousands of initiatives). Keyed by the
    rate's text so 0.1 and 0.10 keep their own (equal, differently written) factors."""
    return _factor(str(rate), year)


@lru_cache(maxsize=1024)
def _factor(rate: str, year: int) -> Decimal:
    with localcontext() as context:
        context.prec = 34
        return (ONE + Decimal(rate)) ** year


def present_value(amounts_by_year, rate: Decimal) -> Decimal:
    """PV = Σ_t flow_t / (1 + d)^t, year 0 undiscounted. `amounts_by_year`: {year: amount}."""
    with localcontext() as context:
        context.prec = 34
        return sum((amount / discount_factor(rate, year) for year, amount in amounts_by_year.items()), ZERO)


def roi(npv: Decimal, pv_costs: Decimal) -> Decimal | None:
    """ROI = NPV / PV(costs); None when there are no costs."""
    if pv_costs == ZERO:
        return None
    return DECIMAL128.divide(npv, pv_costs)


def payback_months(years: list[Year]) -> Decimal | None:
    """The month at which the cumulative (undiscounted, risk-adjusted) net first reaches zero,
    interpolated linearly inside the year it turns; 0 if year 0 alone is non-negative, None if never."""
    if not years or years[0].cumulative_net >= ZERO:
        return ZERO
    with localcontext() as context:
        context.prec = 34
        for previous, current in pairwise(years):
            if current.cumulative_net >= ZERO:
                fraction = -previous.cumulative_net / current.net
                return Decimal(12) * (current.year - 1) + Decimal(12) * fraction
    return None


@dataclass(frozen=True)
class RoiResult:
    pv_costs: Decimal
    pv_benefits: Decimal
    npv: Decimal
    roi: Decimal | None
    payback_months: Decimal | None
    years: list[Year]


def compute_roi(flows, rate: Decimal) -> RoiResult:
    """Everything SPEC §4's `…/roi` returns, for one initiative's flows of one basis."""
    flows = list(flows)
    years = yearly(flows)
    pv_costs = present_value({y.year: y.costs for y in years}, rate)
    pv_benefits = present_value({y.year: y.benefits for y in years}, rate)
    with localcontext() as context:
        context.prec = 34
        npv = pv_benefits - pv_costs
    return RoiResult(pv_costs, pv_benefits, npv, roi(npv, pv_costs), payback_months(years), years)


def portfolio(results) -> dict:
    """Portfolio totals: sum the PVs first, then take ROI of the sums."""
    results = list(results)
    with localcontext() as context:
        context.prec = 34
        pv_costs = sum((r.pv_costs for r in results), ZERO)
        pv_benefits = sum((r.pv_benefits for r in results), ZERO)
        npv = pv_benefits - pv_costs
    return {"pv_costs": pv_costs, "pv_benefits": pv_benefits, "npv": npv, "roi": roi(npv, pv_costs)}
