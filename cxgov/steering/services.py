"""Steering committee rules: committees, meetings, agendas, attendance, decisions, minutes and
action items. Each function takes the acting user and plain data, checks the rule, flushes and
returns the object; the caller commits."""
import uuid

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cxgov import policy
from cxgov.db import load, utcnow
from cxgov.errors import Conflict, Forbidden, Invalid
from cxgov.extensions import db
from cxgov.initiatives.models import Initiative, Transition
from cxgov.journeys.models import Journey
from cxgov.org.models import Department, User
from cxgov.references import require_existing
from cxgov.rest import apply_changes
from cxgov.steering.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Committee,
    CommitteeMember,
    Decision,
    Meeting,
    MinutesCorrection,
    default_quorum,
)

# A change of any of these re-issues the calendar invite (a higher SEQUENCE, same UID), as does
# cancelling a meeting or reinstating a cancelled one; marking it held does not.
INVITE_FIELDS = ("starts_at", "duration_minutes", "location")


def require_governance(actor):
    policy.require(policy.manage_governance, actor, None,
                   _("Only CX leaders and admins manage the steering committee."))


def _ensure_unique_name(name, current=None):
    existing = db.session.scalar(select(Committee).where(Committee.name == name))
    if existing is not None and existing is not current:
        raise Conflict(_("A committee named “%(name)s” already exists.", name=name),
                       errors={"name": [_("Already in use.")]})


# -- committees and members --------------------------------------------------------------------

def create_committee(actor, data):
    require_governance(actor)
    _ensure_unique_name(data["name"])
    require_existing(User, data.get("chair_id"), "chair_id")
    committee = Committee(**data)
    db.session.add(committee)
    db.session.flush()
    return committee


def update_committee(actor, committee, data):
    require_governance(actor)
    if "name" in data:
        _ensure_unique_name(data["name"], committee)
    if "chair_id" in data:
        require_existing(User, data["chair_id"], "chair_id")
    apply_changes(committee, data)
    db.session.flush()
    return committee


def delete_committee(actor, committee):
    """Only a committee that never met may go: meetings are part of the governance record."""
    require_governance(actor)
    if db.session.scalar(select(func.count(Meeting.id)).where(Meeting.committee_id == committee.id)):
        raise Conflict(_("This committee has meetings on record; it cannot be deleted."))
    db.session.delete(committee)
    db.session.flush()


def add_member(actor, committee, data):
    require_governance(actor)
    user = require_existing(User, data["user_id"], "user_id")
    department_id = data.get("department_id", user.department_id)
    require_existing(Department, department_id, "department_id")
    if db.session.scalar(select(CommitteeMember.id).where(CommitteeMember.committee_id == committee.id,
                                                          CommitteeMember.user_id == user.id)):
        raise Conflict(_("%(name)s is already a member of this committee.", name=user.name),
                       errors={"user_id": [_("Already a member.")]})
    member = CommitteeMember(committee_id=committee.id, user_id=user.id, department_id=department_id,
                             member_role=data.get("member_role", "member"))
    db.session.add(member)
    db.session.flush()
    return member


def update_member(actor, member, data):
    require_governance(actor)
    if "department_id" in data:
        require_existing(Department, data["department_id"], "department_id")
    apply_changes(member, data)
    db.session.flush()
    return member


def remove_member(actor, member):
    require_governance(actor)
    db.session.delete(member)
    db.session.flush()


# -- meetings ----------------------------------------------------------------------------------

def is_published(meeting):
    return meeting.status == "held" and meeting.minutes_published_at is not None


# What cannot change once the minutes are published, said whole (`what` names it in English).
_PUBLISHED = {
    "The meeting": _l("The meeting is part of published minutes and cannot change; record a correction instead."),
    "This meeting": _l("This meeting is part of published minutes and cannot change; record a correction instead."),
    "The agenda": _l("The agenda is part of published minutes and cannot change; record a correction instead."),
    "Attendance": _l("Attendance is part of published minutes and cannot change; record a correction instead."),
    "This decision": _l("This decision is part of published minutes and cannot change; record a correction "
                        "instead."),
}


def refuse_if_published(meeting, what="The meeting"):
    if is_published(meeting):
        raise Conflict(str(_PUBLISHED.get(what, _PUBLISHED["The meeting"])))


def meeting_is(status):
    """"The meeting is held." (and so on), as one sentence per status."""
    return {"scheduled": _("The meeting is scheduled."), "held": _("The meeting is held."),
            "cancelled": _("The meeting is cancelled.")}.get(status) or _("The meeting is %(status)s.", status=status)


