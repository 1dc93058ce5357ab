"""Initiative pages: the list with filters, proposing and editing an initiative, and one
initiative with its lifecycle (the next steps the reader may take), its business case, its
measurement plan (KPI impacts), its gate, its baseline and its post-implementation reviews.

Every write goes through the initiatives' services (`services`, `impacts`, `lifecycle`); a
refusal comes back on the page in plain words (422 for what was typed, 409 for a rule of the
domain or a change someone saved meanwhile), nothing written."""
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from cxgov import formatting, pages, policy
from cxgov.auth.sessions import leave_session_cookie
from cxgov.db import load
from cxgov.errors import Conflict, Invalid
from cxgov.extensions import db
from cxgov.initiatives import business_case, choices, gate, lifecycle, reviews, services
from cxgov.initiatives import impacts as impact_rules
from cxgov.initiatives.gate_api import with_figures
from cxgov.initiatives.models import (
    BASES,
    CASH_FLOW_KINDS,
    CATEGORIES,
    REVIEW_VERDICTS,
    STATUSES,
    CashFlow,
    Impact,
    Initiative,
    Review,
)
from cxgov.initiatives.reviews_api import VerdictSchema
from cxgov.initiatives.schemas import (
    CashFlowSchema,
    ImpactSchema,
    InitiativeArgs,
    InitiativeSummarySchema,
    TransitionRequestSchema,
)
from cxgov.journeys.models import Journey, Metric, Stage
from cxgov.org.models import Department, User
from cxgov.pages import Field, FormSpec
from cxgov.rest import get_or_404, paginate
from cxgov.transaction import rollback, transactional

bp = Blueprint("initiatives", __name__, url_prefix="/initiatives")
PAGE_SIZE = 50

CASH_FLOW_FORM = FormSpec(
    "cash-flow",
    basis=Field("cf-basis", _l("Basis"), "choice", noun=_l("the basis")),
    kind=Field("cf-kind", _l("Kind"), "choice", noun=_l("the kind")),
    year=Field("cf-year", _l("Year (0 = initial)"), "integer", noun=_l("the year")),
    category=Field("cf-category", _l("Category"), noun=_l("the category")),
    amount=Field("cf-amount", _l("Amount"), "money", noun=_l("the amount")),
    risk_adjustment=Field("cf-risk", _l("Risk adjustment (0–0.99)"), "ratio", noun=_l("the risk adjustment")),
    description=Field("cf-description", _l("Description"), noun=_l("the description")),
)


INITIATIVE_FORM = FormSpec(
    "initiative",
    title=Field("initiative-title", _l("Title"), noun=_l("the title")),
    description=Field("initiative-description", _l("Description"), noun=_l("the description")),
    journey_id=Field("initiative-journey", _l("Journey"), "choice", noun=_l("the journey")),
    stage_id=Field("initiative-stage", _l("Stage (optional)"), "choice", noun=_l("the stage")),
    department_id=Field("initiative-department", _l("Department"), "choice", noun=_l("the department")),
    owner_id=Field("initiative-owner", _l("Owner"), "choice", noun=_l("the owner")),
    sponsor_id=Field("initiative-sponsor", _l("Sponsor (optional)"), "choice", noun=_l("the sponsor")),
    category=Field("initiative-category", _l("Category"), "choice", noun=_l("the category")),
    target_on=Field("initiative-target", _l("Target date"), "date", noun=_l("the target date")),
)
REQUIRED = ("title", "journey_id", "department_id", "category", "owner_id")
STALE = _l("Someone saved a change to this initiative after you opened this page, so nothing was saved. "
           "Open the latest version, then make your change again.")
STALE_IMPACT = _l("Someone saved a change to this KPI impact after you opened this page, so nothing was saved. "
                  "Open the latest version, then make your change again.")

IMPACT_FORM = FormSpec(
    "impact",
    metric_id=Field("impact-metric", _l("KPI"), "choice", noun=_l("the KPI")),
    journey_id=Field("impact-journey", _l("Journey"), "choice", noun=_l("the journey")),
    baseline_value=Field("impact-baseline", _l("Baseline"), "number", noun=_l("the baseline")),
    target_value=Field("impact-target", _l("Target"), "number", noun=_l("the target")),
    value_per_unit=Field("impact-value", _l("Value per unit"), "money", noun=_l("the value per unit")),
    attribution=Field("impact-attribution", _l("Attribution (0–1)"), "ratio", noun=_l("the attribution")),
)

