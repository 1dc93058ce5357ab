"""Initiative pages: the list with filters, and one initiative with its business case."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cxgov import policy
from cxgov.db import load
from cxgov.extensions import db
from cxgov.initiatives import services
from cxgov.initiatives.models import BASES, CASH_FLOW_KINDS, CATEGORIES, STATUSES, CashFlow, Initiative
from cxgov.initiatives.schemas import CashFlowSchema, InitiativeArgs
from cxgov.journeys.models import Journey
from cxgov.org.models import Department
from cxgov.rest import paginate
from cxgov.roi import services as roi_services

bp = Blueprint("initiatives", __name__, url_prefix="/initiatives")
PAGE_SIZE = 50


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


def _detail(initiative_id, form=None, form_errors=None, status=200):
    initiative = db.session.get(Initiative, initiative_id, options=[
        joinedload(Initiative.journey), joinedload(Initiative.owner), joinedload(Initiative.sponsor)])
    if initiative is None:
        abort(404)
    # The business case (cash flows) only for those who may read it, as on the API.
    business_case = policy.view_business_case(current_user, initiative)
    load(initiative, "transitions", *(["cash_flows"] if business_case else []))
    transitions, cash_flows = initiative.transitions, initiative.cash_flows if business_case else []
    roi = None
    if policy.view_initiative_roi(current_user, initiative):
        rate = roi_services.default_rate()
        roi = {basis: roi_services.initiative_roi(current_user, initiative, basis, rate) for basis in BASES}
    department = db.session.get(Department, initiative.department_id)
    return render_template(
        "initiatives/detail.html", initiative=initiative, department=department, transitions=transitions,
        flows={basis: [cf for cf in cash_flows if cf.basis == basis] for basis in BASES}, roi=roi,
        can_edit=policy.edit_initiative(current_user, initiative), kinds=CASH_FLOW_KINDS, bases=BASES,
        form=form or {}, form_errors=form_errors or {}, business_case=business_case,
        business_case_refused=policy.BUSINESS_CASE_REFUSED,
    ), status


@bp.route("/<int:initiative_id>")
def detail(initiative_id):
    return _detail(initiative_id)


@bp.route("/<int:initiative_id>/cash-flows", methods=["POST"])
def add_cash_flow(initiative_id):
    initiative = db.session.get(Initiative, initiative_id)
    if initiative is None:
        abort(404)
    policy.require(policy.edit_initiative, current_user, initiative)
    form = {key: value.strip() for key, value in request.form.items() if key != "csrf_token"}
    data = {key: value for key, value in form.items() if value != ""}
    try:
        loaded = CashFlowSchema().load(data)
    except ValidationError as error:
        db.session.rollback()
        return _detail(initiative_id, form, error.messages, 422)
    services.add_cash_flow(current_user, initiative, loaded)
    db.session.commit()
    flash("Cash flow added.")
    return redirect(url_for("initiatives.detail", initiative_id=initiative_id) + "#cash-flows")


@bp.route("/<int:initiative_id>/cash-flows/<int:cash_flow_id>/delete", methods=["POST"])
def delete_cash_flow(initiative_id, cash_flow_id):
    cash_flow = db.session.get(CashFlow, cash_flow_id)
    if cash_flow is None or cash_flow.initiative_id != initiative_id:
        abort(404)
    services.delete_cash_flow(current_user, cash_flow)
    db.session.commit()
    flash("Cash flow deleted.")
    return redirect(url_for("initiatives.detail", initiative_id=initiative_id) + "#cash-flows")


blueprints = [bp]
