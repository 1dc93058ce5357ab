"""Initiatives and their cash flows (SPEC §2, §4). `status` and `delivered_on` are never written
here: only lifecycle transitions change them."""
from marshmallow import fields, validate

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
