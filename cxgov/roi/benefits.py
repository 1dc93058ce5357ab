"""The benefits realisation report (SPEC §8.6): `/api/reports/benefits`, its CSV, the section of
the ROI page, the CEO's home headline and the weekly digest's line all come from `benefits_report`.

Choices where SPEC is silent:
- The report lists the initiatives in scope that have an approved baseline (approved at least
  once, whatever they became since): realisation measures what the committee approved. An
  initiative never approved has nothing planned to date to realise.
- Its years to date count from `start_on` to today in the organisation's time zone
  (CXGOV_TIMEZONE); an initiative without `start_on` has none (planned and actual 0, realisation
  null).
- `measured_annual_value` is the sum of the `annual_value` of its (current) impacts that have one;
  null when none has been measured since delivery. Groups and totals sum the known ones.
- Rows are ordered by realisation, lowest first, those without one (nothing planned to date)
  last, then by title; groups by label.
- "Below 70 %": realisation known and under `realisation.THRESHOLD`.

Constant queries whatever the number of initiatives: the initiatives, their newest baselines'
benefits and their actual benefits by (initiative, year), their impacts and the impacts' values.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from cxgov import policy
from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.formatting import currency, local_zone
from cxgov.initiatives import calc
from cxgov.initiatives.impacts import impact_values
from cxgov.initiatives.models import Baseline, Impact, Initiative
from cxgov.journeys.models import Journey
from cxgov.org.models import Department
from cxgov.roi import realisation
from cxgov.roi.services import (
    EXACT,
    GROUP_KEYS,
    PARTS,
    adjusted_sum,
    as_decimal,
    filtered,
    flows_source,
    page_of,
    scope,
)


@dataclass(slots=True)
class BenefitsRow:
    """One initiative of the report: what the report shows of it and its figures to date."""
    id: int
    title: str
    status: str
    department_id: int
    department: str
    journey_id: int
    journey: str
    category: str
    start_on: date | None
    years_to_date: int
    figures: realisation.ToDate

    @property
    def planned_to_date(self):
        return self.figures.planned_to_date

    @property
    def actual_to_date(self):
        return self.figures.actual_to_date

    @property
    def realisation(self):
        return self.figures.realisation

    @property
    def measured_annual_value(self):
        return self.figures.measured_annual_value

    @property
    def below_threshold(self):
        return self.figures.below_threshold


def local_today():
    """Today where the organisation works."""
    return utcnow().astimezone(local_zone()).date()


def _benefits_by_year(basis, conditions):
    """{initiative id: [calc.Flow]}: the risk-adjusted benefits of `basis` (`baseline`: the newest
    baseline's; `actual`) summed by year in the database, one query."""
    flows, where = flows_source(basis, conditions)
    stmt = (select(flows.initiative_id, flows.year, adjusted_sum("benefit", flows))
            .where(*where, flows.kind == "benefit")
            .group_by(flows.initiative_id, flows.year))
    result = defaultdict(list)
    for initiative_id, year, amount in db.session.execute(stmt):
        # SQLite sums in floating point: back to the exact decimal it stands for (6 places).
        result[initiative_id].append(calc.Flow("benefit", year, as_decimal(amount).quantize(EXACT)))
    return result


def _annual_values(ids_in_scope):
    """{initiative id: [annual_value of each impact]}: two queries."""
    impacts = db.session.scalars(select(Impact).where(Impact.initiative_id.in_(ids_in_scope))).all()
    values = impact_values(impacts)
    result = defaultdict(list)
    for impact in impacts:
        result[impact.initiative_id].append(values[impact.id][1])
    return result


def _order(row):
    ratio = row.realisation
    return (ratio is None, ratio if ratio is not None else 0, row.title.lower(), row.id)


def benefits_rows(conditions, today):
    """The report's initiatives (those meeting `conditions` with a baseline), ordered."""
    conditions = [*conditions, Initiative.id.in_(select(Baseline.initiative_id))]
    ids_in_scope = select(Initiative.id).where(*conditions)
    stmt = (select(Initiative.id, Initiative.title, Initiative.status, Initiative.department_id, Department.name,
                   Initiative.journey_id, Journey.name, Initiative.category, Initiative.start_on)
            .join(Department, Department.id == Initiative.department_id)
            .join(Journey, Journey.id == Initiative.journey_id)
            .where(*conditions))
    initiatives = db.session.execute(stmt).all()
    planned = _benefits_by_year("baseline", conditions)
    actual = _benefits_by_year("actual", conditions)
    annual = _annual_values(ids_in_scope)
    rows = []
    for (id, title, status, department_id, department, journey_id, journey, category, start_on) in initiatives:
        figures = realisation.initiative_to_date(start_on, today, planned[id], actual[id], annual[id])
        rows.append(BenefitsRow(id, title, status, department_id, department, journey_id, journey, category,
                                start_on, len(realisation.years_to_date(start_on, today)), figures))
    return sorted(rows, key=_order)


def _summary(rows):
    figures = realisation.combined(row.figures for row in rows)
    return {"planned_to_date": figures.planned_to_date, "actual_to_date": figures.actual_to_date,
            "realisation": figures.realisation, "measured_annual_value": figures.measured_annual_value,
            "initiatives": len(rows), "below_threshold": sum(1 for row in rows if row.below_threshold)}


def benefits_groups(rows, group_by):
    buckets = {}
    for row in rows:
        buckets.setdefault(GROUP_KEYS[group_by](row), []).append(row)
    return sorted(({"key": key, "label": label, **_summary(members)} for (key, label), members in buckets.items()),
                  key=lambda group: str(group["label"]).lower())


def benefits_report(actor, args, today=None, include=PARTS, paging=None):
    """SPEC §8.6 `/api/reports/benefits`: totals, groups and one row per initiative with a baseline,
    or the parts of them in `include`, and of the rows the page `paging` (`services.page_asked`).
    Totals and groups need every row's figures all the same, and the order of the rows too.
    Members see their own initiatives only (`scope`)."""
    policy.require(policy.read, actor)
    report = _report(scope(actor, args), args, today)
    report["restricted"] = not policy.view_reports(actor)
    if paging is not None:
        report["rows"], report["page"] = page_of(report["rows"], paging)
    for part, key in (("totals", "totals"), ("groups", "groups"), ("initiatives", "rows")):
        if part not in include:
            report.pop(key)
            if part == "initiatives":
                report.pop("page", None)
    return report


def portfolio_benefits(args, today=None):
    """The report of every initiative the filters select, for a job that reads for no one in
    particular (the weekly digest to CX leaders and executives, who see the whole portfolio)."""
    return _report(filtered(args), args, today)


def _report(conditions, args, today):
    today = today or local_today()
    group_by = args.get("group_by") or "department"
    rows = benefits_rows(conditions, today)
    return {
        "as_of": today, "currency": currency(), "group_by": group_by, "threshold": realisation.THRESHOLD,
        "totals": _summary(rows),
        "groups": benefits_groups(rows, group_by),
        "rows": rows,
    }


def below_threshold(report):
    """The report's initiatives under the threshold, lowest realisation first."""
    return [row for row in report["rows"] if row.below_threshold]

