"""Pages a CX leader uses around the steering meeting, and "my action items" for everyone.

Every form posts to its own URL and redirects back (post/redirect/get). A form whose input is
refused (invalid fields, a rule of the domain) comes back on its page (422) with a message next
to each field and the values kept (cxgov/pages.py); a form that creates something acts once per
form token; cancelling a meeting or removing a member asks for confirmation first. A form
someone is not allowed to use is not shown to them, and its POST answers 403 anyway.
"""
from datetime import datetime, timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cxgov import pages, policy
from cxgov.db import load, today, utcnow
from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.formatting import display_zone, label, local_time
from cxgov.initiatives import business_case, choices, gate, lifecycle
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
        raise Invalid(_("Some fields need another look."), errors=error.messages) from None



def _submit(form, act, render):
    """A form's POST: `act` once per form token (pages.create_once), or its page again with
    the form's messages (422)."""
    try:
        return pages.create_once(form, act)
    except pages.FormInvalid:
        return render(form, 422)



# The agenda form's duration field (labelled "Minutes" on the page, not the minutes of a meeting).
MINUTES = _l("Duration (minutes)")
COMMITTEE_FORM = FormSpec(
    "committee",
    name=Field("committee-name", _l("Name"), noun=_l("the name of the committee")),
    charter=Field("committee-charter", _l("Charter"), noun=_l("the charter")),
    chair_id=Field("committee-chair", _l("Chair"), "choice", noun=_l("the chair")),
)
MEETING_FORM = FormSpec(
    "meeting",
    committee_id=Field("meeting-committee", _l("Committee"), "choice", noun=_l("the committee")),
    title=Field("meeting-title", _l("Title"), noun=_l("the title of the meeting")),
    starts_at=Field("meeting-starts", _l("Starts at"), "datetime", noun=_l("when the meeting starts")),
    duration_minutes=Field("meeting-duration", _l("Duration (minutes)"), "integer", noun=_l("the duration")),
    location=Field("meeting-location", _l("Location"), noun=_l("the location")),
)
AGENDA_FORM = FormSpec(
    "agenda",
    title=Field("agenda-title", _l("Title"), noun=_l("the title of the agenda item")),
    kind=Field("agenda-kind", _l("Kind"), "choice", noun=_l("the kind of agenda item")),
    initiative_id=Field("agenda-initiative", _l("Initiative"), "choice", noun=_l("the initiative")),
    duration_minutes=Field("agenda-duration", MINUTES, "integer", noun=_l("the minutes it takes")),
)
DECISION_FORM = FormSpec(
    "decision",
    kind=Field("decision-kind", _l("Kind"), "choice", noun=_l("the kind of decision")),
    initiative_id=Field("decision-initiative", _l("Initiative"), "choice", noun=_l("the initiative")),
    text=Field("decision-text", _l("Decision"), noun=_l("the decision")),
    corrects_id=Field("decision-corrects", _l("Corrects decision"), "choice", noun=_l("the decision it corrects")),
    agenda_item_id=Field("decision-agenda-item", _l("Agenda item"), "choice", noun=_l("the agenda item")),
    apply=Field("decision-apply", _l("Apply to the initiative now"), "choice", noun=_l("whether to apply it now")),
)
ACTION_ITEM_FORM = FormSpec(
    "action-item",
    title=Field("action-title", _l("Action item"), noun=_l("the action item")),
    owner_id=Field("action-owner", _l("Owner"), "choice", noun=_l("who owns it")),
    due_on=Field("action-due", _l("Due on"), "date", noun=_l("the due date")),
    department_id=Field("action-department", _l("Department"), "choice", noun=_l("the department")),
    initiative_id=Field("action-initiative", _l("Initiative"), "choice", noun=_l("the initiative")),
    agenda_item_id=Field("action-agenda-item", _l("Agenda item"), "choice", noun=_l("the agenda item")),
)
MEETING_EDIT_FORM = FormSpec(
    "meeting-edit",
    title=Field("meeting-title", _l("Title"), noun=_l("the title of the meeting")),
    starts_at=Field("meeting-starts", _l("Starts at"), "datetime", noun=_l("when the meeting starts")),
    duration_minutes=Field("meeting-duration", _l("Duration (minutes)"), "integer", noun=_l("the duration")),
    location=Field("meeting-location", _l("Location"), noun=_l("the location")),
)
AGENDA_EDIT_FORM = FormSpec(
    "agenda-edit",
    title=Field("agenda-title", _l("Title"), noun=_l("the title of the agenda item")),
    kind=Field("agenda-kind", _l("Kind"), "choice", noun=_l("the kind of agenda item")),
    initiative_id=Field("agenda-initiative", _l("Initiative"), "choice", noun=_l("the initiative")),
    duration_minutes=Field("agenda-duration", MINUTES, "integer", noun=_l("the minutes it takes")),
    notes=Field("agenda-notes", _l("Notes"), noun=_l("the notes")),
)
SERIES_FORM = FormSpec(
    "series",
    title=Field("series-title", _l("Title"), noun=_l("the title of the meetings")),
    rrule=Field("series-rrule", _l("Recurrence rule (RRULE)"), noun=_l("the recurrence rule")),
    first_starts_at=Field("series-starts", _l("First meeting starts at"), "datetime",
                          noun=_l("when the first meeting starts")),
    duration_minutes=Field("series-duration", _l("Duration (minutes)"), "integer", noun=_l("the duration")),
    location=Field("series-location", _l("Location"), noun=_l("the location")),
)
SERIES_RULE_FORM = FormSpec(
    "series-rule", rrule=Field("series-rule-input", _l("Recurrence rule (RRULE)"), noun=_l("the recurrence rule")))
