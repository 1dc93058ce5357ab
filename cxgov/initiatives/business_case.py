"""An initiative's business case in figures: its ROI from its cash flows (SPEC §3, §4
`/api/initiatives/{id}/roi`).

The formulas are `cxgov.initiatives.calc`, computed here in Python with Decimal; the portfolio
report (`cxgov.roi`) computes the same formulas in the database, and tests hold both to the same
results.
"""
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from cxgov import policy
from cxgov.db import load
from cxgov.extensions import db
from cxgov.formatting import currency
from cxgov.initiatives import calc, gate
from cxgov.initiatives.models import CashFlow

ROI_REFUSED = _l("Only the owner, CX leaders, executives and admins see this initiative's ROI.")


def default_rate():
    """CXGOV_DISCOUNT_RATE as the exact decimal it is written as (0.1, not 0.1000000000000000055):
    the one default of every ROI figure, on pages, in reports and in the digest."""
    return Decimal(str(current_app.config["CXGOV_DISCOUNT_RATE"]))


def flows_of(cash_flows, basis):
    """The `calc.Flow`s of `basis` (a baseline's cash flows are all planned ones)."""
    return [calc.Flow(cf.kind, cf.year, cf.amount, cf.risk_adjustment)
            for cf in cash_flows if getattr(cf, "basis", "planned") == basis]


def figures(result):
    return {"pv_costs": result.pv_costs, "pv_benefits": result.pv_benefits, "npv": result.npv, "roi": result.roi}


def initiative_roi(actor, initiative, basis="planned", rate=None):
    """SPEC §4 `…/{id}/roi`: the reports roles, or the initiative's owner."""
    policy.require(policy.view_initiative_roi, actor, initiative, ROI_REFUSED)
    rate = default_rate() if rate is None else Decimal(rate)
    if basis == "baseline":
        baseline = gate.current_baseline(initiative.id)
        flows = [] if baseline is None else flows_of(baseline.cash_flows, "planned")
    else:
        flows = flows_of(load(initiative, "cash_flows").cash_flows, basis)
    result = calc.compute_roi(flows, rate)
    return {"basis": basis, "discount_rate": rate, "currency": currency(), **figures(result),
            "payback_months": result.payback_months, "years": result.years}


def business_cases(actor, initiatives, everyone=False):
    """{initiative id: RoiResult} of the planned cash flows (exactly what `initiative_roi`
    returns) of the `initiatives` that have some and whose ROI `actor` may see (`everyone`: all
    of them, for a copy redacted per reader later): one query."""
    ids = [i.id for i in initiatives if everyone or policy.view_initiative_roi(actor, i)]
    if not ids:
        return {}
    flows = {}
    for cf in db.session.scalars(select(CashFlow).where(CashFlow.initiative_id.in_(ids), CashFlow.basis == "planned")):
        flows.setdefault(cf.initiative_id, []).append(cf)
    rate = default_rate()
    return {ident: calc.compute_roi(flows_of(rows, "planned"), rate) for ident, rows in flows.items()}
