"""Pages of the ambassador network: log an action in seconds, your own history, the network."""
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from cxgov import charts, policy
from cxgov.ambassadors import report, services
from cxgov.ambassadors.models import ACTION_KINDS, Ambassador, AmbassadorAction
from cxgov.ambassadors.schemas import MAX_HOURS, MAX_PEOPLE
from cxgov.db import today
from cxgov.errors import Conflict, Invalid
from cxgov.extensions import db
from cxgov.initiatives.models import CATEGORIES
from cxgov.journeys.models import Journey
from cxgov.org.models import User
from cxgov.rest import get_or_404

bp = Blueprint("ambassadors", __name__, url_prefix="/ambassadors")

KIND_LABELS = {
    "training": "Training",
    "customer_story": "Customer story shared",
    "voc_session": "Voice-of-customer session",
    "improvement_idea": "Improvement idea",
    "process_fix": "Process fix",
    "recognition": "Recognition",
    "other": "Other",
}
assert set(KIND_LABELS) == set(ACTION_KINDS)


class ActionForm(FlaskForm):
    kind = SelectField("What did you do?", choices=[SelectChoice(value, label) for value, label in KIND_LABELS.items()], validators=[DataRequired()])
    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    occurred_on = DateField("When", default=today, validators=[DataRequired()])
    people_reached = IntegerField("People reached", default=0, validators=[Optional(), NumberRange(0, MAX_PEOPLE)])
    hours = DecimalField("Hours", default=0, places=2, validators=[Optional(), NumberRange(0, MAX_HOURS)])
    description = TextAreaField("Details (optional)", validators=[Optional(), Length(max=10_000)])

    def data_for_service(self):
        return {
            "kind": self.kind.data,
            "title": self.title.data.strip(),
            "occurred_on": self.occurred_on.data,
            "people_reached": self.people_reached.data or 0,
            "hours": self.hours.data if self.hours.data is not None else 0,
            "description": self.description.data or None,
        }

    def show_errors(self, error):
        for field, messages in (error.errors or {}).items():
            target = getattr(self, field, None)
            if target is not None:
                target.errors = list(target.errors or []) + list(messages)
            else:
                flash(" ".join(messages), "error")


@bp.route("/log", methods=["GET", "POST"])
def log_action():
    """The fast form: an active ambassador logs what they did for their department."""
    assignment = policy.active_assignment(current_user)
    if assignment is None:
        # Explained on GET; a submitted form is refused like any other write one may not make.
        return render_template("ambassadors/not_ambassador.html"), 403 if request.method == "POST" else 200
    form = ActionForm()
    if form.validate_on_submit():
        try:
            action = services.log_action(current_user, {**form.data_for_service(), "ambassador_id": assignment.id})
        except Invalid as error:
            db.session.rollback()
            form.show_errors(error)
        else:
            db.session.commit()
            flash(f"Logged: {action.title}.", "success")
            return redirect(url_for("ambassadors.history"))
    status = 422 if form.errors else 200
    return render_template("ambassadors/log_action.html", form=form, assignment=assignment), status


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
                           kinds=KIND_LABELS, categories=CATEGORIES)


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
def edit_action(action_id):
    action = get_or_404(AmbassadorAction, action_id)
    policy.require(policy.edit_ambassador_action, current_user, action,
                   "Only the ambassador who logged it, a CX leader or an admin may change this action.")
    form = ActionForm(obj=action)
    if form.validate_on_submit():
        try:
            services.update_action(current_user, action, form.data_for_service())
        except (Invalid, Conflict) as error:
            db.session.rollback()
            form.show_errors(error)
            if not error.errors:
                flash(error.detail, "error")
        else:
            db.session.commit()
            flash(f"Saved: {action.title}.", "success")
            return redirect(url_for("ambassadors.history") if action.ambassador.user_id == current_user.id
                            else url_for("ambassadors.network"))
    status = 422 if form.errors else 200
    return render_template("ambassadors/edit_action.html", form=form, action=action), status


