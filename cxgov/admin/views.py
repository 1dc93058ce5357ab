"""Administration pages (admins: users and departments) and the audit trail (CX leaders and
admins).

Users are created with a role and a department, and either an initial password or a one-time
"set your password" link (`cxgov.auth.password_links`): the link is shown to the admin once, on
the person's page, to pass on, and mailed to the person as well when mail is configured.
Deactivating, reactivating, a new role: `cxgov.org.services.update_user`, which ends the person's
sessions and tokens as it always does. Departments are created, renamed and deleted (only when
nobody belongs to them). The audit trail filters by kind of record, person and dates, each entry
linking to the page of what it is about.
"""
import functools
import re
from datetime import datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, lazy_pgettext, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from cxgov import formatting, pages, policy
from cxgov.audit.models import AuditEntry
from cxgov.auth import password_links
from cxgov.db import utcnow
from cxgov.errors import Conflict
from cxgov.extensions import db
from cxgov.formatting import local_zone
from cxgov.notifications import links as notification_links
from cxgov.notifications import services as notifications
from cxgov.notifications.mail import mail_enabled
from cxgov.org import services as org
from cxgov.org.models import ROLES, Department, User
from cxgov.org.schemas import DepartmentSchema, UserSchema
from cxgov.pages import Field, FormSpec
from cxgov.rest import get_or_404
from cxgov.transaction import rollback, transactional

bp = Blueprint("admin", __name__)

ROLE_LABELS = {"admin": _l("Admin"), "cx_leader": _l("CX leader"), "executive": _l("Executive"),
               "member": _l("Member")}
assert set(ROLE_LABELS) == set(ROLES)
ACCESS_LABELS = {
    "link": _l("Send a one-time link: they choose their own password"),
    "password": _l("Set an initial password now and tell them"),
}
# The audit trail's actions and kinds of record, as people name them.
ACTION_LABELS = {
    "create": lazy_pgettext("audit action", "Create"), "update": lazy_pgettext("audit action", "Update"),
    "delete": lazy_pgettext("audit action", "Delete"), "sign_in": lazy_pgettext("audit action", "Sign in"),
    "sign_out": lazy_pgettext("audit action", "Sign out"),
    "sign_in_failed": lazy_pgettext("audit action", "Sign in failed"),
    "token_revoked": lazy_pgettext("audit action", "Token revoked"),
    "password_set": lazy_pgettext("audit action", "Password set"),
    "attribution_refused": lazy_pgettext("audit action", "Attribution refused"),
}


AUDIT_LABELS = {
    "action_item": _l("Action item"), "agenda_item": _l("Agenda item"), "ambassador": _l("Ambassador"),
    "ambassador_action": _l("Ambassador action"), "attendance": _l("Attendance"), "baseline": _l("Baseline"),
    "baseline_cash_flow": _l("Baseline cash flow"), "baseline_impact": _l("Baseline impact"),
    "cash_flow": _l("Cash flow"), "committee": _l("Committee"), "committee_member": _l("Committee member"),
    "committee_section": _l("Committee section"), "decision": _l("Decision"), "department": _l("Department"),
    "impact": _l("Impact"), "import_job": _l("Import job"), "initiative": _l("Initiative"),
    "journey": _l("Journey"), "measurement": _l("Measurement"), "meeting": _l("Meeting"),
    "meeting_series": _l("Meeting series"), "metric": _l("Metric"), "minutes_correction": _l("Minutes correction"),
    "password_set_link": _l("Password set link"), "review": _l("Review"), "stage": _l("Stage"),
    "target": _l("Target"), "touchpoint": _l("Touchpoint"), "transition": _l("Transition"), "user": _l("User"),
}


def audit_label(code):
    """An audit action, kind of record or changed field as people name it (in the reader's
    language: a page of entries names the same few codes hundreds of times, each worded once)."""
    return _audit_label(code, str(get_locale()))


@functools.lru_cache(maxsize=2048)
def _audit_label(code, language):
    known = AUDIT_LABELS.get(code) or ACTION_LABELS.get(code)
    return str(known) if known is not None else formatting.label(code)
ONE_TIME_LINK = "one_time_password_link"  # the link just issued, shown once on the person's page

