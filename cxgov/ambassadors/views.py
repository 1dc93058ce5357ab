"""Pages of the ambassador network: log an action in seconds, your own history, the network."""
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from cxgov import charts, data_versions, formatting, pages, policy
from cxgov.ambassadors import health, report, services
from cxgov.ambassadors.models import ACTION_KINDS, Ambassador, AmbassadorAction
from cxgov.ambassadors.schemas import AmbassadorActionSchema, AmbassadorActionUpdateSchema, AmbassadorSchema
from cxgov.db import today
from cxgov.errors import Conflict, Invalid
from cxgov.extensions import db
from cxgov.initiatives import choices
from cxgov.initiatives.models import CATEGORIES
from cxgov.journeys.models import Journey
from cxgov.org.models import User
from cxgov.pages import Field, FormSpec
from cxgov.rest import get_or_404
from cxgov.transaction import transactional

bp = Blueprint("ambassadors", __name__, url_prefix="/ambassadors")



def _kinds():
    """The action kinds as the reader's language names them."""
    return {kind: formatting.label(kind) for kind in ACTION_KINDS}

RECENT_ACTIONS = 10  # on /ambassadors/me; the whole list is on /ambassadors/history

ACTION_FORM = FormSpec(
    "action",
    kind=Field("kind", _l("What did you do?"), "choice", noun=_l("what you did")),
    title=Field("title", _l("Title"), noun=_l("the title")),
    occurred_on=Field("occurred_on", _l("When"), "date", noun=_l("the date")),
    people_reached=Field("people_reached", _l("People reached"), "integer", noun=_l("the number of people reached")),
    hours=Field("hours", _l("Hours"), "number", noun=_l("the hours")),
    description=Field("description", _l("Details (optional)"), noun=_l("the details")),
)
LOG_FORM = FormSpec(
    "action", **ACTION_FORM.fields,
    journey_id=Field("journey_id", _l("Journey (optional)"), "choice", noun=_l("the journey")),
    initiative_id=Field("initiative_id", _l("Initiative (optional)"), "choice", noun=_l("the initiative")),
)
ASSIGN_FORM = FormSpec(
    "assign",
    department_id=Field("assign-department", _l("Department"), "choice", noun=_l("the department")),
    user_id=Field("assign-user", _l("Person"), "choice", noun=_l("the person")),
    started_on=Field("assign-started", _l("From"), "date", noun=_l("the start date")),
)
END_DATE = Field("ended_on", _l("End date"), "date", noun=_l("the end date"))
RECOGNITION_FORM = FormSpec(
    "recognition",
    title=Field("recognition-title", _l("What you recognise"), noun=_l("what you recognise")),
    occurred_on=Field("recognition-date", _l("When"), "date", noun=_l("the date")),
    description=Field("recognition-description", _l("Details (optional)"), noun=_l("the details")),
)
PROPOSE_FORM = FormSpec("propose", journey_id=Field("journey_id", _l("Journey"), "choice", noun=_l("the journey")),
                        category=Field("category", _l("Category"), "choice", noun=_l("the category")))


def _render_action_form(template, form, status, **context):
    return render_template(template, form=form, kinds=_kinds(), **context), status


def _link_choices(assignment):
    """What the log form's links offer: the journeys, and for the initiative, its department's
    open initiatives changed last (then the others), a search finding any other (three queries
    at most, whatever the number of initiatives)."""
    journeys = db.session.scalars(select(Journey).where(Journey.status != "retired").order_by(Journey.name)).all()
    return {"journeys": journeys, "shortlist": choices.open_of_department(assignment.department_id)}


@bp.route("/log", methods=["GET", "POST"])
def log_action():
    """The fast form: an active ambassador logs what they did for their department."""
    assignment = policy.active_assignment(current_user)
    if assignment is None:
        # Explained on GET; a submitted form is refused like any other write one may not make.
        return render_template("ambassadors/not_ambassador.html"), 403 if request.method == "POST" else 200
    if request.method == "GET":
        form = LOG_FORM.blank(kind="training", occurred_on=today().isoformat(), people_reached=0, hours=0,
                              journey_id=request.args.get("journey_id", type=int))
        return _render_action_form("ambassadors/log_action.html", form, 200, assignment=assignment,
                                   **_link_choices(assignment))
    form = LOG_FORM.read()

    def log():
        data = form.load(AmbassadorActionSchema(),
                         choices.picked(form, {**form.data(), "ambassador_id": assignment.id}, blank=...))
        action = services.log_action(current_user, data)
        flash(_("Logged: %(title)s.", title=action.title), "success")
        return url_for("ambassadors.history")

    try:
        return pages.create_once(form, log)
    except pages.FormInvalid:
        return _render_action_form("ambassadors/log_action.html", form, 422, assignment=assignment,
                                   **_link_choices(assignment))


