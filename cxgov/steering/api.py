"""/api/committees, /api/meetings (agenda, attendance, decisions, minutes, invite) and
/api/action-items."""
from flask import Response, jsonify
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cxgov import policy
from cxgov.extensions import db
from cxgov.initiatives.reviews_api import shown
from cxgov.resources import Parent, Resource, guarded, item, transactional
from cxgov.rest import Blueprint, check_if_match, get_or_404, page_of, with_etag
from cxgov.steering import pack, register, series, services, standing, suggestions
from cxgov.steering.ics import build_invite, build_series_invite
from cxgov.steering.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Committee,
    CommitteeMember,
    Decision,
    Meeting,
    MeetingSeries,
    MinutesCorrection,
)
from cxgov.steering.schemas import (
    ActionItemArgs,
    ActionItemSchema,
    AgendaItemSchema,
    AgendaOrderSchema,
    AttendanceSchema,
    AttendanceStatusSchema,
    CommitteeMemberPatchSchema,
    CommitteeMemberSchema,
    CommitteeSchema,
    DecisionPatchSchema,
    DecisionRegisterArgs,
    DecisionSchema,
    InvitationAnswerSchema,
    MeetingArgs,
    MeetingPatchSchema,
    MeetingSchema,
    MinutesCorrectionSchema,
    PackArgs,
    PackSchema,
    RegisterEntrySchema,
    SectionSchema,
    SectionsSchema,
    SeriesPatchSchema,
    SeriesSchema,
    SuggestionSchema,
    TraceSchema,
)

committees = Blueprint("api_committees", __name__, url_prefix="/api/committees",
                       description="Steering committees and their members (CX leaders and admins write).")
meetings = Blueprint("api_meetings", __name__, url_prefix="/api/meetings",
                     description="Meetings: agenda, attendance, decisions, minutes and the calendar invite.")
decisions = Blueprint("api_decisions", __name__, url_prefix="/api/decisions", description=(
    "The decision register: every decision across meetings with what became of it (`outcome`), and its "
    "trace from the meeting to the review verdicts (SPEC §8.5). Everyone signed in reads them; the ROI figures "
    "of a trace only who may read the initiative's ROI."))
series_bp = Blueprint("api_series", __name__, url_prefix="/api/series", description=(
    "Meeting series (SPEC §9): a committee's meetings on an RFC 5545 rule. Changing a series changes its "
    "meetings not yet held, except those changed on their own."))
action_items = Blueprint("api_action_items", __name__, url_prefix="/api/action-items",
                         description="Action items (CX leaders and admins write; owners update the status of their own).")

IN_MEETING = Parent(Meeting, "meeting_id")  # its agenda, attendance, decisions and minutes corrections


# -- committees --------------------------------------------------------------------------------

Resource(
    committees, model=Committee, schema=CommitteeSchema, item="<int:committee_id>",
    options=(selectinload(Committee.members).selectinload(CommitteeMember.user),), order_by=(Committee.name,),
    guard=policy.manage_governance, create=services.create_committee, update=services.update_committee,
    delete=services.delete_committee, conflicts=("create", "update", "delete"),
    docs={"list": "List committees with their members.", "create": "Create a committee.",
          "read": "Read a committee with its members.", "update": "Change a committee's name, charter or chair.",
          "delete": "Delete a committee that has no meetings."},
)

Resource(
    committees, model=CommitteeMember, schema=CommitteeMemberSchema, update_schema=CommitteeMemberPatchSchema,
    path="/<int:committee_id>/members", item="<int:member_id>", parent=Parent(Committee, "committee_id"),
    options=(selectinload(CommitteeMember.user),), order_by=(CommitteeMember.id,), guard=policy.manage_governance,
    create=services.add_member, update=services.update_member, delete=services.remove_member, conflicts=("create",),
    docs={"list": "List a committee's members.", "create": "Add a member (department defaults to the user's own).",
          "update": "Change a member's role or department.", "delete": "Remove a member from the committee."},
)


# -- standing agenda ---------------------------------------------------------------------------

@committees.route("/<int:committee_id>/sections")
class CommitteeSections(MethodView):
    @committees.response(200, SectionSchema(many=True))
    @committees.problems(401, 404)
    def get(self, committee_id):
        """The committee's standing agenda sections, in order."""
        return standing.sections_of(item(Committee, committee_id).id)

    @committees.arguments(SectionsSchema)
    @committees.response(200, SectionSchema(many=True))
    @committees.problems(400, 401, 403, 404, 422)
    def put(self, data, committee_id):
        """Replace the committee's standing sections with `sections`, in order. A section named by `id`
        (or else the existing one of the same source kind) is kept, with the agenda items filed under it;
        each source kind at most once (422 naming `sections[i].kind`)."""
        with transactional():
            committee = guarded(policy.manage_governance, item(Committee, committee_id),
                                _("Only CX leaders and admins set the standing agenda."))
            return standing.replace_sections(current_user, committee, data["sections"])