USER_FORM = FormSpec(
    "user",
    name=Field("user-name", _l("Name"), noun=_l("the person's name")),
    email=Field("user-email", _l("Email"), noun=_l("the email address")),
    role=Field("user-role", _l("Role"), "choice", noun=_l("the role")),
    department_id=Field("user-department", _l("Department"), "choice", noun=_l("the department")),
    access=Field("user-access", _l("How they get in"), "choice", noun=_l("how they get in")),
    password=Field("user-password", _l("Initial password"), noun=_l("the initial password")),
)
EDIT_USER_FORM = FormSpec(
    "edit-user",
    name=Field("user-name", _l("Name"), noun=_l("the person's name")),
    role=Field("user-role", _l("Role"), "choice", noun=_l("the role")),
    department_id=Field("user-department", _l("Department"), "choice", noun=_l("the department")),
)
DEPARTMENT_FORM = FormSpec(
    "department",
    name=Field("department-name", _l("Name"), noun=_l("the name of the department")),
    code=Field("department-code", _l("Code"), noun=_l("the code")),
)
AUDIT_FILTERS = FormSpec(
    "audit",
    entity=Field("audit-entity", _l("Record"), "choice", noun=_l("the kind of record")),
    actor_id=Field("audit-actor", _l("Changed by"), "choice", noun=_l("who changed it")),
    start=Field("audit-from", _l("From"), "date", noun=_l("the first day")),
    end=Field("audit-to", _l("To"), "date", noun=_l("the last day")),
)



def _departments():
    return db.session.scalars(select(Department).order_by(Department.name)).all()


def _department_choice(form, data):
    """A blank department means none (on an edit it takes the department away)."""
    if form.value("department_id", None) == "":
        data["department_id"] = None
    return data


# -- users -----------------------------------------------------------------------------------------

@bp.route("/admin/users")
def users():
    policy.require(policy.manage_org, current_user)
    rows = db.session.scalars(select(User).order_by(User.active.desc(), User.name, User.id)).all()
    return render_template("admin/users.html", users=rows, role_labels=ROLE_LABELS)


@bp.route("/admin/users/new", methods=["GET", "POST"])
def new_user():
    policy.require(policy.manage_org, current_user)
    if request.method == "GET":
        return _render_new_user(USER_FORM.blank(role="member", access="link"))
    form = USER_FORM.read()

    def create():
        data = _department_choice(form, form.data("name", "email", "role", "department_id"))
        access = form.value("access")
        if access not in ACCESS_LABELS:
            form.add("access", pages.human_message("Required.", USER_FORM.fields["access"]))
        if access == "password":
            data["password"] = request.form.get("password", "")  # as typed: it may begin or end with a space
            if not data["password"]:
                form.add("password", _("Enter the initial password, or send a one-time link instead."))
                del data["password"]
            loaded = form.load(UserSchema(), data, partial=("password",))
        else:
            loaded = form.load(UserSchema(exclude=("password",)), data)
        user = org.create_user(current_user, loaded)
        if access == "link":
            _hand_out_link(user, new=True)
            flash(_("%(name)s can now set their password with the one-time link below.", name=user.name), "success")
        else:
            flash(_("%(name)s can now sign in with the initial password you chose.", name=user.name), "success")
        return url_for("admin.user", user_id=user.id)

    try:
        return pages.create_once(form, create)
    except pages.FormInvalid:
        return _render_new_user(form, 422)


def _render_new_user(form, status=200):
    form.values.pop("password", None)  # never sent back
    return render_template("admin/new_user.html", form=form, departments=_departments(), role_labels=ROLE_LABELS,
                           access_labels=ACCESS_LABELS, mail=mail_enabled()), status


def _hand_out_link(user, new):
    """A new one-time link for `user`: kept to be shown once on their page, and mailed to them
    (as a notification) when mail is configured."""
    raw, link = password_links.issue(current_user, user)
    path = url_for("account.set_password", token=raw)
    url = notification_links.absolute(path) or url_for("account.set_password", token=raw, _external=True)
    mailed = mail_enabled()
    if mailed:
        notifications.write([notifications.Reminder(
            user.id, "password_set_link", f"password-set-link:{link.id}", _l("Set your cxgov password"),
            context={"user": user, "set_link": url, "expires_at": link.expires_at, "issuer": current_user.name,
                     "new": new},
            entity="user", entity_id=user.id,
        )], utcnow())
    session[ONE_TIME_LINK] = {"user_id": user.id, "url": url, "expires_at": link.expires_at.isoformat(),
                              "mailed": mailed}


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id):
    person = get_or_404(User, user_id)
    policy.require(policy.manage_org, current_user)
    if request.method == "GET":
        return _render_user(person, EDIT_USER_FORM.blank(name=person.name, role=person.role,
                                                         department_id=person.department_id))
    form = EDIT_USER_FORM.read()

    def save():
        data = _department_choice(form, form.data("name", "role", "department_id"))
        loaded = form.load(UserSchema(only=("name", "role", "department_id"), partial=True), data)
        org.update_user(current_user, person, loaded)
        flash(_("Saved the changes to %(name)s.", name=person.name), "success")
        return url_for("admin.user", user_id=person.id)

    return pages.save(form, save, lambda f, status: _render_user(person, f, status))


