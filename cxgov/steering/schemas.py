"""Steering committee resources as JSON: committees, meetings and their parts, action items."""
from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validate, validates_schema

from cxgov.initiatives.models import STATUSES
from cxgov.initiatives.reviews_api import ReviewSchema
from cxgov.initiatives.schemas import InitiativeSummarySchema, RoiSchema, Rounded, TransitionSchema
from cxgov.org.schemas import UserRefSchema
from cxgov.rest import Instant, ListArgs, MoneyField, Number, Schema, choice_field
from cxgov.steering.models import (
    ACTION_ITEM_STATUSES,
    AGENDA_KINDS,
    ATTENDANCE_STATUSES,
    DECISION_KINDS,
    MEETING_STATUSES,
    MEMBER_ROLES,
    SECTION_KINDS,
)
from cxgov.steering.outcomes import OUTCOMES


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
    quorum = fields.Integer(
        strict=True, allow_none=True, load_default=None, validate=validate.Range(min=1, max=1000),
        metadata={"description": "How many members must attend for a meeting to be held; null: more than half "
                                 "the members."})
    effective_quorum = fields.Integer(dump_only=True, metadata={
        "description": "The quorum that applies now (`quorum`, or more than half the current members)."})
    members = fields.List(fields.Nested(CommitteeMemberSchema), dump_only=True)
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class MeetingDepartmentSchema(Schema):
    """A department as a meeting names it."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)


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
    quorum_note = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "Why the meeting was held although fewer members than the quorum attended."})
    departments_not_represented = fields.List(fields.Nested(MeetingDepartmentSchema), dump_only=True, metadata={
        "description": "The organisation's departments no committee member represents at this meeting: at a held "
                       "meeting, none of the members who sit for it attended; at a scheduled (or cancelled) one, "
                       "each of them declined (or was marked absent); members who have not answered count as "
                       "coming. A department with no member on the committee is always listed."})
    series_id = fields.Integer(dump_only=True, allow_none=True)
    occurrence_at = Instant(dump_only=True, allow_none=True, metadata={
        "description": "The occurrence of its series' rule this meeting is (the invite's RECURRENCE-ID)."})
    series_detached = fields.Boolean(dump_only=True, metadata={
        "description": "Changed on its own: changes of its series pass it by."})
    ics_uid = fields.String(dump_only=True)
    ics_sequence = fields.Integer(dump_only=True)
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


RRULE_DESCRIPTION = (
    "An RFC 5545 recurrence rule, e.g. `FREQ=MONTHLY;BYDAY=1TU;COUNT=12`, expanded in the organisation's time "
    "zone (CXGOV_TIMEZONE) from `first_starts_at`. It must be bounded (COUNT or UNTIL, UNTIL in UTC with a Z) "
    "and give at most 60 meetings; otherwise 422 naming `rrule`.")


class SeriesSchema(Schema):
    id = fields.Integer(dump_only=True)
    committee_id = fields.Integer(dump_only=True)
    title = Title(required=True)
    rrule = fields.String(required=True, validate=[
        validate.Length(min=6, max=500),
        validate.Regexp(r"^(RRULE:)?FREQ=[A-Z]+(;[A-Z]+=[A-Za-z0-9,+\-]+)*$")],
        metadata={"description": RRULE_DESCRIPTION})
    first_starts_at = Instant(required=True, metadata={"description": "the first meeting's start"})
    duration_minutes = Minutes(load_default=60)
    location = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=200))
    ics_uid = fields.String(dump_only=True)
    ics_sequence = fields.Integer(dump_only=True)
    meetings = fields.List(fields.Nested(lambda: MeetingSchema()), dump_only=True, metadata={
        "description": "The series' meetings in the order of the rule."})
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class SeriesPatchSchema(Schema):
    """What changes on a series: its meetings not yet held follow, except those changed on their own."""

    title = Title()
    rrule = fields.String(validate=[
        validate.Length(min=6, max=500),
        validate.Regexp(r"^(RRULE:)?FREQ=[A-Z]+(;[A-Z]+=[A-Za-z0-9,+\-]+)*$")],
        metadata={"description": RRULE_DESCRIPTION + " A new rule reschedules the meetings that follow the series: "
                  "those whose occurrence it no longer gives are removed if nothing was recorded on them (agenda, "
                  "decision, action item, member's answer), cancelled otherwise; new occurrences get meetings, every "
                  "member invited; held and detached meetings stay."})
    first_starts_at = Instant(metadata={"description": "a new first start: every occurrence moves with it"})
    duration_minutes = Minutes()
    location = fields.String(allow_none=True, validate=validate.Length(max=200))


class MeetingPatchSchema(Schema):
    """What changes on a meeting. A secretary may send `minutes` only."""

    title = Title()
    starts_at = Instant()
    duration_minutes = Minutes()
    location = fields.String(allow_none=True, validate=validate.Length(max=200))
    status = choice_field(MEETING_STATUSES, metadata={
        "description": "`held` needs the committee's quorum of members `attended`, or a `quorum_note` (409)."})
    minutes = fields.String(allow_none=True, validate=validate.Length(max=200_000))
    quorum_note = fields.String(allow_none=True, validate=validate.Length(max=2_000), metadata={
        "description": "Why the meeting is held below quorum; required then, kept on the meeting."})


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
    section_id = fields.Integer(dump_only=True, allow_none=True, metadata={
        "description": "the committee's standing section it was filled under (null: not standing)"})


class SectionSchema(Schema):
    id = Id(allow_none=True, load_default=None, metadata={
        "description": "an existing section of the committee to keep (its agenda items stay under it); "
                       "omitted: a new section, or the committee's existing section of the same source kind"})
    position = fields.Integer(dump_only=True)
    title = Title(required=True)
    kind = choice_field(SECTION_KINDS, required=True, metadata={"description": (
        "what fills it before each meeting: initiatives_ready (proposed initiatives passing the approval "
        "gate's checks), reviews_due, carried_over (open action items due), kpis_wrong_way, silent_ambassadors "
        "(departments whose active ambassador logged no action for 30 days), or fixed (one item titled like "
        "the section); each source at most once")})


def _flat(messages, prefix):
    """{"sections": {2: {"kind": [...]}}} → {"sections[2].kind": [...]}: the field a client fixes."""
    if not isinstance(messages, dict):
        return {prefix: messages}
    flat = {}
    for key, value in messages.items():
        flat |= _flat(value, f"{prefix}[{key}]" if isinstance(key, int) else f"{prefix}.{key}" if prefix else key)
    return flat


class SectionsSchema(Schema):
    sections = fields.List(fields.Nested(SectionSchema), required=True,
                           metadata={"description": "the committee's standing sections, in order"})

    def handle_error(self, error, data, **kwargs):
        raise ValidationError(_flat(error.messages, ""))


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


class InvitationAnswerSchema(Schema):
    status = choice_field(("accepted", "declined"), required=True,
                          metadata={"description": "the member's answer to the invitation"})


class DecisionSchema(Schema):
    id = fields.Integer(dump_only=True)
    meeting_id = fields.Integer(dump_only=True)
    text = fields.String(required=True, validate=validate.Length(min=1, max=20_000))
    kind = choice_field(DECISION_KINDS, load_default="other")
    initiative_id = Id(allow_none=True, load_default=None)
    agenda_item_id = Id(allow_none=True, load_default=None, metadata={
        "description": "the agenda item of the same meeting it came from"})
    corrects_id = Id(allow_none=True, load_default=None,
                     metadata={"description": "the decision this one corrects (after minutes are published)"})
    recorded_by_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = Instant(dump_only=True)


class DecisionPatchSchema(Schema):
    text = fields.String(validate=validate.Length(min=1, max=20_000))
    kind = choice_field(DECISION_KINDS)
    initiative_id = Id(allow_none=True)
    agenda_item_id = Id(allow_none=True, metadata={"description": "the agenda item of the same meeting it came from"})


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
    agenda_item_id = Id(allow_none=True, load_default=None, metadata={
        "description": "the agenda item it came from, of its meeting (the meeting defaults to the item's)"})
    completed_at = Instant(dump_only=True, allow_none=True)
    created_at = Instant(dump_only=True)
    updated_at = Instant(dump_only=True)


class ActionItemArgs(ListArgs):
    owner_id = fields.Integer()
    status = choice_field(ACTION_ITEM_STATUSES)
    meeting_id = fields.Integer()
    initiative_id = fields.Integer()
    department_id = fields.Integer()
    agenda_item_id = fields.Integer()
    due_before = fields.Date(metadata={"description": "due on or before this date"})
    due_after = fields.Date(metadata={"description": "due on or after this date"})

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("due_before") and data.get("due_after") and data["due_after"] > data["due_before"]:
            raise ValidationError(_("due_after must not be later than due_before."), "due_after")




# -- the decision register and trace (SPEC §8.5) ------------------------------------------------

class DecisionRegisterArgs(ListArgs):
    committee_id = fields.Integer()
    meeting_id = fields.Integer()
    initiative_id = fields.Integer()
    kind = choice_field(DECISION_KINDS)
    outcome = choice_field(OUTCOMES)
    # `from`/`to` bound the meeting's date in the organisation's time zone, both inclusive.
    date_from = fields.Date(data_key="from", metadata={
        "description": "meetings on or after this date (in the organisation's time zone, CXGOV_TIMEZONE)"})
    date_to = fields.Date(data_key="to", metadata={
        "description": "meetings on or before this date (in the organisation's time zone, CXGOV_TIMEZONE)"})

    @validates_schema
    def _ordered(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(_("from must not be later than to."), "from")


OUTCOME_DESCRIPTION = (
    "What became of the decision (SPEC §8.5): `superseded` when a later decision corrects it; for "
    "`approve_initiative` `pending` (approved or still proposed, not started), `in_delivery`, "
    "`delivered_unmeasured` (delivered or closed, no impact has an actual_value, no review has a verdict), "
    "`measured` (delivered or closed, measured or reviewed, no final verdict), `realised` (final verdict "
    "achieved or partly_achieved), `not_realised` (not_achieved or inconclusive; a final verdict decides even "
    "after a later cancellation), `cancelled` (cancelled, rejected instead, or the initiative is gone); "
    "`rejected` for `reject_initiative`; `recorded` for every other kind.")


class RegisterEntrySchema(Schema):
    """A decision of the register: its own fields, its outcome, its meeting and initiative by name."""

    id = fields.Integer(attribute="decision.id")
    meeting_id = fields.Integer(attribute="decision.meeting_id")
    text = fields.String(attribute="decision.text")
    kind = fields.String(attribute="decision.kind", metadata={"enum": list(DECISION_KINDS)})
    initiative_id = fields.Integer(attribute="decision.initiative_id", allow_none=True)
    corrects_id = fields.Integer(attribute="decision.corrects_id", allow_none=True)
    recorded_by_id = fields.Integer(attribute="decision.recorded_by_id", allow_none=True)
    created_at = Instant(attribute="decision.created_at")
    outcome = fields.String(metadata={"enum": list(OUTCOMES), "description": OUTCOME_DESCRIPTION})
    corrected_by_id = fields.Integer(allow_none=True, metadata={
        "description": "The newest decision correcting this one (then the outcome is `superseded`)."})
    committee_id = fields.Integer()
    committee_name = fields.String()
    meeting_title = fields.String()
    meeting_starts_at = Instant()
    meeting_date = fields.Date(metadata={"description": "The meeting's date in the organisation's time zone."})
    initiative_title = fields.String(allow_none=True)
    initiative_status = fields.String(allow_none=True, metadata={"enum": list(STATUSES)})


class TraceFiguresSchema(Schema):
    npv = MoneyField(allow_none=True)
    roi = Rounded(4, allow_none=True, metadata={"description": "NPV / PV(costs); null without costs."})


class TraceMetricSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    unit = fields.String(allow_none=True)


class TraceImpactSchema(Schema):
    impact_id = fields.Integer()
    metric = fields.Nested(TraceMetricSchema)
    journey_id = fields.Integer()
    baseline_value = Number()
    target_value = Number()
    actual_value = Number(allow_none=True, metadata={
        "description": "The latest journey-level measurement after delivery (SPEC §3); null before."})
    annual_value = MoneyField(allow_none=True, metadata={
        "description": "Null before measurement, and for who may not read the initiative's ROI."})


class TraceSchema(Schema):
    decision = fields.Nested(RegisterEntrySchema)
    meeting = fields.Nested(MeetingSchema)
    initiative = fields.Nested(InitiativeSummarySchema, allow_none=True, metadata={
        "description": "Null for a decision about no initiative (then transitions, impacts and reviews are "
                       "empty and baseline and actual null)."})
    transitions = fields.List(fields.Nested(TransitionSchema), metadata={
        "description": "The initiative's whole lifecycle, oldest first."})
    baseline = fields.Nested(TraceFiguresSchema, allow_none=True, metadata={
        "description": "The approved baseline's NPV and ROI at the default discount rate; null before approval."})
    actual = fields.Nested(TraceFiguresSchema, allow_none=True, metadata={
        "description": "NPV and ROI of the actual cash flows at the default discount rate."})
    impacts = fields.List(fields.Nested(TraceImpactSchema))
    reviews = fields.List(fields.Nested(ReviewSchema), metadata={"description": "The post-implementation reviews, "
                                                                                "in order."})
    figures_visible = fields.Boolean(metadata={
        "description": "False when the caller may not read the initiative's ROI (SPEC §5: members other than its "
                       "owner): baseline and actual figures, annual values and review snapshots are then null."})


# -- the pre-read pack (SPEC §9) ----------------------------------------------------------------

class PackCheckSchema(Schema):
    name = fields.String()
    ok = fields.Boolean()
    detail = fields.String()


class PackReadinessSchema(Schema):
    ready = fields.Boolean()
    checks = fields.List(fields.Nested(PackCheckSchema), metadata={
        "description": "The approval gate's checks (SPEC §8.1), as `/api/initiatives/{id}/readiness`."})


class PackImpactSchema(Schema):
    impact_id = fields.Integer()
    metric_id = fields.Integer()
    metric_name = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    journey_id = fields.Integer()
    baseline_value = Number()
    target_value = Number()
    actual_value = Number(allow_none=True, metadata={"description": "Measured after delivery (SPEC §3); null before."})
    annual_value = MoneyField(allow_none=True)


class PackPointSchema(Schema):
    period_start = fields.Date()
    value = Number()


class PackKpiImpactSchema(PackImpactSchema):
    series = fields.List(fields.Nested(PackPointSchema), metadata={
        "description": "The journey's own measurements of the metric (no stage, no touchpoint), the latest 12 "
                       "periods, oldest first: the points of the PDF's KPI chart."})


class PackInitiativeSchema(Schema):
    initiative = fields.Nested(InitiativeSummarySchema)
    readiness = fields.Nested(PackReadinessSchema)
    roi = fields.Nested(RoiSchema, allow_none=True, metadata={
        "description": "Exactly `GET /api/initiatives/{id}/roi` (planned basis, default discount rate); null for "
                       "who may not read the initiative's ROI."})
    impacts = fields.List(fields.Nested(PackKpiImpactSchema), allow_none=True, metadata={
        "description": "Null for who may not read the initiative's business case."})


class PackReviewSchema(Schema):
    review = fields.Nested(ReviewSchema)
    initiative_id = fields.Integer()
    initiative_title = fields.String()
    impacts = fields.List(fields.Nested(PackImpactSchema), allow_none=True, metadata={
        "description": "Actual against target of each impact; null for who may not read the business case."})


class PackCommitteeSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class PackActionItemSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    owner_id = fields.Integer()
    owner_name = fields.String()
    due_on = fields.Date()
    days_overdue = fields.Integer(metadata={"description": "Days between its due date and the meeting's date."})
    meeting_id = fields.Integer(allow_none=True)
    initiative_id = fields.Integer(allow_none=True)


class PackArgs(Schema):
    as_sent = fields.Boolean(load_default=False, metadata={
        "description": "The copy the meeting reminders sent (the latest send), as it was then, without what the "
                       "caller may not read; 404 if none was sent."})


class PackSchema(Schema):
    as_of = Instant(metadata={"description": "When the pack was put together (for a copy as sent: when it was "
                                             "built for the reminders)."})
    meeting = fields.Nested(MeetingSchema)
    committee = fields.Nested(PackCommitteeSchema)
    agenda = fields.List(fields.Nested(AgendaItemSchema))
    initiatives = fields.List(fields.Nested(PackInitiativeSchema), metadata={
        "description": "Each initiative on the agenda once, in agenda order."})
    reviews_due = fields.List(fields.Nested(PackReviewSchema), metadata={
        "description": "Post-implementation reviews without a verdict due by the meeting's date."})
    overdue_action_items = fields.List(fields.Nested(PackActionItemSchema), metadata={
        "description": "The committee's open action items (of its meetings) due before the meeting's date."})
