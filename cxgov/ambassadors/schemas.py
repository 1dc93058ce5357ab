"""Request and response shapes of ambassador assignments, their actions and the network report."""
from decimal import Decimal

from marshmallow import fields, validate

from cxgov.ambassadors.models import ACTION_KINDS
from cxgov.initiatives.models import CATEGORIES
from cxgov.org.schemas import UserRefSchema
from cxgov.rest import Instant, ListArgs, Number, Schema, choice_field

MAX_HOURS = 1000
MAX_PEOPLE = 1_000_000


class DepartmentRefSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    code = fields.String(dump_only=True)


class AmbassadorSchema(Schema):
    """An ambassador assignment; `ended_on` is null while it is active."""

    id = fields.Integer(dump_only=True)
    user_id = fields.Integer(required=True)
    department_id = fields.Integer(required=True)
    started_on = fields.Date(metadata={"description": "Defaults to today; not in the future."})
    ended_on = fields.Date(dump_only=True, allow_none=True)
    active = fields.Boolean(dump_only=True)
    user = fields.Nested(UserRefSchema, dump_only=True)
    department = fields.Nested(DepartmentRefSchema, dump_only=True)
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class AmbassadorEndSchema(Schema):
    """Ending an assignment frees its department; the assignment stays as history."""

    ended_on = fields.Date(required=True, metadata={"description": "On or after started_on; not in the future."})


class AmbassadorArgs(ListArgs):
    department_id = fields.Integer()
    user_id = fields.Integer()
    active = fields.Boolean()


class AmbassadorActionSchema(Schema):
    """One thing an ambassador did for CX. `department_id` always comes from the assignment."""

    id = fields.Integer(dump_only=True)
    ambassador_id = fields.Integer(metadata={
        "description": "Required for CX leaders and admins; an ambassador may omit it (their active assignment)."})
    department_id = fields.Integer(dump_only=True)
    occurred_on = fields.Date(metadata={"description": "Defaults to today; not in the future."})
    kind = choice_field(ACTION_KINDS, required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = fields.String(allow_none=True, validate=validate.Length(max=10_000))
    people_reached = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=0, max=MAX_PEOPLE))
    hours = Number(places=2, load_default=Decimal("0"), validate=validate.Range(min=0, max=MAX_HOURS))
    journey_id = fields.Integer(allow_none=True)
    initiative_id = fields.Integer(allow_none=True, metadata={
        "description": "The initiative the action served (optional). An improvement idea gets its initiative "
                       "only by being proposed (`POST /api/ambassador-actions/{id}/initiative`): 422 here."})
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class AmbassadorActionUpdateSchema(Schema):
    """What may be corrected on a logged action (not its ambassador or department)."""

    occurred_on = fields.Date()
    kind = choice_field(ACTION_KINDS)
    title = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(allow_none=True, validate=validate.Length(max=10_000))
    people_reached = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_PEOPLE))
    hours = Number(places=2, validate=validate.Range(min=0, max=MAX_HOURS))
    journey_id = fields.Integer(allow_none=True)


class AmbassadorActionArgs(ListArgs):
    ambassador_id = fields.Integer()
    department_id = fields.Integer()
    kind = choice_field(ACTION_KINDS)
    from_ = fields.Date(data_key="from", metadata={"description": "occurred_on on or after"})
    to = fields.Date(metadata={"description": "occurred_on on or before"})


class ProposalSchema(Schema):
    """Turn an improvement idea into a proposed initiative."""

    journey_id = fields.Integer(metadata={"description": "Required unless the action names a journey."})
    title = fields.String(validate=validate.Length(min=1, max=200))
    description = fields.String(allow_none=True, validate=validate.Length(max=10_000))
    category = choice_field(CATEGORIES, load_default="process")


class ProposedInitiativeSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = fields.String(dump_only=True)
    description = fields.String(dump_only=True, allow_none=True)
    journey_id = fields.Integer(dump_only=True)
    department_id = fields.Integer(dump_only=True)
    owner_id = fields.Integer(dump_only=True)
    category = fields.String(dump_only=True)
    status = fields.String(dump_only=True)
    action_id = fields.Integer(dump_only=True)
    created_at = Instant(dump_only=True)


# -- the network report ----------------------------------------------------------------------

class ReportArgs(Schema):
    class Meta:
        unknown = "exclude"

    from_ = fields.Date(data_key="from", metadata={"description": "Default: 90 days before `to`."})
    to = fields.Date(metadata={"description": "Default: today."})


class ReportDepartmentSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    code = fields.String()


class ReportAmbassadorSchema(Schema):
    id = fields.Integer(metadata={"description": "The assignment"})
    user_id = fields.Integer()
    name = fields.String()
    started_on = fields.Date()


class HealthPartSchema(Schema):
    value = fields.Raw(allow_none=True, metadata={
        "description": "The measure: coverage a boolean, recency days (null without any action), cadence "
                       "actions per month, breadth kinds used, reach people per head (null with no head), "
                       "ideas_converted a count."})
    points = fields.Integer(metadata={"description": "Whole points earned, 0..max_points."})
    max_points = fields.Integer()


class IdeasPartSchema(HealthPartSchema):
    ideas = fields.Integer(metadata={"description": "Improvement ideas logged in the period."})


class HealthPartsSchema(Schema):
    coverage = fields.Nested(HealthPartSchema)
    recency = fields.Nested(HealthPartSchema)
    cadence = fields.Nested(HealthPartSchema)
    breadth = fields.Nested(HealthPartSchema)
    reach = fields.Nested(HealthPartSchema)
    ideas_converted = fields.Nested(IdeasPartSchema)


class DepartmentActivitySchema(Schema):
    department = fields.Nested(ReportDepartmentSchema)
    ambassador = fields.Nested(ReportAmbassadorSchema, allow_none=True,
                               metadata={"description": "The active ambassador; null when uncovered."})
    covered = fields.Boolean()
    actions = fields.Integer()
    people_reached = fields.Integer()
    hours = Number(places=2)
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())
    last_action_on = fields.Date(allow_none=True,
                                 metadata={"description": "Latest action ever, not only in the period."})
    silent = fields.Boolean(metadata={"description": "Active ambassador with no action in the 30 days up to `to`."})
    heads = fields.Integer(metadata={"description": "Active users of the department (for reach)."})
    health_score = fields.Integer(metadata={"description": "0..100: the sum of the parts' points; see "
                                                           "`health_formula`."})
    health_parts = fields.Nested(HealthPartsSchema)
    health_trend = fields.List(fields.Integer(), metadata={
        "description": "The department's score at each of `health_trend.dates`, oldest first."})


class ReportTotalsSchema(Schema):
    departments = fields.Integer()
    covered = fields.Integer()
    uncovered = fields.Integer()
    silent = fields.Integer()
    actions = fields.Integer()
    people_reached = fields.Integer()
    hours = Number(places=2)
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())


class ReportMonthSchema(Schema):
    month = fields.String(metadata={"example": "2026-03"})
    actions = fields.Integer()
    people_reached = fields.Integer()
    hours = Number(places=2)


class HealthTrendSchema(Schema):
    dates = fields.List(fields.Date(), metadata={
        "description": "The end of each of the last 12 months, the last one being `to`; each score is "
                       "computed for the 90 days up to that date, with today's head counts."})
    network = fields.List(fields.Integer(), metadata={"description": "The mean score of the departments."})


class AmbassadorReportSchema(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    silent_after_days = fields.Integer()
    departments = fields.List(fields.Nested(DepartmentActivitySchema))
    totals = fields.Nested(ReportTotalsSchema)
    months = fields.List(fields.Nested(ReportMonthSchema))
    health_formula = fields.String(metadata={"description": "How `health_score` is computed, in words."})
    health_trend = fields.Nested(HealthTrendSchema)