def _render_user(person, form, status=200):
    one_time = session.get(ONE_TIME_LINK)
    if one_time and one_time.get("user_id") == person.id:
        session.pop(ONE_TIME_LINK)
        one_time = dict(one_time, expires_at=datetime.fromisoformat(one_time["expires_at"]))
    else:
        one_time = None
    return render_template("admin/user.html", person=person, form=form, departments=_departments(),
                           role_labels=ROLE_LABELS, one_time=one_time, mail=mail_enabled(),
                           is_self=person.id == current_user.id), status



def _user_url(person):
    return url_for("admin.user", user_id=person.id)


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
def deactivate_user(user_id):
    person = get_or_404(User, user_id)
    policy.require(policy.manage_org, current_user)
    if not pages.confirmed():
        return pages.ask_to_confirm(
            _("Deactivate %(name)s?", name=person.name), _("Deactivate %(name)s", name=person.name),
            url_for("admin.user", user_id=person.id),
            detail=_("They are signed out everywhere at once and can no longer sign in; their API tokens stop "
                     "working. Everything they recorded stays. You can reactivate them later."),
            keep_label=_("Keep them active"))
    return pages.attempt(lambda: org.update_user(current_user, person, {"active": False}),
                         _("%(name)s is deactivated and signed out everywhere.", name=person.name), _user_url(person))


@bp.route("/admin/users/<int:user_id>/reactivate", methods=["POST"])
def reactivate_user(user_id):
    person = get_or_404(User, user_id)
    policy.require(policy.manage_org, current_user)
    if not pages.confirmed():
        return pages.ask_to_confirm(
            _("Reactivate %(name)s?", name=person.name), _("Reactivate %(name)s", name=person.name),
            url_for("admin.user", user_id=person.id),
            detail=_("They can sign in again with their password (their old sessions and tokens stay ended). "
                     "Reminders reach them again."),
            keep_label=_("Leave them deactivated"))
    return pages.attempt(lambda: org.update_user(current_user, person, {"active": True}),
                         _("%(name)s is active again and can sign in.", name=person.name), _user_url(person))


@bp.route("/admin/users/<int:user_id>/password-link", methods=["POST"])
def password_link(user_id):
    person = get_or_404(User, user_id)
    policy.require(policy.manage_org, current_user)
    if not person.active:
        flash(_("%(name)s is deactivated: reactivate them first.", name=person.name), "error")
        return redirect(url_for("admin.user", user_id=person.id))
    return pages.attempt(lambda: _hand_out_link(person, new=False),
                         _("A new one-time link for %(name)s is below; any earlier one no longer works.",
                           name=person.name),
                         _user_url(person))


# -- departments ------------------------------------------------------------------------------------

@bp.route("/admin/departments", methods=["GET", "POST"])
def departments():
    policy.require(policy.manage_org, current_user)
    if request.method == "GET":
        return _render_departments(DEPARTMENT_FORM.blank())
    form = DEPARTMENT_FORM.read()

    def create():
        department = org.create_department(current_user, form.load(DepartmentSchema()))
        flash(_("Department “%(name)s” created.", name=department.name), "success")
        return url_for("admin.departments") + f"#department-{department.id}"

    try:
        return pages.create_once(form, create)
    except pages.FormInvalid:
        return _render_departments(form, 422)


def _render_departments(form, status=200):
    counts = select(User.department_id, func.count(User.id).label("people")).group_by(User.department_id).subquery()
    rows = db.session.execute(select(Department, func.coalesce(counts.c.people, 0))
                              .outerjoin(counts, counts.c.department_id == Department.id)
                              .order_by(Department.name)).all()
    return render_template("admin/departments.html", departments=rows, form=form), status


