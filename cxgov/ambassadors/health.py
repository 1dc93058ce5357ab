"""The health score of a department's ambassador network (SPEC §11): a pure function of six parts.

Each part earns whole points up to its weight; the score is their sum, 0..100:

| part | measured in the report's period, up to its end | points |
| --- | --- | --- |
| coverage | the department has an active ambassador | 20 if so, else 0 |
| recency | days since the department's last action | 20 within 7 days, falling linearly to 0 at 60 days; 0 if none |
| cadence | actions per month (a month = 30 days of the period) | 20 × cadence / 2, at most 20 |
| breadth | kinds of action used | 15 × kinds / 4, at most 15 |
| reach | people reached per head of the department (its active users) | 15 × reach, at most 15; 0 with no head |
| ideas_converted | improvement ideas of the period that became initiatives | 10 with at least one, else 0 |

Recognitions are given to an ambassador, not done by them: they count in none of the parts.
Points are rounded half up to whole numbers, so the parts shown always add up to the score.
"""
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext as _

WEIGHTS = {"coverage": 20, "recency": 20, "cadence": 20, "breadth": 15, "reach": 15, "ideas_converted": 10}
FRESH_DAYS = 7  # full recency points up to this many days since the last action
STALE_DAYS = 60  # no recency points from this many days on
CADENCE_TARGET = 2  # actions per month for full points
BREADTH_TARGET = 4  # kinds of action for full points
REACH_TARGET = 1  # people reached per head for full points
IDEAS_TARGET = 1  # converted ideas in the period for full points
MONTH_DAYS = 30
NOT_COUNTED_KINDS = ("recognition",)

FORMULA = (
    "health_score = the sum of six parts' points, each rounded half up to a whole number (0–100). "
    f"coverage: {WEIGHTS['coverage']} points if the department has an active ambassador, else 0. "
    f"recency: {WEIGHTS['recency']} points when the last action is at most {FRESH_DAYS} days before the end of "
    f"the period, falling linearly to 0 at {STALE_DAYS} days; 0 without any action. "
    f"cadence (actions per {MONTH_DAYS}-day month of the period): {WEIGHTS['cadence']} × cadence / "
    f"{CADENCE_TARGET}, at most {WEIGHTS['cadence']}. "
    f"breadth (kinds of action used in the period): {WEIGHTS['breadth']} × kinds / {BREADTH_TARGET}, at most "
    f"{WEIGHTS['breadth']}. "
    f"reach (people reached in the period per active user of the department): {WEIGHTS['reach']} × reach / "
    f"{REACH_TARGET}, at most {WEIGHTS['reach']}; 0 when the department has no active user. "
    f"ideas_converted (improvement ideas of the period that became initiatives): {WEIGHTS['ideas_converted']} "
    f"points with at least {IDEAS_TARGET}, else 0. "
    "Recognitions are given to an ambassador, so they count in no part."
)


def formula():
    """FORMULA in the reader's language, for the pages (the API's `health_formula` stays FORMULA)."""
    return _("The health score is the sum of six parts' points, each rounded half up to a whole number (0–100). "
             "Coverage: %(coverage)s points if the department has an active ambassador, else 0. "
             "Recency: %(recency)s points when the last action is at most %(fresh)s days before the end of the "
             "period, falling linearly to 0 at %(stale)s days; 0 without any action. "
             "Cadence (actions per %(month)s-day month of the period): %(cadence)s × cadence / %(cadence_target)s, "
             "at most %(cadence)s. "
             "Breadth (kinds of action used in the period): %(breadth)s × kinds / %(breadth_target)s, at most "
             "%(breadth)s. "
             "Reach (people reached in the period per active user of the department): %(reach)s × reach / "
             "%(reach_target)s, at most %(reach)s; 0 when the department has no active user. "
             "Ideas converted (improvement ideas of the period that became initiatives): %(ideas)s points with at "
             "least %(ideas_target)s, else 0. "
             "Recognitions are given to an ambassador, so they count in no part.",
             coverage=WEIGHTS["coverage"], recency=WEIGHTS["recency"], fresh=FRESH_DAYS, stale=STALE_DAYS,
             month=MONTH_DAYS, cadence=WEIGHTS["cadence"], cadence_target=CADENCE_TARGET,
             breadth=WEIGHTS["breadth"], breadth_target=BREADTH_TARGET, reach=WEIGHTS["reach"],
             reach_target=REACH_TARGET, ideas=WEIGHTS["ideas_converted"], ideas_target=IDEAS_TARGET)


@dataclass(frozen=True)
class Activity:
    """What the score is computed from, for one department and one period."""

    covered: bool
    days_since_last_action: int | None  # None: no action up to the end of the period
    period_days: int
    actions: int
    kinds_used: int
    people_reached: int
    heads: int
    ideas: int = 0
    ideas_converted: int = 0


def _points(weight, ratio):
    """`weight × ratio`, capped to 0..weight, rounded half up."""
    exact = weight * min(max(Fraction(ratio), Fraction(0)), Fraction(1))
    return int(exact + Fraction(1, 2))


def recency_points(days):
    if days is None:
        return 0
    if days <= FRESH_DAYS:
        return WEIGHTS["recency"]
    return _points(WEIGHTS["recency"], Fraction(STALE_DAYS - days, STALE_DAYS - FRESH_DAYS))


def cadence(actions, period_days):
    """Actions per 30-day month of the period (a period of one day still counts as a day)."""
    return Fraction(actions * MONTH_DAYS, max(period_days, 1))


def reach(people_reached, heads):
    return None if heads <= 0 else Fraction(people_reached, heads)


def _round(value, places=2):
    return None if value is None else round(float(value), places)


def health(activity: Activity) -> dict:
    """{"score": 0..100, "parts": {part: {"value", "points", "max_points"}}} for one department."""
    per_month = cadence(activity.actions, activity.period_days)
    per_head = reach(activity.people_reached, activity.heads)
    parts = {
        "coverage": (activity.covered, WEIGHTS["coverage"] if activity.covered else 0),
        "recency": (activity.days_since_last_action, recency_points(activity.days_since_last_action)),
        "cadence": (_round(per_month), _points(WEIGHTS["cadence"], per_month / CADENCE_TARGET)),
        "breadth": (activity.kinds_used, _points(WEIGHTS["breadth"], Fraction(activity.kinds_used, BREADTH_TARGET))),
        "reach": (_round(per_head), 0 if per_head is None else _points(WEIGHTS["reach"], per_head / REACH_TARGET)),
        "ideas_converted": (activity.ideas_converted,
                            _points(WEIGHTS["ideas_converted"], Fraction(activity.ideas_converted, IDEAS_TARGET))),
    }
    shaped = {name: {"value": value, "points": points, "max_points": WEIGHTS[name]}
              for name, (value, points) in parts.items()}
    shaped["ideas_converted"]["ideas"] = activity.ideas
    return {"score": sum(points for _, points in parts.values()), "parts": shaped}
