"""Pages a CX leader uses around the steering meeting, and "my action items" for everyone.

Every form posts to its own URL and redirects back (post/redirect/get). A form whose input is
refused (invalid fields, a rule of the domain) comes back on its page (422) with a message next
to each field and the values kept (cxgov/pages.py); a form that creates something acts once per
form token; cancelling a meeting or removing a member asks for confirmation first. A form
someone is not allowed to use is not shown to them, and its POST answers 403 anyway.
"""
from datetime import datetime, timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cxgov import pages, policy
from cxgov.db import load, today, utcnow
from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.formatting import local_time, local_zone
from cxgov.initiatives import business_case, gate, lifecycle
from cxgov.initiatives.models import Initiative
from cxgov.org.models import Department, User
from cxgov.pages import Field, FormSpec
from cxgov.pdf import pdf_response
from cxgov.rest import get_or_404
from cxgov.steering import pack, register, series, services, standing, suggestions
from cxgov.steering.ics import build_invite, build_series_invite
from cxgov.steering.models import (
    ACTION_ITEM_STATUSES,
    AGENDA_KINDS,
    ATTENDANCE_STATUSES,
    DECISION_KINDS,
    MEMBER_ROLES,
    ActionItem,
    AgendaItem,
    Committee,
    CommitteeMember,
    Meeting,
    MeetingSeries,
    MinutesCorrection,
)
from cxgov.steering.outcomes import OUTCOMES
from cxgov.steering.schemas import (
    ActionItemSchema,
    AgendaItemSchema,
    CommitteeMemberSchema,
    CommitteeSchema,
    DecisionRegisterArgs,
    DecisionSchema,
    MeetingPatchSchema,
    MeetingSchema,
    SectionSchema,
    SeriesPatchSchema,
    SeriesSchema,
)

bp = Blueprint("steering", __name__)


# -- helpers -----------------------------------------------------------------------------------

def _load(schema, data):
    try:
        return schema.load(data)
    except ValidationError as error:
        raise Invalid("Some fields need another look.", errors=error.messages) from None



def _submit(form, act, render):
    """A form's POST: `act` once per form token (pages.create_once), or its page again with
    the form's messages (422)."""
    try:
        return pages.create_once(form, act)
    except pages.FormInvalid:
        return render(form, 422)



COMMITTEE_FORM = FormSpec(
    "committee",
    name=Field("committee-name", "Name", noun="the name of the committee"),
    charter=Field("committee-charter", "Charter"),
    chair_id=Field("committee-chair", "Chair", "choice"),
)
MEETING_FORM = FormSpec(
    "meeting",
    committee_id=Field("meeting-committee", "Committee", "choice"),
    title=Field("meeting-title", "Title", noun="the title of the meeting"),
    starts_at=Field("meeting-starts", "Starts at", "datetime", noun="when the meeting starts"),
    duration_minutes=Field("meeting-duration", "Duration (minutes)", "integer"),
    location=Field("meeting-location", "Location"),
)
AGENDA_FORM = FormSpec(
    "agenda",
    title=Field("agenda-title", "Title", noun="the title of the agenda item"),
    kind=Field("agenda-kind", "Kind", "choice", noun="the kind of agenda item"),
    initiative_id=Field("agenda-initiative", "Initiative", "choice"),
    duration_minutes=Field("agenda-duration", "Minutes", "integer", noun="the minutes it takes"),
)
DECISION_FORM = FormSpec(
    "decision",
    kind=Field("decision-kind", "Kind", "choice", noun="the kind of decision"),
    initiative_id=Field("decision-initiative", "Initiative", "choice"),
    text=Field("decision-text", "Decision", noun="the decision"),
    corrects_id=Field("decision-corrects", "Corrects decision", "choice", noun="the decision it corrects"),
    agenda_item_id=Field("decision-agenda-item", "Agenda item", "choice"),
    apply=Field("decision-apply", "Apply to the initiative now", "choice"),
)
ACTION_ITEM_FORM = FormSpec(
    "action-item",
    title=Field("action-title", "Action item", noun="the action item"),
    owner_id=Field("action-owner", "Owner", "choice", noun="who owns it"),
    due_on=Field("action-due", "Due on", "date", noun="the due date"),
    department_id=Field("action-department", "Department", "choice"),
    initiative_id=Field("action-initiative", "Initiative", "choice"),
    agenda_item_id=Field("action-agenda-item", "Agenda item", "choice"),
)
MEETING_EDIT_FORM = FormSpec(
    "meeting-edit",
    title=Field("meeting-title", "Title", noun="the title of the meeting"),
    starts_at=Field("meeting-starts", "Starts at", "datetime", noun="when the meeting starts"),
    duration_minutes=Field("meeting-duration", "Duration (minutes)", "integer"),
    location=Field("meeting-location", "Location"),
)
AGENDA_EDIT_FORM = FormSpec(
    "agenda-edit",
    title=Field("agenda-title", "Title", noun="the title of the agenda item"),
    kind=Field("agenda-kind", "Kind", "choice", noun="the kind of agenda item"),
    initiative_id=Field("agenda-initiative", "Initiative", "choice"),
    duration_minutes=Field("agenda-duration", "Minutes", "integer", noun="the minutes it takes"),
    notes=Field("agenda-notes", "Notes"),
)
SERIES_FORM = FormSpec(
    "series",
    title=Field("series-title", "Title", noun="the title of the meetings"),
    rrule=Field("series-rrule", "Recurrence rule (RRULE)", noun="the recurrence rule"),
    first_starts_at=Field("series-starts", "First meeting starts at", "datetime", noun="when the first meeting starts"),
    duration_minutes=Field("series-duration", "Duration (minutes)", "integer"),
    location=Field("series-location", "Location"),
)
SERIES_RULE_FORM = FormSpec(
    "series-rule", rrule=Field("series-rule-input", "Recurrence rule (RRULE)", noun="the recurrence rule"))