# The lifecycle's next steps as the page names them (its buttons), in the order shown.
MOVES = ("approved", "rejected", "in_progress", "delivered", "closed", "cancelled")


def move_label(to):
    """The button of the next step `to`, in the reader's language."""
    return {
        "approved": _("Approve"),
        "rejected": _("Reject"),
        "in_progress": _("Start work"),
        "delivered": _("Mark as delivered"),
        "closed": pgettext("initiative", "Close"),
        "cancelled": _("Cancel the initiative"),
    }[to]


# What a move the committee decides says while no decision is recorded for it yet.
NEEDS_DECISION = {
    "approved": _l("A steering-committee decision to approve it is needed first: none is recorded yet."),
    "rejected": _l("A steering-committee decision to reject it is needed first: none is recorded yet."),
}


def move_form(to):
    """The form of one next step (`to`) of the lifecycle panel."""
    return FormSpec(
        f"move-{to}",
        decision_id=Field(f"move-{to}-decision", _l("Steering decision"), "choice", noun=_l("the steering decision")),
        on=Field(f"move-{to}-on", _l("Took effect on (blank: today)"), "date", noun=_l("the date it took effect")),
        note=Field(f"move-{to}-note", _l("Note"), noun=_l("the note")),
    )


@bp.route("")
def index():
    try:
        args = InitiativeArgs().load({k: v for k, v in request.args.items() if v.strip() != ""})
    except ValidationError as error:
        args, errors = {"page": 1, "page_size": PAGE_SIZE}, error.messages
    else:
        errors = None
    args["page_size"] = PAGE_SIZE
    stmt = services.list_initiatives(args).options(
        joinedload(Initiative.journey), joinedload(Initiative.owner))
    page = paginate(stmt, args)
    departments = db.session.scalars(select(Department).order_by(Department.name)).all()
    journeys = db.session.scalars(select(Journey).order_by(Journey.name)).all()
    return render_template(
        "initiatives/index.html", page=page, args=args, errors=errors, statuses=STATUSES,
        categories=CATEGORIES, departments=departments, journeys=journeys,
        department_names={d.id: d.name for d in departments},
        may_propose=policy.propose_initiative(current_user),
    )


@bp.route("/options")
def options():
    """The initiatives matching `q` (part of a title, or "#12") as the options of a datalist, for
    the forms that pick an initiative (the steering meeting's, the ambassador's log): at most
    `choices.SEARCH_LIMIT`. For everyone signed in, who may read every initiative (SPEC §5)."""
    policy.require(policy.read, current_user)
    leave_session_cookie()  # fetched as one types, beside the form about to be posted
    found = choices.search(request.args.get("q", "")[:200])
    readiness = gate.readiness_for([i for i in found if i.status == "proposed"])
    return render_template("initiatives/options.html", initiatives=found, readiness=readiness)


# -- proposing and editing an initiative -------------------------------------------------------

def _choices():
    """What the initiative form chooses from: journeys (with their stages), departments, people,
    each as its id and name (plain rows: the form shows nothing else of them)."""
    journeys = db.session.execute(select(Journey.id, Journey.name).order_by(Journey.name)).all()
    stages = db.session.execute(select(Stage.id, Stage.name, Stage.journey_id)
                                .order_by(Stage.journey_id, Stage.position, Stage.id)).all()
    by_journey = {}
    for stage in stages:
        by_journey.setdefault(stage.journey_id, []).append(stage)
    return {
        "journeys": journeys, "stages": by_journey,
        "departments": db.session.execute(select(Department.id, Department.name).order_by(Department.name)).all(),
        "users": db.session.execute(select(User.id, User.name).where(User.active.is_(True)).order_by(User.name)).all(),
        "categories": CATEGORIES, "choose_owner": policy.is_governance(current_user),
    }


def _render_initiative_form(form, status=200, initiative=None, version=None, stale=False):
    return render_template("initiatives/form.html", form=form, initiative=initiative, version=version,
                           stale=stale, **_choices()), status