# -- meeting series ----------------------------------------------------------------------------

def _series_answer(row, status=200):
    row.meetings = series.series_meetings(row)
    return with_etag(row, status)


@committees.route("/<int:committee_id>/series", methods=["POST"])
@committees.arguments(SeriesSchema)
@committees.response(201, SeriesSchema)
@committees.problems(400, 401, 403, 404, 422)
def create_series(data, committee_id):
    """Create a meeting series: one meeting per occurrence of `rrule` (bounded, at most 60), each
    with `series_id`; every committee member is invited to each."""
    with transactional():
        committee = guarded(policy.manage_governance, item(Committee, committee_id),
                            _("Only CX leaders and admins plan meetings."))
        row = series.create_series(current_user, committee, data)
    return _series_answer(row, 201)


@series_bp.route("/<int:series_id>")
class SeriesItem(MethodView):
    @series_bp.response(200, SeriesSchema)
    @series_bp.problems(401, 404)
    def get(self, series_id):
        """Read a series with its meetings."""
        return _series_answer(item(MeetingSeries, series_id))

    @series_bp.arguments(SeriesPatchSchema)
    @series_bp.response(200, SeriesSchema)
    @series_bp.problems(400, 401, 403, 404, 412, 422)
    def patch(self, data, series_id):
        """Change a series: its meetings not yet held follow (a new `first_starts_at` moves each with
        it), except meetings changed on their own. A new `rrule` reschedules them: a meeting whose
        occurrence it no longer gives is removed, or cancelled if something was recorded on it;
        each new occurrence gets a meeting. The series' `ics_sequence` rises."""
        with transactional():
            row = guarded(policy.manage_governance, item(MeetingSeries, series_id),
                          _("Only CX leaders and admins plan meetings."))
            check_if_match(row)
            series.update_series(current_user, row, data)
        return _series_answer(row)


@series_bp.route("/<int:series_id>/invite.ics")
@series_bp.response(200, description="An iCalendar (RFC 5545) recurring event", content_type="text/calendar")
@series_bp.doc(responses={"200": {"description": "An iCalendar (RFC 5545) recurring event",
                                  "content": {"text/calendar": {"schema": {"type": "string", "format": "binary"}}}}})
@series_bp.problems(401, 404)
def series_invite(series_id):
    """The series' calendar invite: one event with the RRULE, and an override (RECURRENCE-ID) for
    each meeting that differs from its occurrence (moved, changed or cancelled)."""
    row = item(MeetingSeries, series_id)
    return Response(build_series_invite(row, series.series_meetings(row)), mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="series-{row.id}.ics"'})


# -- meetings ----------------------------------------------------------------------------------

def _meetings(args):
    stmt = select(Meeting)
    if args.get("starts_from"):
        stmt = stmt.where(Meeting.starts_at >= args["starts_from"])
    if args.get("starts_to"):
        stmt = stmt.where(Meeting.starts_at < args["starts_to"])
    return stmt


Resource(
    meetings, model=Meeting, schema=MeetingSchema, update_schema=MeetingPatchSchema, args=MeetingArgs,
    item="<int:meeting_id>", query=_meetings, filters=("committee_id", "status"),
    order_by=(Meeting.starts_at.desc(), Meeting.id.desc()),
    guard=policy.manage_governance, update_guard=services.require_meeting_update,
    prepare=services.note_representation,
    create=standing.create_meeting, update=standing.update_meeting, delete=services.delete_meeting,
    conflicts=("update", "delete"),
    docs={"list": "List meetings, latest first (`from`/`to` bound `starts_at`).",
          "create": "Schedule a meeting; every committee member is invited, and its agenda is filled from the "
                    "committee's standing sections.", "read": "Read a meeting.",
          "update": "Change a meeting; the committee's secretary may change `minutes` only. Published → 409. "
                    "Marking a meeting of a series held fills the series' next meeting from the standing sections.",
          "delete": "Delete a meeting whose minutes are not published."},
)


@meetings.route("/<int:meeting_id>/invite.ics")
@meetings.response(200, description="An iCalendar (RFC 5545) event", content_type="text/calendar")
@meetings.doc(responses={"200": {"description": "An iCalendar (RFC 5545) event",
                                 "content": {"text/calendar": {"schema": {"type": "string", "format": "binary"}}}}})
@meetings.problems(401, 404)
def meeting_invite(meeting_id):
    """The meeting's calendar invite: organiser, attendees, times with time zone, agenda."""
    meeting = services.load_meeting(meeting_id) or get_or_404(Meeting, meeting_id)
    return Response(build_invite(meeting), mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="meeting-{meeting.id}.ics"',
    })