CORRECTION_FORM = FormSpec("correction", text=Field("correction-text", "Correction", noun="the correction"))


def member_form(committee_id):
    """The "add a member" form of one committee (one per committee on the page)."""
    return FormSpec(
        f"member-{committee_id}",
        user_id=Field(f"member-user-{committee_id}", "Person", "choice", noun="the person to add"),
        member_role=Field(f"member-role-{committee_id}", "Role", "choice"),
    )


def quorum_form(committee_id):
    """The "quorum" form of one committee: a number, or blank for more than half the members."""
    return FormSpec(f"quorum-{committee_id}",
                    quorum=Field(f"quorum-input-{committee_id}", "Quorum", "integer", noun="the quorum"))


def section_form(committee_id):
    """The "add a standing section" form of one committee."""
    return FormSpec(
        f"section-{committee_id}",
        title=Field(f"section-title-{committee_id}", "Section title", noun="the title of the section"),
        kind=Field(f"section-kind-{committee_id}", "Filled with", "choice", noun="what fills the section"),
    )


def rename_form(section_id):
    return FormSpec(f"section-rename-{section_id}",
                    title=Field(f"section-rename-{section_id}", "Title", noun="the title of the section"))


def _read_version():
    """The version of the record the form was filled in from (its hidden `version` field)."""
    value = request.form.get("version", "").strip()
    return int(value) if value.isdigit() else None


def _local_input(instant):
    """An instant as an HTML `datetime-local` value in the deployment's time zone."""
    return instant.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")


def _parse_local(value, field):
    """An HTML `datetime-local` value, read in the deployment's time zone."""
    if not (value or "").strip():
        raise Invalid("Some fields need another look.", errors={field: ["Missing data for required field."]})
    try:
        naive = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise Invalid("Some fields need another look.", errors={field: ["Give a date and time."]}) from None
    return (naive if naive.tzinfo else naive.replace(tzinfo=local_zone())).isoformat()


# -- committees --------------------------------------------------------------------------------

@bp.route("/committees")
def committees():
    return _render_committees()


def _render_committees(form=None, status=200):
    rows = db.session.scalars(select(Committee).options(
        selectinload(Committee.members).selectinload(CommitteeMember.user), selectinload(Committee.chair),
        selectinload(Committee.members).selectinload(CommitteeMember.department),
    ).order_by(Committee.name).execution_options(populate_existing=True)).all()
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)).all() \
        if policy.manage_governance(current_user) else []
    sections = standing.sections_by_committee([c.id for c in rows])
    forms = {"committee": COMMITTEE_FORM.blank()}
    forms |= {f"member-{c.id}": member_form(c.id).blank(member_role="member") for c in rows}
    forms |= {f"quorum-{c.id}": quorum_form(c.id).blank(quorum=c.quorum) for c in rows}
    forms |= {f"section-{c.id}": section_form(c.id).blank(kind="fixed") for c in rows}
    forms |= {f"section-rename-{s.id}": rename_form(s.id).blank(title=s.title) for c in rows for s in sections[c.id]}
    if form is not None:
        forms[form.name] = form
    return render_template("steering/committees.html", committees=rows, users=users, member_roles=MEMBER_ROLES,
                           sections=sections, kind_labels=standing.KIND_LABELS, forms=forms, form=form), status


@bp.route("/committees", methods=["POST"])
def create_committee():
    policy.require(policy.manage_governance, current_user)
    form = COMMITTEE_FORM.read()

    def create():
        committee = services.create_committee(current_user, form.load(CommitteeSchema()))
        flash(f"Committee “{committee.name}” created.", "success")
        return url_for("steering.committees") + f"#committee-{committee.id}"

    return _submit(form, create, _render_committees)


@bp.route("/committees/<int:committee_id>/members", methods=["POST"])
def add_member(committee_id):
    committee = get_or_404(Committee, committee_id)
    policy.require(policy.manage_governance, current_user)
    form = member_form(committee_id).read()

    def add():
        member = services.add_member(current_user, committee, form.load(CommitteeMemberSchema()))
        flash(f"{member.user.name} joined {committee.name}.", "success")
        return url_for("steering.committees") + f"#committee-{committee.id}"

    return _submit(form, add, _render_committees)


@bp.route("/committees/<int:committee_id>/quorum", methods=["POST"])
def set_quorum(committee_id):
    """Set how many members must attend for a meeting to be held; blank: more than half the members."""
    committee = get_or_404(Committee, committee_id)
    policy.require(policy.manage_governance, current_user)
    form = quorum_form(committee_id).read()

    def save():
        data = {"quorum": form.value("quorum") or None}
        services.update_committee(current_user, committee, form.load(CommitteeSchema(only=("quorum",)), data))
        db.session.refresh(committee, ["members"])
        said = (f"{committee.quorum} member{'s' if committee.quorum != 1 else ''}" if committee.quorum is not None
                else f"more than half the members ({committee.effective_quorum} now)")
        flash(f"The quorum of {committee.name} is {said}.", "success")
        return url_for("steering.committees") + f"#committee-{committee.id}"

    return _submit(form, save, _render_committees)


@bp.route("/committees/<int:committee_id>/members/<int:member_id>/remove", methods=["POST"])
def remove_member(committee_id, member_id):
    member = get_or_404(CommitteeMember, member_id)
    if member.committee_id != committee_id:
        abort(404)
    policy.require(policy.manage_governance, current_user)
    name = member.user.name
    committee = member.committee
    back = url_for("steering.committees") + f"#committee-{committee_id}"
    if not pages.confirmed():
        return pages.ask_to_confirm(f"Remove {name} from {committee.name}?", f"Remove {name}", back,
                                    detail="They will no longer be invited to its meetings.")
    return pages.attempt(lambda: services.remove_member(current_user, member), f"{name} left {committee.name}.", back)


