"""/api/committees, /api/meetings (agenda, attendance, decisions, minutes, invite) and
/api/action-items."""
from flask import Response
from flask.views import MethodView
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cxgov import policy
from cxgov.extensions import db
from cxgov.rest import Blueprint, ListArgs, check_if_match, filter_by, get_or_404, page_of, paginate, with_etag
from cxgov.steering import services, suggestions
from cxgov.steering.ics import build_invite
from cxgov.steering.models import (
    ActionItem, AgendaItem, Attendance, Committee, CommitteeMember, Decision, Meeting, MinutesCorrection,
)
from cxgov.steering.schemas import (
    ActionItemArgs, ActionItemSchema, AgendaItemSchema, AgendaOrderSchema, AttendanceSchema, AttendanceStatusSchema,
    CommitteeMemberPatchSchema, CommitteeMemberSchema, CommitteeSchema, DecisionPatchSchema, DecisionSchema,
    MeetingArgs, MeetingPatchSchema, MeetingSchema, MinutesCorrectionSchema, SuggestionSchema,
)

committees = Blueprint("api_committees", __name__, url_prefix="/api/committees",
                       description="Steering committees and their members (CX leaders and admins write).")
meetings = Blueprint("api_meetings", __name__, url_prefix="/api/meetings",
                     description="Meetings: agenda, attendance, decisions, minutes and the calendar invite.")
action_items = Blueprint("api_action_items", __name__, url_prefix="/api/action-items",
                         description="Action items (CX leaders and admins write; owners update the status of their own).")


def _in_meeting(model, meeting_id, item_id):
    obj = get_or_404(model, item_id)
    if obj.meeting_id != meeting_id:
        get_or_404(model, None)
    return obj


# -- committees --------------------------------------------------------------------------------

_with_members = selectinload(Committee.members).selectinload(CommitteeMember.user)


@committees.route("")
class Committees(MethodView):
    @committees.arguments(ListArgs, location="query")
    @committees.response(200, page_of(CommitteeSchema))
    @committees.problems(401, 422)
    def get(self, args):
        """List committees with their members."""
        return paginate(select(Committee).options(_with_members).order_by(Committee.name), args)

    @committees.arguments(CommitteeSchema)
    @committees.response(201, CommitteeSchema)
    @committees.problems(400, 401, 403, 409, 422)
    def post(self, data):
        """Create a committee."""
        committee = services.create_committee(current_user, data)
        db.session.commit()
        return with_etag(get_or_404(Committee, committee.id, _with_members), 201)


@committees.route("/<int:committee_id>")
class CommitteeById(MethodView):
    @committees.response(200, CommitteeSchema)
    @committees.problems(401, 404)
    def get(self, committee_id):
        """Read a committee with its members."""
        return with_etag(get_or_404(Committee, committee_id, _with_members))

    @committees.arguments(CommitteeSchema(partial=True))
    @committees.response(200, CommitteeSchema)
    @committees.problems(400, 401, 403, 404, 409, 412, 422)
    def patch(self, data, committee_id):
        """Change a committee's name, charter or chair."""
        committee = get_or_404(Committee, committee_id)
        policy.require(policy.manage_governance, current_user)
        check_if_match(committee)
        services.update_committee(current_user, committee, data)
        db.session.commit()
        return with_etag(get_or_404(Committee, committee_id, _with_members))

    @committees.response(204)
    @committees.problems(401, 403, 404, 409, 412)
    def delete(self, committee_id):
        """Delete a committee that has no meetings."""
        committee = get_or_404(Committee, committee_id)
        policy.require(policy.manage_governance, current_user)
        check_if_match(committee)
        services.delete_committee(current_user, committee)
        db.session.commit()


