"""Page forms tell people what is wrong: a plain sentence next to each field (`aria-invalid`,
`aria-describedby`), a summary at the top linking to the fields, and what was typed kept."""
import re
from html import unescape

import pytest

from cxgov.pages import Field, human_message
from tests import factories
from tests.conftest import csrf_token
from tests.steering.helpers import PAST, count, governance_world

YEAR = Field("cf-year", "Year (0 = initial)", "integer")
RATE = Field("rate", "Discount rate", "ratio")


@pytest.mark.parametrize("message, field, sentence", [
    ("Must be greater than or equal to 0 and less than or equal to 1.", RATE,
     "Enter a number from 0 to 1 for the discount rate."),
    ("Must be greater than or equal to 0 and less than or equal to 10.", YEAR,
     "Enter a whole number from 0 to 10 for the year."),
    ("Must be greater than or equal to 0 and less than or equal to 1000000.", Field("p", "People reached", "integer"),
     "Enter a whole number from 0 to 1,000,000 for the people reached."),
    ("Must be greater than 0.", Field("a", "Amount", "money"), "The amount must be more than 0."),
    ("Must be greater than or equal to 1 and less than or equal to 2147483647.", Field("d", "Duration", "integer"),
     "The duration must be at least 1."),
    ("Must be greater than or equal to 0.", Field("h", "Hours"), "The hours cannot be negative."),
    ("Missing data for required field.", Field("t", "Title"), "Enter the title."),
    ("Missing data for required field.", Field("o", "Owner", "choice"), "Choose the owner."),
    ("Field may not be null.", Field("t", "Title"), "Enter the title."),
    ("Not a valid integer.", YEAR, "Enter the year as a whole number, like 3."),
    ("Not a valid number.", Field("a", "Amount", "money"),
     "Enter the amount in figures, like 1250.50 (no thousands separators or currency sign)."),
    ("Not a valid date.", Field("d", "Due on", "date", noun="the due date"),
     "Enter the due date as a date, like 2026-12-31."),
    ("Must be one of: cost, benefit.", Field("k", "Kind", "choice"), "Choose the kind from the list."),
    ("Longer than maximum length 80.", Field("c", "Category"), "The category must be 80 characters or fewer."),
    ("Length must be between 1 and 200.", Field("t", "Title"), "The title must be 200 characters or fewer."),
    ("Length must be between 3 and 254.", Field("e", "Email"), "The email must be from 3 to 254 characters long."),
    ("Must be on or before 2026-11-30.", Field("d", "When", "date", noun="the date"),
     "The date must be on or before 2026-11-30."),
    ("This user is deactivated.", Field("u", "Person"), "This user is deactivated."),  # already for people
])
def test_validation_messages_become_sentences(message, field, sentence):
    assert human_message(message, field) == sentence


def _post(client, path, data, page=None):
    return client.post(path, data={"csrf_token": csrf_token(client, page or path), **data})


def _check_marked(html, field_ids):
    """Each field in error: its input carries aria-invalid and points at its message, which is
    next to it; the summary at the top links to it; every summary link lands on an input."""
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary, "no error summary"
    links = re.findall(r'<a href="#([^"]+)">', summary.group(0))
    assert links and set(links) == set(field_ids)
    for field_id in field_ids:
        tag = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{field_id}"[^>]*>', html)
        assert tag, f"no input #{field_id}"
        assert 'aria-invalid="true"' in tag.group(0)
        assert f'aria-describedby="{field_id}-error"' in tag.group(0)
        assert re.search(rf'<p class="field-error" id="{field_id}-error">[^<]+</p>', html)
    return [unescape(text) for text in re.findall(r'<a href="#[^"]+">([^<]+)</a>', summary.group(0))]