@bp.route("/history")
def history():
    """The signed-in user's own actions, newest first, from every assignment they held."""
    own = policy.active_assignment(current_user)
    actions = services.actions_of_user(current_user.id)
    journeys = []
    if own is not None and any(a.kind == "improvement_idea" and a.initiative_id is None for a in actions):
        journeys = db.session.scalars(
            select(Journey).where(Journey.status != "retired").order_by(Journey.name)).all()
    return render_template("ambassadors/history.html", actions=actions, own=own, journeys=journeys,
                           kinds=_kinds(), categories=CATEGORIES)


def _trend_chart(data, row=None):
    """The health score at the end of each of the last 12 months: the network's mean, and the
    department of `row` when given (the figures of the network report)."""
    # Months as labels, not dates: a date axis fails at the calendar's ends (year 1, year 9999).
    dates = [f"{point:%Y-%m}" for point in data["health_trend"]["dates"]]
    series = {}
    if row is not None:
        series[row["department"]["name"]] = list(zip(dates, row["health_trend"], strict=True))
    series[_("Network (mean of the departments)")] = list(zip(dates, data["health_trend"]["network"], strict=True))
    return charts.line_chart(series, title=_("Health score, last 12 months"), y_label=_("score (0–100)"))


@bp.route("/me")
def me():
    """An active ambassador's own page (SPEC §11): their department's health score and its parts,
    their recent history, their improvement ideas and what became of each, and the journeys their
    department touches. The score is the network report's, for its default period."""
    assignment = policy.active_assignment(current_user)
    if assignment is None:
        return render_template("ambassadors/not_ambassador.html")
    start, end = report.report_period()
    data = report.ambassador_report(start, end)
    row = next(r for r in data["departments"] if r["department"]["id"] == assignment.department_id)
    actions = services.actions_of_user(current_user.id, limit=RECENT_ACTIONS + 1)  # one more: is there more?
    return render_template("ambassadors/me.html", assignment=assignment, row=row, report=data,
                           health_formula=health.formula(),
                           trend=_trend_chart(data, row),
                           actions=actions[:RECENT_ACTIONS], more=len(actions) > RECENT_ACTIONS,
                           fates=services.ideas_and_fates(current_user.id),
                           journeys=services.journeys_touched(assignment.department_id),
                           kinds=_kinds())


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
def edit_action(action_id):
    action = get_or_404(AmbassadorAction, action_id)
    policy.require(policy.edit_ambassador_action, current_user, action,
                   _("Only the ambassador who logged it, a CX leader or an admin may change this action."))
    if request.method == "GET":
        form = ACTION_FORM.blank(kind=action.kind, title=action.title, occurred_on=action.occurred_on.isoformat(),
                                 people_reached=action.people_reached, hours=action.hours,
                                 description=action.description)
        return _render_action_form("ambassadors/edit_action.html", form, 200, action=action)
    form = ACTION_FORM.read()
    # Every field is sent: a cleared one is cleared (or refused), not left as it was.
    data = {name: form.value(name) or None for name in ACTION_FORM.fields}
    data["people_reached"] = data["people_reached"] or "0"
    data["hours"] = data["hours"] or "0"

    def save():
        services.update_action(current_user, action, form.load(AmbassadorActionUpdateSchema(), data))
        flash(_("Saved: %(title)s.", title=action.title), "success")
        return (url_for("ambassadors.history") if action.ambassador.user_id == current_user.id
                else url_for("ambassadors.network"))

    try:
        return pages.create_once(form, save)
    except pages.FormInvalid:
        return _render_action_form("ambassadors/edit_action.html", form, 422, action=action)


@bp.route("/actions/<int:action_id>/propose", methods=["POST"])
def propose(action_id):
    """An improvement idea becomes a proposed initiative."""
    action = get_or_404(AmbassadorAction, action_id)
    form = PROPOSE_FORM.read()

    def make():
        data = {"journey_id": request.form.get("journey_id", type=int)}
        if form.value("category") in CATEGORIES:
            data["category"] = form.value("category")
        initiative = services.propose_initiative(current_user, action, data)
        flash(_("Proposed as initiative #%(id)s: %(title)s.", id=initiative.id, title=initiative.title), "success")
        return url_for("ambassadors.history")

    try:
        return pages.create_once(form, make)
    except pages.FormInvalid:
        for _field, message in form.summary():
            flash(message, "error")
        return redirect(url_for("ambassadors.history"))


def _parse_date(name):
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        flash(_("“%(text)s” is not a date (YYYY-MM-DD); showing the default period.", text=raw), "error")
        return None


@bp.route("/network")
def network():
    """Coverage, silence and activity of the network: for CX leaders, admins and executives, and
    read-only for active ambassadors (SPEC §5, §11)."""
    return _render_network()


# The network page's health table, rendered once per network token, period and language: a
# department a row and six parts a department, the same for every reader.
_health_tables = data_versions.Kept(size=32)


def _health_table(data, token):
    """`token`: the one `data` was read under, read before it."""
    key = (str(db.engine.url), data["from_"], data["to"], str(get_locale()))
    return _health_tables.get(key, token,
                              lambda: Markup(render_template("ambassadors/_health_table.html", report=data)))


