"""The ambassador pages: the fast log form, the ambassador's history, the network page."""
import html as html_lib
import re
from datetime import date, timedelta

import pytest

from cxgov.extensions import db
from cxgov.models import Ambassador, AmbassadorAction, Initiative, User
from tests import factories
from tests.ambassadors.conftest import STARTED, TODAY, count
from tests.conftest import csrf_token
from tests.queries import count_statements

PAGES = ("/ambassadors/log", "/ambassadors/history", "/ambassadors/network")


@pytest.fixture
def ambassador_page(app, page_as):
    def _make(ended=False):
        client = page_as("member")
        with app.app_context():
            department = factories.create_department(name="Claims")
            assignment = factories.create_ambassador(
                user=db.session.get(User, client.user_id), department=department, started_on=STARTED,
                ended_on=TODAY - timedelta(days=1) if ended else None)
            client.ambassador_id, client.department_id = assignment.id, department.id
        return client

    return _make


def _form(**fields):
    data = {"kind": "voc_session", "title": "Listening session with claimants", "occurred_on": TODAY.isoformat(),
            "people_reached": "14", "hours": "1.5", "description": ""}
    data.update(fields)
    return data


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_is_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_log_form_is_short_and_carries_a_csrf_token(app, ambassador_page):
    client = ambassador_page()
    html = client.get("/ambassadors/log").get_data(as_text=True)
    assert 'name="csrf_token"' in html
    assert "Claims" in html
    fields = set(re.findall(r'<(?:input|select|textarea)[^>]*name="([^"]+)"', html)) - {"csrf_token", "form_token"}
    assert fields == {"kind", "title", "occurred_on", "people_reached", "hours", "description", "journey_id",
                      "initiative_id"}  # the last two optional
    assert f'value="{TODAY.isoformat()}"' in html  # date defaults to today