def create_meeting(actor, data):
    """A scheduled meeting with a fresh invite UID; every committee member is invited."""
    require_governance(actor)
    committee = require_existing(Committee, data["committee_id"], "committee_id")
    meeting = Meeting(**data, status="scheduled", ics_uid=f"{uuid.uuid4()}@cxgov", ics_sequence=0)
    db.session.add(meeting)
    db.session.flush()
    user_ids = db.session.scalars(select(CommitteeMember.user_id).where(CommitteeMember.committee_id == committee.id))
    db.session.add_all(Attendance(meeting_id=meeting.id, user_id=user_id, status="invited") for user_id in user_ids)
    db.session.flush()
    return meeting


def require_meeting_update(actor, meeting, data):
    """May `actor` make this change to `meeting` at all (checked before anything else, If-Match
    included): governance anything, the committee's secretary the minutes."""
    if set(data) - {"minutes"}:
        require_governance(actor)
    else:
        policy.require(policy.write_minutes, actor, meeting,
                   _("Only CX leaders, admins and the committee's secretary write minutes."))


def quorum_count(meeting):
    """(members who attended, the quorum) of a meeting, counted in the database."""
    committee = meeting.committee
    members = db.session.scalar(select(func.count(CommitteeMember.id))
                                .where(CommitteeMember.committee_id == committee.id))
    present = db.session.scalar(
        select(func.count(Attendance.id))
        .join(CommitteeMember, (CommitteeMember.user_id == Attendance.user_id)
              & (CommitteeMember.committee_id == committee.id))
        .where(Attendance.meeting_id == meeting.id, Attendance.status == "attended"))
    return present, committee.quorum if committee.quorum is not None else default_quorum(members)


def _check_quorum(meeting, data):
    """Marking a meeting held needs the quorum of members `attended`, or a `quorum_note` saying
    why it was held without (SPEC §9): 409 otherwise."""
    present, quorum = quorum_count(meeting)
    if present >= quorum or (data.get("quorum_note") or "").strip():
        return
    raise Conflict(
        _("Only %(present)s of the %(quorum)s members the quorum needs attended: record their attendance, "
          "or say why the meeting was held without quorum (quorum_note).", present=present, quorum=quorum),
        errors={"quorum_note": [_("Required: %(present)s members attended, the quorum is %(quorum)s.",
                                  present=present, quorum=quorum)]})


def update_meeting(actor, meeting, data, now=None):
    """Governance changes anything; the committee's secretary only the minutes (while unpublished).

    Status: scheduled → held or cancelled, held or cancelled → scheduled (while unpublished).
    Marking it held needs the quorum, or a `quorum_note` (kept on the meeting).
    """
    require_meeting_update(actor, meeting, data)
    refuse_if_published(meeting, "This meeting")
    status = data.get("status", meeting.status)
    cancelling = "cancelled" in (status, meeting.status) and status != meeting.status
    if status == "held" and data.get("starts_at", meeting.starts_at) > (now or utcnow()):
        raise Invalid(_("A meeting cannot be marked held before it starts."),
                      errors={"status": [_("The meeting has not started yet.")]})
    if status == "held" and meeting.status != "held":
        _check_quorum(meeting, data)
    if "quorum_note" in data:
        data = {**data, "quorum_note": (data["quorum_note"] or "").strip() or None}
    changed = apply_changes(meeting, data)
    if cancelling or any(name in changed for name in INVITE_FIELDS):
        meeting.ics_sequence += 1
    if meeting.series_id is not None and (cancelling or changed.keys() & {"title", *INVITE_FIELDS}):
        meeting.series_detached = True  # changed on its own: changes of its series pass it by
    db.session.flush()
    return meeting


def delete_meeting(actor, meeting):
    require_governance(actor)
    refuse_if_published(meeting, "This meeting")
    if db.session.scalar(select(func.count(Transition.id)).join(Decision, Transition.decision_id == Decision.id)
                         .where(Decision.meeting_id == meeting.id)):
        raise Conflict(_("A decision of this meeting changed an initiative's status; the meeting stays on record."))
    db.session.delete(meeting)
    db.session.flush()


def publish_minutes(actor, meeting, now=None):
    policy.require(policy.write_minutes, actor, meeting,
                   _("Only CX leaders, admins and the committee's secretary publish minutes."))
    if meeting.status != "held":
        raise Conflict(_("Only the minutes of a held meeting can be published; mark the meeting held first."),
                       errors={"status": [meeting_is(meeting.status)]})
    if meeting.minutes_published_at is not None:
        raise Conflict(_("These minutes are already published."))
    if not (meeting.minutes or "").strip():
        raise Conflict(_("There are no minutes to publish yet."), errors={"minutes": [_("Write the minutes first.")]})
    meeting.minutes_published_at = now or utcnow()
    db.session.flush()
    return meeting


