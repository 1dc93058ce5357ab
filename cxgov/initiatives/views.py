"""Initiative pages: the list with filters, and one initiative with its business case, its gate,
its baseline and its post-implementation reviews."""
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from cxgov import formatting, pages, policy
from cxgov.db import load
from cxgov.extensions import db
from cxgov.initiatives import business_case, gate, lifecycle, reviews, services
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
from cxgov.initiatives.schemas import CashFlowSchema, InitiativeArgs
from cxgov.journeys.models import Journey, Metric
from cxgov.org.models import Department
from cxgov.pages import Field, FormSpec
from cxgov.rest import paginate
from cxgov.transaction import transactional

bp = Blueprint("initiatives", __name__, url_prefix="/initiatives")
PAGE_SIZE = 50

CASH_FLOW_FORM = FormSpec(
    "cash-flow",
    basis=Field("cf-basis", "Basis", "choice"),
    kind=Field("cf-kind", "Kind", "choice"),
    year=Field("cf-year", "Year (0 = initial)", "integer"),
    category=Field("cf-category", "Category"),
    amount=Field("cf-amount", "Amount", "money"),
    risk_adjustment=Field("cf-risk", "Risk adjustment (0–0.99)", "ratio"),
    description=Field("cf-description", "Description"),
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
    )


def verdict_form(review):
    """The form recording one review's verdict (one per review due on the page)."""
    return FormSpec(
        f"verdict-{review.id}",
        verdict=Field(f"verdict-{review.id}-verdict", "Verdict", "choice", noun="the verdict"),
        notes=Field(f"verdict-{review.id}-notes", "Notes"),
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
                    "impacts": [(names.get(i["impact_id"], "A KPI no longer planned"), _decimal(i["actual_value"]),
                                 _decimal(i["annual_value"])) for i in review.snapshot["impacts"]],
                    "actual_npv": Decimal(review.snapshot["actual_npv"])}
    return {"reviews": rows, "review_figures": figures, "verdict_forms": forms, "verdicts": REVIEW_VERDICTS,
            "submitted_verdict": submitted}


def _decimal(text):
    return None if text is None else Decimal(text)


def _detail(initiative_id, form=None, status=200, submitted_verdict=None):
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
    return render_template(
        "initiatives/detail.html", initiative=initiative, department=department, transitions=transitions,
        decisions=decisions,
        **_gate(initiative, business_case), **_reviews(initiative, submitted_verdict),
        flows={basis: [cf for cf in cash_flows if cf.basis == basis] for basis in BASES}, roi=roi,
        can_edit=policy.edit_initiative(current_user, initiative), kinds=CASH_FLOW_KINDS, bases=BASES,
        form=form or CASH_FLOW_FORM.blank(basis="planned", year=0, risk_adjustment=0),
        business_case=readable, business_case_refused=policy.BUSINESS_CASE_REFUSED,
    ), status


def _gate(initiative, business_case):
    """The approval gate and the approved baseline as the page shows them (SPEC §8.1–§8.3): the
    readiness checks while a proposal, each impact's share of its KPI and who else claims it,
    and the baseline once approved (the impacts and the baseline with the business case)."""
    impacts = load(initiative, "impacts").impacts if business_case else []
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
        flash("Cash flow added.", "success")
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
        flash(f"Review {review.number}: {formatting.label(data['verdict'])} recorded.", "success")
        return url_for("initiatives.detail", initiative_id=initiative_id) + "#reviews"

    try:
        return pages.create_once(form, record)
    except pages.FormInvalid:
        return _detail(initiative_id, status=422, submitted_verdict=form)


def describe_cash_flow(cash_flow):
    """How a person recognises a cash flow: “Licence, year 1, EUR 12,000.00 (planned cost)”."""
    return (f"{cash_flow.category}, year {cash_flow.year}, {formatting.money(cash_flow.amount, with_currency=True)} "
            f"({cash_flow.basis} {cash_flow.kind})")


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
        return pages.ask_to_confirm(f"Delete the cash flow “{described}”?", "Delete the cash flow", back,
                                    detail=f"It is removed from the business case of “{initiative.title}”.")
    with transactional():
        services.delete_cash_flow(current_user, cash_flow)
    flash(f"Cash flow deleted: {described}.", "success")
    return redirect(back)


blueprints = [bp]