CORRECTION_FORM = FormSpec("correction", text=Field("correction-text", _l("Correction"), noun=_l("the correction")))


def member_role_labels():
    """A committee member's role as the page names it, in the reader's language (the codes stay in the API)."""
    return {"chair": _("chair"), "secretary": _("secretary"), "member": _("member"), "sponsor": _("sponsor")}


def member_form(committee_id):
    """The "add a member" form of one committee (one per committee on the page)."""
    return FormSpec(
        f"member-{committee_id}",
        user_id=Field(f"member-user-{committee_id}", _l("Person"), "choice", noun=_l("the person to add")),
        member_role=Field(f"member-role-{committee_id}", _l("Role"), "choice", noun=_l("the role")),
    )


def quorum_form(committee_id):
    """The "quorum" form of one committee: a number, or blank for more than half the members."""
    return FormSpec(f"quorum-{committee_id}",
                    quorum=Field(f"quorum-input-{committee_id}", _l("Quorum"), "integer", noun=_l("the quorum")))


def section_form(committee_id):
    """The "add a standing section" form of one committee."""
    return FormSpec(
        f"section-{committee_id}",
        title=Field(f"section-title-{committee_id}", _l("Section title"), noun=_l("the title of the section")),
        kind=Field(f"section-kind-{committee_id}", _l("Filled with"), "choice", noun=_l("what fills the section")),
    )


def rename_form(section_id):
    return FormSpec(f"section-rename-{section_id}",
                    title=Field(f"section-rename-{section_id}", _l("Title"), noun=_l("the title of the section")))


def _read_version():
    """The version of the record the form was filled in from (its hidden `version` field)."""
    value = request.form.get("version", "").strip()
    return int(value) if value.isdigit() else None


# Meeting times are typed, and shown in their inputs, in the time zone of the person at the form
# (their account's, else the organisation's), named beside the field; the instant is stored as
# such, and series still expand in the organisation's time zone (series.occurrences).

def _input_zone():
    """The time zone the form's `datetime-local` fields are read in, as the label names it."""
    return display_zone()


def _local_input(instant):
    """An instant as an HTML `datetime-local` value in the reader's time zone."""
    return instant.astimezone(_input_zone()).strftime("%Y-%m-%dT%H:%M")


def _parse_local(value, field):
    """An HTML `datetime-local` value, read in the reader's time zone."""
    if not (value or "").strip():
        raise Invalid(_("Some fields need another look."), errors={field: ["Missing data for required field."]})
    try:
        naive = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise Invalid(_("Some fields need another look."), errors={field: ["Give a date and time."]}) from None
    return (naive if naive.tzinfo else naive.replace(tzinfo=_input_zone())).isoformat()


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
                           sections=sections, kind_labels=standing.kind_labels(),
                           member_role_labels=member_role_labels(), forms=forms, form=form), status


@bp.route("/committees", methods=["POST"])
def create_committee():
    policy.require(policy.manage_governance, current_user)
    form = COMMITTEE_FORM.read()

    def create():
        committee = services.create_committee(current_user, form.load(CommitteeSchema()))
        flash(_("Committee “%(name)s” created.", name=committee.name), "success")
        return url_for("steering.committees") + f"#committee-{committee.id}"

    return _submit(form, create, _render_committees)


