"""The outcome of a decision (SPEC §8.5), from plain facts: worked examples and properties."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxgov.initiatives.models import REVIEW_VERDICTS, STATUSES
from cxgov.steering.models import DECISION_KINDS
from cxgov.steering.outcomes import OUTCOMES, Facts, outcome

APPROVE = "approve_initiative"


@pytest.mark.parametrize("facts, expected", [
    (Facts(APPROVE, status="approved"), "pending"),
    (Facts(APPROVE, status="proposed"), "pending"),  # recorded, not yet applied
    (Facts(APPROVE, status="in_progress"), "in_delivery"),
    (Facts(APPROVE, status="delivered"), "delivered_unmeasured"),
    (Facts(APPROVE, status="delivered", measured=True), "measured"),
    (Facts(APPROVE, status="delivered", any_verdict=True), "measured"),  # an early review concluded
    (Facts(APPROVE, status="delivered", measured=True, any_verdict=True, final_verdict="achieved"), "realised"),
    (Facts(APPROVE, status="delivered", any_verdict=True, final_verdict="partly_achieved"), "realised"),
    (Facts(APPROVE, status="closed", any_verdict=True, final_verdict="not_achieved"), "not_realised"),
    (Facts(APPROVE, status="closed", any_verdict=True, final_verdict="inconclusive"), "not_realised"),
    (Facts(APPROVE, status="closed"), "delivered_unmeasured"),  # closed without reviews
    (Facts(APPROVE, status="closed", measured=True), "measured"),
    (Facts(APPROVE, status="cancelled"), "cancelled"),
    (Facts(APPROVE, status="cancelled", measured=True, any_verdict=True, final_verdict="achieved"), "realised"),
    (Facts(APPROVE, status="rejected"), "cancelled"),  # rejected instead
    (Facts(APPROVE, status=None), "cancelled"),  # the initiative is gone
    (Facts("reject_initiative", status="rejected"), "rejected"),
    (Facts("reject_initiative", status="approved"), "rejected"),
    (Facts("rebaseline_initiative", status="in_progress"), "recorded"),
    (Facts("other"), "recorded"),
    (Facts(APPROVE, superseded=True, status="delivered", final_verdict="achieved"), "superseded"),
    (Facts("reject_initiative", superseded=True, status="rejected"), "superseded"),
    (Facts("other", superseded=True), "superseded"),
])
def test_worked_examples(facts, expected):
    assert outcome(facts) == expected


def test_every_outcome_has_an_example():
    examples = test_worked_examples.pytestmark[0].args[1]
    assert {expected for _, expected in examples} == set(OUTCOMES)


facts = st.builds(
    Facts, kind=st.sampled_from(DECISION_KINDS), superseded=st.booleans(),
    status=st.none() | st.sampled_from(STATUSES), measured=st.booleans(), any_verdict=st.booleans(),
    final_verdict=st.none() | st.sampled_from(REVIEW_VERDICTS),
)


@given(facts)
def test_the_outcome_is_one_of_the_spec_names(f):
    assert outcome(f) in OUTCOMES


@given(facts)
def test_superseded_always_wins(f):
    assert outcome(Facts(**{**f.__dict__, "superseded": True})) == "superseded"


@given(facts, st.sampled_from(["delivered", "closed"]), st.sampled_from(REVIEW_VERDICTS))
def test_a_final_verdict_decides_a_delivered_approval(f, status, verdict):
    facts_ = Facts(APPROVE, status=status, measured=f.measured, any_verdict=True, final_verdict=verdict)
    expected = "realised" if verdict in ("achieved", "partly_achieved") else "not_realised"
    assert outcome(facts_) == expected


@given(facts)
def test_only_approvals_have_lifecycle_outcomes(f):
    if not f.superseded and f.kind != APPROVE:
        assert outcome(f) == ("rejected" if f.kind == "reject_initiative" else "recorded")


@given(facts)
def test_measuring_never_moves_an_outcome_backwards(f):
    """A measurement arriving turns delivered_unmeasured into measured and changes nothing else."""
    before = outcome(Facts(**{**f.__dict__, "measured": False}))
    after = outcome(Facts(**{**f.__dict__, "measured": True}))
    assert after == before or (before, after) == ("delivered_unmeasured", "measured")
