"""ROI of initiatives and of the portfolio, from their cash flows (SPEC §3).

The formulas live in `cxgov.initiatives.calc`; one initiative's ROI is computed there, in Python
with Decimal (`cxgov.initiatives.business_case`).
The portfolio report computes the same formulas in the database, one query per basis
whatever the number of initiatives (`figures_statement`), so thousands of initiatives cost one
aggregate rather than thousands of Python computations; tests hold both to the same results.

"Actual" means the recorded actual cash flows (`basis = actual`); "baseline" the planned cash
flows frozen when the committee approved the initiative (SPEC §8.2, its newest baseline;
initiatives without one contribute nothing). The KPI impacts' `annual_value`
is not added to actual benefits automatically: a measured impact is turned into money by
recording it as an actual benefit cash flow, so nothing is counted twice.
"""
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter

import sqlalchemy as sa
from sqlalchemy import and_, case, exists, func, select

from cxgov import data_versions, policy
from cxgov.extensions import db
from cxgov.formatting import currency
from cxgov.initiatives import calc, gate
from cxgov.initiatives.business_case import default_rate
from cxgov.initiatives.models import Baseline, BaselineCashFlow, CashFlow, Impact, Initiative
from cxgov.journeys.models import MEASURED_TABLES, Journey, Measurement
from cxgov.lru import SizedLRU
from cxgov.org.models import Department

# Risk-adjusted amounts have at most 2 (money) + 4 (ratio) decimal places.
EXACT = Decimal("0.000001")
# Display steps: ROI as a ratio with 4 places, payback in months with one.
ROI_STEP = Decimal("0.0001")
MONTH_STEP = Decimal("0.1")
FILTERS = ("department_id", "journey_id", "status", "category")
# What leadership paid for: the initiatives past the committee's approval gate.
FUNDED = ("approved", "in_progress", "delivered", "closed")
# How many initiatives the page's planned-vs-actual table lists.
BY_INITIATIVE = 50
# The bases of every ROI figure: the business case, the actuals, the approved baseline.
ROI_BASES = ("planned", "actual", "baseline")
# The parts of a portfolio report (SPEC §4), all of them unless a caller asks for fewer.
PARTS = ("totals", "groups", "initiatives")
# Initiatives per page when a caller gives `page` without `page_size`: as lists (SPEC §4).
PAGE_SIZE = 50


def rounded(value, step):
    return None if value is None else value.quantize(step, rounding=ROUND_HALF_UP)


# -- the portfolio ----------------------------------------------------------------------------------

def filtered(args):
    """The conditions of the report's filters (for a job, which reads for no one in particular)."""
    conditions = [getattr(Initiative, name) == args[name] for name in FILTERS if args.get(name) is not None]
    if args.get("portfolio") == "funded":
        conditions.append(Initiative.status.in_(FUNDED))
    return conditions


def scope(actor, args):
    """The initiatives a report covers: the filters, and for members only their own (SPEC §5)."""
    conditions = filtered(args)
    if not policy.view_reports(actor):
        conditions.append(Initiative.owner_id == actor.id)
    return conditions


NUMBER = sa.Numeric(asdecimal=True)
# At most 10 years (the `year_range` check of cash flows).
YEARS = range(11)


def _number(value):
    return sa.literal(value, NUMBER)


def flows_in_scope(conditions):
    """The condition on cash flows for initiatives in scope (none for the whole portfolio: every
    cash flow belongs to an initiative)."""
    return [CashFlow.initiative_id.in_(select(Initiative.id).where(*conditions))] if conditions else []


def _exact(expression):
    """A net of risk-adjusted amounts at the six places it exactly has (2 for money, 4 for the
    risk), for the comparisons payback makes. A no-op on PostgreSQL, which sums `numeric`
    exactly; on SQLite, which sums in floating point, it removes the noise
    (100 × 1.1 − 110 = 1.4e-14) before the net is compared with zero."""
    return sa.type_coerce(func.round(expression, 6), NUMBER)