@bp.route("/committees/<int:committee_id>/members", methods=["POST"])
def add_member(committee_id):
    committee = get_or_404(Committee, committee_id)
    policy.require(policy.manage_governance, current_user)
    form = member_form(committee_id).read()

    def add():
        member = services.add_member(current_user, committee, form.load(CommitteeMemberSchema()))
        flash(_("%(name)s joined %(committee)s.", name=member.user.name, committee=committee.name), "success")
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
        if committee.quorum is not None:
            said = ngettext("The quorum of %(committee)s is %(quorum)s member.",
                            "The quorum of %(committee)s is %(quorum)s members.", committee.quorum,
                            committee=committee.name, quorum=committee.quorum)
        else:
            said = _("The quorum of %(committee)s is more than half the members (%(quorum)s now).",
                     committee=committee.name, quorum=committee.effective_quorum)
        flash(said, "success")
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
        return pages.ask_to_confirm(_("Remove %(name)s from %(committee)s?", name=name, committee=committee.name),
                                    _("Remove %(name)s", name=name), back,
                                    detail=_("They will no longer be invited to its meetings."),
                                    keep_label=_("Keep it"))
    return pages.attempt(lambda: services.remove_member(current_user, member),
                         _("%(name)s left %(committee)s.", name=name, committee=committee.name), back)


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
        flash(_("Section “%(title)s” added to the standing agenda of %(committee)s.", title=data["title"],
                committee=committee.name), "success")
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
        flash(_("Section renamed “%(title)s”.", title=title), "success")
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
                         _("“%(title)s” moved up.", title=section.title) if step < 0
                         else _("“%(title)s” moved down.", title=section.title), _sections_back(committee.id))


@bp.route("/committees/<int:committee_id>/sections/<int:section_id>/remove", methods=["POST"])
def remove_section(committee_id, section_id):
    committee, sections, section = _committee_section(committee_id, section_id)
    items = [item for item in _as_items(sections) if item["id"] != section.id]
    return pages.attempt(lambda: standing.replace_sections(current_user, committee, items) and None,
                         _("Section “%(title)s” removed; agenda items already filed under it stay.",
                           title=section.title),
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
        count = len(series.series_meetings(row))
        flash(ngettext("Series “%(title)s” planned: %(count)s meeting; committee members are invited to each.",
                       "Series “%(title)s” planned: %(count)s meetings; committee members are invited to each.",
                       count, title=row.title, count=count), "success")
        return url_for("steering.series_page", series_id=row.id)

    return _submit(form, create, lambda form, status: _render_new_series(committee, form, status))


def _render_new_series(committee, form, status=200):
    return render_template("steering/new_series.html", committee=committee, form=form,
                           input_zone=_input_zone().key), status


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
        form.add(pages.FORM_LEVEL, _("Someone else changed this series after you opened the page, so the rule was "
                                     "not changed. It now reads %(rule)s. Check the rule below and save again.",
                                     rule=row.rrule))
        return _render_series(row, form, 409)
    before = {m.id: m.status for m in series.series_meetings(row)}

    def save():
        series.update_series(current_user, row, form.load(SeriesPatchSchema(only=("rrule",))))
        after = series.series_meetings(row)
        added = sum(1 for m in after if m.id not in before)
        gone = len(before.keys() - {m.id for m in after})
        cancelled = sum(1 for m in after if m.status == "cancelled" and before.get(m.id, "cancelled") != "cancelled")
        flash(ngettext("The series now follows %(rule)s: %(added)s meeting added (members invited), %(gone)s "
                       "removed, %(cancelled)s cancelled. Download the series invite again to update calendars.",
                       "The series now follows %(rule)s: %(added)s meetings added (members invited), %(gone)s "
                       "removed, %(cancelled)s cancelled. Download the series invite again to update calendars.",
                       added, rule=row.rrule, added=added, gone=gone, cancelled=cancelled), "success")
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
                           form=form or MEETING_FORM.blank(duration_minutes=90),
                           input_zone=_input_zone().key), status


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
        flash(_("Meeting “%(title)s” scheduled; committee members are invited.", title=meeting_.title), "success")
        return url_for("steering.meeting", meeting_id=meeting_.id)

    return _submit(form, create, _render_meetings)