# -- standing agenda (SPEC §9) -------------------------------------------------------------------
# Each form builds the committee's whole new list of sections and hands it to the service the
# API's `PUT /api/committees/{id}/sections` uses.

def _sections_back(committee_id):
    return url_for("steering.committees") + f"#sections-{committee_id}"


def _as_items(sections):
    return [{"id": s.id, "title": s.title, "kind": s.kind} for s in sections]


def _committee_section(committee_id, section_id):
    committee = get_or_404(Committee, committee_id)
    policy.require(policy.manage_governance, current_user)
    sections = standing.sections_of(committee.id)
    section = next((s for s in sections if s.id == section_id), None) or abort(404)
    return committee, sections, section


def _on_the_form(error, field):
    """The service names `sections[i].field`: on a one-section form it is that form's field."""
    raise Invalid(error.detail, errors={field: [m for messages in (error.errors or {}).values()
                                                for m in messages]}) from None


@bp.route("/committees/<int:committee_id>/sections", methods=["POST"])
def add_section(committee_id):
    committee = get_or_404(Committee, committee_id)
    policy.require(policy.manage_governance, current_user)
    form = section_form(committee_id).read()

    def add():
        data = form.load(SectionSchema(only=("title", "kind")))
        try:
            standing.replace_sections(current_user, committee, [*_as_items(standing.sections_of(committee.id)),
                                                                data])
        except Invalid as error:
            _on_the_form(error, "kind")
        flash(f"Section “{data['title']}” added to the standing agenda of {committee.name}.", "success")
        return _sections_back(committee.id)

    return _submit(form, add, _render_committees)


@bp.route("/committees/<int:committee_id>/sections/<int:section_id>/rename", methods=["POST"])
def rename_section(committee_id, section_id):
    committee, sections, section = _committee_section(committee_id, section_id)
    form = rename_form(section_id).read()

    def rename():
        title = form.load(SectionSchema(only=("title",)))["title"]
        items = [{**item, "title": title} if item["id"] == section.id else item for item in _as_items(sections)]
        standing.replace_sections(current_user, committee, items)
        flash(f"Section renamed “{title}”.", "success")
        return _sections_back(committee.id)

    return pages.save(form, rename, _render_committees)


@bp.route("/committees/<int:committee_id>/sections/<int:section_id>/move", methods=["POST"])
def move_section(committee_id, section_id):
    committee, sections, section = _committee_section(committee_id, section_id)
    items = _as_items(sections)
    index = sections.index(section)
    step = -1 if request.form.get("direction") == "up" else 1
    if 0 <= index + step < len(items):
        items[index], items[index + step] = items[index + step], items[index]
    return pages.attempt(lambda: standing.replace_sections(current_user, committee, items) and None,
                         f"“{section.title}” moved {'up' if step < 0 else 'down'}.", _sections_back(committee.id))


@bp.route("/committees/<int:committee_id>/sections/<int:section_id>/remove", methods=["POST"])
def remove_section(committee_id, section_id):
    committee, sections, section = _committee_section(committee_id, section_id)
    items = [item for item in _as_items(sections) if item["id"] != section.id]
    return pages.attempt(lambda: standing.replace_sections(current_user, committee, items) and None,
                         f"Section “{section.title}” removed; agenda items already filed under it stay.",
                         _sections_back(committee.id))


# -- meeting series (SPEC §9) ------------------------------------------------------------------

@bp.route("/committees/<int:committee_id>/series/new", methods=["GET", "POST"])
def new_series(committee_id):
    """Plan a committee's meetings on a rhythm: one meeting per occurrence of the rule."""
    committee = get_or_404(Committee, committee_id)
    policy.require(policy.manage_governance, current_user)
    if request.method == "GET":
        return _render_new_series(committee, SERIES_FORM.blank(rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=12",
                                                               duration_minutes=90))
    form = SERIES_FORM.read()

    def create():
        data = form.data("title", "rrule", "duration_minutes", "location")
        try:
            data["first_starts_at"] = _parse_local(form.value("first_starts_at"), "first_starts_at")
        except Invalid as error:
            form.add_errors(error.errors)
        row = series.create_series(current_user, committee, form.load(
            SeriesSchema(), data, partial=("first_starts_at",) if form.errors else None))
        flash(f"Series “{row.title}” planned: {len(series.series_meetings(row))} meetings; committee members "
              "are invited to each.", "success")
        return url_for("steering.series_page", series_id=row.id)

    return _submit(form, create, lambda form, status: _render_new_series(committee, form, status))


def _render_new_series(committee, form, status=200):
    return render_template("steering/new_series.html", committee=committee, form=form), status


@bp.route("/series/<int:series_id>")
def series_page(series_id):
    return _render_series(get_or_404(MeetingSeries, series_id))


def _render_series(row, form=None, status=200):
    meetings = series.series_meetings(row)
    now = utcnow()
    return render_template(
        "steering/series.html", series=row, meetings=meetings, can_manage=policy.manage_governance(current_user),
        # The next meetings still to come (scheduled, from now on): what a member plans around.
        upcoming=[m for m in meetings if m.status == "scheduled" and m.starts_at >= now][:3],
        published={m.id for m in meetings if services.is_published(m)},
        form=form or SERIES_RULE_FORM.blank(rrule=row.rrule), version=row.version), status