def _render_network(form=None, status=200):
    policy.require(policy.view_ambassador_network, current_user,
                   message=_("The network page is for CX leaders, executives and active ambassadors."))
    try:
        start, end = report.report_period(_parse_date("from"), _parse_date("to"))
    except Invalid as error:
        flash(error.detail, "error")
        start, end = report.report_period()
    token = data_versions.current(report.NETWORK_TABLES)  # the report's and its health table's
    data = report.ambassador_report(start, end, token=token)
    months, by_kind = report.monthly_by_kind(start, end)
    kinds = _kinds()
    stacked = {kinds[kind]: counts for kind, counts in by_kind.items() if any(counts)}
    chart = charts.bar_chart(months, stacked or {_("Actions"): [0] * len(months)}, stacked=True,
                             title=_("Actions per month"), y_label=_("actions"), category_label=_("Month"))
    trend = _trend_chart(data)
    candidates = []
    if policy.is_governance(current_user):
        busy = select(Ambassador.user_id).where(Ambassador.ended_on.is_(None))
        candidates = db.session.scalars(
            select(User).where(User.active.is_(True), User.id.not_in(busy)).order_by(User.name)).all()
    return render_template("ambassadors/network.html", report=data, chart=chart, trend=trend, kinds=_kinds(),
                           health_table=_health_table(data, token),
                           health_formula=health.formula(),
                           candidates=candidates, today=today(),
                           form=form or ASSIGN_FORM.blank(started_on=today().isoformat())), status


@bp.route("/<int:ambassador_id>")
def ambassador(ambassador_id):
    """One ambassador's page: their assignment, their department's health score and their actions;
    CX leaders and admins record a recognition here."""
    return _render_ambassador(ambassador_id)


def _render_ambassador(ambassador_id, form=None, status=200):
    policy.require(policy.view_ambassador_network, current_user,
                   message=_("Ambassadors' pages are for CX leaders, executives and active ambassadors."))
    assignment = get_or_404(Ambassador, ambassador_id)
    data = report.ambassador_report(*report.report_period(), trend=False)
    row = next(r for r in data["departments"] if r["department"]["id"] == assignment.department_id)
    return render_template("ambassadors/ambassador.html", assignment=assignment, row=row, report=data,
                           actions=services.actions_of_assignment(assignment.id), kinds=_kinds(),
                           form=form or RECOGNITION_FORM.blank(occurred_on=today().isoformat())), status


@bp.route("/<int:ambassador_id>/recognition", methods=["POST"])
def recognise(ambassador_id):
    policy.require(policy.manage_ambassadors, current_user)
    assignment = get_or_404(Ambassador, ambassador_id)
    form = RECOGNITION_FORM.read()

    def record():
        data = form.load(AmbassadorActionSchema(), {**form.data(), "kind": "recognition"})
        data.pop("kind")
        services.recognise(current_user, assignment, data)
        flash(_("Recognition recorded for %(name)s.", name=assignment.user.name), "success")
        return url_for("ambassadors.ambassador", ambassador_id=assignment.id)

    try:
        return pages.create_once(form, record)
    except pages.FormInvalid:
        return _render_ambassador(ambassador_id, form, 422)


@bp.route("/assign", methods=["POST"])
def assign():
    policy.require(policy.manage_ambassadors, current_user)
    form = ASSIGN_FORM.read()

    def make():
        assignment = services.assign_ambassador(current_user, form.load(AmbassadorSchema()))
        flash(_("%(name)s is now the ambassador of %(department)s.", name=assignment.user.name,
                department=assignment.department.name), "success")
        return url_for("ambassadors.network")

    try:
        return pages.create_once(form, make)
    except pages.FormInvalid:
        return _render_network(form, 422)


@bp.route("/<int:ambassador_id>/end", methods=["POST"])
def end(ambassador_id):
    policy.require(policy.manage_ambassadors, current_user)
    assignment = get_or_404(Ambassador, ambassador_id)
    name, department = assignment.user.name, assignment.department.name
    back = url_for("ambassadors.network")
    try:
        ended_on = date.fromisoformat(request.form.get("ended_on") or today().isoformat())
    except ValueError:
        flash(pages.human_message("Not a valid date.", END_DATE), "error")
        return redirect(back)
    if not pages.confirmed():
        return pages.ask_to_confirm(
            _("End %(name)s’s assignment as ambassador of %(department)s on %(day)s?", name=name,
              department=department, day=formatting.day(ended_on)),
            _("End %(name)s’s assignment", name=name), back, keep_label=_("Keep the assignment"),
            detail=_("%(department)s will have no ambassador until someone is assigned. Their logged actions stay.",
                     department=department))
    try:
        with transactional():
            services.end_assignment(current_user, assignment, {"ended_on": ended_on})
    except (Invalid, Conflict) as error:
        messages = [pages.human_message(m, END_DATE) for m in (error.errors or {}).get("ended_on", [])]
        flash(" ".join(messages) or error.detail, "error")
    else:
        flash(_("%(name)s is no longer the ambassador of %(department)s.", name=name, department=department), "success")
    return redirect(back)


blueprints = [bp]
