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
import re
from datetime import datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
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

ROLE_LABELS = {"admin": "Admin", "cx_leader": "CX leader", "executive": "Executive", "member": "Member"}
assert set(ROLE_LABELS) == set(ROLES)
ACCESS_LABELS = {
    "link": "Send a one-time link: they choose their own password",
    "password": "Set an initial password now and tell them",
}
ONE_TIME_LINK = "one_time_password_link"  # the link just issued, shown once on the person's page

USER_FORM = FormSpec(
    "user",
    name=Field("user-name", "Name", noun="the person's name"),
    email=Field("user-email", "Email", noun="the email address"),
    role=Field("user-role", "Role", "choice"),
    department_id=Field("user-department", "Department", "choice"),
    access=Field("user-access", "How they get in", "choice", noun="how they get in"),
    password=Field("user-password", "Initial password", noun="the initial password"),
)
EDIT_USER_FORM = FormSpec(
    "edit-user",
    name=Field("user-name", "Name", noun="the person's name"),
    role=Field("user-role", "Role", "choice"),
    department_id=Field("user-department", "Department", "choice"),
)
DEPARTMENT_FORM = FormSpec(
    "department",
    name=Field("department-name", "Name", noun="the name of the department"),
    code=Field("department-code", "Code", noun="the code"),
)
AUDIT_FILTERS = FormSpec(
    "audit",
    entity=Field("audit-entity", "Record", "choice", noun="the kind of record"),
    actor_id=Field("audit-actor", "Changed by", "choice", noun="who changed it"),
    start=Field("audit-from", "From", "date", noun="the first day"),
    end=Field("audit-to", "To", "date", noun="the last day"),
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
                form.add("password", "Enter the initial password, or send a one-time link instead.")
                del data["password"]
            loaded = form.load(UserSchema(), data, partial=("password",))
        else:
            loaded = form.load(UserSchema(exclude=("password",)), data)
        user = org.create_user(current_user, loaded)
        if access == "link":
            _hand_out_link(user, new=True)
            flash(f"{user.name} can now set their password with the one-time link below.", "success")
        else:
            flash(f"{user.name} can now sign in with the initial password you chose.", "success")
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
            user.id, "password_set_link", f"password-set-link:{link.id}", "Set your cxgov password",
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
        flash(f"Saved the changes to {person.name}.", "success")
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
            f"Deactivate {person.name}?", f"Deactivate {person.name}", url_for("admin.user", user_id=person.id),
            detail="They are signed out everywhere at once and can no longer sign in; their API tokens stop "
                   "working. Everything they recorded stays. You can reactivate them later.",
            keep_label="Keep them active")
    return pages.attempt(lambda: org.update_user(current_user, person, {"active": False}),
                         f"{person.name} is deactivated and signed out everywhere.", _user_url(person))


@bp.route("/admin/users/<int:user_id>/reactivate", methods=["POST"])
def reactivate_user(user_id):
    person = get_or_404(User, user_id)
    policy.require(policy.manage_org, current_user)
    if not pages.confirmed():
        return pages.ask_to_confirm(
            f"Reactivate {person.name}?", f"Reactivate {person.name}", url_for("admin.user", user_id=person.id),
            detail="They can sign in again with their password (their old sessions and tokens stay ended). "
                   "Reminders reach them again.",
            keep_label="Leave them deactivated")
    return pages.attempt(lambda: org.update_user(current_user, person, {"active": True}),
                         f"{person.name} is active again and can sign in.", _user_url(person))


@bp.route("/admin/users/<int:user_id>/password-link", methods=["POST"])
def password_link(user_id):
    person = get_or_404(User, user_id)
    policy.require(policy.manage_org, current_user)
    if not person.active:
        flash(f"{person.name} is deactivated: reactivate them first.", "error")
        return redirect(url_for("admin.user", user_id=person.id))
    return pages.attempt(lambda: _hand_out_link(person, new=False),
                         f"A new one-time link for {person.name} is below; any earlier one no longer works.",
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
        flash(f"Department “{department.name}” created.", "success")
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
        flash(f"Saved the department “{found.name}”.", "success")
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
        return pages.ask_to_confirm(f"Delete the department “{name}”?", f"Delete {name}", back,
                                    detail="Only a department nobody belongs to can be deleted.")
    try:
        with transactional():
            org.delete_department(current_user, found)
    except Conflict as error:
        flash(f"“{name}” was not deleted: {error.detail}", "error")
        return redirect(back)
    except IntegrityError:
        rollback()
        flash(f"“{name}” was not deleted: initiatives or ambassadors still belong to it. "
              "Move them to another department first.", "error")
        return redirect(back)
    flash(f"Department “{name}” deleted.", "success")
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
        label = f"Open the {key[0].replace('_', ' ')}" if key[0] != entry.entity else "Open"
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
        return "(not shown)"
    if isinstance(value, bool):
        return "yes" if value else "no"
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
        items.append((formatting.label(field), text))
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
        form.add("end", "The last day must be on or after the first day.")
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
        entities=entities, people=people, page=page, args=args,
        previous_url=url_for("admin.audit", **args, page=page - 1) if page > 1 else None,
        next_url=url_for("admin.audit", **args, page=page + 1) if more else None,
    ), (422 if form.errors else 200)


blueprints = [bp]
