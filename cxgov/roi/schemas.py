"""ROI of the portfolio (SPEC §4); one initiative's is `cxgov.initiatives.schemas.RoiSchema`.
Money: decimal strings, 2 places; ROI and the discount rate: numbers; payback: months, one
decimal."""
from marshmallow import fields, validate
from webargs.fields import DelimitedList

from cxgov.initiatives.models import CATEGORIES, STATUSES
from cxgov.initiatives.schemas import RoiArgs, Rounded
from cxgov.rest import MoneyField, Number, Schema, choice_field
from cxgov.roi.services import PARTS

GROUPS = ("department", "journey", "status", "category")


class ReportFilters(Schema):
    """The filters and grouping of the portfolio reports (ROI and benefits)."""

    class Meta:
        unknown = "exclude"

    department_id = fields.Integer()
    journey_id = fields.Integer()
    status = choice_field(STATUSES)
    category = choice_field(CATEGORIES)
    group_by = choice_field(GROUPS, load_default="department")
    portfolio = choice_field(("all", "funded"), load_default="all", metadata={
        "description": "`funded`: only initiatives the committee approved (approved, in progress, delivered, "
                       "closed); `all` (default) also counts proposals and rejected or cancelled ones."})


class ReportParts(Schema):
    """Which parts of a report to answer, and a page of its initiatives. Without these
    parameters a report answers every part and every initiative, as SPEC §4 describes it."""

    class Meta:
        unknown = "exclude"

    include = DelimitedList(choice_field(PARTS), load_default=PARTS, validate=validate.Length(min=1), metadata={
        "default": list(PARTS),  # described as the array the parameter is, not as its text
        "description": "Comma-separated parts to answer: `totals`, `groups`, `initiatives` (default: all three). "
                       "A part not asked for is absent from the answer, so an `initiatives` key, when present, "
                       "always lists the initiatives in scope (or the page asked for). Totals and groups are "
                       "always computed over every initiative the filters select, whatever is included or paged."})
    page = fields.Integer(validate=validate.Range(min=1, max=1_000_000), metadata={
        "description": "Answer this page of the initiatives (default 1 when `page_size` is given). Without "
                       "`page` and `page_size` every initiative is answered. The answer then also carries "
                       "`total`, `page` and `page_size`, as lists do."})
    page_size = fields.Integer(validate=validate.Range(min=1, max=200), metadata={
        "description": "Initiatives per page, at most 200 (default 50 when `page` is given)."})


class ReportArgs(ReportFilters, RoiArgs):
    """`/api/reports/roi` and its CSV: the filters, and the basis and discount rate of
    `/api/initiatives/{id}/roi`."""


class ReportQuery(ReportArgs, ReportParts):
    """`/api/reports/roi`: the CSV's parameters, and which parts and page to answer."""


class TotalsSchema(Schema):
    pv_costs = MoneyField()
    pv_benefits = MoneyField()
    npv = MoneyField()
    roi = Rounded(4, allow_none=True)


class GroupSchema(TotalsSchema):
    key = fields.Raw(metadata={"description": "The id (department, journey) or the value (status, category)."})
    label = fields.String()
    initiatives = fields.Integer(metadata={"description": "How many initiatives are in the group."})


class InitiativeRoiSchema(TotalsSchema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String()
    department_id = fields.Integer()
    journey_id = fields.Integer()
    category = fields.String()
    payback_months = Rounded(1, allow_none=True)


class PageFields(Schema):
    """What a paged report adds: the page of its initiatives, as the list envelope (SPEC §4) says it."""

    total = fields.Integer(metadata={
        "description": "How many initiatives the filters select (all pages); only when the caller pages."})
    page = fields.Integer(metadata={"description": "Only when the caller pages."})
    page_size = fields.Integer(metadata={"description": "Only when the caller pages."})


class ReportSchema(PageFields):
    basis = fields.String()
    discount_rate = Number(places=None)
    currency = fields.String()
    group_by = fields.String()
    totals = fields.Nested(TotalsSchema, metadata={"description": "Absent unless `include` names it."})
    groups = fields.List(fields.Nested(GroupSchema), metadata={
        "description": "By label; absent unless `include` names it."})
    initiatives = fields.List(fields.Nested(InitiativeRoiSchema), metadata={
        "description": "By id; the page asked for, else every initiative in scope; absent unless `include` names "
                       "it."})


# -- benefits realisation (SPEC §8.6) ---------------------------------------------------------------

class BenefitsArgs(ReportFilters):
    """`/api/reports/benefits` and its CSV: the filters and grouping of `/api/reports/roi` (no basis,
    no discount rate: benefits to date are the baseline's and the actuals', undiscounted)."""


class BenefitsQuery(BenefitsArgs, ReportParts):
    """`/api/reports/benefits`: the CSV's parameters, and which parts and page to answer."""


class BenefitsTotalsSchema(Schema):
    planned_to_date = MoneyField(metadata={
        "description": "Risk-adjusted benefits of the approved (newest) baseline in the years to date, undiscounted."})
    actual_to_date = MoneyField(metadata={
        "description": "Risk-adjusted actual benefit cash flows in the same years, undiscounted."})
    realisation = Rounded(4, allow_none=True, metadata={
        "description": "actual_to_date / planned_to_date (of the sums, for groups and totals); null when nothing "
                       "is planned to date."})
    measured_annual_value = MoneyField(allow_none=True, metadata={
        "description": "Sum of the impacts' annual_value (SPEC §3); null when no impact is measured yet."})
    initiatives = fields.Integer(metadata={"description": "How many initiatives are counted."})
    below_threshold = fields.Integer(metadata={
        "description": "How many of them realised less than `threshold` of the benefits planned to date."})


class BenefitsGroupSchema(BenefitsTotalsSchema):
    key = fields.Raw(metadata={"description": "The id (department, journey) or the value (status, category)."})
    label = fields.String()


class InitiativeBenefitsSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    status = fields.String()
    department_id = fields.Integer()
    department = fields.String(metadata={"description": "The lead department's name."})
    journey_id = fields.Integer()
    journey = fields.String(metadata={"description": "The journey's name."})
    category = fields.String()
    start_on = fields.Date(allow_none=True)
    years_to_date = fields.Integer(metadata={
        "description": "How many years count (years 0..k, k the whole years since start_on); 0 before the start."})
    planned_to_date = MoneyField()
    actual_to_date = MoneyField()
    realisation = Rounded(4, allow_none=True)
    measured_annual_value = MoneyField(allow_none=True)
    below_threshold = fields.Boolean()


class BenefitsReportSchema(PageFields):
    as_of = fields.Date(metadata={"description": "Today in the organisation's time zone: the years to date end here."})
    currency = fields.String()
    group_by = fields.String()
    threshold = Number(places=None, metadata={"description": "The realisation below which an initiative is flagged."})
    totals = fields.Nested(BenefitsTotalsSchema, metadata={"description": "Absent unless `include` names it."})
    groups = fields.List(fields.Nested(BenefitsGroupSchema), metadata={
        "description": "By label; absent unless `include` names it."})
    initiatives = fields.List(fields.Nested(InitiativeBenefitsSchema), metadata={
        "description": "The initiatives in scope with an approved baseline, lowest realisation first, those "
                       "with nothing planned to date last, then by title and id; the page asked for, else all of "
                       "them; absent unless `include` names it."})