def _meeting_page_data(meeting):
    """What the meeting page shows, in a fixed number of queries whatever the meeting's size."""
    initiative_ids = list(dict.fromkeys([item.initiative_id for item in meeting.agenda_items if item.initiative_id]
                                        + [d.initiative_id for d in meeting.decisions if d.initiative_id]))
    # What the initiative fields offer before anything is typed: the initiatives on the agenda
    # and in the decisions, then the proposals changed last (a search finds any other).
    shortlist = choices.shortlist(initiative_ids)
    initiatives = {i.id: i for i in shortlist}
    missing = set(initiative_ids) - set(initiatives)
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
        "initiatives": initiatives, "shortlist": shortlist,
        # The approval gate of the proposals the page shows (SPEC §8.1), and whether the
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
    suggested, more_awaiting = _suggested(meeting_, due) if can_manage else ([], 0)
    return render_template(
        "steering/meeting.html", meeting=meeting_, published=services.is_published(meeting_),
        can_manage=can_manage, can_write_minutes=policy.write_minutes(current_user, meeting_),
        can_answer=policy.answer_invitation(current_user, meeting_),
        suggestions=suggested, more_awaiting=more_awaiting, standing_due=due,
        agenda_groups=_agenda_groups(meeting_, sections),
        agenda_kinds=AGENDA_KINDS, decision_kinds=DECISION_KINDS, attendance_statuses=ATTENDANCE_STATUSES,
        forms=forms, form=form, **_meeting_page_data(meeting_),
    ), status


# The proposals awaiting a decision the meeting page suggests (the oldest): the others are one click away.
SUGGESTED_PROPOSALS = 20


def _suggested(meeting, due):
    """What the page suggests adding to the agenda, and how many more proposals await a decision
    than it suggests. What the standing sections bring is offered by "Fill from standing agenda",
    not twice."""
    present = suggestions.on_the_agenda(meeting)
    suggested = suggestions.suggest(meeting, SUGGESTED_PROPOSALS, present)
    awaiting = sum(1 for s in suggested if s.source_key.startswith("initiative:"))
    more = suggestions.count_awaiting_decision(suggestions.decided_ids(present)) - awaiting \
        if awaiting == SUGGESTED_PROPOSALS else 0
    standing_keys = {d.source_key for _, d in due}
    return [s for s in suggested if s.source_key not in standing_keys], more


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
            _("Cancel the meeting “%(title)s” of %(when)s?", title=meeting_.title, when=local_time(meeting_.starts_at)),
            _("Cancel the meeting"), back, keep_label=_("Keep the meeting"),
            detail=_("Committee members are sent a cancellation. It can be scheduled again later."))

    note = request.form.get("quorum_note", "")

    def change():
        data = {"status": status, **({"quorum_note": note} if status == "held" and note.strip() else {})}
        standing.update_meeting(current_user, meeting_, _load(MeetingPatchSchema(only=("status", "quorum_note")), data))
        return {"held": _("The meeting is now held."), "cancelled": _("The meeting is now cancelled."),
                "scheduled": _("The meeting is now scheduled.")}.get(status, "")

    return pages.attempt(change, "", back)


def _unchangeable(meeting_, what):
    """A published meeting no longer changes: back to its page, saying so (None if it may change)."""
    if not services.is_published(meeting_):
        return None
    flash(what, "error")
    return redirect(_back(meeting_.id))


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(meeting_id):
    """Change a meeting's title, start, duration and place. The form carries the version it was
    read at: a meeting changed meanwhile is not overwritten (409, what is stored now said)."""
    meeting_ = _governed_meeting(meeting_id)
    refused = _unchangeable(meeting_, _("The minutes of this meeting are published, so the meeting can no "
                                          "longer change; record a correction instead."))
    if refused:
        return refused
    if request.method == "GET":
        form = MEETING_EDIT_FORM.blank(title=meeting_.title, starts_at=_local_input(meeting_.starts_at),
                                       duration_minutes=meeting_.duration_minutes, location=meeting_.location)
        return _render_edit_meeting(meeting_, form)
    form = MEETING_EDIT_FORM.read()
    if _read_version() != meeting_.version:
        form.add(pages.FORM_LEVEL, _(
            "Someone else changed this meeting after you opened the form, so your changes were not saved. "
            "It now reads: “%(title)s”, %(when)s, %(minutes)s min, %(place)s. Check your changes below and save "
            "again.", title=meeting_.title, when=local_time(meeting_.starts_at), minutes=meeting_.duration_minutes,
            place=meeting_.location or _("no place given")))
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
        if meeting_.ics_sequence != sequence:
            flash(_("Meeting “%(title)s” saved. The calendar invite is re-issued: download it again to update "
                    "calendars.", title=meeting_.title), "success")
        else:
            flash(_("Meeting “%(title)s” saved.", title=meeting_.title), "success")
        return _back(meeting_id)

    try:
        return pages.create_once(form, save)
    except pages.FormInvalid:
        return _render_edit_meeting(services.load_meeting(meeting_id, fresh=True), form, 422)


