"""ROI of initiatives and of the portfolio, from their cash flows (SPEC §3).

The formulas live in `cxgov.roi.calc`; this module feeds them. The portfolio report is two
queries whatever the number of initiatives: the initiatives (with their department and journey
names), and one aggregate summing risk-adjusted amounts by (initiative, basis, year, kind).
Discounting happens in Python with Decimal.

"Actual" means the recorded actual cash flows (`basis = actual`). The KPI impacts' `annual_value`
is not added to actual benefits automatically: a measured impact is turned into money by
recording it as an actual benefit cash flow, so nothing is counted twice.
"""
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import contains_eager

from cxgov import policy
from cxgov.extensions import db
from cxgov.initiatives.models import CashFlow, Impact, Initiative
from cxgov.journeys.models import Journey, Measurement
from cxgov.org.models import Department
from cxgov.roi import calc

# Risk-adjusted amounts have at most 2 (money) + 4 (ratio) decimal places.
EXACT = Decimal("0.000001")
# Display steps: ROI as a ratio with 4 places, payback in months with one.
ROI_STEP = Decimal("0.0001")
MONTH_STEP = Decimal("0.1")
FILTERS = ("department_id", "journey_id", "status", "category")
# What leadership paid for: the initiatives past the committee's approval gate.
FUNDED = ("approved", "in_progress", "delivered", "closed")


def rounded(value, step):
    return None if value is None else value.quantize(step, rounding=ROUND_HALF_UP)


def default_rate():
    return Decimal(str(current_app.config["CXGOV_DISCOUNT_RATE"]))


def currency():
    return current_app.config["CXGOV_CURRENCY"]


def flows_of(cash_flows, basis):
    return [calc.Flow(cf.kind, cf.year, cf.amount, cf.risk_adjustment) for cf in cash_flows if cf.basis == basis]


def initiative_roi(actor, initiative, basis="planned", rate=None):
    """SPEC §4 `…/{id}/roi`: the reports roles, or the initiative's owner."""
    policy.require(policy.view_initiative_roi, actor, initiative,
                   "Only the owner, CX leaders, executives and admins see this initiative's ROI.")
    rate = default_rate() if rate is None else Decimal(rate)
    result = calc.compute_roi(flows_of(initiative.cash_flows, basis), rate)
    return {"basis": basis, "discount_rate": rate, "currency": currency(), **_figures(result),
            "payback_months": result.payback_months, "years": result.years}


def _figures(result):
    return {"pv_costs": result.pv_costs, "pv_benefits": result.pv_benefits, "npv": result.npv, "roi": result.roi}


# -- the portfolio ----------------------------------------------------------------------------------

def scope(actor, args):
    """The initiatives a report covers: the filters, and for members only their own (SPEC §5)."""
    conditions = [getattr(Initiative, name) == args[name] for name in FILTERS if args.get(name) is not None]
    if args.get("portfolio") == "funded":
        conditions.append(Initiative.status.in_(FUNDED))
    if not policy.view_reports(actor):
        conditions.append(Initiative.owner_id == actor.id)
    return conditions


def load_initiatives(conditions):
    """The initiatives in scope with their department and journey names: one query."""
    stmt = (
        select(Initiative, Department.name)
        .join(Department, Department.id == Initiative.department_id)
        .join(Initiative.journey)
        .options(contains_eager(Initiative.journey))
        .where(*conditions)
        .order_by(Initiative.id)
    )
    return [(initiative, department) for initiative, department in db.session.execute(stmt)]


def aggregate_flows(conditions, bases):
    """{(basis, initiative_id): [Flow]} of risk-adjusted yearly sums: one query."""
    adjusted = case(
        (CashFlow.kind == "benefit", CashFlow.amount * (1 - CashFlow.risk_adjustment)),
        else_=CashFlow.amount * (1 + CashFlow.risk_adjustment),
    )
    in_scope = select(Initiative.id).where(*conditions)
    stmt = (
        select(CashFlow.initiative_id, CashFlow.basis, CashFlow.year, CashFlow.kind,
               sa.type_coerce(func.sum(adjusted), sa.Numeric(24, 6, asdecimal=True)))
        .where(CashFlow.initiative_id.in_(in_scope), CashFlow.basis.in_(bases))
        .group_by(CashFlow.initiative_id, CashFlow.basis, CashFlow.year, CashFlow.kind)
    )
    flows = defaultdict(list)
    for initiative_id, basis, year, kind, total in db.session.execute(stmt):
        # SQLite sums in floating point: bring it back to the exact decimal it stands for.
        amount = Decimal(str(total)).quantize(EXACT)
        flows[(basis, initiative_id)].append(calc.Flow(kind, year, amount))
    return flows


@dataclass
class Row:
    initiative: Initiative
    department: str
    result: calc.RoiResult