@bp.route("/series/<int:series_id>/rule", methods=["POST"])
def change_series_rule(series_id):
    """A new recurrence rule for the series (`series.update_series`): its meetings are rescheduled.
    The form carries the version it was read at; a series changed meanwhile is not overwritten."""
    row = get_or_404(MeetingSeries, series_id)
    policy.require(policy.manage_governance, current_user)
    form = SERIES_RULE_FORM.read()
    if _read_version() != row.version:
        form.add(pages.FORM_LEVEL, "Someone else changed this series after you opened the page, so the rule was not "
                 f"changed. It now reads {row.rrule}. Check the rule below and save again.")
        return _render_series(row, form, 409)
    before = {m.id: m.status for m in series.series_meetings(row)}

    def save():
        series.update_series(current_user, row, form.load(SeriesPatchSchema(only=("rrule",))))
        after = series.series_meetings(row)
        added = sum(1 for m in after if m.id not in before)
        gone = len(before.keys() - {m.id for m in after})
        cancelled = sum(1 for m in after if m.status == "cancelled" and before.get(m.id, "cancelled") != "cancelled")
        flash(f"The series now follows {row.rrule}: {added} meeting{'s' if added != 1 else ''} added (members "
              f"invited), {gone} removed, {cancelled} cancelled. Download the series invite again to update "
              "calendars.", "success")
        return url_for("steering.series_page", series_id=row.id)

    return _submit(form, save, lambda form, status: _render_series(row, form, status))


@bp.route("/series/<int:series_id>/invite.ics")
def series_invite(series_id):
    """The series' calendar invite for a signed-in browser (the API's `/api/series/{id}/invite.ics`)."""
    row = get_or_404(MeetingSeries, series_id)
    return Response(build_series_invite(row, series.series_meetings(row)), mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="series-{row.id}.ics"'})


# -- meetings ----------------------------------------------------------------------------------

@bp.route("/meetings")
def meetings():
    return _render_meetings()


def _render_meetings(form=None, status=200):
    now = utcnow()
    rows = db.session.scalars(select(Meeting).options(selectinload(Meeting.committee))
                              .order_by(Meeting.starts_at.desc())).all()
    upcoming = sorted((m for m in rows if m.starts_at >= now - timedelta(hours=12)), key=lambda m: m.starts_at)
    past = [m for m in rows if m.starts_at < now - timedelta(hours=12)]
    committees_ = db.session.scalars(select(Committee).order_by(Committee.name)).all() \
        if policy.manage_governance(current_user) else []
    return render_template("steering/meetings.html", upcoming=upcoming, past=past, committees=committees_,
                           form=form or MEETING_FORM.blank(duration_minutes=90)), status


@bp.route("/meetings", methods=["POST"])
def create_meeting():
    policy.require(policy.manage_governance, current_user)
    form = MEETING_FORM.read()

    def create():
        data = form.data("committee_id", "title", "duration_minutes", "location")
        try:
            data["starts_at"] = _parse_local(form.value("starts_at"), "starts_at")
        except Invalid as error:  # said by the field, with whatever else is wrong
            form.add_errors(error.errors)
        meeting_ = standing.create_meeting(
            current_user, form.load(MeetingSchema(), data, partial=("starts_at",) if form.errors else None))
        flash(f"Meeting “{meeting_.title}” scheduled; committee members are invited.", "success")
        return url_for("steering.meeting", meeting_id=meeting_.id)

    return _submit(form, create, _render_meetings)


def _meeting_page_data(meeting):
    """What the meeting page shows, in a fixed number of queries whatever the meeting's size."""
    initiative_ids = {item.initiative_id for item in meeting.agenda_items if item.initiative_id}
    initiative_ids |= {d.initiative_id for d in meeting.decisions if d.initiative_id}
    decidable = db.session.scalars(select(Initiative).where(Initiative.status.not_in(lifecycle.FINAL))
                                   .order_by(Initiative.title)).all()
    initiatives = {i.id: i for i in decidable}
    missing = initiative_ids - set(initiatives)
    if missing:
        initiatives |= {i.id: i for i in db.session.scalars(select(Initiative).where(Initiative.id.in_(missing)))}
    open_items = db.session.scalars(
        select(ActionItem).options(selectinload(ActionItem.owner))
        .join(Meeting, Meeting.id == ActionItem.meeting_id)
        .where(Meeting.committee_id == meeting.committee_id,
               (ActionItem.status == "open") | (ActionItem.meeting_id == meeting.id))
        .order_by(ActionItem.due_on, ActionItem.id)
    ).all()
    attendance = {row.user_id: row for row in meeting.attendance}
    people = [(row.user, row.status) for row in meeting.attendance]
    people += [(m.user, "invited") for m in meeting.committee.members if m.user_id not in attendance]
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)).all()
    corrections = db.session.scalars(select(MinutesCorrection).where(MinutesCorrection.meeting_id == meeting.id)
                                     .order_by(MinutesCorrection.id)).all()
    proposals = [i for i in initiatives.values() if i.status == "proposed"]
    member_ids = {m.user_id for m in meeting.committee.members}
    return {
        # Members who attended against the quorum (SPEC §9), from the rows already loaded.
        "present": sum(1 for row in meeting.attendance if row.status == "attended" and row.user_id in member_ids),
        "quorum": meeting.committee.effective_quorum,
        # The departments no member represents (SPEC §9): the API's `departments_not_represented`.
        "not_represented": services.departments_not_represented([meeting])[meeting.id],
        "initiatives": initiatives, "decidable": decidable,
        # The approval gate of every proposal the meeting may decide (SPEC §8.1), and whether the
        # meeting has begun (decisions are recorded, and the meeting marked held, from then on).
        "readiness": gate.readiness_for(proposals), "started": meeting.starts_at <= utcnow(),
        "cases": business_case.business_cases(current_user,
                                              [initiatives[i] for i in initiative_ids if i in initiatives]),
        "action_items": open_items, "people": people,
        "users": users, "corrections": corrections,
        # Whom an action item may be given to: the committee's members first, then everyone else.
        "member_ids": member_ids,
        "departments": db.session.scalars(select(Department).order_by(Department.name)).all(),
        "pack_sent": pack.latest_sent_at(meeting.id),
    }