@meetings.route("/<int:meeting_id>/pack")
@meetings.arguments(PackArgs, location="query")
@meetings.response(200, PackSchema)
@meetings.problems(401, 404, 422)
def meeting_pack(args, meeting_id):
    """The pre-read pack: the agenda; per initiative on it, its readiness, its business case exactly
    as `/api/initiatives/{id}/roi`, its impacts and their KPI series; per review due by the meeting's
    date, actual against target; the committee's overdue action items. The PDF is
    `/meetings/{id}/pack.pdf`. With `as_sent=true`, the copy the reminders sent, without the figures
    the caller may not read."""
    item(Meeting, meeting_id)
    if args["as_sent"]:
        return jsonify(pack.for_reader(pack.sent_or_404(meeting_id), current_user)[0])  # serialized when sent
    return pack.build_pack(current_user, meeting_id)


@meetings.route("/<int:meeting_id>/minutes/publish", methods=["POST"])
@meetings.response(200, MeetingSchema)
@meetings.problems(401, 403, 404, 409, 412)
def publish_minutes(meeting_id):
    """Publish a held meeting's minutes: from then on they and its decisions are immutable."""
    with transactional():
        meeting = guarded(policy.write_minutes, item(Meeting, meeting_id),
                          _("Only CX leaders, admins and the committee's secretary publish minutes."))
        check_if_match(meeting)
        services.publish_minutes(current_user, meeting)
    return with_etag(meeting)


Resource(
    meetings, model=MinutesCorrection, schema=MinutesCorrectionSchema, path="/<int:meeting_id>/minutes/corrections",
    parent=IN_MEETING, order_by=(MinutesCorrection.id,), create=services.add_minutes_correction, conflicts=("create",),
    docs={"list": "Corrections to the published minutes, oldest first.",
          "create": "Correct published minutes (the published text itself never changes)."},
)


# -- agenda ------------------------------------------------------------------------------------

Resource(
    meetings, model=AgendaItem, schema=AgendaItemSchema, path="/<int:meeting_id>/agenda-items", item="<int:item_id>",
    parent=IN_MEETING, order_by=(AgendaItem.position, AgendaItem.id), guard=policy.manage_governance,
    create=services.add_agenda_item, update=services.update_agenda_item, delete=services.delete_agenda_item,
    conflicts=("create", "update", "delete"),
    docs={"list": "The agenda, in order.", "create": "Add an agenda item (at `position`, or at the end).",
          "read": "Read an agenda item.",
          "update": "Change an agenda item; a new `position` moves it (positions stay 0..n-1).",
          "delete": "Remove an agenda item."},
)


@meetings.route("/<int:meeting_id>/agenda-items/order", methods=["PUT"])
@meetings.arguments(AgendaOrderSchema)
@meetings.response(200, AgendaItemSchema(many=True))
@meetings.problems(400, 401, 403, 404, 409, 422)
def reorder_agenda(data, meeting_id):
    """Reorder the agenda: every item id of the meeting, in the new order."""
    with transactional():
        return services.reorder_agenda(current_user, item(Meeting, meeting_id), data["ids"])


@meetings.route("/<int:meeting_id>/agenda-items/suggested")
class SuggestedAgendaItems(MethodView):
    @meetings.response(200, SuggestionSchema(many=True))
    @meetings.problems(401, 404)
    def get(self, meeting_id):
        """Preview the suggestions not yet on the agenda."""
        return suggestions.suggest(item(Meeting, meeting_id))

    @meetings.response(200, AgendaItemSchema(many=True))
    @meetings.problems(401, 403, 404, 409)
    def post(self, meeting_id):
        """Add the suggested items missing from the agenda; returns those added (never twice)."""
        with transactional():
            return suggestions.add_suggestions(current_user, item(Meeting, meeting_id))


@meetings.route("/<int:meeting_id>/agenda/standing", methods=["POST"])
@meetings.response(200, AgendaItemSchema(many=True))
@meetings.problems(401, 403, 404, 409)
def fill_standing_agenda(meeting_id):
    """Fill the agenda from the committee's standing sections with what is newly due (each source once
    per meeting, in section order); returns the items added. Published minutes → 409."""
    with transactional():
        meeting = guarded(policy.manage_governance, item(Meeting, meeting_id),
                          _("Only CX leaders and admins set the agenda."))
        ids = [added.id for added in standing.fill(current_user, meeting)]
    return db.session.scalars(select(AgendaItem).where(AgendaItem.id.in_(ids))
                              .order_by(AgendaItem.position)).all() if ids else []


# -- attendance --------------------------------------------------------------------------------

Resource(
    meetings, model=Attendance, schema=AttendanceSchema, path="/<int:meeting_id>/attendance", parent=IN_MEETING,
    options=(selectinload(Attendance.user),), order_by=(Attendance.id,),
    docs={"list": "Who was invited, accepted, declined, attended or was absent."},
)


