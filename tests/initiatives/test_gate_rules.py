"""The approval gate (SPEC §8.1) and the attribution budget (§8.3) as pure functions: worked
examples and properties."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cxgov.initiatives import attribution
from cxgov.initiatives.readiness import CHECKS, is_ready, missing, readiness


@dataclass
class Flow:
    kind: str
    basis: str = "planned"


def test_a_complete_plan_is_ready():
    checks = readiness([Flow("cost"), Flow("benefit")], ["csat"], date(2027, 6, 30), [])
    assert [c.name for c in checks] == list(CHECKS)
    assert is_ready(checks) and missing(checks) == []
    assert checks[2].detail == "Target date 30 Jun 2027."


def test_an_empty_initiative_misses_everything_but_the_budget():
    checks = readiness([], [], None, [])
    assert missing(checks) == ["business_case", "measurement_plan", "target_on"]
    assert checks[0].detail == "The business case needs a planned cost and a planned benefit."
    assert checks[1].detail == "The measurement plan needs at least one KPI impact."
    assert checks[2].detail == "The initiative needs a target date."


def test_actual_cash_flows_are_no_business_case():
    checks = readiness([Flow("cost"), Flow("benefit", "actual")], ["nps"], date(2027, 1, 1), [])
    assert missing(checks) == ["business_case"]
    assert checks[0].detail == "The business case needs a planned benefit."


def test_an_overdrawn_budget_is_named():
    checks = readiness([Flow("cost"), Flow("benefit")], ["csat"], date(2027, 1, 1), ["CSAT is claimed 150 % in all"])
    assert missing(checks) == ["attribution_budget"]
    assert "CSAT is claimed 150 % in all" in checks[3].detail


@given(kinds=st.lists(st.sampled_from(["cost", "benefit"]), max_size=4), impacts=st.integers(0, 3),
       target=st.booleans(), overdrawn=st.booleans())
def test_ready_exactly_when_every_check_passes(kinds, impacts, target, overdrawn):
    checks = readiness([Flow(k) for k in kinds], range(impacts), date(2027, 1, 1) if target else None,
                       ["x"] if overdrawn else [])
    expected = {"business_case": {"cost", "benefit"} <= set(kinds), "measurement_plan": impacts > 0,
                "target_on": target, "attribution_budget": not overdrawn}
    assert {c.name: c.ok for c in checks} == expected
    assert is_ready(checks) == all(expected.values())
    assert missing(checks) == [name for name in CHECKS if not expected[name]]


# -- the attribution budget ------------------------------------------------------------------------

def test_two_initiatives_cannot_both_claim_the_whole_movement():
    ok, shares = attribution.accept([], Decimal("1"))
    assert ok and shares == [Decimal("1")]
    ok, shares = attribution.accept(shares, Decimal("1"))
    assert not ok and shares == [Decimal("1")]
    assert attribution.available(shares) == Decimal("0")


def test_shares_that_sum_to_exactly_one_fit():
    shares = [Decimal("0.3"), Decimal("0.45")]
    assert not attribution.overdraws(shares, Decimal("0.25"))
    assert attribution.overdraws(shares, Decimal("0.2501"))
    assert attribution.available(shares) == Decimal("0.25")


def test_released_statuses_claim_nothing():
    assert [s for s in ("proposed", "approved", "in_progress", "delivered", "closed", "rejected", "cancelled")
            if attribution.claims_budget(s)] == ["proposed", "approved", "in_progress", "delivered"]


SHARE = st.decimals(min_value=0, max_value=1, places=4)


@settings(max_examples=200)
@given(st.lists(SHARE, max_size=20))
def test_no_accepted_sequence_of_claims_sums_past_one(claims):
    shares = []
    for claim in claims:
        before = list(shares)
        ok, shares = attribution.accept(shares, claim)
        assert ok == (attribution.claimed(before) + claim <= 1)
        assert attribution.claimed(shares) <= attribution.BUDGET
    assert attribution.available(shares) >= 0
