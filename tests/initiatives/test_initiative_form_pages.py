"""Initiatives through the pages (tracker issue 15): proposing, editing (with the page's If-Match),
the lifecycle panel and the measurement plan's KPI impacts, each through the same services and
policy as the API."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from cxgov.db import today
from cxgov.extensions import db
from cxgov.initiatives import lifecycle
from cxgov.initiatives.models import Impact, Initiative, Transition
from cxgov.org.models import User
from tests import factories
from tests.conftest import csrf_token
from tests.queries import count_statements


def _world(app, owner_id=None, **kw):
    """A journey, a department and an initiative (owned by `owner_id` when given)."""
    with app.app_context():
        owner = db.session.get(User, owner_id) if owner_id else None
        initiative = factories.create_initiative(owner=owner, **kw)
        return {"initiative": initiative.id, "journey": initiative.journey_id,
                "department": initiative.department_id, "version": initiative.version}


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


# -- proposing ------------------------------------------------------------------------------------

def test_a_member_proposes_an_initiative_from_the_list(app, page_as, login_as):
    page = page_as("member")
    ids = _world(app)
    assert 'href="/initiatives/new"' in page.get("/initiatives").get_data(as_text=True)
    html = page.get("/initiatives/new").get_data(as_text=True)
    assert 'name="owner_id"' not in html and "(you)" in html  # a member owns what they propose
    token = csrf_token(page, "/initiatives/new")
    bad = page.post("/initiatives/new", data={"csrf_token": token, "title": "Call-back service",
                                              "journey_id": str(ids["journey"]), "target_on": "soon"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "The initiative was not proposed" in text
    assert "Choose the department." in text and "Choose the category." in text
    assert "Enter the target date as a date, like 2026-12-31." in text
    assert 'value="Call-back service"' in text  # what was typed is kept
    assert _count(app, Initiative) == 1
    done = page.post("/initiatives/new", data={
        "csrf_token": token, "title": "Call-back service", "journey_id": str(ids["journey"]),
        "department_id": str(ids["department"]), "category": "process", "target_on": "2027-03-31",
        "description": "Call customers back instead of keeping them waiting."})
    assert done.status_code == 302
    new_id = int(done.headers["Location"].rsplit("/", 1)[1])
    body = login_as("admin").get(f"/api/initiatives/{new_id}").json
    assert body["status"] == "proposed" and body["owner_id"] == page.user_id
    assert body["target_on"] == "2027-03-31" and body["title"] == "Call-back service"


def test_a_cx_leader_chooses_the_owner_and_an_executive_proposes_nothing(app, page_as, login_as):
    ids = _world(app)
    with app.app_context():
        owner_id = factories.create_user("member", name="Olga Owner").id
    leader = page_as("cx_leader")
    assert "Olga Owner" in leader.get("/initiatives/new").get_data(as_text=True)
    token = csrf_token(leader, "/initiatives/new")
    done = leader.post("/initiatives/new", data={
        "csrf_token": token, "title": "Chat-bot", "journey_id": str(ids["journey"]),
        "department_id": str(ids["department"]), "category": "digital", "owner_id": str(owner_id)})
    new_id = int(done.headers["Location"].rsplit("/", 1)[1])
    assert login_as("admin").get(f"/api/initiatives/{new_id}").json["owner_id"] == owner_id
    executive = page_as("executive")
    assert 'href="/initiatives/new"' not in executive.get("/initiatives").get_data(as_text=True)
    assert executive.get("/initiatives/new").status_code == 403


# -- editing --------------------------------------------------------------------------------------

def test_the_owner_edits_and_a_stale_form_is_refused(app, page_as, login_as):
    page = page_as("member")
    ids = _world(app, page.user_id, title="Paper forms", description="Old text")
    url = f"/initiatives/{ids['initiative']}/edit"
    assert f'href="{url}"' in page.get(f"/initiatives/{ids['initiative']}").get_data(as_text=True)
    html = page.get(url).get_data(as_text=True)
    assert 'value="Paper forms"' in html and f'name="version" value="{ids["version"]}"' in html
    token = csrf_token(page, url)
    fields = {"csrf_token": token, "title": "Digital forms", "journey_id": str(ids["journey"]),
              "department_id": str(ids["department"]), "category": "digital", "description": "",
              "target_on": "2027-01-31", "version": str(ids["version"])}
    blank = page.post(url, data={**fields, "title": ""})
    assert blank.status_code == 422 and "Enter the title." in blank.get_data(as_text=True)
    saved = page.post(url, data=fields)
    assert saved.status_code == 302
    body = login_as("admin").get(f"/api/initiatives/{ids['initiative']}").json
    assert body["title"] == "Digital forms" and body["category"] == "digital"
    assert body["description"] is None and body["target_on"] == "2027-01-31"
    # The same form again, opened before that save: refused, nothing written.
    stale = page.post(url, data={**fields, "title": "Overwritten"})
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "Someone saved a change to this initiative after you opened this page, so nothing was saved." in text
    assert "Open the latest version" in text and 'value="Overwritten"' in text
    assert login_as("admin").get(f"/api/initiatives/{ids['initiative']}").json["title"] == "Digital forms"


def test_only_who_may_edit_sees_and_uses_the_form(app, page_as):
    ids = _world(app)
    other = page_as("member")
    assert "Change the initiative" not in other.get(f"/initiatives/{ids['initiative']}").get_data(as_text=True)
    assert other.get(f"/initiatives/{ids['initiative']}/edit").status_code == 403
    token = csrf_token(other, "/initiatives")
    refused = other.post(f"/initiatives/{ids['initiative']}/edit", data={"csrf_token": token, "title": "Mine"})
    assert refused.status_code == 403


# -- the lifecycle --------------------------------------------------------------------------------

def _approvable(app, owner_id=None):
    """A proposal ready for approval, with a steering decision to approve it."""
    with app.app_context():
        owner = db.session.get(User, owner_id) if owner_id else None
        initiative = factories.complete_plan(factories.create_initiative(owner=owner, title="Call-back service"))
        meeting = factories.create_meeting(title="November board",
                                           starts_at=datetime(2026, 11, 2, 9, tzinfo=timezone.utc))
        approve = factories.create_decision(meeting, initiative=initiative, text="Go ahead with the call-back service")
        factories.create_decision(meeting, initiative=initiative, kind="reject_initiative", text="Not now")
        return initiative.id, approve.id


def test_the_panel_shows_only_this_readers_next_steps(app, page_as):
    owner = page_as("member")
    initiative_id, approve_id = _approvable(app, owner.user_id)
    html = owner.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    assert 'data-move="cancelled"' in html
    assert 'data-move="approved"' not in html and 'data-move="rejected"' not in html
    assert "Next steps" not in page_as("member").get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    html = page_as("cx_leader").get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    assert 'data-move="approved"' in html and 'data-move="rejected"' in html
    approve_box = html.split('data-move="approved"', 1)[1].split('data-move="rejected"', 1)[0]
    assert f'value="{approve_id}"' in approve_box and "Go ahead with the call-back service" in approve_box
    assert "Not now" not in approve_box  # the reject decision is offered for rejecting only
    assert 'data-move="in_progress"' not in html


def test_a_cx_leader_moves_an_initiative_and_refusals_are_said(app, page_as, login_as):
    leader = page_as("cx_leader")
    initiative_id, approve_id = _approvable(app)
    url = f"/initiatives/{initiative_id}/transitions"
    token = csrf_token(leader, f"/initiatives/{initiative_id}")
    future = (today() + timedelta(days=3)).isoformat()
    refused = leader.post(url, data={"csrf_token": token, "to": "approved", "decision_id": str(approve_id),
                                     "on": future})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "The initiative was not moved" in text and "The date it took effect must be today or earlier." in text
    assert _count(app, Transition) == 0
    done = leader.post(url, data={"csrf_token": token, "to": "approved", "decision_id": str(approve_id),
                                  "on": "2026-11-03", "note": "Approved at the board."})
    assert done.status_code == 302 and done.headers["Location"].endswith("#lifecycle")
    assert leader.post(url, data={"csrf_token": token, "to": "in_progress"}).status_code == 302
    assert leader.post(url, data={"csrf_token": token, "to": "delivered"}).status_code == 302
    history = login_as("admin").get(f"/api/initiatives/{initiative_id}/transitions").json["items"]
    assert [t["to_status"] for t in history] == ["approved", "in_progress", "delivered"]
    assert history[0]["decision_id"] == approve_id and history[0]["note"] == "Approved at the board."
    # Closing waits for the final review's verdict (409 missing final_review): said in plain words.
    closing = leader.post(url, data={"csrf_token": token, "to": "closed"})
    assert closing.status_code == 409
    assert "The initiative is closed only after its final review" in closing.get_data(as_text=True)
    assert login_as("admin").get(f"/api/initiatives/{initiative_id}").json["status"] == "delivered"


def test_an_approval_without_a_decision_is_refused_and_a_cancel_asks_first(app, page_as, login_as):
    leader = page_as("cx_leader")
    initiative_id, _ = _approvable(app)
    url = f"/initiatives/{initiative_id}/transitions"
    token = csrf_token(leader, f"/initiatives/{initiative_id}")
    refused = leader.post(url, data={"csrf_token": token, "to": "approved"})
    assert refused.status_code == 422
    assert "Required: a decision of kind approve_initiative for this initiative." in refused.get_data(as_text=True)
    asked = leader.post(url, data={"csrf_token": token, "to": "cancelled", "note": "No budget"})
    assert asked.status_code == 200 and "Cancel “Call-back service”?" in asked.get_data(as_text=True)
    assert _count(app, Transition) == 0
    member = page_as("member")
    assert member.post(url, data={"csrf_token": csrf_token(member, "/initiatives"), "to": "cancelled",
                                  "confirm": "yes"}).status_code == 403
    done = leader.post(url, data={"csrf_token": token, "to": "cancelled", "note": "No budget", "confirm": "yes"})
    assert done.status_code == 302
    assert login_as("admin").get(f"/api/initiatives/{initiative_id}").json["status"] == "cancelled"


# -- KPI impacts ----------------------------------------------------------------------------------

def _impact_fields(token, metric_id, **kw):
    return {"csrf_token": token, "metric_id": str(metric_id), "baseline_value": "70", "target_value": "78",
            "value_per_unit": "2500", **kw}


def test_the_owner_adds_changes_and_removes_an_impact(app, page_as, login_as):
    page = page_as("member")
    ids = _world(app, page.user_id)
    with app.app_context():
        csat = factories.metric("csat").id
    detail = f"/initiatives/{ids['initiative']}"
    assert "Add a KPI impact" in page.get(detail).get_data(as_text=True)
    token = csrf_token(page, detail)
    bad = page.post(f"{detail}/impacts", data=_impact_fields(token, csat, target_value="lots"))
    assert bad.status_code == 422
    assert "Enter the target as a number, like 12.5." in bad.get_data(as_text=True)
    added = page.post(f"{detail}/impacts", data=_impact_fields(token, csat, attribution="0.4"))
    assert added.status_code == 302
    items = login_as("admin").get(f"/api/initiatives/{ids['initiative']}/impacts").json["items"]
    assert len(items) == 1 and items[0]["journey_id"] == ids["journey"]  # the initiative's journey by default
    impact_id, version = items[0]["id"], None
    edit = f"{detail}/impacts/{impact_id}/edit"
    html = page.get(edit).get_data(as_text=True)
    version = html.split('name="version" value="', 1)[1].split('"', 1)[0]
    changed = page.post(edit, data=_impact_fields(token, csat, target_value="80", attribution="0.5", version=version))
    assert changed.status_code == 302
    impact = login_as("admin").get(f"/api/initiatives/{ids['initiative']}/impacts/{impact_id}").json
    assert Decimal(str(impact["target_value"])) == 80 and Decimal(str(impact["attribution"])) == Decimal("0.5")
    stale = page.post(edit, data=_impact_fields(token, csat, target_value="99", version=version))
    assert stale.status_code == 409 and "nothing was saved" in stale.get_data(as_text=True)
    asked = page.post(f"{detail}/impacts/{impact_id}/delete", data={"csrf_token": token})
    assert "Remove the KPI impact" in asked.get_data(as_text=True) and _count(app, Impact) == 1
    assert page.post(f"{detail}/impacts/{impact_id}/delete",
                     data={"csrf_token": token, "confirm": "yes"}).status_code == 302
    assert _count(app, Impact) == 0


def test_an_overdrawn_attribution_budget_names_who_claims_it(app, page_as):
    leader = page_as("cx_leader")
    with app.app_context():
        journey = factories.create_journey()
        rival = factories.create_initiative(journey=journey, title="Chat-bot", status="in_progress")
        factories.add_impact(rival, metric_code="csat", attribution=Decimal("0.7"))
        mine = factories.create_initiative(journey=journey, title="Call-back service")
        initiative_id, csat = mine.id, factories.metric("csat").id
    detail = f"/initiatives/{initiative_id}"
    token = csrf_token(leader, detail)
    refused = leader.post(f"{detail}/impacts", data=_impact_fields(token, csat, attribution="0.5"))
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "The KPI impact was not added" in text
    assert "This KPI movement is already claimed: Chat-bot (70%). At most 30% is left." in text
    assert 'value="0.5"' in text
    assert _count(app, Impact, Impact.initiative_id == initiative_id) == 0


def test_the_plan_shows_each_impacts_actual_and_annual_value(app, page_as, login_as):
    leader = page_as("cx_leader")
    with app.app_context():
        initiative = factories.create_initiative(status="delivered", delivered_on=date(2026, 7, 1))
        factories.add_impact(initiative, metric_code="csat", baseline_value=Decimal("70"),
                             value_per_unit=Decimal("1000"), attribution=Decimal("0.5"))
        factories.create_measurement(initiative.journey, "csat", period_start=date(2026, 8, 1), value=Decimal("74"))
        initiative_id = initiative.id
    html = leader.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    impact = login_as("admin").get(f"/api/initiatives/{initiative_id}/impacts").json["items"][0]
    assert impact["annual_value"] == "2000.00"
    assert f'data-figure="impact-{impact["id"]}-actual">74<' in html
    assert f'data-figure="impact-{impact["id"]}-annual">2,000.00<' in html


@pytest.mark.parametrize("role", ["cx_leader"])
def test_the_initiative_page_costs_the_same_queries_whatever_its_impacts(app, page_as, role):
    page = page_as(role)
    with app.app_context():
        initiative = factories.create_initiative(status="delivered", delivered_on=date(2026, 7, 1))
        factories.add_impact(initiative, metric_code="csat")
        initiative_id = initiative.id
    few = count_statements(app, lambda: page.get(f"/initiatives/{initiative_id}"))
    with app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        for code in ("nps", "ces"):
            factories.add_impact(initiative, metric_code=code)
        factories.create_measurement(initiative.journey, "nps", period_start=date(2026, 8, 1))
        meeting = factories.create_meeting()
        for _ in range(3):
            factories.create_decision(meeting, initiative=initiative)
    many = count_statements(app, lambda: page.get(f"/initiatives/{initiative_id}"))
    assert many == few


def test_the_decision_lookup_lists_only_the_matching_kind(app):
    with app.app_context():
        initiative = factories.create_initiative()
        meeting = factories.create_meeting()
        approve = factories.create_decision(meeting, initiative=initiative)
        factories.create_decision(meeting, initiative=initiative, kind="reject_initiative")
        factories.create_decision(meeting, initiative=factories.create_initiative())
        assert [d.id for d in lifecycle.decisions_for(initiative, "approved")] == [approve.id]
        assert lifecycle.decisions_for(initiative, "in_progress") == []