def _initiative_data(form, initiative=None):
    """The typed fields as the services take them. Proposing: what was filled in (the owner
    defaults to the proposer). Editing: the fields the form sent, a blank optional one cleared,
    a blank required one said by its field. Only CX leaders and admins choose the owner."""
    names = [name for name in form.values if name != "owner_id" or policy.is_governance(current_user)]
    if initiative is None:
        return form.load(InitiativeSummarySchema(), {name: form.value(name) for name in names if form.value(name)})
    data = {}
    for name in names:
        if form.value(name):
            data[name] = form.value(name)
        elif name in REQUIRED:
            form.add_errors({name: ["Missing data for required field."]})
        else:
            data[name] = None
    return form.load(InitiativeSummarySchema(), data, partial=True)


@bp.route("/new")
def new():
    policy.require(policy.propose_initiative, current_user)
    return _render_initiative_form(INITIATIVE_FORM.blank(
        owner_id=current_user.id, department_id=current_user.department_id))


@bp.route("/new", methods=["POST"])
def propose():
    policy.require(policy.propose_initiative, current_user)
    form = INITIATIVE_FORM.read()

    def create():
        initiative = services.propose_initiative(current_user, _initiative_data(form))
        flash(_("Initiative “%(title)s” proposed.", title=initiative.title), "success")
        return url_for("initiatives.detail", initiative_id=initiative.id)

    try:
        return pages.create_once(form, create)
    except pages.FormInvalid:
        return _render_initiative_form(form, 422)


def _editable(initiative_id):
    initiative = get_or_404(Initiative, initiative_id)
    policy.require(policy.edit_initiative, current_user, initiative)
    return initiative


@bp.route("/<int:initiative_id>/edit")
def edit(initiative_id):
    initiative = _editable(initiative_id)
    values = {name: getattr(initiative, name) for name in INITIATIVE_FORM.fields}
    return _render_initiative_form(INITIATIVE_FORM.blank(**values), initiative=initiative,
                                   version=initiative.version)


@bp.route("/<int:initiative_id>/edit", methods=["POST"])
def update(initiative_id):
    initiative = _editable(initiative_id)
    form = INITIATIVE_FORM.read()
    version = request.form.get("version", "")
    try:
        _save(form, version, initiative, str(STALE),
              lambda: services.update_initiative(current_user, initiative, _initiative_data(form, initiative)))
    except pages.FormInvalid:
        stale = str(STALE) in form.errors.get(pages.FORM_LEVEL, [])
        return _render_initiative_form(form, getattr(form, "status", 422), initiative=initiative,
                                       version=version, stale=stale)
    flash(_("Initiative “%(title)s” saved.", title=initiative.title), "success")
    return redirect(url_for("initiatives.detail", initiative_id=initiative_id))


def _save(form, version, obj, stale_message, change):
    """`change()` in one transaction, unless the form was opened on an older `version` of `obj`
    (the page's If-Match): a refusal (stale, Invalid, Conflict) raises FormInvalid, nothing written."""
    with transactional():
        try:
            if version and version != str(obj.version):
                raise Conflict(stale_message)
            change()
        except (Invalid, Conflict) as error:
            rollback()
            form.status = 409 if isinstance(error, Conflict) else 422
            form.refuse(error)


def verdict_form(review):
    """The form recording one review's verdict (one per review due on the page)."""
    return FormSpec(
        f"verdict-{review.id}",
        verdict=Field(f"verdict-{review.id}-verdict", _l("Verdict"), "choice", noun=_l("the verdict")),
        notes=Field(f"verdict-{review.id}-notes", _l("Notes"), noun=_l("the notes")),
    )


def _reviews(initiative, submitted=None):
    """The post-implementation reviews as the page shows them (SPEC §8.4): each with its verdict,
    the snapshot's figures for who may read the business case, and a verdict form for each one
    due when the reader may record it."""
    rows = db.session.scalars(reviews.reviews_of(initiative.id).options(selectinload(Review.recorded_by))).all()
    readable = policy.view_business_case(current_user, initiative)
    forms = {}
    if policy.record_review(current_user, initiative):
        for review in rows:
            if review.verdict is None:
                forms[review.id] = submitted if submitted is not None and submitted.name == f"verdict-{review.id}" \
                    else verdict_form(review).blank()
    figures = {}
    if readable and any(review.snapshot for review in rows):
        names = dict(db.session.execute(select(Impact.id, Metric.name).join(Metric, Metric.id == Impact.metric_id)
                                        .where(Impact.initiative_id == initiative.id)).all())
        for review in rows:
            if review.snapshot:
                figures[review.id] = {
                    "impacts": [(names.get(i["impact_id"], _("A KPI no longer planned")), _decimal(i["actual_value"]),
                                 _decimal(i["annual_value"])) for i in review.snapshot["impacts"]],
                    "actual_npv": Decimal(review.snapshot["actual_npv"])}
    return {"reviews": rows, "review_figures": figures, "verdict_forms": forms, "verdicts": REVIEW_VERDICTS,
            "submitted_verdict": submitted}