def _render_edit_meeting(meeting_, form, status=200):
    return render_template("steering/edit_meeting.html", meeting=meeting_, form=form, version=meeting_.version,
                           input_zone=_input_zone().key), status


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
    refused = _unchangeable(meeting_, _("The minutes of this meeting are published, so its agenda can no "
                                          "longer change; record a correction instead."))
    if refused:
        return refused
    if request.method == "GET":
        picked = db.session.get(Initiative, item.initiative_id) if item.initiative_id else None
        form = AGENDA_EDIT_FORM.blank(title=item.title, kind=item.kind, initiative_id=picked and choices.choice(picked),
                                      duration_minutes=item.duration_minutes, notes=item.notes)
        return _render_edit_agenda_item(meeting_, item, form)
    form = AGENDA_EDIT_FORM.read()
    if _read_version() != item.version:
        if item.duration_minutes:
            now_reads = _("It now reads: “%(title)s” (%(kind)s, %(minutes)s min).", title=item.title,
                          kind=label(item.kind), minutes=item.duration_minutes)
        else:
            now_reads = _("It now reads: “%(title)s” (%(kind)s).", title=item.title, kind=label(item.kind))
        form.add(pages.FORM_LEVEL, " ".join((
            _("Someone else changed this agenda item after you opened the form, so your changes were not saved."),
            now_reads, _("Check your changes below and save again."))))
        return _render_edit_agenda_item(meeting_, item, form, 409)

    def save():
        data = choices.picked(form, {
            "title": form.value("title") or None, "kind": form.value("kind"),
            "duration_minutes": form.value("duration_minutes") or None, "notes": form.value("notes") or None})
        services.update_agenda_item(current_user, item, form.load(
            AgendaItemSchema(only=("title", "kind", "initiative_id", "duration_minutes", "notes")), data))
        flash(_("Agenda item “%(title)s” saved.", title=item.title), "success")
        return _back(meeting_id, "agenda")

    try:
        return pages.create_once(form, save)
    except pages.FormInvalid:
        item = db.session.get(AgendaItem, item_id, populate_existing=True)
        return _render_edit_agenda_item(item.meeting, item, form, 422)


def _render_edit_agenda_item(meeting_, item, form, status=200):
    likely = [item.initiative_id, *db.session.scalars(select(AgendaItem.initiative_id).where(
        AgendaItem.meeting_id == meeting_.id).order_by(AgendaItem.position))]
    return render_template("steering/edit_agenda_item.html", meeting=meeting_, item=item, form=form,
                           version=item.version, shortlist=choices.shortlist(likely), agenda_kinds=AGENDA_KINDS), status


@bp.route("/meetings/<int:meeting_id>/agenda/<int:item_id>/remove", methods=["POST"])
def remove_agenda_item(meeting_id, item_id):
    meeting_, item = _meeting_agenda_item(meeting_id, item_id)
    title = item.title
    back = _back(meeting_id, "agenda")
    if not pages.confirmed():
        return pages.ask_to_confirm(_("Remove “%(title)s” from the agenda of “%(meeting)s”?", title=title,
                                      meeting=meeting_.title),
                                    _("Remove the agenda item"), back, keep_label=_("Keep it on the agenda"),
                                    detail=_("The items after it move up one place."))
    return pages.attempt(lambda: services.delete_agenda_item(current_user, item),
                         _("“%(title)s” removed from the agenda.", title=title), back)


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["POST"])
def add_agenda_item(meeting_id):
    meeting_ = _governed_meeting(meeting_id)
    form = AGENDA_FORM.read()

    def add():
        item = services.add_agenda_item(current_user, meeting_,
                                        form.load(AgendaItemSchema(), choices.picked(form, form.data())))
        flash(_("“%(title)s” added to the agenda.", title=item.title), "success")
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
    moved = _("“%(title)s” moved up.", title=item.title) if step < 0 else \
        _("“%(title)s” moved down.", title=item.title)
    return pages.attempt(lambda: services.reorder_agenda(current_user, meeting_, ids) and None,
                         moved, _back(meeting_id, "agenda"))