def add_minutes_correction(actor, meeting, data):
    policy.require(policy.write_minutes, actor, meeting,
                   _("Only CX leaders, admins and the committee's secretary correct minutes."))
    if not is_published(meeting):
        raise Conflict(_("These minutes are not published yet: edit them directly."))
    correction = MinutesCorrection(meeting_id=meeting.id, text=data["text"], author_id=actor.id)
    db.session.add(correction)
    db.session.flush()
    return correction


# -- agenda ------------------------------------------------------------------------------------

def _check_agenda_references(data):
    require_existing(Initiative, data.get("initiative_id"), "initiative_id")
    require_existing(Journey, data.get("journey_id"), "journey_id")
    require_existing(User, data.get("presenter_id"), "presenter_id")


def _place(items, item, position):
    """Put `item` at `position` among `items` and renumber them 0..n-1."""
    ordered = [other for other in items if other is not item]
    position = len(ordered) if position is None else position
    if position > len(ordered):
        raise Invalid(_("position is past the end of the agenda."),
                      errors={"position": [_("Must be between 0 and %(last)s.", last=len(ordered))]})
    ordered.insert(position, item)
    for index, other in enumerate(ordered):
        if other.position != index:
            other.position = index


def add_agenda_item(actor, meeting, data, source_key=None):
    require_governance(actor)
    refuse_if_published(meeting, "The agenda")
    _check_agenda_references(data)
    data = dict(data)
    position = data.pop("position", None)
    item = AgendaItem(meeting_id=meeting.id, source_key=source_key, position=0, **data)
    items = list(load(meeting, "agenda_items").agenda_items)
    _place(items, item, position)
    db.session.add(item)
    db.session.flush()
    db.session.expire(meeting, ["agenda_items"])
    return item


def update_agenda_item(actor, item, data):
    require_governance(actor)
    meeting = item.meeting
    refuse_if_published(meeting, "The agenda")
    _check_agenda_references(data)
    data = dict(data)
    if "position" in data:
        _place(list(load(meeting, "agenda_items").agenda_items), item, data.pop("position"))
    apply_changes(item, data)
    db.session.flush()
    return item


def reorder_agenda(actor, meeting, ids):
    require_governance(actor)
    refuse_if_published(meeting, "The agenda")
    items = {item.id: item for item in load(meeting, "agenda_items").agenda_items}
    if sorted(ids) != sorted(items):
        raise Invalid(_("Give every agenda item of the meeting exactly once."),
                      errors={"ids": [_("Expected a permutation of %(ids)s.", ids=sorted(items))]})
    for index, ident in enumerate(ids):
        if items[ident].position != index:
            items[ident].position = index
    db.session.flush()
    db.session.expire(meeting, ["agenda_items"])
    return sorted(items.values(), key=lambda item: item.position)


def delete_agenda_item(actor, item):
    require_governance(actor)
    meeting = item.meeting
    refuse_if_published(meeting, "The agenda")
    remaining = [other for other in load(meeting, "agenda_items").agenda_items if other is not item]
    db.session.delete(item)
    for index, other in enumerate(remaining):
        if other.position != index:
            other.position = index
    db.session.flush()


# -- attendance --------------------------------------------------------------------------------

def set_attendance(actor, meeting, user_id, status):
    """Create or change one person's attendance (guests who are not members may be added)."""
    require_governance(actor)
    refuse_if_published(meeting, "Attendance")
    if meeting.status == "cancelled" and status in ("attended", "absent"):
        raise Conflict(_("The meeting was cancelled: nobody attended."),
                       errors={"status": [_("The meeting is cancelled.")]})
    require_existing(User, user_id, "user_id")
    row = db.session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                     Attendance.user_id == user_id))
    created = row is None
    if created:
        row = Attendance(meeting_id=meeting.id, user_id=user_id, status=status)
        db.session.add(row)
    else:
        row.status = status
    db.session.flush()
    return row, created


RSVP_STATUSES = ("accepted", "declined")


