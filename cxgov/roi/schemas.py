"""ROI of the portfolio (SPEC §4); one initiative's is `cxgov.initiatives.schemas.RoiSchema`.
Money: decimal strings, 2 places; ROI and the discount rate: numbers; payback: months, one
decimal."""
from marshmallow import fields

from cxgov.initiatives.models import CATEGORIES, STATUSES
from cxgov.initiatives.schemas import RoiArgs, Rounded
from cxgov.rest import MoneyField, Number, Schema, choice_field

GROUPS = ("department", "journey", "status", "category")


class ReportArgs(RoiArgs):
    department_id = fields.Integer()
    journey_id = fields.Integer()
    status = choice_field(STATUSES)
    category = choice_field(CATEGORIES)
    group_by = choice_field(GROUPS, load_default="department")
    portfolio = choice_field(("all", "funded"), load_default="all", metadata={
        "description": "`funded`: only initiatives the committee approved (approved, in progress, delivered, "
                       "closed); `all` (default) also counts proposals and rejected or cancelled ones."})


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


class ReportSchema(Schema):
    basis = fields.String()
    discount_rate = Number(places=None)
    currency = fields.String()
    group_by = fields.String()
    totals = fields.Nested(TotalsSchema)
    groups = fields.List(fields.Nested(GroupSchema))
    initiatives = fields.List(fields.Nested(InitiativeRoiSchema))