def portfolio_rows(actor, args, bases, rate):
    """{basis: [Row]} for every initiative in scope (initiatives without flows included)."""
    conditions = scope(actor, args)
    initiatives = load_initiatives(conditions)
    flows = aggregate_flows(conditions, bases)
    return {
        basis: [Row(initiative, department, calc.compute_roi(flows.get((basis, initiative.id), []), rate))
                for initiative, department in initiatives]
        for basis in bases
    }


GROUP_KEYS = {
    "department": lambda row: (row.initiative.department_id, row.department),
    "journey": lambda row: (row.initiative.journey_id, row.initiative.journey.name),
    "status": lambda row: (row.initiative.status, row.initiative.status.replace("_", " ")),
    "category": lambda row: (row.initiative.category, row.initiative.category),
}


def groups(rows, group_by):
    buckets = {}
    for row in rows:
        key, label = GROUP_KEYS[group_by](row)
        buckets.setdefault((key, label), []).append(row)
    return sorted(
        ({"key": key, "label": label, "initiatives": len(members),
          **calc.portfolio([m.result for m in members])} for (key, label), members in buckets.items()),
        key=lambda group: str(group["label"]).lower(),
    )


def report_row(row):
    initiative = row.initiative
    return {"id": initiative.id, "title": initiative.title, "status": initiative.status,
            "department_id": initiative.department_id, "journey_id": initiative.journey_id,
            "category": initiative.category, **_figures(row.result),
            "payback_months": row.result.payback_months}


def roi_report(actor, args):
    """SPEC §4 `/api/reports/roi`: totals (PVs summed, then ROI), groups and one row per initiative."""
    policy.require(policy.read, actor)
    basis = args.get("basis") or "planned"
    rate = args.get("discount_rate")
    rate = default_rate() if rate is None else Decimal(rate)
    group_by = args.get("group_by") or "department"
    rows = portfolio_rows(actor, args, [basis], rate)[basis]
    return {
        "basis": basis, "discount_rate": rate, "currency": currency(), "group_by": group_by,
        "totals": calc.portfolio([row.result for row in rows]),
        "groups": groups(rows, group_by),
        "initiatives": [report_row(row) for row in rows],
    }


def combined_payback(rows):
    """Payback of the portfolio as if it were one initiative: its yearly nets summed."""
    flows = []
    for row in rows:
        for year in row.result.years:
            if year.costs:
                flows.append(calc.Flow("cost", year.year, year.costs))
            if year.benefits:
                flows.append(calc.Flow("benefit", year.year, year.benefits))
    if not flows:
        return None, []
    years = calc.yearly(flows)
    return calc.payback_months(years), years


def not_yet_measured(actor, args):
    """Delivered (or closed) initiatives with impacts of which at least one has no measurement
    of its metric on its journey in a period starting after delivery: one query."""
    measured = exists().where(
        Measurement.metric_id == Impact.metric_id,
        Measurement.journey_id == Impact.journey_id,
        Measurement.period_start > Initiative.delivered_on,
    ).correlate(Impact, Initiative)
    unmeasured_impact = exists().where(Impact.initiative_id == Initiative.id, ~measured).correlate(Initiative)
    stmt = (
        select(Initiative)
        .where(Initiative.status.in_(("delivered", "closed")), unmeasured_impact, *scope(actor, args))
        .order_by(Initiative.delivered_on, Initiative.id)
    )
    return db.session.scalars(stmt).all()


def leadership_report(actor, args):
    """Everything the /reports/roi page and its PDF show, for both bases at once."""
    policy.require(policy.read, actor)
    basis = args.get("basis") or "planned"
    rate = args.get("discount_rate")
    rate = default_rate() if rate is None else Decimal(rate)
    by_basis = portfolio_rows(actor, args, ["planned", "actual"], rate)
    rows = by_basis[basis]
    payback, years = combined_payback(rows)
    ranked = sorted((row for row in rows if row.result.pv_costs or row.result.pv_benefits),
                    key=lambda row: row.result.npv, reverse=True)
    actual_by_id = {row.initiative.id: row.result for row in by_basis["actual"]}
    planned_vs_actual = [
        {"initiative": row.initiative, "planned": row.result, "actual": actual_by_id[row.initiative.id]}
        for row in by_basis["planned"]
    ]
    return {
        "basis": basis,
        "discount_rate": rate,
        "currency": currency(),
        "restricted": not policy.view_reports(actor),
        "count": len(rows),
        "totals": {**calc.portfolio([row.result for row in rows]), "payback_months": payback},
        "totals_by_basis": {b: calc.portfolio([row.result for row in by_basis[b]]) for b in by_basis},
        "years": years,
        "by": {name: groups(rows, name) for name in ("department", "journey", "category")},
        "planned_vs_actual": planned_vs_actual,
        "top": ranked[:5],
        # The weakest five, worst first, never repeating one already among the top five.
        "bottom": list(reversed(ranked[max(5, len(ranked) - 5):])),
        "unmeasured": not_yet_measured(actor, args),
        "rows": rows,
    }