def answer_invitation(actor, meeting, status):
    """A committee member accepts or declines their invitation to a scheduled meeting (SPEC §9).
    Returns the attendance row (created if the member joined after the meeting was planned)."""
    policy.require(policy.answer_invitation, actor, meeting,
                   _("Only members of the meeting's committee answer its invitation."))
    if status not in RSVP_STATUSES:
        raise Invalid(_("Answer accepted or declined."), errors={"status": ["Must be accepted or declined."]})
    if meeting.status != "scheduled":
        raise Conflict(" ".join((meeting_is(meeting.status),
                                 _("Invitations are answered before the meeting is held."))),
                       errors={"status": [meeting_is(meeting.status)]})
    row = db.session.scalar(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                     Attendance.user_id == actor.id))
    if row is None:
        row = Attendance(meeting_id=meeting.id, user_id=actor.id, status=status)
        db.session.add(row)
    else:
        row.status = status
    db.session.flush()
    return row


# -- decisions ---------------------------------------------------------------------------------

def _check_agenda_item(meeting_id, agenda_item_id):
    """An outcome names an agenda item of its own meeting (422 otherwise)."""
    agenda_item = require_existing(AgendaItem, agenda_item_id, "agenda_item_id")
    if agenda_item is not None and agenda_item.meeting_id != meeting_id:
        why = _("Item %(item)s is not an agenda item of meeting %(meeting)s.", item=agenda_item_id,
                meeting=meeting_id) if meeting_id is not None else \
            _("Item %(item)s is not an agenda item of no meeting.", item=agenda_item_id)
        raise Invalid(_("agenda_item_id names an item of another meeting."), errors={"agenda_item_id": [why]})
    return agenda_item


def _check_decision(meeting, data, current=None):
    if "agenda_item_id" in data:
        _check_agenda_item(meeting.id, data["agenda_item_id"])
    kind = data.get("kind", current.kind if current else "other")
    initiative_id = data.get("initiative_id", current.initiative_id if current else None)
    if kind != "other" and initiative_id is None:
        raise Invalid(_("A decision of kind %(kind)s names its initiative.", kind=kind),
                      errors={"initiative_id": [_("Required for every kind but other.")]})
    require_existing(Initiative, initiative_id, "initiative_id")


def record_decision(actor, meeting, data, now=None):
    """A new decision, on a meeting that is not cancelled and has started (SPEC §8.1). Once the
    minutes are published, only corrections (`corrects_id`) are accepted. `now`: when it was
    recorded (the present by default; the demo's history passes past instants)."""
    require_governance(actor)
    if meeting.status == "cancelled":
        raise Conflict(_("The meeting was cancelled; it took no decisions."))
    if meeting.starts_at > (now or utcnow()):
        raise Conflict(_("The meeting has not started yet; decisions are recorded once it has begun."),
                       errors={"meeting": [_("Starts at %(when)s.", when=meeting.starts_at.isoformat())]})
    _check_decision(meeting, data)
    corrects_id = data.get("corrects_id")
    if corrects_id is not None:
        corrected = db.session.get(Decision, corrects_id)
        if corrected is None or corrected.meeting_id != meeting.id:
            raise Invalid(_("corrects_id is not a decision of this meeting."),
                          errors={"corrects_id": [_("No decision %(decision)s in meeting %(meeting)s.",
                                                    decision=corrects_id, meeting=meeting.id)]})
    elif is_published(meeting):
        raise Conflict(_("The minutes of this meeting are published: record a correction (corrects_id) instead."),
                       errors={"corrects_id": [_("Required once the minutes are published.")]})
    decision = Decision(meeting_id=meeting.id, recorded_by_id=actor.id, **data)
    if now is not None:
        decision.created_at = now
    db.session.add(decision)
    db.session.flush()
    return decision


def _refuse_if_used(decision):
    if db.session.scalar(select(Transition.id).where(Transition.decision_id == decision.id).limit(1)):
        raise Conflict(_("This decision changed an initiative's status; record a correction instead."))


def update_decision(actor, decision, data):
    require_governance(actor)
    refuse_if_published(decision.meeting, "This decision")
    _refuse_if_used(decision)
    _check_decision(decision.meeting, data, decision)
    apply_changes(decision, data)
    db.session.flush()
    return decision


def delete_decision(actor, decision):
    require_governance(actor)
    refuse_if_published(decision.meeting, "This decision")
    _refuse_if_used(decision)
    db.session.delete(decision)
    db.session.flush()


# -- action items ------------------------------------------------------------------------------

def _check_action_item_references(data):
    require_existing(User, data.get("owner_id"), "owner_id")
    require_existing(Meeting, data.get("meeting_id"), "meeting_id")
    require_existing(Initiative, data.get("initiative_id"), "initiative_id")
    require_existing(Department, data.get("department_id"), "department_id")


def _set_status(item, status, now):
    if status == item.status:
        return
    item.status = status
    item.completed_at = (now or utcnow()) if status == "done" else None