@bp.route("/meetings/<int:meeting_id>")
def meeting(meeting_id):
    return _render_meeting(meeting_id)


def _render_meeting(meeting_id, form=None, status=200):
    meeting_ = services.load_meeting(meeting_id, fresh=form is not None) or abort(404)
    can_manage = policy.manage_governance(current_user)
    forms = {"agenda": AGENDA_FORM.blank(), "decision": DECISION_FORM.blank(),
             "action-item": ACTION_ITEM_FORM.blank(), "correction": CORRECTION_FORM.blank()}
    if form is not None:
        forms[form.name] = form
    sections = standing.sections_of(meeting_.committee_id)
    due = standing.due(meeting_, sections) if can_manage and not services.is_published(meeting_) else []
    return render_template(
        "steering/meeting.html", meeting=meeting_, published=services.is_published(meeting_),
        can_manage=can_manage, can_write_minutes=policy.write_minutes(current_user, meeting_),
        can_answer=policy.answer_invitation(current_user, meeting_),
        # What the standing sections bring is offered by "Fill from standing agenda", not twice.
        suggestions=[s for s in suggestions.suggest(meeting_) if s.source_key not in {d.source_key for _, d in due}]
        if can_manage else [],
        standing_due=due,
        agenda_groups=_agenda_groups(meeting_, sections),
        agenda_kinds=AGENDA_KINDS, decision_kinds=DECISION_KINDS, attendance_statuses=ATTENDANCE_STATUSES,
        forms=forms, form=form, **_meeting_page_data(meeting_),
    ), status


def _agenda_groups(meeting, sections):
    """The agenda under the committee's standing sections, in their order (empty ones too), then the
    items of no section (or of one since removed) under "Other items"."""
    groups = [{"section": section, "items": []} for section in sections]
    by_id = {group["section"].id: group for group in groups}
    other = {"section": None, "items": []}
    for item in meeting.agenda_items:
        by_id.get(item.section_id, other)["items"].append(item)
    return groups + [other] if other["items"] or not groups else groups


def _meeting_form(meeting_id):
    """The meeting page again with a form that was refused (its messages at the top and by its fields)."""
    return lambda form, status: _render_meeting(meeting_id, form, status)


@bp.route("/meetings/<int:meeting_id>/invite.ics")
def meeting_invite(meeting_id):
    """The meeting's calendar invite for a signed-in browser: the same file as the API's
    `/api/meetings/{id}/invite.ics`, which takes bearer tokens only."""
    meeting_ = services.load_meeting(meeting_id) or abort(404)
    return Response(build_invite(meeting_), mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="meeting-{meeting_.id}.ics"',
    })


def _back(meeting_id, anchor=""):
    return url_for("steering.meeting", meeting_id=meeting_id) + (f"#{anchor}" if anchor else "")


def _governed_meeting(meeting_id):
    meeting_ = get_or_404(Meeting, meeting_id)
    policy.require(policy.manage_governance, current_user)
    return meeting_


@bp.route("/meetings/<int:meeting_id>/status", methods=["POST"])
def set_meeting_status(meeting_id):
    meeting_ = _governed_meeting(meeting_id)
    status = request.form.get("status", "")
    # From the series page (`back=series`): back there, to the list of its meetings.
    back = (url_for("steering.series_page", series_id=meeting_.series_id) + "#series-meetings"
            if request.form.get("back") == "series" and meeting_.series_id else _back(meeting_id))
    if status == "cancelled" and meeting_.status != "cancelled" and not pages.confirmed():
        return pages.ask_to_confirm(
            f"Cancel the meeting “{meeting_.title}” of {local_time(meeting_.starts_at)}?", "Cancel the meeting",
            back, keep_label="Keep the meeting",
            detail="Committee members are sent a cancellation. It can be scheduled again later.")

    note = request.form.get("quorum_note", "")

    def change():
        data = {"status": status, **({"quorum_note": note} if status == "held" and note.strip() else {})}
        standing.update_meeting(current_user, meeting_, _load(MeetingPatchSchema(only=("status", "quorum_note")), data))
        return f"The meeting is now {status}."

    return pages.attempt(change, "", back)


def _unchangeable(meeting_, what):
    """A published meeting no longer changes: back to its page, saying so (None if it may change)."""
    if not services.is_published(meeting_):
        return None
    flash(f"The minutes of this meeting are published, so {what} can no longer change; "
          "record a correction instead.", "error")
    return redirect(_back(meeting_.id))


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(meeting_id):
    """Change a meeting's title, start, duration and place. The form carries the version it was
    read at: a meeting changed meanwhile is not overwritten (409, what is stored now said)."""
    meeting_ = _governed_meeting(meeting_id)
    refused = _unchangeable(meeting_, "the meeting")
    if refused:
        return refused
    if request.method == "GET":
        form = MEETING_EDIT_FORM.blank(title=meeting_.title, starts_at=_local_input(meeting_.starts_at),
                                       duration_minutes=meeting_.duration_minutes, location=meeting_.location)
        return _render_edit_meeting(meeting_, form)
    form = MEETING_EDIT_FORM.read()
    if _read_version() != meeting_.version:
        form.add(pages.FORM_LEVEL, (
            "Someone else changed this meeting after you opened the form, so your changes were not saved. "
            f"It now reads: “{meeting_.title}”, {local_time(meeting_.starts_at)}, {meeting_.duration_minutes} min, "
            f"{meeting_.location or 'no place given'}. Check your changes below and save again."))
        return _render_edit_meeting(meeting_, form, 409)
    sequence = meeting_.ics_sequence

    def save():
        data = {"title": form.value("title") or None, "duration_minutes": form.value("duration_minutes") or None,
                "location": form.value("location") or None}
        try:
            data["starts_at"] = _parse_local(form.value("starts_at"), "starts_at")
        except Invalid as error:  # said by the field, with whatever else is wrong
            form.add_errors(error.errors)
        services.update_meeting(current_user, meeting_, form.load(
            MeetingPatchSchema(only=("title", "starts_at", "duration_minutes", "location")), data,
            partial=("starts_at",) if form.errors else None))
        reissued = " The calendar invite is re-issued: download it again to update calendars." \
            if meeting_.ics_sequence != sequence else ""
        flash(f"Meeting “{meeting_.title}” saved.{reissued}", "success")
        return _back(meeting_id)

    try:
        return pages.create_once(form, save)
    except pages.FormInvalid:
        return _render_edit_meeting(services.load_meeting(meeting_id, fresh=True), form, 422)


