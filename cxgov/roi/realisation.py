"""Benefits realisation (SPEC §8.6) as pure functions: dates and Decimal in, Decimal out, no
database.

- The years to date of an initiative are `0..k`, `k` the whole years since its `start_on`
  (none before it starts, none without a start date); "today" is always passed in.
- Planned to date: the risk-adjusted benefits of its approved baseline in those years,
  undiscounted (`amount × (1 − r)`); actual to date: the same of its actual benefit cash flows.
- Realisation = actual to date / planned to date, None when nothing is planned to date.
- A group's (and the portfolio's) realisation is the ratio of its summed figures, never the mean
  of its initiatives' ratios: a small initiative far behind weighs what its money weighs.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from cxgov.initiatives.calc import DECIMAL128, risk_adjusted

ZERO = Decimal(0)
# Below this share of the benefits planned to date an initiative is flagged (pages, digest).
THRESHOLD = Decimal("0.7")


def years_to_date(start_on: date | None, today: date) -> range:
    """`range(0, k + 1)`, `k` the whole years from `start_on` to `today`; empty before the start
    or without a start date. A year is whole on its anniversary (29 February: on 28 February)."""
    if start_on is None or today < start_on:
        return range(0)
    return range(relativedelta(today, start_on).years + 1)


def benefits_to_date(flows, years: range) -> Decimal:
    """The risk-adjusted benefits of `flows` (calc.Flow) in `years`, undiscounted; costs ignored."""
    return sum((risk_adjusted(flow) for flow in flows if flow.kind == "benefit" and flow.year in years), ZERO)


def realisation(actual_to_date: Decimal, planned_to_date: Decimal) -> Decimal | None:
    """actual / planned; None when nothing is planned to date."""
    if planned_to_date == ZERO:
        return None
    return DECIMAL128.divide(actual_to_date, planned_to_date)


@dataclass(frozen=True)
class ToDate:
    """One initiative's (or one group's) benefits to date."""
    planned_to_date: Decimal
    actual_to_date: Decimal
    measured_annual_value: Decimal | None = None

    @property
    def realisation(self) -> Decimal | None:
        return realisation(self.actual_to_date, self.planned_to_date)

    @property
    def below_threshold(self) -> bool:
        """Flagged: something is planned to date and less than THRESHOLD of it came."""
        ratio = self.realisation
        return ratio is not None and ratio < THRESHOLD


def initiative_to_date(start_on: date | None, today: date, baseline_flows, actual_flows,
                       annual_values=()) -> ToDate:
    """An initiative's figures: its baseline and actual benefit flows in its years to date, and
    the sum of its impacts' `annual_value` (None when none of them has one yet)."""
    years = years_to_date(start_on, today)
    return ToDate(benefits_to_date(baseline_flows, years), benefits_to_date(actual_flows, years),
                  measured_sum(annual_values))


def measured_sum(values) -> Decimal | None:
    """The sum of the values that are known; None when none is (nothing measured yet)."""
    known = [value for value in values if value is not None]
    return sum(known, ZERO) if known else None


def combined(rows) -> ToDate:
    """A group's or the portfolio's figures: the sums of its rows' (the realisation follows as the
    ratio of the sums)."""
    rows = list(rows)
    return ToDate(sum((row.planned_to_date for row in rows), ZERO), sum((row.actual_to_date for row in rows), ZERO),
                  measured_sum(row.measured_annual_value for row in rows))
