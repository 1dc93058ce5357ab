"""Steering committee resources as JSON: committees, meetings and their parts, action items."""
from marshmallow import ValidationError, fields, validate, validates_schema

from cxgov.org.schemas import UserRefSchema
from cxgov.rest import Instant, ListArgs, Schema, choice_field
from cxgov.steering.models import (
    ACTION_ITEM_STATUSES,
    AGENDA_KINDS,
    ATTENDANCE_STATUSES,
    DECISION_KINDS,
    MEETING_STATUSES,
    MEMBER_ROLES,
)


def Title(**kwargs):
    return fields.String(validate=validate.Length(min=1, max=200), **kwargs)


def Minutes(**kwargs):
    """A duration in minutes: 1 to 24 hours."""
    return fields.Integer(validate=validate.Range(min=1, max=24 * 60), **kwargs)


def Id(**kwargs):
    return fields.Integer(validate=validate.Range(min=1), **kwargs)


class CommitteeMemberSchema(Schema):
    id = fields.Integer(dump_only=True)
    committee_id = fields.Integer(dump_only=True)
    user_id = Id(required=True)
    department_id = Id(allow_none=True)
    member_role = choice_field(MEMBER_ROLES, load_default="member")
    user = fields.Nested(UserRefSchema, dump_only=True)


class CommitteeMemberPatchSchema(Schema):
    department_id = Id(allow_none=True)
    member_role = choice_field(MEMBER_ROLES)


class CommitteeSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=160))
    charter = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=20_000))
    chair_id = Id(allow_none=True, load_default=None)
    members = fields.List(fields.Nested(CommitteeMemberSchema), dump_only=True)
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class MeetingSchema(Schema):
    id = fields.Integer(dump_only=True)
    committee_id = Id(required=True)
    title = Title(required=True)
    starts_at = Instant(required=True)
    duration_minutes = Minutes(load_default=60)
    location = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    status = choice_field(MEETING_STATUSES, dump_only=True)
    minutes = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200_000))
    minutes_published_at = Instant(dump_only=True, allow_none=True)
    ics_uid = fields.String(dump_only=True)
    ics_sequence = fields.Integer(dump_only=True)
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class MeetingPatchSchema(Schema):
    """What changes on a meeting. A secretary may send `minutes` only."""

    title = Title()
    starts_at = Instant()
    duration_minutes = Minutes()
    location = fields.String(allow_none=True, validate=validate.Length(max=200))
    status = choice_field(MEETING_STATUSES)
    minutes = fields.String(allow_none=True, validate=validate.Length(max=200_000))


class MeetingArgs(ListArgs):
    committee_id = fields.Integer()
    status = choice_field(MEETING_STATUSES)
    # `from`/`to` bound starts_at (inclusive, exclusive).
    starts_from = Instant(data_key="from")
    starts_to = Instant(data_key="to")


class AgendaItemSchema(Schema):
    id = fields.Integer(dump_only=True)
    meeting_id = fields.Integer(dump_only=True)
    position = fields.Integer(validate=validate.Range(min=0, max=10_000),
                              metadata={"description": "0-based; omitted → appended at the end"})
    title = Title(required=True)
    kind = choice_field(AGENDA_KINDS, load_default="information")
    initiative_id = Id(allow_none=True, load_default=None)
    journey_id = Id(allow_none=True, load_default=None)
    presenter_id = Id(allow_none=True, load_default=None)
    duration_minutes = Minutes(allow_none=True, load_default=None)
    notes = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=20_000))
    source_key = fields.String(dump_only=True, allow_none=True)


class AgendaOrderSchema(Schema):
    ids = fields.List(fields.Integer(), required=True,
                      metadata={"description": "every agenda item id of the meeting, in the new order"})


class SuggestionSchema(Schema):
    source_key = fields.String(dump_only=True)
    title = fields.String(dump_only=True)
    kind = fields.String(dump_only=True)
    initiative_id = fields.Integer(dump_only=True, allow_none=True)
    journey_id = fields.Integer(dump_only=True, allow_none=True)
    reason = fields.String(dump_only=True)


class AttendanceSchema(Schema):
    id = fields.Integer(dump_only=True)
    meeting_id = fields.Integer(dump_only=True)
    user_id = Id(required=True)
    status = choice_field(ATTENDANCE_STATUSES, required=True)
    user = fields.Nested(UserRefSchema, dump_only=True)


class AttendanceStatusSchema(Schema):
    status = choice_field(ATTENDANCE_STATUSES, required=True)


class DecisionSchema(Schema):
    id = fields.Integer(dump_only=True)
    meeting_id = fields.Integer(dump_only=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=20_000))
    kind = choice_field(DECISION_KINDS, load_default="other")
    initiative_id = Id(allow_none=True, load_default=None)
    corrects_id = Id(allow_none=True, load_default=None,
                     metadata={"description": "the decision this one corrects (after minutes are published)"})
    recorded_by_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = Instant(dump_only=True)


class DecisionPatchSchema(Schema):
    text = fields.String(validate=validate.Length(min=1, max=20_000))
    kind = choice_field(DECISION_KINDS)
    initiative_id = Id(allow_none=True)


class MinutesCorrectionSchema(Schema):
    id = fields.Integer(dump_only=True)
    meeting_id = fields.Integer(dump_only=True)
    # 100,000 characters: a correction names what changes; it is not a second copy of the minutes
    # (and schemathesis cannot build a non-empty string of 200,000 that also follows a pattern).
    text = fields.String(required=True, validate=validate.Length(min=1, max=100_000))
    author_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = Instant(dump_only=True)


class ActionItemSchema(Schema):
    id = fields.Integer(dump_only=True)
    title = Title(required=True)
    description = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=20_000))
    owner_id = Id(required=True)
    due_on = fields.Date(required=True)
    status = choice_field(ACTION_ITEM_STATUSES, load_default="open")
    meeting_id = Id(allow_none=True, load_default=None)
    initiative_id = Id(allow_none=True, load_default=None)
    department_id = Id(allow_none=True, load_default=None)
    completed_at = Instant(dump_only=True, allow_none=True)
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class ActionItemArgs(ListArgs):
    owner_id = fields.Integer()
    status = choice_field(ACTION_ITEM_STATUSES)
    meeting_id = fields.Integer()
    initiative_id = fields.Integer()
    department_id = fields.Integer()
    due_before = fields.Date(metadata={"description": "due on or before this date"})
    due_after = fields.Date(metadata={"description": "due on or after this date"})

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("due_before") and data.get("due_after") and data["due_after"] > data["due_before"]:
            raise ValidationError("due_after must not be later than due_before.", "due_after")