@committees.route("/<int:committee_id>/members")
class Members(MethodView):
    @committees.response(200, CommitteeMemberSchema(many=True))
    @committees.problems(401, 404)
    def get(self, committee_id):
        """List a committee's members."""
        return get_or_404(Committee, committee_id, _with_members).members

    @committees.arguments(CommitteeMemberSchema)
    @committees.response(201, CommitteeMemberSchema)
    @committees.problems(400, 401, 403, 404, 409, 422)
    def post(self, data, committee_id):
        """Add a member (department defaults to the user's own)."""
        committee = get_or_404(Committee, committee_id)
        member = services.add_member(current_user, committee, data)
        db.session.commit()
        return with_etag(member, 201)


def _member(committee_id, member_id):
    member = get_or_404(CommitteeMember, member_id)
    if member.committee_id != committee_id:
        get_or_404(CommitteeMember, None)
    return member


@committees.route("/<int:committee_id>/members/<int:member_id>")
class MemberById(MethodView):
    @committees.arguments(CommitteeMemberPatchSchema)
    @committees.response(200, CommitteeMemberSchema)
    @committees.problems(400, 401, 403, 404, 412, 422)
    def patch(self, data, committee_id, member_id):
        """Change a member's role or department."""
        member = _member(committee_id, member_id)
        policy.require(policy.manage_governance, current_user)
        check_if_match(member)
        services.update_member(current_user, member, data)
        db.session.commit()
        return with_etag(member)

    @committees.response(204)
    @committees.problems(401, 403, 404, 412)
    def delete(self, committee_id, member_id):
        """Remove a member from the committee."""
        member = _member(committee_id, member_id)
        policy.require(policy.manage_governance, current_user)
        check_if_match(member)
        services.remove_member(current_user, member)
        db.session.commit()


# -- meetings ----------------------------------------------------------------------------------

@meetings.route("")
class Meetings(MethodView):
    @meetings.arguments(MeetingArgs, location="query")
    @meetings.response(200, page_of(MeetingSchema))
    @meetings.problems(401, 422)
    def get(self, args):
        """List meetings, latest first (`from`/`to` bound `starts_at`)."""
        stmt = filter_by(select(Meeting).order_by(Meeting.starts_at.desc(), Meeting.id.desc()), Meeting, args,
                         ["committee_id", "status"])
        if args.get("starts_from"):
            stmt = stmt.where(Meeting.starts_at >= args["starts_from"])
        if args.get("starts_to"):
            stmt = stmt.where(Meeting.starts_at < args["starts_to"])
        return paginate(stmt, args)

    @meetings.arguments(MeetingSchema)
    @meetings.response(201, MeetingSchema)
    @meetings.problems(400, 401, 403, 422)
    def post(self, data):
        """Schedule a meeting; every committee member is invited."""
        meeting = services.create_meeting(current_user, data)
        db.session.commit()
        return with_etag(meeting, 201)


@meetings.route("/<int:meeting_id>")
class MeetingById(MethodView):
    @meetings.response(200, MeetingSchema)
    @meetings.problems(401, 404)
    def get(self, meeting_id):
        """Read a meeting."""
        return with_etag(get_or_404(Meeting, meeting_id))

    @meetings.arguments(MeetingPatchSchema)
    @meetings.response(200, MeetingSchema)
    @meetings.problems(400, 401, 403, 404, 409, 412, 422)
    def patch(self, data, meeting_id):
        """Change a meeting; the committee's secretary may change `minutes` only. Published → 409."""
        meeting = get_or_404(Meeting, meeting_id)
        services.require_meeting_update(current_user, meeting, data)
        check_if_match(meeting)
        services.update_meeting(current_user, meeting, data)
        db.session.commit()
        return with_etag(meeting)

    @meetings.response(204)
    @meetings.problems(401, 403, 404, 409, 412)
    def delete(self, meeting_id):
        """Delete a meeting whose minutes are not published."""
        meeting = get_or_404(Meeting, meeting_id)
        policy.require(policy.manage_governance, current_user)
        check_if_match(meeting)
        services.delete_meeting(current_user, meeting)
        db.session.commit()