def _render_edit_meeting(meeting_, form, status=200):
    return render_template("steering/edit_meeting.html", meeting=meeting_, form=form, version=meeting_.version), status


def _meeting_agenda_item(meeting_id, item_id):
    """The agenda item `item_id` of the meeting, for someone who governs (404 if not of it)."""
    meeting_ = _governed_meeting(meeting_id)
    item = get_or_404(AgendaItem, item_id)
    if item.meeting_id != meeting_.id:
        abort(404)
    return meeting_, item


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
def edit_agenda_item(meeting_id, item_id):
    """Change an agenda item (its place in the agenda is changed by the up and down buttons)."""
    meeting_, item = _meeting_agenda_item(meeting_id, item_id)
    refused = _unchangeable(meeting_, "its agenda")
    if refused:
        return refused
    if request.method == "GET":
        form = AGENDA_EDIT_FORM.blank(title=item.title, kind=item.kind, initiative_id=item.initiative_id,
                                      duration_minutes=item.duration_minutes, notes=item.notes)
        return _render_edit_agenda_item(meeting_, item, form)
    form = AGENDA_EDIT_FORM.read()
    if _read_version() != item.version:
        form.add(pages.FORM_LEVEL, (
            "Someone else changed this agenda item after you opened the form, so your changes were not saved. "
            f"It now reads: “{item.title}” ({item.kind.replace('_', ' ')}"
            f"{f', {item.duration_minutes} min' if item.duration_minutes else ''}). "
            "Check your changes below and save again."))
        return _render_edit_agenda_item(meeting_, item, form, 409)

    def save():
        data = {"title": form.value("title") or None, "kind": form.value("kind"),
                "initiative_id": form.value("initiative_id") or None,
                "duration_minutes": form.value("duration_minutes") or None, "notes": form.value("notes") or None}
        services.update_agenda_item(current_user, item, form.load(
            AgendaItemSchema(only=("title", "kind", "initiative_id", "duration_minutes", "notes")), data))
        flash(f"Agenda item “{item.title}” saved.", "success")
        return _back(meeting_id, "agenda")

    try:
        return pages.create_once(form, save)
    except pages.FormInvalid:
        item = db.session.get(AgendaItem, item_id, populate_existing=True)
        return _render_edit_agenda_item(item.meeting, item, form, 422)


def _render_edit_agenda_item(meeting_, item, form, status=200):
    initiatives = db.session.scalars(select(Initiative).where(
        Initiative.status.not_in(lifecycle.FINAL) | (Initiative.id == item.initiative_id))
        .order_by(Initiative.title)).all()
    return render_template("steering/edit_agenda_item.html", meeting=meeting_, item=item, form=form,
                           version=item.version, initiatives=initiatives, agenda_kinds=AGENDA_KINDS), status


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/remove", methods=["POST"])
def remove_agenda_item(meeting_id, item_id):
    meeting_, item = _meeting_agenda_item(meeting_id, item_id)
    title = item.title
    back = _back(meeting_id, "agenda")
    if not pages.confirmed():
        return pages.ask_to_confirm(f"Remove “{title}” from the agenda of “{meeting_.title}”?",
                                    "Remove the agenda item", back, keep_label="Keep it on the agenda",
                                    detail="The items after it move up one place.")
    return pages.attempt(lambda: services.delete_agenda_item(current_user, item),
                    f"“{title}” removed from the agenda.", back)


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["POST"])
def add_agenda_item(meeting_id):
    meeting_ = _governed_meeting(meeting_id)
    form = AGENDA_FORM.read()

    def add():
        item = services.add_agenda_item(current_user, meeting_, form.load(AgendaItemSchema()))
        flash(f"“{item.title}” added to the agenda.", "success")
        return _back(meeting_id, "agenda")

    return _submit(form, add, _meeting_form(meeting_id))


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/move", methods=["POST"])
def move_agenda_item(meeting_id, item_id):
    """One place up or down: the whole new order goes through the service the API's
    `PUT …/agenda-items/order` uses."""
    meeting_, item = _meeting_agenda_item(meeting_id, item_id)
    ids = [other.id for other in load(meeting_, "agenda_items").agenda_items]
    index = ids.index(item.id)
    step = -1 if request.form.get("direction") == "up" else 1
    if 0 <= index + step < len(ids):
        ids[index], ids[index + step] = ids[index + step], ids[index]
    where = "up" if step < 0 else "down"
    return pages.attempt(lambda: services.reorder_agenda(current_user, meeting_, ids) and None,
                    f"“{item.title}” moved {where}.", _back(meeting_id, "agenda"))