def _decimal(text):
    return None if text is None else Decimal(text)


def _detail(initiative_id, form=None, status=200, submitted_verdict=None, impact_form=None, move=None):
    initiative = db.session.get(Initiative, initiative_id, options=[
        joinedload(Initiative.journey), joinedload(Initiative.owner), joinedload(Initiative.sponsor)])
    if initiative is None:
        abort(404)
    # The business case (cash flows) only for those who may read it, as on the API.
    readable = policy.view_business_case(current_user, initiative)
    load(initiative, "transitions", *(["cash_flows"] if readable else []))
    transitions, cash_flows = initiative.transitions, initiative.cash_flows if readable else []
    roi = None
    if policy.view_initiative_roi(current_user, initiative):
        rate = business_case.default_rate()
        roi = {basis: business_case.initiative_roi(current_user, initiative, basis, rate) for basis in BASES}
    department = db.session.get(Department, initiative.department_id)
    decisions = lifecycle.decisions(t.decision_id for t in transitions)
    can_edit = policy.edit_initiative(current_user, initiative)
    return render_template(
        "initiatives/detail.html", initiative=initiative, department=department, transitions=transitions,
        decisions=decisions, lifecycle=_moves(initiative, move),
        **_gate(initiative, readable), **_reviews(initiative, submitted_verdict),
        **(_impact_choices(initiative, impact_form) if can_edit else {}),
        flows={basis: [cf for cf in cash_flows if cf.basis == basis] for basis in BASES}, roi=roi,
        can_edit=can_edit, kinds=CASH_FLOW_KINDS, bases=BASES,
        form=form or CASH_FLOW_FORM.blank(basis="planned", year=0, risk_adjustment=0),
        business_case=readable, business_case_refused=policy.BUSINESS_CASE_REFUSED,
    ), status


def _moves(initiative, submitted=None):
    """The lifecycle panel: the next steps this reader may take, each with its form (the
    submitted one kept when it was refused) and, for approving or rejecting, the steering
    decisions of the matching kind about the initiative to choose from."""
    moves = []
    for to in lifecycle.allowed_targets(initiative):
        if not lifecycle.required_rule(to)(current_user, initiative):
            continue
        form = submitted if submitted is not None and submitted.name == f"move-{to}" else move_form(to).blank()
        moves.append({"to": to, "label": move_label(to), "form": form, "needs_first": NEEDS_DECISION.get(to),
                      "needs_decision": to in lifecycle.DECISION_KINDS,
                      "decisions": lifecycle.decisions_for(initiative, to)})
    return {"moves": moves, "submitted": submitted}


def _impact_choices(initiative, impact_form=None):
    return {
        "impact_form": impact_form or IMPACT_FORM.blank(journey_id=initiative.journey_id),
        "all_metrics": db.session.scalars(select(Metric).order_by(Metric.name)).all(),
        "journeys": db.session.scalars(select(Journey).order_by(Journey.name)).all(),
    }


def _gate(initiative, business_case):
    """The approval gate and the approved baseline as the page shows them (SPEC §8.1–§8.3): the
    readiness checks while a proposal, each impact's share of its KPI and who else claims it,
    and the baseline once approved (the impacts and the baseline with the business case)."""
    impacts = impact_rules.with_values(load(initiative, "impacts").impacts) if business_case else []
    baseline = gate.current_baseline(initiative.id) if business_case else None
    return {
        "checks": gate.readiness_of(initiative) if initiative.status == "proposed" else None,
        "impacts": impacts,
        "metrics": {m.id: m for m in db.session.scalars(select(Metric).where(
            Metric.id.in_({i.metric_id for i in impacts})))} if impacts else {},
        "shares": gate.shares_of(initiative) if impacts else {},
        "baseline": with_figures(baseline) if baseline is not None else None,
    }


