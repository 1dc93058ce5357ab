"""The attribution budget (SPEC §8.3) as pure functions: Decimal in, Decimal out.

Impacts on the same metric and journey of initiatives still alive (not rejected, cancelled or
closed) share one budget: their `attribution` sums to at most 1, so no KPI movement is counted
twice. The database side (which impacts share a budget, the lock that serialises claims) is in
`cxgov.initiatives.gate`.
"""
from decimal import Decimal

BUDGET = Decimal("1")
# Initiatives in these statuses no longer claim any share of a KPI movement.
RELEASED = frozenset({"rejected", "cancelled", "closed"})


def claims_budget(status) -> bool:
    """Whether an initiative in `status` holds its impacts' shares."""
    return status not in RELEASED


def claimed(shares) -> Decimal:
    """The share of one metric and journey claimed by `shares` (their attributions)."""
    return sum((Decimal(share) for share in shares), Decimal("0"))


def available(others) -> Decimal:
    """What is left of the budget once the `others` (attributions) are counted; may be negative
    when existing data already overdraws it."""
    return BUDGET - claimed(others)


def overdraws(others, attribution) -> bool:
    """Whether claiming `attribution` next to the `others` sums past 1."""
    return claimed(others) + Decimal(attribution) > BUDGET


def accept(shares, attribution):
    """A budget after a claim: `shares` plus `attribution` when it fits, unchanged otherwise.
    Returns (accepted, shares)."""
    if overdraws(shares, attribution):
        return False, list(shares)
    return True, [*shares, Decimal(attribution)]