@bp.route("/meetings/<int:meeting_id>/agenda/suggested", methods=["POST"])
def add_suggested_items(meeting_id):
    meeting_ = _governed_meeting(meeting_id)

    keys = [key for key in request.form.getlist("source_key") if key]

    def add():
        added = suggestions.add_suggestions(current_user, meeting_, keys)
        message = f"{len(added)} suggested item{'s' if len(added) != 1 else ''} added to the agenda."
        skipped = len(set(keys)) - len(added)
        if skipped:
            message += f" {skipped} of those ticked {'was' if skipped == 1 else 'were'} already on it or " \
                       "no longer suggested."
        return message

    return pages.attempt(add, "", _back(meeting_id, "agenda"))


@bp.route("/meetings/<int:meeting_id>/agenda/standing", methods=["POST"])
def fill_standing_agenda(meeting_id):
    """What the committee's standing sections bring that is newly due (the API's
    `POST /api/meetings/{id}/agenda/standing`)."""
    meeting_ = _governed_meeting(meeting_id)

    def fill():
        added = standing.fill(current_user, meeting_)
        return f"{len(added)} standing item{'s' if len(added) != 1 else ''} added to the agenda."

    return pages.attempt(fill, "", _back(meeting_id, "agenda"))


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["POST"])
def take_attendance(meeting_id):
    meeting_ = _governed_meeting(meeting_id)

    def record():
        changed = 0
        for key, status in request.form.items():
            if not key.startswith("status_"):
                continue
            user_id = key.removeprefix("status_")
            if not user_id.isdigit() or status not in ATTENDANCE_STATUSES:
                raise Invalid("Some fields need another look.", errors={key: ["Pick one of the listed statuses."]})
            services.set_attendance(current_user, meeting_, int(user_id), status)
            changed += 1
        return f"Attendance saved for {changed} people."

    return pages.attempt(record, "", _back(meeting_id, "attendance"))


@bp.route("/meetings/<int:meeting_id>/attendance/me", methods=["POST"])
def answer_invitation(meeting_id):
    """A committee member accepts or declines their invitation (the API's `PUT …/attendance/me`)."""
    meeting_ = get_or_404(Meeting, meeting_id)
    policy.require(policy.answer_invitation, current_user, meeting_)
    status = request.form.get("status", "")

    def answer():
        services.answer_invitation(current_user, meeting_, status)
        return f"You {status} the invitation to “{meeting_.title}”." if status in services.RSVP_STATUSES else None

    return pages.attempt(answer, "", _back(meeting_id, "attendance"))


@bp.route("/meetings/<int:meeting_id>/decisions", methods=["POST"])
def record_decision(meeting_id):
    meeting_ = _governed_meeting(meeting_id)
    form = DECISION_FORM.read()

    def record():
        data = form.load(DecisionSchema(), form.data("text", "kind", "initiative_id", "corrects_id", "agenda_item_id"))
        decision = services.record_decision(current_user, meeting_, data)
        message = "Decision recorded."
        if form.value("apply") and decision.kind in ("approve_initiative", "reject_initiative"):
            initiative = db.session.get(Initiative, decision.initiative_id)
            to = "approved" if decision.kind == "approve_initiative" else "rejected"
            on = min(suggestions.meeting_date(meeting_), today())
            lifecycle.transition_initiative(current_user, initiative, to, decision_id=decision.id, on=on)
            message = f"Decision recorded; “{initiative.title}” is now {to}."
        elif form.value("apply") and decision.kind == "rebaseline_initiative":
            initiative = db.session.get(Initiative, decision.initiative_id)
            gate.rebaseline(current_user, initiative, decision.id)
            message = f"Decision recorded; “{initiative.title}” has a new approved baseline."
        flash(message, "success")
        return _back(meeting_id, "decisions")

    return _submit(form, record, _meeting_form(meeting_id))


@bp.route("/meetings/<int:meeting_id>/action-items", methods=["POST"])
def add_action_item(meeting_id):
    meeting_ = _governed_meeting(meeting_id)
    form = ACTION_ITEM_FORM.read()

    def add():
        data = {**form.data("title", "owner_id", "due_on", "department_id", "initiative_id", "agenda_item_id"),
                "meeting_id": meeting_.id}
        item = services.create_action_item(current_user, form.load(ActionItemSchema(), data))
        flash(f"Action item “{item.title}” added.", "success")
        return _back(meeting_id, "action-items")

    return _submit(form, add, _meeting_form(meeting_id))


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["POST"])
def save_minutes(meeting_id):
    meeting_ = get_or_404(Meeting, meeting_id)
    policy.require(policy.write_minutes, current_user, meeting_)
    text = request.form.get("minutes", "")
    return pages.attempt(lambda: services.update_meeting(current_user, meeting_, {"minutes": text or None}) and None,
                    "Minutes saved.", _back(meeting_id, "minutes"))


@bp.route("/meetings/<int:meeting_id>/minutes/publish", methods=["POST"])
def publish_minutes(meeting_id):
    meeting_ = get_or_404(Meeting, meeting_id)
    policy.require(policy.write_minutes, current_user, meeting_)
    if meeting_.status == "held" and not services.is_published(meeting_) and not pages.confirmed():
        return pages.ask_to_confirm(
            f"Publish the minutes of “{meeting_.title}”?", "Publish the minutes", _back(meeting_id, "minutes"),
            keep_label="Not yet", detail="Published minutes and decisions can no longer change: "
                                         "later changes are recorded as corrections.")
    return pages.attempt(lambda: services.publish_minutes(current_user, meeting_) and None,
                    "Minutes published. From now on, changes are recorded as corrections.",
                    _back(meeting_id, "minutes"))