@bp.route("/actions/<int:action_id>/propose", methods=["POST"])
def propose(action_id):
    """An improvement idea becomes a proposed initiative."""
    action = get_or_404(AmbassadorAction, action_id)
    data = {"journey_id": request.form.get("journey_id", type=int)}
    if request.form.get("category") in CATEGORIES:
        data["category"] = request.form["category"]
    try:
        initiative = services.propose_initiative(current_user, action, data)
    except (Invalid, Conflict) as error:
        db.session.rollback()
        flash(error.detail, "error")
    else:
        db.session.commit()
        flash(f"Proposed as initiative #{initiative.id}: {initiative.title}.", "success")
    return redirect(url_for("ambassadors.history"))


def _parse_date(name):
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        flash(f"“{raw}” is not a date (YYYY-MM-DD); showing the default period.", "error")
        return None


@bp.route("/network")
def network():
    """Coverage, silence and activity of the network: for CX leaders, admins and executives, and
    read-only for active ambassadors (SPEC §5, §11)."""
    policy.require(policy.view_ambassador_network, current_user,
                   message="The network page is for CX leaders, executives and active ambassadors.")
    try:
        start, end = report.report_period(_parse_date("from"), _parse_date("to"))
    except Invalid as error:
        flash(error.detail, "error")
        start, end = report.report_period()
    data = report.ambassador_report(start, end)
    months, by_kind = report.monthly_by_kind(start, end)
    stacked = {KIND_LABELS[kind]: counts for kind, counts in by_kind.items() if any(counts)}
    chart = charts.bar_chart(months, stacked or {"Actions": [0] * len(months)}, stacked=True,
                             title="Actions per month", y_label="actions", category_label="Month")
    candidates = []
    if policy.is_governance(current_user):
        busy = select(Ambassador.user_id).where(Ambassador.ended_on.is_(None))
        candidates = db.session.scalars(
            select(User).where(User.active.is_(True), User.id.not_in(busy)).order_by(User.name)).all()
    return render_template("ambassadors/network.html", report=data, chart=chart, kinds=KIND_LABELS,
                           candidates=candidates, today=today())


@bp.route("/assign", methods=["POST"])
def assign():
    policy.require(policy.manage_ambassadors, current_user)
    data = {"user_id": request.form.get("user_id", type=int), "department_id": request.form.get("department_id", type=int)}
    started = request.form.get("started_on")
    try:
        if started:
            data["started_on"] = date.fromisoformat(started)
        if data["user_id"] is None or data["department_id"] is None:
            raise Invalid("Choose a department and a person.")
        assignment = services.assign_ambassador(current_user, data)
    except ValueError:
        db.session.rollback()
        flash("The start date is not a date.", "error")
    except (Invalid, Conflict) as error:
        db.session.rollback()
        flash(error.detail, "error")
    else:
        db.session.commit()
        flash(f"{assignment.user.name} is now the ambassador of {assignment.department.name}.", "success")
    return redirect(url_for("ambassadors.network"))


@bp.route("/<int:ambassador_id>/end", methods=["POST"])
def end(ambassador_id):
    policy.require(policy.manage_ambassadors, current_user)
    assignment = get_or_404(Ambassador, ambassador_id)
    try:
        ended_on = date.fromisoformat(request.form.get("ended_on") or today().isoformat())
        services.end_assignment(current_user, assignment, {"ended_on": ended_on})
    except ValueError:
        db.session.rollback()
        flash("The end date is not a date.", "error")
    except (Invalid, Conflict) as error:
        db.session.rollback()
        flash(error.detail, "error")
    else:
        db.session.commit()
        flash(f"{assignment.user.name} is no longer the ambassador of {assignment.department.name}.", "success")
    return redirect(url_for("ambassadors.network"))


@bp.app_template_filter("kind_label")
def kind_label(kind):
    return KIND_LABELS.get(kind, kind)


blueprints = [bp]