@meetings.route("/<int:meeting_id>/invite.ics")
@meetings.response(200, description="An iCalendar (RFC 5545) event", content_type="text/calendar")
@meetings.doc(responses={"200": {"description": "An iCalendar (RFC 5545) event",
                                 "content": {"text/calendar": {"schema": {"type": "string", "format": "binary"}}}}})
@meetings.problems(401, 404)
def meeting_invite(meeting_id):
    """The meeting's calendar invite: organiser, attendees, times with time zone, agenda."""
    meeting = services.load_meeting(meeting_id) or get_or_404(Meeting, None)
    return Response(build_invite(meeting), mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="meeting-{meeting.id}.ics"',
    })


@meetings.route("/<int:meeting_id>/minutes/publish", methods=["POST"])
@meetings.response(200, MeetingSchema)
@meetings.problems(401, 403, 404, 409, 412)
def publish_minutes(meeting_id):
    """Publish a held meeting's minutes: from then on they and its decisions are immutable."""
    meeting = get_or_404(Meeting, meeting_id)
    policy.require(policy.write_minutes, current_user, meeting,
                   "Only CX leaders, admins and the committee's secretary publish minutes.")
    check_if_match(meeting)
    services.publish_minutes(current_user, meeting)
    db.session.commit()
    return with_etag(meeting)


@meetings.route("/<int:meeting_id>/minutes/corrections")
class MinutesCorrections(MethodView):
    @meetings.response(200, MinutesCorrectionSchema(many=True))
    @meetings.problems(401, 404)
    def get(self, meeting_id):
        """Corrections to the published minutes, oldest first."""
        get_or_404(Meeting, meeting_id)
        return db.session.scalars(select(MinutesCorrection).where(MinutesCorrection.meeting_id == meeting_id)
                                  .order_by(MinutesCorrection.id)).all()

    @meetings.arguments(MinutesCorrectionSchema)
    @meetings.response(201, MinutesCorrectionSchema)
    @meetings.problems(400, 401, 403, 404, 409, 422)
    def post(self, data, meeting_id):
        """Correct published minutes (the published text itself never changes)."""
        meeting = get_or_404(Meeting, meeting_id)
        correction = services.add_minutes_correction(current_user, meeting, data)
        db.session.commit()
        return correction


# -- agenda ------------------------------------------------------------------------------------

@meetings.route("/<int:meeting_id>/agenda-items")
class AgendaItems(MethodView):
    @meetings.response(200, AgendaItemSchema(many=True))
    @meetings.problems(401, 404)
    def get(self, meeting_id):
        """The agenda, in order."""
        return get_or_404(Meeting, meeting_id, selectinload(Meeting.agenda_items)).agenda_items

    @meetings.arguments(AgendaItemSchema)
    @meetings.response(201, AgendaItemSchema)
    @meetings.problems(400, 401, 403, 404, 409, 422)
    def post(self, data, meeting_id):
        """Add an agenda item (at `position`, or at the end)."""
        meeting = get_or_404(Meeting, meeting_id)
        item = services.add_agenda_item(current_user, meeting, data)
        db.session.commit()
        return with_etag(item, 201)


@meetings.route("/<int:meeting_id>/agenda-items/order", methods=["PUT"])
@meetings.arguments(AgendaOrderSchema)
@meetings.response(200, AgendaItemSchema(many=True))
@meetings.problems(400, 401, 403, 404, 409, 422)
def reorder_agenda(data, meeting_id):
    """Reorder the agenda: every item id of the meeting, in the new order."""
    meeting = get_or_404(Meeting, meeting_id)
    items = services.reorder_agenda(current_user, meeting, data["ids"])
    db.session.commit()
    return items