def flows_source(basis, conditions):
    """(columns, where) of the cash flows of `basis` in scope: `columns` has `initiative_id`,
    `year`, `kind`, `amount` and `risk_adjustment`. Planned and actual are rows of cash_flows;
    the baseline is each initiative's newest baseline's frozen cash flows."""
    if basis != "baseline":
        return CashFlow.__table__.c, [CashFlow.basis == basis, *flows_in_scope(conditions)]
    in_scope = [Baseline.initiative_id.in_(select(Initiative.id).where(*conditions))] if conditions else []
    frozen = (select(Baseline.initiative_id, BaselineCashFlow.year, BaselineCashFlow.kind, BaselineCashFlow.amount,
                     BaselineCashFlow.risk_adjustment)
              .join(Baseline, Baseline.id == BaselineCashFlow.baseline_id)
              .where(Baseline.id.in_(gate.current_ids()), *in_scope)
              .subquery("baseline_flows"))
    return frozen.c, []


def adjusted_sum(kind, flows=CashFlow.__table__.c):
    factor = (1 - flows.risk_adjustment) if kind == "benefit" else (1 + flows.risk_adjustment)
    return sa.type_coerce(func.sum(case((flows.kind == kind, flows.amount * factor), else_=_number(0))),
                          NUMBER)


def yearly_figures(basis, conditions):
    """Per (initiative, year) of the `basis` cash flows in scope: the risk-adjusted costs and
    benefits summed (a CTE)."""
    flows, where = flows_source(basis, conditions)
    return (
        select(flows.initiative_id, flows.year,
               adjusted_sum("cost", flows).label("costs"), adjusted_sum("benefit", flows).label("benefits"))
        .where(*where)
        .group_by(flows.initiative_id, flows.year)
        .cte("yearly")
    )


def discount_factor(rate, year):
    """The exact discount factor (1 + d)^t of a year column, bound as decimals (so PostgreSQL
    computes in `numeric`)."""
    return case({t: _number(calc.discount_factor(rate, t)) for t in YEARS}, value=year)


def figures_statement(conditions, basis, rate):
    """One query: every initiative in scope with the names the report groups by and, of its
    `basis` cash flows, the present values of its risk-adjusted costs and benefits, the net of
    year 0 and the payback month (SPEC §3) computed in the database.

    Per (initiative, year) the risk-adjusted costs and benefits are summed, divided by the exact
    discount factor (1 + d)^t, and summed again. Payback: with the cumulative net of each year
    as a window sum, the first year whose cumulative net reaches zero after a negative one,
    interpolated linearly inside it."""
    yearly = yearly_figures(basis, conditions)
    net = yearly.c.benefits - yearly.c.costs
    running = select(
        yearly.c.initiative_id, yearly.c.year, yearly.c.costs, yearly.c.benefits, _exact(net).label("net"),
        _exact(func.sum(net).over(partition_by=yearly.c.initiative_id, order_by=yearly.c.year)).label("cumulative"),
    ).cte("running")
    r = running.c
    factor = discount_factor(rate, r.year)
    turns = and_(r.year > 0, r.cumulative >= 0, r.cumulative - r.net < 0)
    twelve = _number(Decimal(12))
    per_initiative = (
        select(r.initiative_id,
               func.sum(r.costs / factor).label("pv_costs"),
               func.sum(r.benefits / factor).label("pv_benefits"),
               func.sum(case((r.year == 0, r.net), else_=_number(0))).label("net0"),
               func.min(case((turns, twelve * (r.year - 1) + twelve * (r.net - r.cumulative) / r.net)))
               .label("payback"))
        .group_by(r.initiative_id)
        .subquery("per_initiative")
    )
    p = per_initiative.c
    return (
        select(Initiative.id, Initiative.title, Initiative.status, Initiative.department_id,
               Department.name, Initiative.journey_id, Journey.name, Initiative.category,
               p.pv_costs, p.pv_benefits, p.net0, p.payback)
        .join(Department, Department.id == Initiative.department_id)
        .join(Journey, Journey.id == Initiative.journey_id)
        .outerjoin(per_initiative, p.initiative_id == Initiative.id)
        .where(*conditions)
        .order_by(Initiative.id)
    )


# The columns of each grouping: its key, and the name it is labelled with where there is one.
GROUP_COLUMNS = {
    "department": (Initiative.department_id, Department.name),
    "journey": (Initiative.journey_id, Journey.name),
    "status": (Initiative.status,),
    "category": (Initiative.category,),
}