def test_an_ambassador_logs_an_action_and_sees_it_in_their_history(app, ambassador_page):
    client = ambassador_page()
    token = csrf_token(client, "/ambassadors/log")
    response = client.post("/ambassadors/log", data={**_form(), "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/ambassadors/history")
    with app.app_context():
        action = db.session.scalars(db.select(AmbassadorAction)).one()
        assert action.department_id == client.department_id and action.ambassador_id == client.ambassador_id
        assert action.people_reached == 14 and str(action.hours) == "1.50" and action.description is None
    history = client.get("/ambassadors/history").get_data(as_text=True)
    assert "Listening session with claimants" in history and "Logged:" in history


def test_the_form_cannot_choose_another_department(app, ambassador_page):
    client = ambassador_page()
    with app.app_context():
        other = factories.create_department().id
    token = csrf_token(client, "/ambassadors/log")
    client.post("/ambassadors/log", data={**_form(), "department_id": other, "csrf_token": token})
    with app.app_context():
        assert db.session.scalars(db.select(AmbassadorAction.department_id)).all() == [client.department_id]


def test_a_post_without_csrf_token_is_refused(app, ambassador_page):
    client = ambassador_page()
    assert client.post("/ambassadors/log", data=_form()).status_code == 400
    assert count(app, AmbassadorAction) == 0


@pytest.mark.parametrize("fields,message", [
    ({"title": ""}, "Enter the title."),
    ({"kind": "party"}, "Choose what you did from the list."),
    ({"occurred_on": (TODAY + timedelta(days=1)).isoformat()}, "The date must be on or before"),
    ({"occurred_on": (STARTED - timedelta(days=1)).isoformat()}, "within the assignment"),
    ({"people_reached": "-2"}, "Enter a whole number from 0 to 1,000,000 for the number of people reached."),
    ({"hours": "2000"}, "Enter a number from 0 to 1,000 for the hours."),
])
def test_bad_input_shows_the_form_again_and_writes_nothing(app, ambassador_page, fields, message):
    client = ambassador_page()
    token = csrf_token(client, "/ambassadors/log")
    response = client.post("/ambassadors/log", data={**_form(**fields), "csrf_token": token})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(app, AmbassadorAction) == 0


@pytest.mark.parametrize("role", ["member", "executive", "cx_leader", "admin"])
def test_someone_without_an_assignment_gets_a_friendly_explanation(app, page_as, role):
    client = page_as(role)
    response = client.get("/ambassadors/log")
    assert response.status_code == 200
    assert "not an active ambassador" in response.get_data(as_text=True)


def test_an_ended_ambassador_can_no_longer_log(app, ambassador_page):
    client = ambassador_page(ended=True)
    assert "not an active ambassador" in client.get("/ambassadors/log").get_data(as_text=True)
    token = csrf_token(client, "/ambassadors/history")
    response = client.post("/ambassadors/log", data={**_form(), "csrf_token": token})
    assert response.status_code == 403
    assert count(app, AmbassadorAction) == 0


def test_history_shows_only_your_actions_newest_first(app, ambassador_page):
    client = ambassador_page()
    with app.app_context():
        mine = db.session.get(Ambassador, client.ambassador_id)
        factories.create_ambassador_action(mine, title="Older one", occurred_on=TODAY - timedelta(days=9))
        factories.create_ambassador_action(mine, title="Newer one", occurred_on=TODAY - timedelta(days=1))
        factories.create_ambassador_action(factories.create_ambassador(started_on=STARTED), title="Not mine",
                                           occurred_on=TODAY)
    html = client.get("/ambassadors/history").get_data(as_text=True)
    assert "Not mine" not in html
    assert html.index("Newer one") < html.index("Older one")


def test_an_ambassador_corrects_their_action_on_the_page(app, ambassador_page, page_as):
    client = ambassador_page()
    with app.app_context():
        action_id = factories.create_ambassador_action(db.session.get(Ambassador, client.ambassador_id),
                                                       occurred_on=TODAY - timedelta(days=2)).id
    token = csrf_token(client, f"/ambassadors/actions/{action_id}/edit")
    response = client.post(f"/ambassadors/actions/{action_id}/edit",
                           data={**_form(title="Corrected", occurred_on=(TODAY - timedelta(days=2)).isoformat()),
                                 "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(AmbassadorAction, action_id).title == "Corrected"
    stranger = page_as("member")
    assert stranger.get(f"/ambassadors/actions/{action_id}/edit").status_code == 403


def test_an_idea_is_proposed_as_an_initiative_from_the_history(app, ambassador_page):
    client = ambassador_page()
    with app.app_context():
        action_id = factories.create_ambassador_action(db.session.get(Ambassador, client.ambassador_id),
                                                       kind="improvement_idea", title="Fewer forms",
                                                       occurred_on=TODAY).id
        journey_id = factories.create_journey(name="Claims journey").id
    html = client.get("/ambassadors/history").get_data(as_text=True)
    assert "Propose as initiative" in html and "Claims journey" in html
    token = csrf_token(client, "/ambassadors/history")
    response = client.post(f"/ambassadors/actions/{action_id}/propose",
                           data={"journey_id": journey_id, "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        initiative = db.session.scalars(db.select(Initiative)).one()
        assert (initiative.title, initiative.status, initiative.owner_id) == ("Fewer forms", "proposed", client.user_id)
        assert db.session.get(AmbassadorAction, action_id).initiative_id == initiative.id
    assert "Proposed as initiative" in client.get("/ambassadors/history").get_data(as_text=True)


@pytest.mark.parametrize("role,status", [("member", 403), ("executive", 200), ("cx_leader", 200), ("admin", 200)])
def test_who_sees_the_network_page(app, page_as, role, status):
    assert page_as(role).get("/ambassadors/network").status_code == status


def test_an_active_ambassador_reads_the_network_page_without_its_forms(app, ambassador_page):
    # SPEC §5, §11: an active ambassador reads the network page; assigning stays with governance.
    response = ambassador_page().get("/ambassadors/network")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Coverage" in html and "Assign an ambassador" not in html and ">End<" not in html


def test_the_network_page_shows_coverage_silence_and_a_chart(app, page_as):
    client = page_as("cx_leader")
    with app.app_context():
        busy = factories.create_ambassador(department=factories.create_department(name="Sales"),
                                           started_on=date(2025, 10, 1))
        factories.create_ambassador(department=factories.create_department(name="Billing"),
                                    started_on=date(2025, 10, 1))
        factories.create_department(name="Legal")
        factories.create_ambassador_action(busy, occurred_on=date(2026, 3, 20))
    html = client.get("/ambassadors/network?from=2026-01-01&to=2026-03-31").get_data(as_text=True)
    assert "<svg" in html
    assert re.search(r'class="silent"[^>]*>\s*<td>Billing', html)
    assert re.search(r'class="uncovered"[^>]*>\s*<td>Legal', html)
    assert 'id="kpi-covered">2 / 3<' in html and 'id="kpi-silent">1<' in html
    assert "Assign an ambassador" in html
    executive_html = page_as("executive").get("/ambassadors/network").get_data(as_text=True)
    assert "Assign an ambassador" not in executive_html


def test_a_bad_period_falls_back_to_the_default(app, page_as):
    response = page_as("executive").get("/ambassadors/network?from=2026-05-01&to=2026-01-01")
    assert response.status_code == 200 and "from is after to" in response.get_data(as_text=True)


def test_a_leader_assigns_and_ends_on_the_network_page(app, page_as):
    client = page_as("cx_leader")
    with app.app_context():
        department_id = factories.create_department(name="Logistics").id
        first = factories.create_user(name="Fay").id
        second = factories.create_user(name="Gus").id
    token = csrf_token(client, "/ambassadors/network")
    assert client.post("/ambassadors/assign", data={"department_id": department_id, "user_id": first,
                                                    "csrf_token": token}).status_code == 302
    refused = client.post("/ambassadors/assign", data={"department_id": department_id, "user_id": second,
                                                       "csrf_token": token}, follow_redirects=True)
    assert "already has an active ambassador" in refused.get_data(as_text=True)
    assert count(app, Ambassador) == 1
    with app.app_context():
        assignment_id = db.session.scalars(db.select(Ambassador.id)).one()
    asked = client.post(f"/ambassadors/{assignment_id}/end", data={"ended_on": TODAY.isoformat(), "csrf_token": token})
    assert asked.status_code == 200 and "End Fay’s assignment" in asked.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Ambassador, assignment_id).ended_on is None
    client.post(f"/ambassadors/{assignment_id}/end", data={"ended_on": TODAY.isoformat(), "csrf_token": token,
                                                           "confirm": "yes"})
    with app.app_context():
        assert db.session.get(Ambassador, assignment_id).ended_on == TODAY


@pytest.mark.parametrize("role", ["member", "executive"])
def test_only_leaders_assign_on_the_page(app, page_as, role):
    client = page_as(role)
    with app.app_context():
        department_id = factories.create_department().id
        user_id = factories.create_user().id
    token = csrf_token(client, "/")
    assert client.post("/ambassadors/assign", data={"department_id": department_id, "user_id": user_id,
                                                    "csrf_token": token}).status_code == 403
    assert count(app, Ambassador) == 0


def test_the_network_page_shows_each_health_score_its_parts_and_the_formula(app, page_as, login_as,
                                                                            ambassador_page):
    with app.app_context():
        busy = factories.create_ambassador(department=factories.create_department(name="Sales"),
                                           started_on=date(2025, 10, 1))
        factories.create_ambassador_action(busy, occurred_on=date(2026, 3, 20), kind="voc_session")
        sales_id = busy.department_id
    clients = (page_as("executive"), ambassador_page())  # an ambassador reads it too
    api = login_as("executive").get("/api/reports/ambassadors?from=2026-01-01&to=2026-03-31").json
    for client in clients:
        row = next(r for r in api["departments"] if r["department"]["id"] == sales_id)
        html = client.get("/ambassadors/network?from=2026-01-01&to=2026-03-31").get_data(as_text=True)
        shown = re.search(rf'id="health-{sales_id}">(.*?)</tr>', html, re.S).group(1)
        assert f"{row['health_score']} / 100" in shown
        for part in row["health_parts"].values():
            assert f"{part['points']} / {part['max_points']}" in shown
        assert "11 d ago" in shown and "1 kind" in shown
        # The page words the API's formula for people: the same weights and thresholds, in sentences.
        assert "coverage" in api["health_formula"]
        assert ("The health score is the sum of six parts' points" in html_lib.unescape(html)
                and "Coverage: 20 points if the department has an active ambassador" in html_lib.unescape(html))
        trend = re.search(r'id="health-trend".*?</section>', html, re.S).group(0)
        assert "<svg" in trend and "Health score, last 12 months" in trend
        table = re.findall(r"<td[^>]*>([^<]*)</td>", trend)  # the chart's table of numbers
        assert [str(v) for v in api["health_trend"]["network"]] == [c for c in table if c.isdigit()]


def test_an_ambassador_links_an_action_to_a_journey_and_an_initiative_on_the_form(app, ambassador_page):
    client = ambassador_page()
    with app.app_context():
        initiative = factories.create_initiative(title="Faster claims")
        journey_id, initiative_id = initiative.journey_id, initiative.id
    html = client.get(f"/ambassadors/log?journey_id={journey_id}").get_data(as_text=True)
    assert re.search(rf'<option value="{journey_id}" selected>', html) and "Faster claims" in html
    token = csrf_token(client, "/ambassadors/log")
    response = client.post("/ambassadors/log", data={**_form(journey_id=str(journey_id),
                                                             initiative_id=str(initiative_id)), "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        action = db.session.scalars(db.select(AmbassadorAction)).one()
        assert (action.journey_id, action.initiative_id) == (journey_id, initiative_id)
    # An idea is linked to an initiative only by proposing it.
    token = csrf_token(client, "/ambassadors/log")
    refused = client.post("/ambassadors/log", data={**_form(kind="improvement_idea", initiative_id=str(initiative_id)),
                                                    "csrf_token": token})
    assert refused.status_code == 422 and "Propose the idea as an initiative" in refused.get_data(as_text=True)
    assert count(app, AmbassadorAction) == 1


def test_my_ambassador_page_shows_the_score_ideas_and_their_fate_and_journeys(app, ambassador_page, login_as):
    client = ambassador_page()
    with app.app_context():
        journey = factories.create_journey(name="Home insurance claim")
        factories.create_touchpoint(factories.create_stage(journey), department_id=client.department_id)
        factories.create_journey(name="Untouched journey")
        assignment = db.session.get(Ambassador, client.ambassador_id)
        idea = factories.create_ambassador_action(assignment, kind="improvement_idea", title="Fewer forms",
                                                  occurred_on=TODAY - timedelta(days=3))
        initiative = factories.create_initiative(journey=journey, title="One claim form", status="delivered",
                                                 delivered_on=TODAY - timedelta(days=1))
        idea.initiative_id = initiative.id
        factories.create_ambassador_action(assignment, kind="improvement_idea", title="Call back promise",
                                           occurred_on=TODAY - timedelta(days=2))
        factories.create_ambassador_action(assignment, kind="training", title="Empathy workshop",
                                           occurred_on=TODAY - timedelta(days=1))
        db.session.commit()
        initiative_id, idea_id = initiative.id, idea.id
    response = client.get("/ambassadors/me")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    api = login_as("cx_leader").get("/api/reports/ambassadors").json
    row = next(r for r in api["departments"] if r["department"]["id"] == client.department_id)
    assert re.search(rf'id="my-score">{row["health_score"]} / 100<', html)
    for name, part in row["health_parts"].items():
        assert re.search(rf'id="part-{name}">.*?{part["points"]} / {part["max_points"]}</td>', html, re.S)
    ideas = re.search(r'id="my-ideas".*?</section>', html, re.S).group(0)
    assert ideas.index("Call back promise") < ideas.index("Fewer forms")  # newest first
    fewer = re.search(rf'id="idea-{idea_id}">.*?</li>\s*</ol>', ideas, re.S).group(0)
    assert f"initiative #{initiative_id}: One claim form" in fewer and "Delivered" in fewer
    assert "Not an initiative yet" in ideas
    journeys = re.search(r'id="my-journeys".*?</section>', html, re.S).group(0)
    assert "Home insurance claim" in journeys and "Untouched journey" not in journeys
    assert "Empathy workshop" in re.search(r'id="my-history".*?</section>', html, re.S).group(0)


def test_my_ambassador_page_explains_itself_to_someone_without_an_assignment(app, ambassador_page, page_as):
    assert "not an active ambassador" in page_as("member").get("/ambassadors/me").get_data(as_text=True)
    ended = ambassador_page(ended=True).get("/ambassadors/me")
    assert ended.status_code == 200 and "not an active ambassador" in ended.get_data(as_text=True)


def test_my_ambassador_page_costs_the_same_number_of_statements_whatever_the_history(app, ambassador_page):
    client = ambassador_page()

    def grow(n):
        with app.app_context():
            assignment = db.session.get(Ambassador, client.ambassador_id)
            for i in range(n):
                idea = factories.create_ambassador_action(assignment, kind="improvement_idea",
                                                          occurred_on=TODAY - timedelta(days=i % 20))
                idea.initiative_id = factories.create_initiative(status="delivered", delivered_on=TODAY).id
                stage = factories.create_stage()
                factories.create_touchpoint(stage, department_id=client.department_id)
            db.session.commit()

    grow(1)
    small = count_statements(app, lambda: client.get("/ambassadors/me"))
    grow(12)
    assert count_statements(app, lambda: client.get("/ambassadors/me")) == small


def test_a_cx_leader_recognises_an_ambassador_on_their_page(app, page_as, ambassador_page):
    ambassador = ambassador_page()
    leader = page_as("cx_leader")
    path = f"/ambassadors/{ambassador.ambassador_id}"
    html = leader.get(path).get_data(as_text=True)
    assert "Record the recognition" in html and 'id="ambassador-score"' in html
    token = csrf_token(leader, path)
    response = leader.post(f"{path}/recognition", data={"title": "Thanked at the all-hands", "csrf_token": token,
                                                         "occurred_on": TODAY.isoformat()})
    assert response.status_code == 302 and response.headers["Location"].endswith(path)
    with app.app_context():
        action = db.session.scalars(db.select(AmbassadorAction)).one()
        assert (action.kind, action.title, action.ambassador_id) == ("recognition", "Thanked at the all-hands",
                                                                     ambassador.ambassador_id)
    assert "Thanked at the all-hands" in leader.get(path).get_data(as_text=True)
    # The ambassador sees it in their history; they may read the page but not recognise.
    assert "Thanked at the all-hands" in ambassador.get("/ambassadors/history").get_data(as_text=True)
    own = ambassador.get(path).get_data(as_text=True)
    assert "Record the recognition" not in own
    assert ambassador.post(f"{path}/recognition", data={"title": "Self-praise",
                                                        "csrf_token": csrf_token(ambassador, path)}).status_code == 403


def test_a_recognition_without_a_title_is_refused_on_the_page(app, page_as, ambassador_page):
    ambassador, leader = ambassador_page(), page_as("cx_leader")
    path = f"/ambassadors/{ambassador.ambassador_id}"
    response = leader.post(f"{path}/recognition", data={"title": "", "csrf_token": csrf_token(leader, path)})
    assert response.status_code == 422 and "The recognition was not recorded" in response.get_data(as_text=True)
    assert count(app, AmbassadorAction) == 0


@pytest.mark.parametrize("query", ["from=9999-10-01&to=9999-12-31", "to=0001-04-01", "to=0001-12-31"])
def test_the_network_page_and_its_trend_survive_the_ends_of_the_calendar(app, page_as, login_as, query):
    with app.app_context():
        factories.create_ambassador(department=factories.create_department(name="Sales"), started_on=date(2025, 1, 1))
    assert page_as("executive").get(f"/ambassadors/network?{query}").status_code == 200
    body = login_as("executive").get(f"/api/reports/ambassadors?{query}").json
    assert 1 <= len(body["health_trend"]["dates"]) <= 12


def test_the_kept_health_table_follows_the_network_and_reads_in_each_reader_s_language(app, page_as):
    """The health table is rendered once per network version, period and language: a new action
    shows at the next view, and a Portuguese reader of the same period reads it in Portuguese."""
    with app.app_context():
        busy = factories.create_ambassador(department=factories.create_department(name="Sales"),
                                           started_on=date(2025, 10, 1))
        factories.create_ambassador_action(busy, occurred_on=date(2026, 3, 20), kind="voc_session")
        busy_id, sales_id = busy.id, busy.department_id
    client = page_as("executive")
    path = "/ambassadors/network?from=2026-01-01&to=2026-03-31"

    def shown(**headers):
        html = client.get(path, headers=headers).get_data(as_text=True)
        return re.search(rf'id="health-{sales_id}">(.*?)</tr>', html, re.S).group(1)

    assert "1 kind" in shown() and shown() == shown()
    assert "1 tipo" in shown(**{"Accept-Language": "pt-PT"})
    with app.app_context():
        factories.create_ambassador_action(db.session.get(Ambassador, busy_id), occurred_on=date(2026, 3, 25),
                                           kind="training")
        db.session.commit()
    assert "2 kinds" in shown() and "6 d ago" in shown()