@bp.route("/meetings/<int:meeting_id>/agenda/suggested", methods=["POST"])
def add_suggested_items(meeting_id):
    meeting_ = _governed_meeting(meeting_id)

    keys = [key for key in request.form.getlist("source_key") if key]

    def add():
        added = suggestions.add_suggestions(current_user, meeting_, keys)
        message = ngettext("%(count)s suggested item added to the agenda.",
                           "%(count)s suggested items added to the agenda.", len(added), count=len(added))
        skipped = len(set(keys)) - len(added)
        if skipped:
            message += " " + ngettext("%(count)s of those ticked was already on it or no longer suggested.",
                                      "%(count)s of those ticked were already on it or no longer suggested.",
                                      skipped, count=skipped)
        return message

    return pages.attempt(add, "", _back(meeting_id, "agenda"))


@bp.route("/meetings/<int:meeting_id>/agenda/standing", methods=["POST"])
def fill_standing_agenda(meeting_id):
    """What the committee's standing sections bring that is newly due (the API's
    `POST /api/meetings/{id}/agenda/standing`)."""
    meeting_ = _governed_meeting(meeting_id)

    def fill():
        added = standing.fill(current_user, meeting_)
        return ngettext("%(count)s standing item added to the agenda.",
                        "%(count)s standing items added to the agenda.", len(added), count=len(added))

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
                raise Invalid(_("Some fields need another look."),
                              errors={key: [_("Pick one of the listed statuses.")]})
            services.set_attendance(current_user, meeting_, int(user_id), status)
            changed += 1
        return ngettext("Attendance saved for %(count)s person.", "Attendance saved for %(count)s people.",
                        changed, count=changed)

    return pages.attempt(record, "", _back(meeting_id, "attendance"))


@bp.route("/meetings/<int:meeting_id>/attendance/me", methods=["POST"])
def answer_invitation(meeting_id):
    """A committee member accepts or declines their invitation (the API's `PUT …/attendance/me`)."""
    meeting_ = get_or_404(Meeting, meeting_id)
    policy.require(policy.answer_invitation, current_user, meeting_)
    status = request.form.get("status", "")

    def answer():
        services.answer_invitation(current_user, meeting_, status)
        if status == "accepted":
            return _("You accepted the invitation to “%(title)s”.", title=meeting_.title)
        if status == "declined":
            return _("You declined the invitation to “%(title)s”.", title=meeting_.title)
        return None

    return pages.attempt(answer, "", _back(meeting_id, "attendance"))


@bp.route("/meetings/<int:meeting_id>/decisions", methods=["POST"])
def record_decision(meeting_id):
    meeting_ = _governed_meeting(meeting_id)
    form = DECISION_FORM.read()

    def record():
        data = form.load(DecisionSchema(),
                         choices.picked(form, form.data("text", "kind", "corrects_id", "agenda_item_id")))
        decision = services.record_decision(current_user, meeting_, data)
        message = _("Decision recorded.")
        if form.value("apply") and decision.kind in ("approve_initiative", "reject_initiative"):
            initiative = db.session.get(Initiative, decision.initiative_id)
            to = "approved" if decision.kind == "approve_initiative" else "rejected"
            on = min(suggestions.meeting_date(meeting_), today())
            lifecycle.transition_initiative(current_user, initiative, to, decision_id=decision.id, on=on)
            message = _("Decision recorded; “%(title)s” is now approved.", title=initiative.title) if to == "approved" \
                else _("Decision recorded; “%(title)s” is now rejected.", title=initiative.title)
        elif form.value("apply") and decision.kind == "rebaseline_initiative":
            initiative = db.session.get(Initiative, decision.initiative_id)
            gate.rebaseline(current_user, initiative, decision.id)
            message = _("Decision recorded; “%(title)s” has a new approved baseline.", title=initiative.title)
        flash(message, "success")
        return _back(meeting_id, "decisions")

    return _submit(form, record, _meeting_form(meeting_id))