@bp.route("/<int:initiative_id>")
def detail(initiative_id):
    return _detail(initiative_id)


@bp.route("/<int:initiative_id>/cash-flows", methods=["POST"])
def add_cash_flow(initiative_id):
    initiative = db.session.get(Initiative, initiative_id)
    if initiative is None:
        abort(404)
    policy.require(policy.edit_initiative, current_user, initiative)
    form = CASH_FLOW_FORM.read()

    def add():
        services.add_cash_flow(current_user, initiative, form.load(CashFlowSchema()))
        flash(_("Cash flow added."), "success")
        return url_for("initiatives.detail", initiative_id=initiative_id) + "#cash-flows"

    try:
        return pages.create_once(form, add)
    except pages.FormInvalid:
        return _detail(initiative_id, form, 422)


@bp.route("/<int:initiative_id>/reviews/<int:review_id>/verdict", methods=["POST"])
def record_verdict(initiative_id, review_id):
    review = db.session.get(Review, review_id)
    if review is None or review.initiative_id != initiative_id:
        abort(404)
    policy.require(policy.record_review, current_user, review.initiative, reviews.REFUSED)
    form = verdict_form(review).read()

    def record():
        data = form.load(VerdictSchema())
        reviews.record_verdict(current_user, review, data["verdict"], data.get("notes"))
        flash(_("Review %(number)s: %(verdict)s recorded.", number=review.number,
                verdict=formatting.label(data["verdict"])), "success")
        return url_for("initiatives.detail", initiative_id=initiative_id) + "#reviews"

    try:
        return pages.create_once(form, record)
    except pages.FormInvalid:
        return _detail(initiative_id, status=422, submitted_verdict=form)


# -- the lifecycle -----------------------------------------------------------------------------

@bp.route("/<int:initiative_id>/transitions", methods=["POST"])
def move(initiative_id):
    to = request.form.get("to", "")
    if to not in MOVES:
        abort(400)
    initiative = get_or_404(Initiative, initiative_id)
    policy.require(lifecycle.required_rule(to), current_user, initiative, lifecycle.refusal(to))
    form = move_form(to).read()
    if to == "cancelled" and not pages.confirmed():
        return pages.ask_to_confirm(
            _("Cancel “%(title)s”?", title=initiative.title), _("Cancel the initiative"),
            url_for("initiatives.detail", initiative_id=initiative_id) + "#lifecycle",
            detail=_("A cancelled initiative is final: it cannot be started or delivered afterwards."),
            keep_label=_("Keep it"))
    refused = {"status": 422}

    def act():
        data = form.load(TransitionRequestSchema(), {**form.data("decision_id", "on", "note"), "to": to})
        try:
            lifecycle.transition_initiative(current_user, initiative, to, decision_id=data["decision_id"],
                                            note=data["note"], on=data["on"])
        except Conflict:
            refused["status"] = 409
            raise
        flash(_("“%(title)s” is now %(status)s.", title=initiative.title, status=formatting.label(to).lower()),
              "success")
        return url_for("initiatives.detail", initiative_id=initiative_id) + "#lifecycle"

    try:
        return pages.create_once(form, act)
    except pages.FormInvalid:
        return _detail(initiative_id, status=refused["status"], move=form)


# -- KPI impacts --------------------------------------------------------------------------------

def _impact(initiative_id, impact_id):
    impact = db.session.get(Impact, impact_id)
    if impact is None or impact.initiative_id != initiative_id:
        abort(404)
    policy.require(policy.edit_initiative, current_user, impact.initiative)
    return impact


def _as_typed(value):
    """A stored number as a person would type it: 9 not 9.0000, 0.6 not 0.6000."""
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value


def _impact_data(form):
    return form.load(ImpactSchema(), form.data())


@bp.route("/<int:initiative_id>/impacts", methods=["POST"])
def add_impact(initiative_id):
    initiative = get_or_404(Initiative, initiative_id)
    policy.require(policy.edit_initiative, current_user, initiative)
    form = IMPACT_FORM.read()
    refused = {"status": 422}

    def add():
        data = _impact_data(form)
        try:
            impact = impact_rules.create_impact(current_user, initiative, data)
        except Conflict:
            refused["status"] = 409
            raise
        flash(_("KPI impact added: %(name)s.", name=impact.metric.name), "success")
        return url_for("initiatives.detail", initiative_id=initiative_id) + "#impacts"

    try:
        return pages.create_once(form, add)
    except pages.FormInvalid:
        return _detail(initiative_id, status=refused["status"], impact_form=form)


