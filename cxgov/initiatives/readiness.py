"""The approval gate (SPEC §8.1) as a pure function: no database, plain values in, checks out.

An initiative is ready for the committee's approval when its business case, its measurement
plan and its target date are there and none of its impacts overdraws an attribution budget
(SPEC §8.3). The checks come in SPEC order; `missing` names the failing ones.
"""
from dataclasses import dataclass

CHECKS = ("business_case", "measurement_plan", "target_on", "attribution_budget")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def readiness(cash_flows, impacts, target_on, budget_overdrawn) -> list[Check]:
    """The four checks of SPEC §8.1, in order.

    `cash_flows`: objects with `kind` and `basis` (only planned ones count); `impacts`: the
    initiative's impacts (only their number counts); `target_on`: a date or None;
    `budget_overdrawn`: the descriptions (plain words) of the impacts whose metric and journey
    budget is overdrawn, empty when none is."""
    planned = {flow.kind for flow in cash_flows if getattr(flow, "basis", "planned") == "planned"}
    lacking = [word for kind, word in (("cost", "a planned cost"), ("benefit", "a planned benefit"))
               if kind not in planned]
    impacts = list(impacts)
    overdrawn = list(budget_overdrawn)
    return [
        Check("business_case", not lacking,
              "Planned costs and benefits are recorded." if not lacking
              else f"The business case needs {' and '.join(lacking)}."),
        Check("measurement_plan", bool(impacts),
              f"{len(impacts)} KPI impact{'s' if len(impacts) != 1 else ''} planned." if impacts
              else "The measurement plan needs at least one KPI impact."),
        Check("target_on", target_on is not None,
              f"Target date {target_on.isoformat()}." if target_on is not None
              else "The initiative needs a target date."),
        Check("attribution_budget", not overdrawn,
              "No impact claims more than what is left of its KPI." if not overdrawn
              else "Claimed beyond 100 %: " + "; ".join(overdrawn) + "."),
    ]


def missing(checks) -> list[str]:
    """The names of the failing checks, in order."""
    return [check.name for check in checks if not check.ok]


def is_ready(checks) -> bool:
    return all(check.ok for check in checks)
