"""Survey scores → KPI values (SPEC §3), as pure functions: integers in, Decimal out.

- NPS from 0–10 scores: % of promoters (9–10) minus % of detractors (0–6), in −100..100.
- CSAT from 1–5 scores: % of satisfied answers (4–5), in 0..100.
- CES from 1–7 scores: the mean, in 1..7.

Results are exact Decimals (a repeating fraction is carried to 28 significant digits); the
database keeps four places.
"""
from decimal import Decimal

HUNDRED = Decimal(100)

SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


def invalid_scores(metric, scores, listed=None):
    """The problems with `scores` for `metric`, one message per bad score naming its index
    (empty when every score is a whole number on the metric's scale). With `listed`, the first
    `listed` messages and then one that counts the others: a million bad answers give 21 lines."""
    low, high = SCALES[metric]
    if not scores:
        return ["Give at least one score."]
    problems, bad = [], 0
    for index, score in enumerate(scores):
        if isinstance(score, bool) or not isinstance(score, int):
            problem = f"index {index}: {score!r} is not a whole number."
        elif not low <= score <= high:
            problem = f"index {index}: {score} is outside {low}..{high}."
        else:
            continue
        bad += 1
        if listed is None or bad <= listed:
            problems.append(problem)
    if listed is not None and bad > listed:
        problems.append(f"… and {bad - listed} more bad scores ({bad} in all).")
    return problems


def count_invalid(metric, scores):
    """How many of `scores` are not whole numbers on `metric`'s scale."""
    low, high = SCALES[metric]
    return sum(1 for score in scores
               if isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high)


def _checked(metric, scores):
    scores = list(scores)
    problems = invalid_scores(metric, scores)
    if problems:
        raise ValueError("; ".join(problems))
    return scores


def nps(scores) -> Decimal:
    """Net Promoter Score: % of 9–10 minus % of 0–6."""
    scores = _checked("nps", scores)
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return Decimal(promoters - detractors) * HUNDRED / Decimal(len(scores))


def csat(scores) -> Decimal:
    """Customer satisfaction: % of 4–5."""
    scores = _checked("csat", scores)
    return Decimal(sum(1 for s in scores if s >= 4)) * HUNDRED / Decimal(len(scores))


def ces(scores) -> Decimal:
    """Customer effort score: the mean of 1–7 answers."""
    scores = _checked("ces", scores)
    return Decimal(sum(scores)) / Decimal(len(scores))


CALCULATIONS = {"nps": nps, "csat": csat, "ces": ces}


def compute(metric, scores) -> Decimal:
    """The value of `metric` ("nps", "csat" or "ces") for `scores`; ValueError when invalid."""
    return CALCULATIONS[metric](scores)