def _render_impact_form(impact, form, status=200, version=None, stale=False):
    return render_template("initiatives/impact_form.html", impact=impact, initiative=impact.initiative, form=form,
                           version=version, stale=stale, **_impact_choices(impact.initiative, form)), status


@bp.route("/<int:initiative_id>/impacts/<int:impact_id>/edit")
def edit_impact(initiative_id, impact_id):
    impact = _impact(initiative_id, impact_id)
    form = IMPACT_FORM.blank(**{name: _as_typed(getattr(impact, name)) for name in IMPACT_FORM.fields})
    return _render_impact_form(impact, form, version=impact.version)


@bp.route("/<int:initiative_id>/impacts/<int:impact_id>/edit", methods=["POST"])
def update_impact(initiative_id, impact_id):
    impact = _impact(initiative_id, impact_id)
    form = IMPACT_FORM.read()
    version = request.form.get("version", "")
    try:
        _save(form, version, impact, str(STALE_IMPACT),
              lambda: impact_rules.update_impact(current_user, impact, _impact_data(form)))
    except pages.FormInvalid:
        stale = str(STALE_IMPACT) in form.errors.get(pages.FORM_LEVEL, [])
        return _render_impact_form(impact, form, getattr(form, "status", 422), version=version, stale=stale)
    flash(_("KPI impact saved: %(name)s.", name=impact.metric.name), "success")
    return redirect(url_for("initiatives.detail", initiative_id=initiative_id) + "#impacts")


@bp.route("/<int:initiative_id>/impacts/<int:impact_id>/delete", methods=["POST"])
def delete_impact(initiative_id, impact_id):
    impact = _impact(initiative_id, impact_id)
    back = url_for("initiatives.detail", initiative_id=initiative_id) + "#impacts"
    name, title = impact.metric.name, impact.initiative.title
    if not pages.confirmed():
        return pages.ask_to_confirm(_("Remove the KPI impact “%(name)s”?", name=name), _("Remove the KPI impact"), back,
                                    detail=_("It leaves the measurement plan of “%(title)s”.", title=title),
                                    keep_label=_("Keep it"))
    with transactional():
        impact_rules.delete_impact(current_user, impact)
    flash(_("KPI impact removed: %(name)s.", name=name), "success")
    return redirect(back)


def describe_cash_flow(cash_flow):
    """How a person recognises a cash flow: “Licence, year 1, €12,000.00 (planned, cost)”."""
    return _("%(category)s, year %(year)s, %(amount)s (%(basis)s, %(kind)s)", category=cash_flow.category,
             year=cash_flow.year, amount=formatting.money(cash_flow.amount, with_currency=True),
             basis=formatting.label(cash_flow.basis).lower(), kind=formatting.label(cash_flow.kind).lower())


@bp.route("/<int:initiative_id>/cash-flows/<int:cash_flow_id>/delete", methods=["POST"])
def delete_cash_flow(initiative_id, cash_flow_id):
    cash_flow = db.session.get(CashFlow, cash_flow_id)
    if cash_flow is None or cash_flow.initiative_id != initiative_id:
        abort(404)
    initiative = db.session.get(Initiative, initiative_id)
    policy.require(policy.edit_initiative, current_user, initiative)
    back = url_for("initiatives.detail", initiative_id=initiative_id) + "#cash-flows"
    described = describe_cash_flow(cash_flow)
    if not pages.confirmed():
        return pages.ask_to_confirm(_("Delete the cash flow “%(cash_flow)s”?", cash_flow=described),
                                    _("Delete the cash flow"), back,
                                    detail=_("It is removed from the business case of “%(title)s”.",
                                             title=initiative.title),
                                    keep_label=_("Keep it"))
    with transactional():
        services.delete_cash_flow(current_user, cash_flow)
    flash(_("Cash flow deleted: %(cash_flow)s.", cash_flow=described), "success")
    return redirect(back)


blueprints = [bp]