def _action_item_agenda(data, current=None):
    """The agenda item an action item names is of its meeting; without a meeting, the item's
    meeting is taken. Returns the data to apply."""
    agenda_item_id = data.get("agenda_item_id", current.agenda_item_id if current else None)
    if agenda_item_id is None or not ({"agenda_item_id", "meeting_id"} & set(data)):
        return data
    meeting_id = data.get("meeting_id", current.meeting_id if current else None)
    if meeting_id is None and (current is None or "meeting_id" not in data):
        agenda_item = require_existing(AgendaItem, agenda_item_id, "agenda_item_id")
        return {**data, "meeting_id": agenda_item.meeting_id}
    _check_agenda_item(meeting_id, agenda_item_id)
    return data


def create_action_item(actor, data, now=None):
    """A new action item. `now`: when it was created, and completed if its status is `done` (the
    present by default; the demo's history passes past instants)."""
    require_governance(actor)
    _check_action_item_references(data)
    data = _action_item_agenda(dict(data))
    status = data.pop("status", "open")
    item = ActionItem(**data, status="open")
    if now is not None:
        item.created_at = now
    _set_status(item, status, now)
    db.session.add(item)
    db.session.flush()
    return item


def require_action_item_update(actor, item, data):
    """May `actor` make this change to `item` at all (checked before anything else, If-Match
    included): governance anything, the owner the status of their own item."""
    if not policy.manage_governance(actor):
        policy.require(policy.update_action_item_status, actor, item,
                       _("You may only change the status of your own action items."))
        if set(data) - {"status"}:
            raise Forbidden(_("You may only change the status of your own action items."),
                            errors={name: [_("Only CX leaders and admins change this.")]
                                    for name in sorted(set(data) - {"status"})})


def update_action_item(actor, item, data, now=None):
    """Governance changes anything; the owner may change only the status of their own item."""
    require_action_item_update(actor, item, data)
    _check_action_item_references(data)
    data = _action_item_agenda(dict(data), item)
    if "status" in data:
        _set_status(item, data.pop("status"), now)
    apply_changes(item, data)
    db.session.flush()
    return item


def delete_action_item(actor, item):
    require_governance(actor)
    db.session.delete(item)
    db.session.flush()


# -- what the meeting page shows -----------------------------------------------------------------

def departments_not_represented(meetings):
    """For each meeting (by id), the organisation's departments (by name) none of whose committee
    members represents it there (SPEC §9). A member represents the department they sit for on the
    committee (`CommitteeMember.department_id`): at a held meeting if they `attended`; at a
    scheduled (or cancelled) meeting unless they `declined` or were marked `absent`, a member who
    has not answered yet counted as coming. A department with no member on the committee is never
    represented. Three queries whatever the number of meetings."""
    if not meetings:
        return {}
    departments = db.session.scalars(select(Department).order_by(Department.name, Department.id)).all()
    committee_ids = {m.committee_id for m in meetings}
    members = db.session.execute(select(CommitteeMember.committee_id, CommitteeMember.user_id,
                                        CommitteeMember.department_id)
                                 .where(CommitteeMember.committee_id.in_(committee_ids))).all()
    answers = {(row.meeting_id, row.user_id): row.status for row in db.session.execute(
        select(Attendance.meeting_id, Attendance.user_id, Attendance.status)
        .where(Attendance.meeting_id.in_([m.id for m in meetings])))}
    found = {}
    for meeting in meetings:
        represented = set()
        for committee_id, user_id, department_id in members:
            if committee_id != meeting.committee_id or department_id is None:
                continue
            answer = answers.get((meeting.id, user_id), "invited")
            if meeting.status == "held":
                present = answer == "attended"
            else:
                present = answer not in ("declined", "absent")
            if present:
                represented.add(department_id)
        found[meeting.id] = [d for d in departments if d.id not in represented]
    return found


def note_representation(meetings):
    """Set `departments_not_represented` on each meeting (what the API answers)."""
    found = departments_not_represented(meetings)
    for meeting in meetings:
        meeting.departments_not_represented = found[meeting.id]


def load_meeting(meeting_id, fresh=False):
    """A meeting with everything its page and invite show, in a fixed number of queries
    (`fresh`: loaded again even if the session holds it, e.g. after a rollback)."""
    return db.session.get(Meeting, meeting_id, populate_existing=fresh, options=[
        selectinload(Meeting.committee).selectinload(Committee.members).selectinload(CommitteeMember.user),
        selectinload(Meeting.committee).selectinload(Committee.chair),
        selectinload(Meeting.agenda_items),
        selectinload(Meeting.attendance).selectinload(Attendance.user),
        selectinload(Meeting.decisions),
    ])