@bp.route("/meetings/<int:meeting_id>/action-items", methods=["POST"])
def add_action_item(meeting_id):
    meeting_ = _governed_meeting(meeting_id)
    form = ACTION_ITEM_FORM.read()

    def add():
        data = choices.picked(form, {**form.data("title", "owner_id", "due_on", "department_id", "agenda_item_id"),
                                         "meeting_id": meeting_.id})
        item = services.create_action_item(current_user, form.load(ActionItemSchema(), data))
        flash(_("Action item “%(title)s” added.", title=item.title), "success")
        return _back(meeting_id, "action-items")

    return _submit(form, add, _meeting_form(meeting_id))


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["POST"])
def save_minutes(meeting_id):
    meeting_ = get_or_404(Meeting, meeting_id)
    policy.require(policy.write_minutes, current_user, meeting_)
    text = request.form.get("minutes", "")
    return pages.attempt(lambda: services.update_meeting(current_user, meeting_, {"minutes": text or None}) and None,
                         _("Minutes saved."), _back(meeting_id, "minutes"))


@bp.route("/meetings/<int:meeting_id>/minutes/publish", methods=["POST"])
def publish_minutes(meeting_id):
    meeting_ = get_or_404(Meeting, meeting_id)
    policy.require(policy.write_minutes, current_user, meeting_)
    if meeting_.status == "held" and not services.is_published(meeting_) and not pages.confirmed():
        return pages.ask_to_confirm(
            _("Publish the minutes of “%(title)s”?", title=meeting_.title), _("Publish the minutes"),
            _back(meeting_id, "minutes"), keep_label=_("Not yet"),
            detail=_("Published minutes and decisions can no longer change: later changes are recorded as "
                     "corrections."))
    return pages.attempt(lambda: services.publish_minutes(current_user, meeting_) and None,
                         _("Minutes published. From now on, changes are recorded as corrections."),
                    _back(meeting_id, "minutes"))


@bp.route("/meetings/<int:meeting_id>/minutes/corrections", methods=["POST"])
def correct_minutes(meeting_id):
    meeting_ = get_or_404(Meeting, meeting_id)
    policy.require(policy.write_minutes, current_user, meeting_)
    form = CORRECTION_FORM.read()

    def correct():
        if not form.value("text"):
            raise Invalid(_("Write the correction first."), errors={"text": ["Required."]})
        services.add_minutes_correction(current_user, meeting_, {"text": form.value("text")})
        flash(_("Correction recorded."), "success")
        return _back(meeting_id, "minutes")

    return _submit(form, correct, _meeting_form(meeting_id))


def _render_minutes(meeting_id, **extra):
    """The minutes read only what they show: the initiatives their agenda and decisions name, who
    was there, the corrections and the action items (not the meeting page's pickers and gates)."""
    meeting_ = services.load_meeting(meeting_id) or abort(404)
    named = {item.initiative_id for item in meeting_.agenda_items if item.initiative_id}
    named |= {d.initiative_id for d in meeting_.decisions if d.initiative_id}
    initiatives = {i.id: i for i in db.session.scalars(select(Initiative).where(Initiative.id.in_(named)))} \
        if named else {}
    attendance = {row.user_id for row in meeting_.attendance}
    people = [(row.user, row.status) for row in meeting_.attendance]
    people += [(m.user, "invited") for m in meeting_.committee.members if m.user_id not in attendance]
    corrections = db.session.scalars(select(MinutesCorrection).where(MinutesCorrection.meeting_id == meeting_.id)
                                     .order_by(MinutesCorrection.id)).all()
    items = db.session.scalars(select(ActionItem).options(selectinload(ActionItem.owner))
                               .where(ActionItem.meeting_id == meeting_.id).order_by(ActionItem.due_on)).all()
    return meeting_, render_template(
        "steering/minutes.html", meeting=meeting_, published=services.is_published(meeting_),
        initiatives=initiatives, corrections=corrections, action_items=items, people=people, **extra)


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
        return pages.ask_to_confirm(_("Cancel the action item “%(title)s”?", title=item.title),
                                    _("Cancel the action item"), target, keep_label=_("Keep it open"))

    def change():
        before = item.status
        services.update_action_item(current_user, item, _load(ActionItemSchema(only=("status",)), {"status": status}))
        if status == "open" and before != "open":
            return _("“%(title)s” is open again.", title=item.title)
        return {"done": _("“%(title)s” marked done.", title=item.title),
                "cancelled": _("“%(title)s” marked cancelled.", title=item.title)}.get(
            status, _("“%(title)s” is open.", title=item.title))

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
