"""Initiatives, their lifecycle, cash flows, impacts and ROI (SPEC §2, §3, §4). `status` and
`delivered_on` are never written here: only lifecycle transitions change them."""
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import fields, validate

from config import DEFAULT_DISCOUNT_RATE
from cxgov.initiatives.models import BASES, CASH_FLOW_KINDS, CATEGORIES, STATUSES
from cxgov.rest import Instant, ListArgs, MoneyField, Number, Schema, choice_field


class TransitionSchema(Schema):
    """One step of the lifecycle history (read-only)."""

    id = fields.Integer(dump_only=True)
    initiative_id = fields.Integer(dump_only=True)
    from_status = fields.String(dump_only=True)
    to_status = fields.String(dump_only=True)
    decision_id = fields.Integer(dump_only=True, allow_none=True)
    note = fields.String(dump_only=True, allow_none=True)
    on = fields.Date(dump_only=True, attribute="effective_on")
    effective_on = fields.Date(dump_only=True)
    actor_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = Instant(dump_only=True)


class InitiativeSummarySchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(allow_none=True, load_default=None)
    journey_id = fields.Integer(required=True)
    stage_id = fields.Integer(allow_none=True, load_default=None)
    department_id = fields.Integer(required=True)
    owner_id = fields.Integer(allow_none=True, load_default=None,
                              metadata={"description": "Defaults to the caller."})
    sponsor_id = fields.Integer(allow_none=True, load_default=None)
    category = choice_field(CATEGORIES, required=True)
    status = fields.String(dump_only=True, metadata={"enum": list(STATUSES)})
    start_on = fields.Date(allow_none=True, load_default=None)
    target_on = fields.Date(allow_none=True, load_default=None)
    delivered_on = fields.Date(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class InitiativeSchema(InitiativeSummarySchema):
    transitions = fields.List(fields.Nested(TransitionSchema), dump_only=True)


class InitiativeArgs(ListArgs):
    status = choice_field(STATUSES)
    journey_id = fields.Integer()
    department_id = fields.Integer()
    owner_id = fields.Integer()
    sponsor_id = fields.Integer()
    category = choice_field(CATEGORIES)


class CashFlowSchema(Schema):
    id = fields.Integer(dump_only=True)
    initiative_id = fields.Integer(dump_only=True)
    kind = choice_field(CASH_FLOW_KINDS, required=True)
    category = fields.String(required=True, validate=validate.Length(min=1, max=80))
    year = fields.Integer(required=True, validate=validate.Range(min=0, max=10),
                          metadata={"description": "0 = initial (undiscounted), 1..10"})
    amount = MoneyField(required=True,
                        validate=validate.Range(min=0, min_inclusive=False, error="Must be greater than 0."))
    risk_adjustment = Number(load_default=0, validate=validate.Range(
        min=0, max=1, max_inclusive=False, error="Must be at least 0 and less than 1."))
    basis = choice_field(BASES, load_default="planned")
    description = fields.String(allow_none=True, load_default=None)
    version = fields.Integer(dump_only=True)


class CashFlowArgs(ListArgs):
    basis = choice_field(BASES)
    kind = choice_field(CASH_FLOW_KINDS)
    year = fields.Integer(validate=validate.Range(min=0, max=10))


class TransitionRequestSchema(Schema):
    to = choice_field(STATUSES, required=True)
    decision_id = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(min=1))
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=20_000))
    on = fields.Date(allow_none=True, load_default=None,
                     metadata={"description": "the date the change took effect (default today; not in the future)"})


class ImpactSchema(Schema):
    id = fields.Integer(dump_only=True)
    initiative_id = fields.Integer(dump_only=True)
    metric_id = fields.Integer(required=True)
    journey_id = fields.Integer(metadata={"description": "Defaults to the initiative's journey."})
    baseline_value = Number(required=True)
    target_value = Number(required=True)
    value_per_unit = MoneyField(required=True, metadata={"description": "Money per year per unit of KPI change."})
    attribution = Number(load_default=None, validate=validate.Range(min=0, max=1),
                         metadata={"description": "Share of the change credited to the initiative, 0..1 "
                                                  "(default 1; null means 1)."})
    actual_value = Number(dump_only=True, allow_none=True, metadata={
        "description": "Latest journey-level measurement of the metric whose period starts after the initiative's "
                       "delivered_on; null before."})
    annual_value = MoneyField(dump_only=True, allow_none=True, metadata={
        "description": "(actual − baseline) × value_per_unit × attribution, sign flipped for lower_is_better metrics; "
                       "null while actual_value is null."})


class ImpactArgs(ListArgs):
    pass


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