def shares_statement(conditions, basis, rate, group_by=None):
    """One query: of every initiative in scope, only what totals and groups need, its group's key
    and name (none without `group_by`) and the present values of its costs and benefits, the same
    numbers `figures_statement` answers (the same sums and divisions), in the same order. No title,
    no payback: its window over the years is the larger part of the full statement's work."""
    yearly = yearly_figures(basis, conditions)
    y = yearly.c
    factor = discount_factor(rate, y.year)
    per_initiative = (
        select(y.initiative_id, func.sum(y.costs / factor).label("pv_costs"),
               func.sum(y.benefits / factor).label("pv_benefits"))
        .group_by(y.initiative_id)
        .subquery("per_initiative")
    )
    p = per_initiative.c
    stmt = select(*GROUP_COLUMNS.get(group_by, ()), p.pv_costs, p.pv_benefits).select_from(Initiative)
    if group_by == "department":
        stmt = stmt.join(Department, Department.id == Initiative.department_id)
    elif group_by == "journey":
        stmt = stmt.join(Journey, Journey.id == Initiative.journey_id)
    return (stmt.outerjoin(per_initiative, p.initiative_id == Initiative.id)
            .where(*conditions).order_by(Initiative.id))


@dataclass(slots=True)
class Row:
    """One initiative of the portfolio report: what the report shows of it and its figures of
    one basis (SPEC §3). `has_flows` is false for an initiative without cash flows of the basis."""
    id: int
    title: str
    status: str
    department_id: int
    department: str
    journey_id: int
    journey: str
    category: str
    pv_costs: Decimal
    pv_benefits: Decimal
    npv: Decimal
    roi: Decimal | None
    payback_months: Decimal | None
    has_flows: bool


ZERO = Decimal(0)


def as_decimal(value):
    """PostgreSQL answers `numeric` as Decimal; SQLite computes in floating point and answers a
    float (or an int), taken at its shortest decimal representation."""
    return value if value is None or type(value) is Decimal else Decimal(repr(value))


def rows_of(result):
    """The `Row`s of the answer of `figures_statement`."""
    rows = []
    append, divide = rows.append, calc.DECIMAL128.divide
    for (id, title, status, department_id, department, journey_id, journey, category,
         pv_costs, pv_benefits, net0, payback) in result:
        if pv_costs is None:  # no cash flows
            append(Row(id, title, status, department_id, department, journey_id, journey, category,
                       ZERO, ZERO, ZERO, None, ZERO, False))
            continue
        pv_costs, pv_benefits = as_decimal(pv_costs), as_decimal(pv_benefits)
        npv = pv_benefits - pv_costs
        if net0 >= 0:
            payback = ZERO  # year 0 alone is not negative
        elif payback is not None:
            payback = as_decimal(payback)
        roi = divide(npv, pv_costs) if pv_costs else None  # calc.roi, inlined for ten thousand rows
        append(Row(id, title, status, department_id, department, journey_id, journey, category,
                   pv_costs, pv_benefits, npv, roi, payback, True))
    return rows


def portfolio_rows(actor, args, bases, rate):
    """{basis: [Row]} for every initiative in scope (initiatives without flows included): one
    query per basis, whatever the number of initiatives."""
    conditions = scope(actor, args)
    # Plain rows (a Core execution), not the ORM's: there are no entities to build.
    connection = db.session.connection()
    return {basis: rows_of(connection.execute(figures_statement(conditions, basis, rate)).all())
            for basis in bases}


GROUP_KEYS = {
    "department": lambda row: (row.department_id, row.department),
    "journey": lambda row: (row.journey_id, row.journey),
    "status": lambda row: (row.status, row.status.replace("_", " ")),
    "category": lambda row: (row.category, row.category),
}


@dataclass(slots=True)
class Share:
    """One initiative's part in totals and groups: its group (key, label) and its present values."""
    group: tuple | None
    pv_costs: Decimal
    pv_benefits: Decimal


def shares_of(result, group_by):
    """The `Share`s of the answer of `shares_statement`, their PVs read as `rows_of` reads them."""
    width = len(GROUP_COLUMNS.get(group_by, ()))
    label = {"status": lambda key: key.replace("_", " ")}.get(group_by, lambda key: key)
    shares = []
    append = shares.append
    for values in result:
        group = None if not width else (values[0], values[1] if width == 2 else label(values[0]))
        pv_costs, pv_benefits = values[width], values[width + 1]
        if pv_costs is None:  # no cash flows
            append(Share(group, ZERO, ZERO))
        else:
            append(Share(group, as_decimal(pv_costs), as_decimal(pv_benefits)))
    return shares


