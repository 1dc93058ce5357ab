"""The approval gate (SPEC §8.1) as a pure function: no database, plain values in, checks out.

An initiative is ready for the committee's approval when its business case, its measurement
plan and its target date are there and none of its impacts overdraws an attribution budget
(SPEC §8.3). The checks come in SPEC order; `missing` names the failing ones.
"""
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from cxgov import formatting

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
    lacking = [kind for kind in ("cost", "benefit") if kind not in planned]
    needs = {("cost",): _("The business case needs a planned cost."),
             ("benefit",): _("The business case needs a planned benefit."),
             ("cost", "benefit"): _("The business case needs a planned cost and a planned benefit.")}
    impacts = list(impacts)
    overdrawn = list(budget_overdrawn)
    return [
        Check("business_case", not lacking,
              _("Planned costs and benefits are recorded.") if not lacking else needs[tuple(lacking)]),
        Check("measurement_plan", bool(impacts),
              ngettext("%(count)s KPI impact planned.", "%(count)s KPI impacts planned.", len(impacts),
                       count=len(impacts)) if impacts
              else _("The measurement plan needs at least one KPI impact.")),
        Check("target_on", target_on is not None,
              _("Target date %(day)s.", day=formatting.day(target_on)) if target_on is not None
              else _("The initiative needs a target date.")),
        Check("attribution_budget", not overdrawn,
              _("No impact claims more than what is left of its KPI.") if not overdrawn
              else _("Claimed beyond %(whole)s: %(impacts)s.", whole=formatting.percent(1, 0),
                     impacts="; ".join(overdrawn))),
    ]


def missing(checks) -> list[str]:
    """The names of the failing checks, in order."""
    return [check.name for check in checks if not check.ok]


def is_ready(checks) -> bool:
    return all(check.ok for check in checks)