@bp.route("/admin/departments/<int:department_id>", methods=["GET", "POST"])
def department(department_id):
    found = get_or_404(Department, department_id)
    policy.require(policy.manage_org, current_user)
    if request.method == "GET":
        return _render_department(found, DEPARTMENT_FORM.blank(name=found.name, code=found.code))
    form = DEPARTMENT_FORM.read()

    def save():
        org.update_department(current_user, found, form.load(DepartmentSchema(), partial=True))
        flash(_("Saved the department “%(name)s”.", name=found.name), "success")
        return url_for("admin.departments") + f"#department-{found.id}"

    return pages.save(form, save, lambda f, status: _render_department(found, f, status))


def _render_department(found, form, status=200):
    return render_template("admin/department.html", department=found, form=form), status


@bp.route("/admin/departments/<int:department_id>/delete", methods=["POST"])
def delete_department(department_id):
    found = get_or_404(Department, department_id)
    policy.require(policy.manage_org, current_user)
    back = url_for("admin.department", department_id=found.id)
    name = found.name
    if not pages.confirmed():
        return pages.ask_to_confirm(_("Delete the department “%(name)s”?", name=name), _("Delete %(name)s", name=name),
                                    back, detail=_("Only a department nobody belongs to can be deleted."))
    try:
        with transactional():
            org.delete_department(current_user, found)
    except Conflict as error:
        flash(_("“%(name)s” was not deleted: %(reason)s", name=name, reason=error.detail), "error")
        return redirect(back)
    except IntegrityError:
        rollback()
        flash(_("“%(name)s” was not deleted: initiatives or ambassadors still belong to it. "
                "Move them to another department first.", name=name), "error")
        return redirect(back)
    flash(_("Department “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("admin.departments"))


# -- the audit trail -----------------------------------------------------------------------------

PAGE_SIZE = 50

# The page of the record an entry is about: entity → (endpoint, the argument naming it, or None
# when the page lists them all and an anchor finds it). A record kept inside another (a cash
# flow in its initiative) links to its container's page.
SUBJECT_PAGES = {
    "initiative": ("initiatives.detail", "initiative_id"),
    "meeting": ("steering.meeting", "meeting_id"),
    "journey": ("journeys.detail", "journey_id"),
    "decision": ("steering.decision_trace", "decision_id"),
    "committee": ("steering.committees", None),
    "ambassador_action": ("ambassadors.edit_action", "action_id"),
    "user": ("admin.user", "user_id"),
    "department": ("admin.department", "department_id"),
}
# entity → (its table's model name in cxgov.models, the column naming its container, the container)
CONTAINED = {
    "cash_flow": ("CashFlow", "initiative_id", "initiative"),
    "impact": ("Impact", "initiative_id", "initiative"),
    "review": ("Review", "initiative_id", "initiative"),
    "transition": ("Transition", "initiative_id", "initiative"),
    "agenda_item": ("AgendaItem", "meeting_id", "meeting"),
    "attendance": ("Attendance", "meeting_id", "meeting"),
    "action_item": ("ActionItem", "meeting_id", "meeting"),
    "stage": ("Stage", "journey_id", "journey"),
    "measurement": ("Measurement", "journey_id", "journey"),
    "committee_member": ("CommitteeMember", "committee_id", "committee"),
}
# What the link to an entry's container says.
OPEN_CONTAINER = {"initiative": _l("Open the initiative"), "meeting": _l("Open the meeting"),
                  "journey": _l("Open the journey"), "committee": _l("Open the committee")}
SUBJECT_MODELS = {"initiative": "Initiative", "meeting": "Meeting", "journey": "Journey", "decision": "Decision",
                  "committee": "Committee", "ambassador_action": "AmbassadorAction", "user": "User",
                  "department": "Department"}


def _model(name):
    from cxgov import models

    return getattr(models, name)


def subject_links(entries, viewer):
    """{entry id: (url, label)} for the entries whose subject still has a page `viewer` may
    open: one query per kind of record on the page (at most a fixed number), whatever their count."""
    wanted = {}
    for entry in entries:
        if entry.entity_id is not None and (entry.entity in SUBJECT_PAGES or entry.entity in CONTAINED):
            wanted.setdefault(entry.entity, set()).add(entry.entity_id)
    if not policy.manage_org(viewer):  # the admin pages are for admins only
        wanted.pop("user", None)
        wanted.pop("department", None)
    # Contained records: their container's id.
    container = {}
    for entity in set(wanted) & set(CONTAINED):
        name, column, parent = CONTAINED[entity]
        model = _model(name)
        rows = db.session.execute(select(model.id, getattr(model, column)).where(model.id.in_(wanted[entity])))
        for child_id, parent_id in rows:
            if parent_id is not None:
                container[(entity, child_id)] = (parent, parent_id)
    # The subjects (direct or containers) that still exist.
    targets = {}
    for entity in set(wanted) & set(SUBJECT_PAGES):
        targets.setdefault(entity, set()).update(wanted[entity])
    for parent, parent_id in container.values():
        targets.setdefault(parent, set()).add(parent_id)
    existing = {}
    for entity, ids in targets.items():
        model = _model(SUBJECT_MODELS[entity])
        existing[entity] = set(db.session.scalars(select(model.id).where(model.id.in_(ids))))
    result = {}
    for entry in entries:
        key = (entry.entity, entry.entity_id) if entry.entity in SUBJECT_PAGES else container.get(
            (entry.entity, entry.entity_id))
        if key is None or key[0] not in SUBJECT_PAGES or key[1] not in existing.get(key[0], ()):
            continue
        endpoint, argument = SUBJECT_PAGES[key[0]]
        label = str(OPEN_CONTAINER[key[0]]) if key[0] != entry.entity else pgettext("link", "Open")
        url = url_for(endpoint, **{argument: key[1]}) if argument else url_for(endpoint) + f"#{key[0]}-{key[1]}"
        result[entry.id] = (url, label)
    return result


_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def shown(value):
    """A value an audit entry recorded, as people read it: instants and days as on every page."""
    if value is None or value == "":
        return "—"
    if value == "***":
        return _("(not shown)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and _INSTANT.match(value):
        try:
            return formatting.local_time(datetime.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, str) and _DAY.match(value):
        try:
            return formatting.day(value)
        except ValueError:
            return value
    return str(value)


def changes_shown(changes, limit=6):
    """[(field, text)] of an entry's changes (an update as "old → new"), at most `limit`, and how
    many more there are."""
    items = []
    for field, value in sorted((changes or {}).items()):
        if isinstance(value, list) and len(value) == 2:
            text = f"{shown(value[0])} → {shown(value[1])}"
        else:
            text = shown(value)
        items.append((audit_label(field), text))
    return items[:limit], max(0, len(items) - limit)


def _local_start(day):
    return datetime.combine(day, time.min, tzinfo=local_zone())


@bp.route("/audit")
def audit():
    policy.require(policy.view_audit, current_user)
    form = AUDIT_FILTERS.read(request.args)
    stmt = select(AuditEntry, User.name).outerjoin(User, User.id == AuditEntry.actor_id)
    entity = form.value("entity")
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    actor = form.value("actor_id")
    if actor:
        if actor.isdigit() and len(actor) < 12:
            stmt = stmt.where(AuditEntry.actor_id == int(actor))
        else:
            form.add("actor_id", pages.human_message("Must be one of: x", AUDIT_FILTERS.fields["actor_id"]))
    bounds = {}
    for name in ("start", "end"):
        text = form.value(name)
        if text:
            try:
                bounds[name] = datetime.strptime(text, "%Y-%m-%d").date()
            except ValueError:
                form.add(name, pages.human_message("Not a valid date.", AUDIT_FILTERS.fields[name]))
    if "start" in bounds and "end" in bounds and bounds["end"] < bounds["start"]:
        form.add("end", _("The last day must be on or after the first day."))
    if "start" in bounds:
        stmt = stmt.where(AuditEntry.created_at >= _local_start(bounds["start"]))
    if "end" in bounds:
        stmt = stmt.where(AuditEntry.created_at < _local_start(bounds["end"] + timedelta(days=1)))
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < len(page) < 7 and int(page) > 0 else 1
    if form.errors:
        rows, more = [], False
    else:
        rows = db.session.execute(stmt.order_by(AuditEntry.id.desc())
                                  .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
        more = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE]
    entries = [entry for entry, _ in rows]
    entities = db.session.scalars(select(AuditEntry.entity).distinct().order_by(AuditEntry.entity)).all()
    people = db.session.execute(select(User.id, User.name).order_by(User.name, User.id)).all()
    args = {name: value for name, value in request.args.items() if name in AUDIT_FILTERS.fields and value}
    return render_template(
        "admin/audit.html", rows=rows, links=subject_links(entries, current_user), form=form,
        changes={entry.id: changes_shown(entry.changes) for entry in entries},
        entities=entities, people=people, page=page, args=args, audit_label=audit_label,
        previous_url=url_for("admin.audit", **args, page=page - 1) if page > 1 else None,
        next_url=url_for("admin.audit", **args, page=page + 1) if more else None,
    ), (422 if form.errors else 200)


blueprints = [bp]