def portfolio_shares(actor, args, basis, rate, group_by=None):
    """[Share] of every initiative in scope, in the order of `portfolio_rows`: one query."""
    result = db.session.connection().execute(shares_statement(scope(actor, args), basis, rate, group_by)).all()
    return shares_of(result, group_by)


def grouped(rows, group_of):
    buckets = {}
    for row in rows:
        buckets.setdefault(group_of(row), []).append(row)
    return sorted(
        ({"key": key, "label": label, "initiatives": len(members),
          **calc.portfolio(members)} for (key, label), members in buckets.items()),
        key=lambda group: str(group["label"]).lower(),
    )


def groups(rows, group_by):
    return grouped(rows, GROUP_KEYS[group_by])


def page_asked(args):
    """(page, page_size) when the caller pages a report's initiatives, else None (all of them).
    `page` alone takes the lists' page size, `page_size` alone the first page (SPEC §4)."""
    page, page_size = args.get("page"), args.get("page_size")
    if page is None and page_size is None:
        return None
    return page or 1, page_size or PAGE_SIZE


def page_of(rows, paging):
    """The rows of the page asked for, and what the answer says of it, as the list envelope does
    (`total`, `page`, `page_size`)."""
    page, page_size = paging
    start = (page - 1) * page_size
    return rows[start:start + page_size], {"total": len(rows), "page": page, "page_size": page_size}


def page_rows(actor, args, basis, rate, paging):
    """The `Row`s of one page of the initiatives in scope (by id), computed for those alone."""
    conditions = scope(actor, args)
    page, page_size = paging
    on_page = select(Initiative.id).where(*conditions).order_by(Initiative.id)
    on_page = on_page.limit(page_size).offset((page - 1) * page_size)
    conditions = [*conditions, Initiative.id.in_(on_page)]
    return rows_of(db.session.connection().execute(figures_statement(conditions, basis, rate)).all())


def count_in_scope(actor, args):
    return db.session.scalar(select(func.count()).select_from(Initiative).where(*scope(actor, args)))


def roi_report(actor, args, include=PARTS, paging=None):
    """SPEC §4 `/api/reports/roi`: totals (PVs summed, then ROI), groups and one row per initiative,
    or the parts of them in `include`, and of the rows the page `paging` (`page_asked`).

    Totals and groups always sum every initiative in scope. The full report computes every row
    and sums them; without rows, or with a page of them, totals and groups read only each
    initiative's group and present values (`shares_statement`, the same numbers) and the page's
    rows are computed for its initiatives alone."""
    policy.require(policy.read, actor)
    basis = args.get("basis") or "planned"
    rate = args.get("discount_rate")
    rate = default_rate() if rate is None else Decimal(rate)
    group_by = args.get("group_by") or "department"
    report = {"basis": basis, "discount_rate": rate, "currency": currency(), "group_by": group_by}
    summed = "totals" in include or "groups" in include
    if "initiatives" in include and paging is None:
        shares = report["rows"] = portfolio_rows(actor, args, [basis], rate)[basis]
        group_of = GROUP_KEYS[group_by]
    elif summed:
        shares = portfolio_shares(actor, args, basis, rate, group_by if "groups" in include else None)
        group_of = attrgetter("group")
    if "initiatives" in include and paging is not None:
        page, page_size = paging
        report["rows"] = page_rows(actor, args, basis, rate, paging)
        total = len(shares) if summed else count_in_scope(actor, args)
        report["page"] = {"total": total, "page": page, "page_size": page_size}
    if "totals" in include:
        report["totals"] = calc.portfolio(shares)
    if "groups" in include:
        report["groups"] = grouped(shares, group_of)
    return report


