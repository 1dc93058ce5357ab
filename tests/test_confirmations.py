"""Destructive page actions ask first, without any script: a POST without `confirm=yes` changes
nothing and answers a confirmation page whose form sends the same request with it; the
confirmation names what is destroyed, and "keep it" goes back."""
import re
from datetime import timedelta
from html import unescape

import pytest
from babel.dates import format_date

from cxgov.ambassadors.models import Ambassador
from cxgov.db import today
from cxgov.extensions import db
from cxgov.initiatives.models import CashFlow
from cxgov.steering.models import ActionItem, CommitteeMember, Meeting
from tests import factories
from tests.conftest import csrf_token
from tests.steering.helpers import count, get, governance_world


def _confirm_form(html):
    """(action, hidden fields, confirm button label, keep link) of a confirmation page."""
    form = re.search(r'<form method="post" action="([^"]+)" class="confirm-actions">(.*?)</form>', html, re.S)
    assert form, "not a confirmation page"
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)))
    button = re.search(r'<button type="submit" class="danger">([^<]+)</button>', form.group(2)).group(1)
    keep = re.search(r'<a class="button" href="([^"]+)">([^<]+)</a>', form.group(2))
    return unescape(form.group(1)), hidden, unescape(button), (unescape(keep.group(1)), unescape(keep.group(2)))


def _ask_then_confirm(client, path, data, page, unchanged, changed, question, button):
    token = csrf_token(client, page)
    asked = client.post(path, data={"csrf_token": token, **data})
    assert asked.status_code == 200
    html = unescape(asked.get_data(as_text=True))
    assert question in html
    assert unchanged(), "a POST without confirmation acted"
    action, hidden, label, (keep_url, _) = _confirm_form(asked.get_data(as_text=True))
    assert action == path and label == button
    assert hidden["confirm"] == "yes" and all(hidden[k] == str(v) for k, v in data.items())
    assert keep_url.startswith(page)
    done = client.post(action, data=hidden)
    assert done.status_code == 302
    assert changed()


def test_deleting_a_cash_flow(app, page_as):
    page = page_as("cx_leader")
    with app.app_context():
        initiative = factories.create_initiative(title="Self-service portal")
        flow_id = factories.add_cash_flow(initiative, "cost", 1, "12000", category="Licence").id
        initiative_id = initiative.id
    _ask_then_confirm(
        page, f"/initiatives/{initiative_id}/cash-flows/{flow_id}/delete", {}, f"/initiatives/{initiative_id}",
        unchanged=lambda: count(app, CashFlow) == 1, changed=lambda: count(app, CashFlow) == 0,
        question="Delete the cash flow “Licence, year 1, €12,000.00 (planned, cost)”?",
        button="Delete the cash flow")


def test_ending_an_assignment(app, page_as):
    leader = page_as("cx_leader")
    with app.app_context():
        department = factories.create_department(name="Claims")
        assignment_id = factories.create_ambassador(user=factories.create_user(name="Emma Klein"),
                                                    department=department,
                                                    started_on=today() - timedelta(days=30)).id
    html = leader.get("/ambassadors/network").get_data(as_text=True)
    assert 'aria-label="End Emma Klein’s assignment"' in html
    _ask_then_confirm(
        leader, f"/ambassadors/{assignment_id}/end", {"ended_on": today().isoformat()}, "/ambassadors/network",
        unchanged=lambda: get(app, Ambassador, assignment_id).ended_on is None,
        changed=lambda: get(app, Ambassador, assignment_id).ended_on == today(),
        question=("End Emma Klein’s assignment as ambassador of Claims on "
                  f"{format_date(today(), 'medium', locale='en_GB')}?"),
        button="End Emma Klein’s assignment")


def test_removing_a_committee_member(app, page_as):
    ids = governance_world(app)
    leader = page_as("cx_leader")
    with app.app_context():
        member_id = db.session.scalar(db.select(CommitteeMember.id).where(CommitteeMember.user_id == ids["member"]))
        committee_name = db.session.get(CommitteeMember, member_id).committee.name
    html = unescape(leader.get("/committees").get_data(as_text=True))
    assert f'aria-label="Remove Member Person from {committee_name}"' in html
    _ask_then_confirm(
        leader, f"/committees/{ids['committee']}/members/{member_id}/remove", {}, "/committees",
        unchanged=lambda: count(app, CommitteeMember) == 3, changed=lambda: count(app, CommitteeMember) == 2,
        question=f"Remove Member Person from {committee_name}?", button="Remove Member Person")


def test_cancelling_a_meeting(app, page_as):
    ids = governance_world(app)
    leader = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"
    _ask_then_confirm(
        leader, f"{page}/status", {"status": "cancelled"}, page,
        unchanged=lambda: get(app, Meeting, ids["meeting"]).status == "scheduled",
        changed=lambda: get(app, Meeting, ids["meeting"]).status == "cancelled",
        question="Cancel the meeting", button="Cancel the meeting")
    # Scheduling it again is no loss: no confirmation.
    token = csrf_token(leader, page)
    assert leader.post(f"{page}/status", data={"csrf_token": token, "status": "scheduled"}).status_code == 302
    assert get(app, Meeting, ids["meeting"]).status == "scheduled"


def test_cancelling_an_action_item(app, page_as):
    ids = governance_world(app)
    leader = page_as("cx_leader")
    _ask_then_confirm(
        leader, f"/action-items/{ids['action']}/status", {"status": "cancelled"}, "/my/action-items",
        unchanged=lambda: get(app, ActionItem, ids["action"]).status == "open",
        changed=lambda: get(app, ActionItem, ids["action"]).status == "cancelled",
        question="Cancel the action item", button="Cancel the action item")


@pytest.mark.parametrize("role", ["member", "executive"])
def test_the_confirmation_is_not_offered_to_those_who_may_not_act(app, page_as, role):
    ids = governance_world(app)
    client = page_as(role)
    with app.app_context():
        member_id = db.session.scalar(db.select(CommitteeMember.id).where(CommitteeMember.user_id == ids["member"]))
    response = client.post(f"/committees/{ids['committee']}/members/{member_id}/remove",
                           data={"csrf_token": csrf_token(client, "/committees")})
    assert response.status_code == 403
    assert count(app, CommitteeMember) == 3


def test_the_confirmation_page_works_without_scripts(app, page_as):
    page = page_as("cx_leader")
    with app.app_context():
        initiative = factories.create_initiative()
        flow_id = factories.add_cash_flow(initiative, "cost", 0, "500").id
        initiative_id = initiative.id
    asked = page.post(f"/initiatives/{initiative_id}/cash-flows/{flow_id}/delete",
                      data={"csrf_token": csrf_token(page, f"/initiatives/{initiative_id}")})
    html = asked.get_data(as_text=True)
    assert "<script" not in html and " onclick" not in html
    assert "script-src" not in asked.headers["Content-Security-Policy"]


def test_publishing_minutes(app, page_as):
    from tests.steering.helpers import PAST

    ids = governance_world(app, starts_at=PAST, status="held", minutes="We met.")
    leader = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"
    _ask_then_confirm(
        leader, f"{page}/minutes/publish", {}, page,
        unchanged=lambda: get(app, Meeting, ids["meeting"]).minutes_published_at is None,
        changed=lambda: get(app, Meeting, ids["meeting"]).minutes_published_at is not None,
        question="Publish the minutes of", button="Publish the minutes")
