"""ROI of one initiative and of the portfolio (SPEC §4). Money: decimal strings, 2 places;
ROI and the discount rate: numbers; payback: months, one decimal."""
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import fields, validate

from config import DEFAULT_DISCOUNT_RATE
from cxgov.initiatives.models import BASES, CATEGORIES, STATUSES
from cxgov.rest import MoneyField, Number, Schema, choice_field

GROUPS = ("department", "journey", "status", "category")


class Rounded(Number):
    """A JSON number rounded for display (the computation itself stays exact)."""

    def __init__(self, places, **kwargs):
        super().__init__(places=places, **kwargs)
        self._step = Decimal(1).scaleb(-places)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return float(Decimal(value).quantize(self._step, rounding=ROUND_HALF_UP))


class RoiArgs(Schema):
    class Meta:
        unknown = "exclude"

    basis = choice_field(BASES + ("baseline",), load_default="planned", metadata={"description": (
        "planned = the business case; actual = the recorded actual cash flows (a measured impact's "
        "annual_value counts once it is recorded as an actual benefit cash flow); baseline = the planned "
        "cash flows frozen at approval (initiatives without a baseline contribute nothing).")})
    discount_rate = fields.Decimal(allow_nan=False, validate=validate.Range(min=0, max=1),
                                   metadata={"description": f"Default CXGOV_DISCOUNT_RATE ({DEFAULT_DISCOUNT_RATE})."})


class ReportArgs(RoiArgs):
    department_id = fields.Integer()
    journey_id = fields.Integer()
    status = choice_field(STATUSES)
    category = choice_field(CATEGORIES)
    group_by = choice_field(GROUPS, load_default="department")
    portfolio = choice_field(("all", "funded"), load_default="all", metadata={
        "description": "`funded`: only initiatives the committee approved (approved, in progress, delivered, "
                       "closed); `all` (default) also counts proposals and rejected or cancelled ones."})


class YearSchema(Schema):
    year = fields.Integer()
    costs = MoneyField()
    benefits = MoneyField()
    net = MoneyField()
    cumulative_net = MoneyField()


class RoiSchema(Schema):
    basis = fields.String()
    discount_rate = Number(places=None)
    currency = fields.String()
    pv_costs = MoneyField()
    pv_benefits = MoneyField()
    npv = MoneyField()
    roi = Rounded(4, allow_none=True, metadata={"description": "NPV / PV(costs); null without costs."})
    payback_months = Rounded(1, allow_none=True)
    years = fields.List(fields.Nested(YearSchema))


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