def yearly_totals(conditions, basis):
    """The scope's risk-adjusted, undiscounted costs and benefits by year: one query."""
    flows, where = flows_source(basis, conditions)
    stmt = (
        select(flows.year, adjusted_sum("cost", flows), adjusted_sum("benefit", flows))
        .where(*where)
        .group_by(flows.year)
    )
    flows = []
    for year, costs, benefits in db.session.execute(stmt):
        # SQLite sums in floating point: bring it back to the exact decimal it stands for.
        flows.append(calc.Flow("cost", year, Decimal(costs).quantize(EXACT)))
        flows.append(calc.Flow("benefit", year, Decimal(benefits).quantize(EXACT)))
    return flows


def recorded_years(conditions, basis):
    """The years that have cash flows of `basis` in scope: for actuals, the years recorded so
    far, which is all an "actual to date" figure covers. One query."""
    flows, where = flows_source(basis, conditions)
    stmt = select(flows.year).where(*where).distinct().order_by(flows.year)
    return db.session.scalars(stmt).all()


def combined_payback(conditions, basis):
    """Payback of the portfolio as if it were one initiative: its yearly nets summed."""
    flows = yearly_totals(conditions, basis)
    if not flows:
        return None, []
    years = calc.yearly(flows)
    return calc.payback_months(years), years


@dataclass(frozen=True)
class Unmeasured:
    """A delivered initiative not measured yet, as the lists show it."""
    id: int
    title: str
    delivered_on: date


def not_yet_measured(actor, args, limit=None, tokens=None):
    """Delivered (or closed) initiatives with impacts of which at least one has no measurement
    of its metric on its journey in a period starting after delivery, delivered longest ago first,
    at most `limit` of them, and how many there are in all. Kept per process under the `tokens` of
    the portfolio and of the impacts and measurements (`MEASURED_TABLES`; read here unless given,
    one query for both), computed in one more query when either has changed."""
    if tokens is None:
        tokens = data_versions.current_all(PORTFOLIO_TABLES, MEASURED_TABLES)
    return _kept_unmeasured.get((*_key("unmeasured", actor, args), limit), tokens,
                                lambda: _not_yet_measured(actor, args, limit))


def _not_yet_measured(actor, args, limit):
    measured = exists().where(
        Measurement.metric_id == Impact.metric_id,
        Measurement.journey_id == Impact.journey_id,
        Measurement.period_start > Initiative.delivered_on,
    ).correlate(Impact, Initiative)
    unmeasured_impact = exists().where(Impact.initiative_id == Initiative.id, ~measured).correlate(Initiative)
    stmt = (
        select(Initiative.id, Initiative.title, Initiative.delivered_on, func.count().over())
        .where(Initiative.status.in_(("delivered", "closed")), unmeasured_impact, *scope(actor, args))
        .order_by(Initiative.delivered_on, Initiative.id)
        .limit(limit)
    )
    found = db.session.execute(stmt).all()
    return [Unmeasured(id_, title, delivered_on) for id_, title, delivered_on, _ in found], found[0][3] if found else 0


def portfolio_headline(actor, args, by_basis=None):
    """The portfolio's headline, as the /reports/roi page opens and the home page shows it: totals
    of the chosen basis with the combined payback, planned and actual totals side by side, and the
    best and weakest five by NPV. Both bases' rows are computed (one query each) unless given."""
    policy.require(policy.read, actor)
    basis = args.get("basis") or "planned"
    rate = args.get("discount_rate")
    rate = default_rate() if rate is None else Decimal(rate)
    if by_basis is None:
        by_basis = portfolio_rows(actor, args, ["planned", "actual"] + ([basis] if basis == "baseline" else []), rate)
    rows = by_basis[basis]
    conditions = scope(actor, args)
    payback, years = combined_payback(conditions, basis)
    ranked = sorted((row for row in rows if row.pv_costs or row.pv_benefits), key=lambda row: row.npv, reverse=True)
    return {
        "basis": basis,
        "discount_rate": rate,
        "currency": currency(),
        "restricted": not policy.view_reports(actor),
        "count": len(rows),
        "totals": {**calc.portfolio(rows), "payback_months": payback},
        "totals_by_basis": {b: calc.portfolio(by_basis[b]) for b in ("planned", "actual")},
        "years": years,
        "top": ranked[:5],
        # The weakest five, worst first, never repeating one already among the top five.
        "bottom": list(reversed(ranked[max(5, len(ranked) - 5):])),
        "actual_years": recorded_years(conditions, "actual"),
    }