@bp.route("/meetings/<int:meeting_id>/minutes/corrections", methods=["POST"])
def correct_minutes(meeting_id):
    meeting_ = get_or_404(Meeting, meeting_id)
    policy.require(policy.write_minutes, current_user, meeting_)
    form = CORRECTION_FORM.read()

    def correct():
        if not form.value("text"):
            raise Invalid("Write the correction first.", errors={"text": ["Required."]})
        services.add_minutes_correction(current_user, meeting_, {"text": form.value("text")})
        flash("Correction recorded.", "success")
        return _back(meeting_id, "minutes")

    return _submit(form, correct, _meeting_form(meeting_id))


def _render_minutes(meeting_id, **extra):
    meeting_ = services.load_meeting(meeting_id) or abort(404)
    data = _meeting_page_data(meeting_)
    items = db.session.scalars(select(ActionItem).options(selectinload(ActionItem.owner))
                               .where(ActionItem.meeting_id == meeting_.id).order_by(ActionItem.due_on)).all()
    return meeting_, render_template(
        "steering/minutes.html", meeting=meeting_, published=services.is_published(meeting_),
        initiatives=data["initiatives"], corrections=data["corrections"], action_items=items, people=data["people"],
        **extra)


@bp.route("/meetings/<int:meeting_id>/minutes")
def minutes(meeting_id):
    return _render_minutes(meeting_id)[1]


@bp.route("/meetings/<int:meeting_id>/minutes.pdf")
def minutes_pdf(meeting_id):
    """The printable minutes as PDF, laid out by the same print stylesheet."""
    meeting_, html = _render_minutes(meeting_id, pdf=True)
    return pdf_response(html, f"minutes-meeting-{meeting_.id}.pdf",
                        stylesheets=("cxgov.css", "print.css", "steering.css"))


@bp.route("/meetings/<int:meeting_id>/pack.pdf")
def pack_pdf(meeting_id):
    """The pre-read pack as PDF: the same figures as `/api/meetings/{id}/pack`."""
    get_or_404(Meeting, meeting_id)
    if request.args.get("as_sent") == "true":
        row = pack.sent_or_404(meeting_id)
        pdf, name = pack.for_reader(row, current_user)[1], f"pack-meeting-{meeting_id}-as-sent.pdf"
    else:
        pdf, name = pack.render(pack.serialize(pack.build_pack(current_user, meeting_id))), \
            f"pack-meeting-{meeting_id}.pdf"
    return current_app.response_class(pdf, mimetype="application/pdf",
                                      headers={"Content-Disposition": f'inline; filename="{name}"'})


# -- my action items -----------------------------------------------------------------------------

RECENTLY_DONE = timedelta(days=30)


@bp.route("/my/action-items")
def my_action_items():
    """The signed-in person's open action items, soonest due first, and those done in the last
    30 days, latest first (each can be reopened)."""
    since = utcnow() - RECENTLY_DONE
    items = db.session.scalars(
        select(ActionItem)
        .where(ActionItem.owner_id == current_user.id,
               (ActionItem.status == "open") | ((ActionItem.status == "done") & (ActionItem.completed_at >= since)))
        .order_by(ActionItem.due_on, ActionItem.id)
    ).all()
    done = sorted((i for i in items if i.status == "done"), key=lambda i: (i.completed_at, i.id), reverse=True)
    return render_template("steering/my_action_items.html", items=[i for i in items if i.status == "open"],
                           done=done, today=today(), statuses=ACTION_ITEM_STATUSES)


@bp.route("/action-items/<int:item_id>/status", methods=["POST"])
def set_action_item_status(item_id):
    item = get_or_404(ActionItem, item_id)
    policy.require(policy.update_action_item_status, current_user, item)
    status = request.form.get("status", "done")
    back = request.form.get("back") == "meeting" and item.meeting_id
    target = _back(item.meeting_id, "action-items") if back else url_for("steering.my_action_items")
    if status == "cancelled" and item.status != "cancelled" and not pages.confirmed():
        return pages.ask_to_confirm(f"Cancel the action item “{item.title}”?", "Cancel the action item", target,
                                    keep_label="Keep it open")

    def change():
        before = item.status
        services.update_action_item(current_user, item, _load(ActionItemSchema(only=("status",)), {"status": status}))
        if status == "open" and before != "open":
            return f"“{item.title}” is open again."
        return f"“{item.title}” marked {status}."

    return pages.attempt(change, "", target)


# -- the decision register and trace (SPEC §8.5) -----------------------------------------------

REGISTER_PAGE_SIZE = 50


@bp.route("/decisions")
def decisions():
    """Every decision with what became of it, filtered by outcome, committee, kind and dates."""
    try:
        args = DecisionRegisterArgs().load({k: v for k, v in request.args.items() if v.strip() != ""})
    except ValidationError as error:
        args, errors = {"page": 1}, error.messages
    else:
        errors = None
    args["page_size"] = REGISTER_PAGE_SIZE
    page = register.register(args)
    committees_ = db.session.scalars(select(Committee).order_by(Committee.name)).all()
    return render_template("steering/decisions.html", page=page, args=args, errors=errors, outcomes=OUTCOMES,
                           kinds=DECISION_KINDS, committees=committees_)


@bp.route("/decisions/<int:decision_id>")
def decision_trace(decision_id):
    """One decision traced from its meeting to the review verdicts, the figures as the API's."""
    trace = register.trace(current_user, decision_id)
    people = {trace["decision"].decision.recorded_by_id} | {t.actor_id for t in trace["transitions"]} | {
        r.recorded_by_id for r in trace["reviews"]}
    people.discard(None)
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(people))).all()) if people else {}
    cited = lifecycle.decisions(t.decision_id for t in trace["transitions"])
    return render_template("steering/trace.html", trace=trace, entry=trace["decision"], names=names, cited=cited,
                           roi_refused=business_case.ROI_REFUSED)


blueprints = [bp]