def _attendance(meeting_id, user_id, status):
    """One person's attendance, created (201) or changed (200)."""
    with transactional():
        row, created = services.set_attendance(current_user, item(Meeting, meeting_id), user_id, status)
    return with_etag(row, 201 if created else 200)


@meetings.route("/<int:meeting_id>/attendance", methods=["POST"])
@meetings.arguments(AttendanceSchema)
@meetings.response(200, AttendanceSchema)
@meetings.alt_response(201, schema=AttendanceSchema, description="Created")
@meetings.problems(400, 401, 403, 404, 409, 422)
def post_attendance(data, meeting_id):
    """Record one person's attendance (created → 201, changed → 200)."""
    return _attendance(meeting_id, data["user_id"], data["status"])


@meetings.route("/<int:meeting_id>/attendance/me", methods=["PUT"])
@meetings.arguments(InvitationAnswerSchema)
@meetings.response(200, AttendanceSchema)
@meetings.problems(400, 401, 403, 404, 409, 422)
def answer_invitation(data, meeting_id):
    """Answer your own invitation: a member of the meeting's committee accepts or declines
    (403 for anyone else; 409 once the meeting is held or cancelled)."""
    with transactional():
        row = services.answer_invitation(current_user, item(Meeting, meeting_id), data["status"])
    return with_etag(row)


@meetings.route("/<int:meeting_id>/attendance/<int:user_id>", methods=["PUT"])
@meetings.arguments(AttendanceStatusSchema)
@meetings.response(200, AttendanceSchema)
@meetings.alt_response(201, schema=AttendanceSchema, description="Created")
@meetings.problems(400, 401, 403, 404, 409, 422)
def put_attendance(data, meeting_id, user_id):
    """Set one person's attendance (created → 201, changed → 200)."""
    return _attendance(meeting_id, user_id, data["status"])


# -- decisions ---------------------------------------------------------------------------------

Resource(
    meetings, model=Decision, schema=DecisionSchema, update_schema=DecisionPatchSchema,
    path="/<int:meeting_id>/decisions", item="<int:decision_id>", parent=IN_MEETING, order_by=(Decision.id,),
    guard=policy.manage_governance, create=services.record_decision, update=services.update_decision,
    delete=services.delete_decision, conflicts=("create", "update", "delete"),
    docs={"list": "The meeting's decisions, corrections included, oldest first.",
          "create": "Record a decision; after publication only corrections (`corrects_id`).",
          "read": "Read a decision.", "update": "Change a decision while the minutes are unpublished.",
          "delete": "Delete a decision while the minutes are unpublished."},
)


# -- the decision register and trace ----------------------------------------------------------

@decisions.route("")
class DecisionRegister(MethodView):
    @decisions.arguments(DecisionRegisterArgs, location="query")
    @decisions.response(200, page_of(RegisterEntrySchema))
    @decisions.problems(401, 422)
    def get(self, args):
        """The decision register: decisions across meetings, meeting date newest first (then newest
        decision first), each with its derived `outcome` and its meeting and initiative by name."""
        return register.register(args)


@decisions.route("/<int:decision_id>/trace")
class DecisionTrace(MethodView):
    @decisions.response(200, TraceSchema)
    @decisions.problems(401, 404)
    def get(self, decision_id):
        """What followed a decision: its meeting, its initiative's lifecycle, the approved baseline's
        NPV and ROI, the impacts as measured, the actual NPV and ROI and the review verdicts."""
        answer = register.trace(current_user, decision_id)
        if answer["initiative"] is not None:
            answer["reviews"] = [shown(review, answer["initiative"]) for review in answer["reviews"]]
        return answer


# -- action items ------------------------------------------------------------------------------

def _action_items(args):
    stmt = select(ActionItem)
    if args.get("due_before"):
        stmt = stmt.where(ActionItem.due_on <= args["due_before"])
    if args.get("due_after"):
        stmt = stmt.where(ActionItem.due_on >= args["due_after"])
    return stmt


Resource(
    action_items, model=ActionItem, schema=ActionItemSchema, args=ActionItemArgs, item="<int:item_id>",
    query=_action_items, filters=("owner_id", "status", "meeting_id", "initiative_id", "department_id", "agenda_item_id"),
    order_by=(ActionItem.due_on, ActionItem.id), guard=policy.manage_governance,
    update_guard=services.require_action_item_update, create=services.create_action_item,
    update=services.update_action_item, delete=services.delete_action_item,
    docs={"list": "List action items, soonest due first.", "create": "Create an action item.",
          "read": "Read an action item.", "update": "Change an action item; its owner may change only `status`.",
          "delete": "Delete an action item."},
)


blueprints = [committees, meetings, series_bp, decisions, action_items]