# The portfolio's figures are computed from initiatives, their cash flows and baselines, and carry
# the names of departments and journeys: each process keeps the headline and the leadership report
# for as long as the token of those tables (`cxgov.data_versions`) is unchanged, so the ROI page,
# its PDF and the executives' home pages do not add up the whole portfolio on every view.
PORTFOLIO_TABLES = "portfolio"
data_versions.watch(PORTFOLIO_TABLES, Initiative, CashFlow, Baseline, BaselineCashFlow, Department, Journey)
_kept = data_versions.Kept(size=16)
# Which delivered initiatives are still unmeasured turns on the initiatives and on their impacts
# and the measurements of their journeys: the lists are kept under the tokens of both sets. An
# import's bulk insert of measurements changes the token itself (`data_versions.changed`).
data_versions.watch(MEASURED_TABLES, Impact, Measurement)
_kept_unmeasured = data_versions.Kept(size=32)
# The whole report as a client downloads it (the API's JSON, the CSV: 1–2.5 MB at ten thousand
# initiatives) is kept as its bytes, bounded by their size; an answer of an older token is never
# read again and leaves as the least recently used.
_answers = SizedLRU(32 * 2**20)


def _key(kind, actor, args):
    """What a kept figure depends on besides the data: the reader's scope (everyone who may view
    reports shares one; a member's is theirs alone), the parameters, the default rate and the
    currency."""
    given = tuple(sorted((name, str(value)) for name, value in args.items()))
    return kind, str(db.engine.url), policy.view_reports(actor) or actor.id, given, default_rate(), currency()


def kept(kind, actor, args, compute):
    """`compute()` (a figure `kind` of the portfolio for `actor` and `args`), or the same figure as
    this process computed it under the portfolio's current token."""
    return _kept.get(_key(kind, actor, args), data_versions.current(PORTFOLIO_TABLES), compute)


def kept_answer(kind, actor, args, make, sets=(PORTFOLIO_TABLES,)):
    """The bytes `make()` gives (a whole report as a client downloads it, `kind` naming its
    format), or the same bytes as this process made them under the current tokens of the data
    `sets` they are made from (the portfolio's; the leadership PDF's also the measurements')."""
    policy.require(policy.read, actor)
    tokens = data_versions.current_all(*sets)
    if None in tokens:
        return make()
    return _answers.get_by_key((*_key(kind, actor, args), tokens), make)


def leadership_report(actor, args, unmeasured=BY_INITIATIVE):
    """Everything the /reports/roi page and its PDF show, for both bases at once: the headline
    (`portfolio_headline`), the groups, planned vs actual of the largest investments (kept per
    process, `kept`), and the delivered initiatives not measured yet (the first `unmeasured` of
    them, None: all; kept under the tokens of the portfolio and of the measurements)."""
    policy.require(policy.read, actor)
    tokens = data_versions.current_all(PORTFOLIO_TABLES, MEASURED_TABLES)
    unmeasured, unmeasured_count = not_yet_measured(actor, args, unmeasured, tokens)
    figures = _kept.get(_key("leadership", actor, args), tokens[0],
                        lambda: _leadership_figures(actor, args))
    return {**figures, "unmeasured": unmeasured, "unmeasured_count": unmeasured_count}


def _leadership_figures(actor, args):
    basis = args.get("basis") or "planned"
    rate = args.get("discount_rate")
    rate = default_rate() if rate is None else Decimal(rate)
    by_basis = portfolio_rows(actor, args, ["planned", "actual"] + ([basis] if basis == "baseline" else []), rate)
    rows = by_basis[basis]
    actual_by_id = {row.id: row for row in by_basis["actual"]}
    # The page lists the largest investments (planned PV of costs); the CSV has every initiative.
    largest = sorted(by_basis["planned"], key=lambda row: (-row.pv_costs, row.id))[:BY_INITIATIVE]
    planned_vs_actual = [{"initiative": row, "planned": row, "actual": actual_by_id[row.id]} for row in largest]
    return {
        **portfolio_headline(actor, args, by_basis),
        "by": {name: groups(rows, name) for name in ("department", "journey", "category")},
        "planned_vs_actual": planned_vs_actual,
        "delivered": sum(1 for row in rows if row.status in ("delivered", "closed")),
    }
