"""The health score of a department's ambassador network: worked examples and properties."""
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from cxgov.ambassadors.health import FORMULA, WEIGHTS, Activity, health, recency_points

BUSY = Activity(covered=True, days_since_last_action=3, period_days=90, actions=9, kinds_used=5,
                people_reached=120, heads=40, ideas=2, ideas_converted=1)


def _points(result):
    return {name: part["points"] for name, part in result["parts"].items()}


def test_the_weights_add_up_to_100_and_the_formula_names_every_part():
    assert sum(WEIGHTS.values()) == 100
    assert all(name in FORMULA for name in WEIGHTS)


def test_a_busy_department_scores_100():
    result = health(BUSY)
    assert result["score"] == 100
    assert result["parts"]["cadence"] == {"value": 3.0, "points": 20, "max_points": 20}
    assert result["parts"]["reach"] == {"value": 3.0, "points": 15, "max_points": 15}
    assert result["parts"]["ideas_converted"] == {"value": 1, "points": 10, "max_points": 10, "ideas": 2}


def test_an_average_department_worked_example():
    # 11 days since the last action: 20 × (60 − 11) / 53 = 18.49 → 18; 3 actions in 90 days = 1 a month:
    # 20 × 1 / 2 = 10; 3 kinds: 15 × 3 / 4 = 11.25 → 11; 30 people for 60 heads: 15 × 0.5 = 7.5 → 8
    # (half up); one idea, not converted: 0.
    average = Activity(covered=True, days_since_last_action=11, period_days=90, actions=3, kinds_used=3,
                       people_reached=30, heads=60, ideas=1, ideas_converted=0)
    result = health(average)
    assert _points(result) == {"coverage": 20, "recency": 18, "cadence": 10, "breadth": 11, "reach": 8,
                               "ideas_converted": 0}
    assert result["score"] == 67
    assert result["parts"]["recency"]["value"] == 11
    assert result["parts"]["cadence"]["value"] == 1.0
    assert result["parts"]["reach"]["value"] == 0.5


def test_a_silent_uncovered_department_scores_0():
    silent = Activity(covered=False, days_since_last_action=None, period_days=90, actions=0, kinds_used=0,
                      people_reached=0, heads=12)
    result = health(silent)
    assert result["score"] == 0
    assert result["parts"]["coverage"] == {"value": False, "points": 0, "max_points": 20}
    assert result["parts"]["recency"]["value"] is None


def test_a_department_without_people_has_no_reach():
    result = health(replace(BUSY, heads=0))
    assert result["parts"]["reach"] == {"value": None, "points": 0, "max_points": 15}
    assert result["score"] == 85


def test_recency_falls_from_7_to_60_days():
    assert [recency_points(d) for d in (0, 7, 8, 33, 59, 60, 400)] == [20, 20, 20, 10, 0, 0, 0]
    assert recency_points(None) == 0


activities = st.builds(
    Activity,
    covered=st.booleans(),
    days_since_last_action=st.none() | st.integers(0, 5000),
    period_days=st.integers(1, 3661),
    actions=st.integers(0, 10_000),
    kinds_used=st.integers(0, 6),
    people_reached=st.integers(0, 10**7),
    heads=st.integers(0, 10_000),
    ideas=st.integers(0, 100),
    ideas_converted=st.integers(0, 100),
)


@given(activities)
def test_the_score_is_within_0_and_100_and_is_the_sum_of_its_parts(activity):
    result = health(activity)
    assert 0 <= result["score"] <= 100
    assert result["score"] == sum(_points(result).values())
    assert all(0 <= part["points"] <= part["max_points"] for part in result["parts"].values())


@given(activities, st.integers(0, 5000))
def test_more_recent_activity_never_lowers_recency(activity, more_recent):
    days = activity.days_since_last_action
    sooner = min(more_recent, days) if days is not None else more_recent
    before, after = health(activity), health(replace(activity, days_since_last_action=sooner))
    assert after["parts"]["recency"]["points"] >= before["parts"]["recency"]["points"]
    assert after["score"] >= before["score"]


@given(activities)
def test_no_ambassador_means_no_coverage_points(activity):
    result = health(replace(activity, covered=False))
    assert result["parts"]["coverage"]["points"] == 0
    assert health(replace(activity, covered=True))["score"] == result["score"] + WEIGHTS["coverage"]


@given(activities, st.integers(1, 100))
def test_more_actions_never_lower_the_score(activity, extra):
    assert health(replace(activity, actions=activity.actions + extra))["score"] >= health(activity)["score"]
