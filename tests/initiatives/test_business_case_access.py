"""An initiative's business case — its cash flows and impacts — is read as its ROI is (SPEC §5):
by CX leaders, admins, executives and the initiative's owner. Another member reads the
initiative but gets 403 for its money, on the API and on the initiative page."""
import pytest

from cxgov.extensions import db
from tests import factories


@pytest.fixture
def case(app, login_as):
    """An initiative owned by a member, with a cash flow and an impact; the owner's client."""
    owner = login_as("member")
    with app.app_context():
        initiative = factories.create_initiative(owner=db.session.get(factories.User, owner.user_id))
        cash_flow = factories.add_cash_flow(initiative, amount="98765.43", description="Claims handling saving")
        impact = factories.add_impact(initiative)
        owner.urls = {
            "cash flows": f"/api/initiatives/{initiative.id}/cash-flows",
            "cash flow": f"/api/initiatives/{initiative.id}/cash-flows/{cash_flow.id}",
            "impacts": f"/api/initiatives/{initiative.id}/impacts",
            "impact": f"/api/initiatives/{initiative.id}/impacts/{impact.id}",
        }
        owner.initiative_id = initiative.id
    return owner


@pytest.mark.parametrize("what", ["cash flows", "cash flow", "impacts", "impact"])
def test_another_member_is_refused_the_business_case(login_as, case, what):
    response = login_as("member").get(case.urls[what])
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json" and "owner" in response.json["detail"]
    # The initiative itself stays readable.
    assert login_as("member").get(f"/api/initiatives/{case.initiative_id}").status_code == 200


@pytest.mark.parametrize("role", ["owner", "executive", "cx_leader", "admin"])
@pytest.mark.parametrize("what", ["cash flows", "cash flow", "impacts", "impact"])
def test_the_owner_and_the_report_roles_read_it(login_as, case, role, what):
    caller = case if role == "owner" else login_as(role)
    response = caller.get(case.urls[what])
    assert response.status_code == 200
    body = response.json
    assert (body["items"] if "items" in body else [body])


def test_the_initiative_page_shows_the_business_case_to_its_readers_only(app, page_as, case):
    other = page_as("member")
    page = other.get(f"/initiatives/{case.initiative_id}").get_data(as_text=True)
    assert "98,765.43" not in page and "98765.43" not in page and "Claims handling saving" not in page
    assert "business case (cash flows, impacts) is for its owner" in page
    executive = page_as("executive").get(f"/initiatives/{case.initiative_id}").get_data(as_text=True)
    assert "Claims handling saving" in executive
