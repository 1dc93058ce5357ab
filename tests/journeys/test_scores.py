"""NPS, CSAT and CES from raw answers (SPEC §3): worked examples and properties."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxgov.journeys.scores import ces, compute, csat, invalid_scores, nps

nps_scores = st.lists(st.integers(0, 10), min_size=1, max_size=200)
csat_scores = st.lists(st.integers(1, 5), min_size=1, max_size=200)
ces_scores = st.lists(st.integers(1, 7), min_size=1, max_size=200)


def test_nps_worked_example():
    # 10 answers: 5 promoters (9, 10), 2 passives (7, 8), 3 detractors (0..6) → 50% − 30% = 20
    assert nps([10, 9, 9, 10, 9, 7, 8, 6, 0, 3]) == Decimal(20)


def test_nps_extremes_and_thirds():
    assert nps([10, 9]) == 100
    assert nps([0, 6]) == -100
    assert nps([7, 8]) == 0
    # one promoter of three: 33.33…, exact to Decimal precision
    assert nps([9, 7, 8]).quantize(Decimal("0.0001")) == Decimal("33.3333")


def test_csat_worked_example():
    # 4 of 5 answers are 4 or 5 → 80%
    assert csat([5, 4, 4, 5, 3]) == Decimal(80)
    assert csat([1, 2, 3]) == 0


def test_ces_worked_example():
    assert ces([1, 2, 3, 4]) == Decimal("2.5")
    assert ces([7]) == 7


def test_compute_dispatches():
    assert compute("nps", [9]) == 100
    assert compute("csat", [4]) == 100
    assert compute("ces", [3, 5]) == 4


@pytest.mark.parametrize("metric, scores, message", [
    ("nps", [11], "index 0: 11 is outside 0..10."),
    ("nps", [5, -1], "index 1: -1 is outside 0..10."),
    ("csat", [0], "index 0: 0 is outside 1..5."),
    ("ces", [8], "index 0: 8 is outside 1..7."),
    ("nps", [9.5], "index 0: 9.5 is not a whole number."),
    ("nps", ["9"], "index 0: '9' is not a whole number."),
    ("nps", [True], "index 0: True is not a whole number."),
])
def test_bad_scores_are_named_by_index(metric, scores, message):
    assert invalid_scores(metric, scores) == [message]
    with pytest.raises(ValueError):
        compute(metric, scores)


def test_no_scores_is_refused():
    assert invalid_scores("nps", []) == ["Give at least one score."]
    with pytest.raises(ValueError):
        nps([])


@given(nps_scores)
def test_nps_lies_between_minus_and_plus_hundred(scores):
    assert -100 <= nps(scores) <= 100


@given(st.lists(st.integers(9, 10), min_size=1, max_size=100))
def test_all_promoters_give_hundred(scores):
    assert nps(scores) == 100


@given(nps_scores, st.integers(0, 6))
def test_adding_a_detractor_never_raises_nps(scores, detractor):
    assert nps(scores + [detractor]) <= nps(scores)


@given(nps_scores, st.integers(9, 10))
def test_adding_a_promoter_never_lowers_nps(scores, promoter):
    assert nps(scores + [promoter]) >= nps(scores)


@given(nps_scores)
def test_nps_ignores_order(scores):
    assert nps(list(reversed(scores))) == nps(scores)


@given(csat_scores)
def test_csat_is_a_percentage(scores):
    assert 0 <= csat(scores) <= 100


@given(ces_scores)
def test_ces_is_the_mean_within_the_scale(scores):
    value = ces(scores)
    assert 1 <= value <= 7
    assert value * len(scores) == pytest.approx(sum(scores))
    assert min(scores) <= value <= max(scores)