@meetings.route("/<int:meeting_id>/agenda-items/suggested")
class SuggestedAgendaItems(MethodView):
    @meetings.response(200, SuggestionSchema(many=True))
    @meetings.problems(401, 404)
    def get(self, meeting_id):
        """Preview the suggestions not yet on the agenda."""
        return suggestions.suggest(get_or_404(Meeting, meeting_id))

    @meetings.response(200, AgendaItemSchema(many=True))
    @meetings.problems(401, 403, 404, 409)
    def post(self, meeting_id):
        """Add the suggested items missing from the agenda; returns those added (never twice)."""
        meeting = get_or_404(Meeting, meeting_id)
        added = suggestions.add_suggestions(current_user, meeting)
        db.session.commit()
        return added


@meetings.route("/<int:meeting_id>/agenda-items/<int:item_id>")
class AgendaItemById(MethodView):
    @meetings.response(200, AgendaItemSchema)
    @meetings.problems(401, 404)
    def get(self, meeting_id, item_id):
        """Read an agenda item."""
        return with_etag(_in_meeting(AgendaItem, meeting_id, item_id))

    @meetings.arguments(AgendaItemSchema(partial=True))
    @meetings.response(200, AgendaItemSchema)
    @meetings.problems(400, 401, 403, 404, 409, 412, 422)
    def patch(self, data, meeting_id, item_id):
        """Change an agenda item; a new `position` moves it (positions stay 0..n-1)."""
        item = _in_meeting(AgendaItem, meeting_id, item_id)
        policy.require(policy.manage_governance, current_user)
        check_if_match(item)
        services.update_agenda_item(current_user, item, data)
        db.session.commit()
        return with_etag(item)

    @meetings.response(204)
    @meetings.problems(401, 403, 404, 409, 412)
    def delete(self, meeting_id, item_id):
        """Remove an agenda item."""
        item = _in_meeting(AgendaItem, meeting_id, item_id)
        policy.require(policy.manage_governance, current_user)
        check_if_match(item)
        services.delete_agenda_item(current_user, item)
        db.session.commit()


# -- attendance --------------------------------------------------------------------------------

@meetings.route("/<int:meeting_id>/attendance")
class AttendanceList(MethodView):
    @meetings.response(200, AttendanceSchema(many=True))
    @meetings.problems(401, 404)
    def get(self, meeting_id):
        """Who was invited, accepted, declined, attended or was absent."""
        get_or_404(Meeting, meeting_id)
        return db.session.scalars(select(Attendance).options(selectinload(Attendance.user))
                                  .where(Attendance.meeting_id == meeting_id).order_by(Attendance.id)).all()

    @meetings.arguments(AttendanceSchema)
    @meetings.response(200, AttendanceSchema)
    @meetings.alt_response(201, schema=AttendanceSchema, description="Created")
    @meetings.problems(400, 401, 403, 404, 409, 422)
    def post(self, data, meeting_id):
        """Record one person's attendance (created → 201, changed → 200)."""
        meeting = get_or_404(Meeting, meeting_id)
        row, created = services.set_attendance(current_user, meeting, data["user_id"], data["status"])
        db.session.commit()
        return with_etag(row, 201 if created else 200)


@meetings.route("/<int:meeting_id>/attendance/<int:user_id>", methods=["PUT"])
@meetings.arguments(AttendanceStatusSchema)
@meetings.response(200, AttendanceSchema)
@meetings.alt_response(201, schema=AttendanceSchema, description="Created")
@meetings.problems(400, 401, 403, 404, 409, 422)
def put_attendance(data, meeting_id, user_id):
    """Set one person's attendance (created → 201, changed → 200)."""
    meeting = get_or_404(Meeting, meeting_id)
    row, created = services.set_attendance(current_user, meeting, user_id, data["status"])
    db.session.commit()
    return with_etag(row, 201 if created else 200)


# -- decisions ---------------------------------------------------------------------------------

