"""Initiative pages: the filtered list, the detail with its business case, the cash-flow form."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cxgov.extensions import db
from cxgov.initiatives.models import CashFlow
from tests import factories
from tests.conftest import csrf_token


def make(app, owner_id=None, **kw):
    with app.app_context():
        owner = db.session.get(factories.User, owner_id) if owner_id else None
        initiative = factories.create_initiative(owner=owner, **kw)
        factories.add_cash_flow(initiative, "cost", 0, "1000")
        factories.add_cash_flow(initiative, "benefit", 1, "1650")
        factories.add_cash_flow(initiative, "benefit", 1, "1650", basis="actual")
        return initiative.id


def flows(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CashFlow))


def test_anonymous_goes_to_sign_in(client, app):
    initiative_id = make(app)
    for path in ("/initiatives", f"/initiatives/{initiative_id}"):
        assert "/login" in client.get(path).headers["Location"]
    # Without its CSRF token the form is refused (400); with the sign-in page's, the anonymous
    # sender is sent to sign in. Either way nothing is added.
    assert client.post(f"/initiatives/{initiative_id}/cash-flows", data={}).status_code == 400
    token = csrf_token(client, "/login")
    refused = client.post(f"/initiatives/{initiative_id}/cash-flows", data={"csrf_token": token})
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert flows(app) == 3


@pytest.mark.parametrize("role", ["member", "executive", "cx_leader", "admin"])
def test_the_list_filters(page_as, app, role):
    make(app, title="Digital onboarding", category="digital", status="approved")
    make(app, title="Paper forms", category="process")
    page = page_as(role)
    html = page.get("/initiatives").get_data(as_text=True)
    assert "Digital onboarding" in html and "Paper forms" in html
    html = page.get("/initiatives?status=approved").get_data(as_text=True)
    assert "Digital onboarding" in html and "Paper forms" not in html
    html = page.get("/initiatives?category=process").get_data(as_text=True)
    assert "Paper forms" in html and "Digital onboarding" not in html
    assert page.get("/initiatives?status=nonsense").status_code == 200


@pytest.mark.parametrize("role, owner, sees_roi, sees_form", [
    ("member", True, True, True), ("member", False, False, False), ("executive", False, True, False),
    ("cx_leader", False, True, True), ("admin", False, True, True),
])
def test_the_detail_page(page_as, app, role, owner, sees_roi, sees_form):
    page = page_as(role)
    initiative_id = make(app, page.user_id if owner else None, title="Callback service")
    response = page.get(f"/initiatives/{initiative_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Callback service" in html
    # The business case (cash flows) is read as the ROI is: not by other members.
    assert ("Cash flows: planned vs actual" in html) == sees_roi
    assert ("1,000.00" in html and "1,650.00" in html) == sees_roi
    assert ("Return on investment" in html) == sees_roi
    assert ("Add a cash flow" in html) == sees_form
    if sees_roi:
        assert "50.0%" in html  # planned: 1 650 / 1.1 = 1 500 against 1 000


def test_the_owner_adds_a_cash_flow_through_the_form(page_as, app):
    page = page_as("member")
    initiative_id = make(app, page.user_id)
    token = csrf_token(page, f"/initiatives/{initiative_id}")
    response = page.post(f"/initiatives/{initiative_id}/cash-flows", data={
        "csrf_token": token, "basis": "planned", "kind": "benefit", "year": "2", "category": "Savings",
        "amount": "2500.5", "risk_adjustment": "0.1", "description": ""})
    assert response.status_code == 302
    with app.app_context():
        added = db.session.scalars(select(CashFlow).where(CashFlow.year == 2)).one()
        assert (added.amount, added.risk_adjustment, added.kind) == (Decimal("2500.50"), Decimal("0.1"), "benefit")


def test_bad_form_input_is_shown_and_nothing_written(page_as, app):
    page = page_as("cx_leader")
    initiative_id = make(app)
    token = csrf_token(page, f"/initiatives/{initiative_id}")
    response = page.post(f"/initiatives/{initiative_id}/cash-flows", data={
        "csrf_token": token, "basis": "planned", "kind": "cost", "year": "12", "category": "Build",
        "amount": "-1", "risk_adjustment": "1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The cash flow was not added" in html
    assert 'value="-1"' in html
    assert flows(app) == 3


def test_others_cannot_post_and_csrf_is_required(page_as, app):
    owner = page_as("member")
    initiative_id = make(app, owner.user_id)
    other = page_as("member")
    token = csrf_token(other, "/initiatives")
    data = {"basis": "planned", "kind": "cost", "year": "1", "category": "x", "amount": "5"}
    assert other.post(f"/initiatives/{initiative_id}/cash-flows", data={**data, "csrf_token": token}).status_code == 403
    assert owner.post(f"/initiatives/{initiative_id}/cash-flows", data=data).status_code == 400
    executive = page_as("executive")
    token = csrf_token(executive, "/initiatives")
    assert (
        executive.post(f"/initiatives/{initiative_id}/cash-flows", data={**data, "csrf_token": token}).status_code
        == 403
    )
    assert flows(app) == 3


def test_the_owner_deletes_a_cash_flow(page_as, app):
    page = page_as("member")
    initiative_id = make(app, page.user_id)
    with app.app_context():
        flow_id = db.session.scalars(select(CashFlow.id)).first()
    token = csrf_token(page, f"/initiatives/{initiative_id}")
    other = page_as("member")
    other_token = csrf_token(other, "/initiatives")
    assert other.post(f"/initiatives/{initiative_id}/cash-flows/{flow_id}/delete",
                      data={"csrf_token": other_token}).status_code == 403
    assert flows(app) == 3
    asked = page.post(f"/initiatives/{initiative_id}/cash-flows/{flow_id}/delete", data={"csrf_token": token})
    assert asked.status_code == 200 and "Delete the cash flow" in asked.get_data(as_text=True)
    assert flows(app) == 3
    assert page.post(f"/initiatives/{initiative_id}/cash-flows/{flow_id}/delete",
                     data={"csrf_token": token, "confirm": "yes"}).status_code == 302
    assert flows(app) == 2


def test_missing_initiative_is_404(page_as):
    assert page_as("member").get("/initiatives/99999").status_code == 404