def test_the_cash_flow_form_marks_each_field_and_keeps_the_values(page_as, app):
    page = page_as("cx_leader")
    with app.app_context():
        initiative_id = factories.create_initiative().id
    response = _post(page, f"/initiatives/{initiative_id}/cash-flows", {
        "basis": "actual", "kind": "benefit", "year": "12", "category": "Licence", "amount": "12,000",
        "risk_adjustment": "1", "description": "Year one"}, f"/initiatives/{initiative_id}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    sentences = _check_marked(html, ["cf-year", "cf-amount", "cf-risk"])
    assert sentences == ["Enter a whole number from 0 to 10 for the year.",
                         "Enter the amount in figures, like 1250.50 (no thousands separators or currency sign).",
                         "The risk adjustment must be at least 0 and less than 1."]
    assert "Unprocessable" not in html and "Must be greater" not in html
    for kept in ('value="12"', 'value="Licence"', 'value="12,000"', 'value="Year one"',
                 '<option value="actual" selected>', '<option value="benefit" selected>'):
        assert kept in html, kept


def test_the_meeting_form_marks_the_fields_and_keeps_the_values(page_as, app):
    ids = governance_world(app)
    client = page_as("cx_leader")
    response = _post(client, "/meetings", {"committee_id": ids["committee"], "title": "", "starts_at": "",
                                           "duration_minutes": "0", "location": "Room 4"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _check_marked(html, ["meeting-title", "meeting-starts", "meeting-duration"]) == [
        "Enter the title of the meeting.", "Enter when the meeting starts.",
        "Enter a whole number from 1 to 1,440 for the duration."]
    assert 'value="Room 4"' in html and 'value="0"' in html


def test_the_agenda_and_action_item_forms_on_the_meeting_page(page_as, app):
    from cxgov.steering.models import ActionItem, AgendaItem

    ids = governance_world(app)
    client = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"
    response = _post(client, f"{page}/agenda", {"title": "Budget", "kind": "information",
                                                "duration_minutes": "lots"}, page)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _check_marked(html, ["agenda-duration"]) == ["Enter the minutes it takes as a whole number, like 3."]
    assert 'placeholder="Title" value="Budget"' in html
    response = _post(client, f"{page}/action-items", {"title": "Call back", "owner_id": "999999",
                                                      "due_on": "2026-12-20"}, page)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Call back"' in html and 'value="2026-12-20"' in html
    assert "error-summary" in html
    assert count(app, AgendaItem) == 1 and count(app, ActionItem) == 1


def test_the_committee_form(page_as, app):
    from cxgov.steering.models import Committee

    client = page_as("cx_leader")
    response = _post(client, "/committees", {"name": "x" * 161, "charter": "Steer the journeys"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _check_marked(html, ["committee-name"]) == ["The name of the committee must be 160 characters or fewer."]
    assert ">Steer the journeys</textarea>" in html
    assert count(app, Committee) == 0


def test_the_ambassador_forms(app, page_as):
    from cxgov.ambassadors.models import Ambassador

    leader = page_as("cx_leader")
    with app.app_context():
        covered = factories.create_department(name="Claims")
        factories.create_ambassador(user=factories.create_user(name="Emma Klein"), department=covered)
        department_id = factories.create_department(name="Logistics").id
        other = factories.create_user(name="Ole Berg").id
    response = _post(leader, "/ambassadors/assign", {"department_id": department_id, "user_id": other,
                                                     "started_on": "someday"}, "/ambassadors/network")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _check_marked(html, ["assign-started"]) == ["Enter the start date as a date, like 2026-12-31."]
    assert 'value="someday"' in html
    assert count(app, Ambassador) == 1


def test_the_sign_in_form(app, client):
    with app.app_context():
        email = factories.create_user().email
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _check_marked(html, ["password"]) == ["Enter your password."]
    assert f'value="{email}"' in html
    response = client.post("/login", data={"csrf_token": token, "email": email, "password": "not it"})
    html = response.get_data(as_text=True)
    assert "Unknown email or wrong password." in html and "not it" not in html


def test_the_ambassador_edit_form_says_what_a_cleared_field_needs(app, page_as):
    from datetime import timedelta

    from cxgov.ambassadors.models import AmbassadorAction
    from cxgov.db import today
    from cxgov.extensions import db
    from cxgov.org.models import User

    client = page_as("member")
    with app.app_context():
        assignment = factories.create_ambassador(user=db.session.get(User, client.user_id),
                                                 started_on=today() - timedelta(days=30))
        action_id = factories.create_ambassador_action(assignment, title="Workshop", occurred_on=today()).id
    path = f"/ambassadors/actions/{action_id}/edit"
    response = _post(client, path, {"kind": "training", "title": "", "occurred_on": today().isoformat(),
                                    "people_reached": "12", "hours": "", "description": "With the claims team"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _check_marked(html, ["title"]) == ["Enter the title."]
    assert 'value="12"' in html and ">With the claims team</textarea>" in html
    with app.app_context():
        assert db.session.get(AmbassadorAction, action_id).title == "Workshop"


def test_a_refused_decision_keeps_the_apply_box_as_it_was(app, page_as):
    ids = governance_world(app, starts_at=PAST)  # begun: decisions can be recorded
    client = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"
    html = client.get(page).get_data(as_text=True)
    assert re.search(r'id="decision-apply" name="apply" value="1" checked', html)  # ticked by default
    response = _post(client, f"{page}/decisions", {"kind": "approve_initiative", "text": ""}, page)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter the decision." in html
    assert not re.search(r'id="decision-apply" name="apply" value="1" checked', html)  # left unticked