@meetings.route("/<int:meeting_id>/decisions")
class Decisions(MethodView):
    @meetings.response(200, DecisionSchema(many=True))
    @meetings.problems(401, 404)
    def get(self, meeting_id):
        """The meeting's decisions, corrections included, oldest first."""
        return get_or_404(Meeting, meeting_id, selectinload(Meeting.decisions)).decisions

    @meetings.arguments(DecisionSchema)
    @meetings.response(201, DecisionSchema)
    @meetings.problems(400, 401, 403, 404, 409, 422)
    def post(self, data, meeting_id):
        """Record a decision; after publication only corrections (`corrects_id`)."""
        meeting = get_or_404(Meeting, meeting_id)
        decision = services.record_decision(current_user, meeting, data)
        db.session.commit()
        return with_etag(decision, 201)


@meetings.route("/<int:meeting_id>/decisions/<int:decision_id>")
class DecisionById(MethodView):
    @meetings.response(200, DecisionSchema)
    @meetings.problems(401, 404)
    def get(self, meeting_id, decision_id):
        """Read a decision."""
        return with_etag(_in_meeting(Decision, meeting_id, decision_id))

    @meetings.arguments(DecisionPatchSchema)
    @meetings.response(200, DecisionSchema)
    @meetings.problems(400, 401, 403, 404, 409, 412, 422)
    def patch(self, data, meeting_id, decision_id):
        """Change a decision while the minutes are unpublished."""
        decision = _in_meeting(Decision, meeting_id, decision_id)
        policy.require(policy.manage_governance, current_user)
        check_if_match(decision)
        services.update_decision(current_user, decision, data)
        db.session.commit()
        return with_etag(decision)

    @meetings.response(204)
    @meetings.problems(401, 403, 404, 409, 412)
    def delete(self, meeting_id, decision_id):
        """Delete a decision while the minutes are unpublished."""
        decision = _in_meeting(Decision, meeting_id, decision_id)
        policy.require(policy.manage_governance, current_user)
        check_if_match(decision)
        services.delete_decision(current_user, decision)
        db.session.commit()


# -- action items ------------------------------------------------------------------------------

@action_items.route("")
class ActionItems(MethodView):
    @action_items.arguments(ActionItemArgs, location="query")
    @action_items.response(200, page_of(ActionItemSchema))
    @action_items.problems(401, 422)
    def get(self, args):
        """List action items, soonest due first."""
        stmt = filter_by(select(ActionItem).order_by(ActionItem.due_on, ActionItem.id), ActionItem, args,
                         ["owner_id", "status", "meeting_id", "initiative_id", "department_id"])
        if args.get("due_before"):
            stmt = stmt.where(ActionItem.due_on <= args["due_before"])
        if args.get("due_after"):
            stmt = stmt.where(ActionItem.due_on >= args["due_after"])
        return paginate(stmt, args)

    @action_items.arguments(ActionItemSchema)
    @action_items.response(201, ActionItemSchema)
    @action_items.problems(400, 401, 403, 422)
    def post(self, data):
        """Create an action item."""
        item = services.create_action_item(current_user, data)
        db.session.commit()
        return with_etag(item, 201)


@action_items.route("/<int:item_id>")
class ActionItemById(MethodView):
    @action_items.response(200, ActionItemSchema)
    @action_items.problems(401, 404)
    def get(self, item_id):
        """Read an action item."""
        return with_etag(get_or_404(ActionItem, item_id))

    @action_items.arguments(ActionItemSchema(partial=True))
    @action_items.response(200, ActionItemSchema)
    @action_items.problems(400, 401, 403, 404, 412, 422)
    def patch(self, data, item_id):
        """Change an action item; its owner may change only `status`."""
        item = get_or_404(ActionItem, item_id)
        services.require_action_item_update(current_user, item, data)
        check_if_match(item)
        services.update_action_item(current_user, item, data)
        db.session.commit()
        return with_etag(item)

    @action_items.response(204)
    @action_items.problems(401, 403, 404, 412)
    def delete(self, item_id):
        """Delete an action item."""
        item = get_or_404(ActionItem, item_id)
        policy.require(policy.manage_governance, current_user)
        check_if_match(item)
        services.delete_action_item(current_user, item)
        db.session.commit()


blueprints = [committees, meetings, action_items]
