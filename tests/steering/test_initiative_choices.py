"""The meeting's initiative fields: a short list, a search, and text read on the server, so that
the meeting page stays the same size whatever the number of initiatives."""
import re

from sqlalchemy import select

from cxgov.extensions import db
from cxgov.steering.models import ActionItem, AgendaItem, Decision, Meeting
from tests import factories
from tests.conftest import csrf_token
from tests.queries import count_statements
from tests.steering.helpers import PAST, count, get, governance_world

OPTION = re.compile(r'<option value="#(\d+) ')


def _post(client, path, data, page):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def _initiatives(app, number, **fields):
    with app.app_context():
        journey, department = factories.create_journey(), factories.create_department()
        owner = factories.create_user(department_id=department.id)
        for index in range(number):
            status = ("proposed", "in_progress", "approved", "closed")[index % 4]
            factories.create_initiative(journey=journey, owner=owner, department=department, status=status, **fields)
        db.session.commit()


def _sizes(app, client, ids):
    meeting, edit = f"/meetings/{ids['meeting']}", f"/meetings/{ids['meeting']}/agenda/{ids['item']}/edit"
    found = {}
    for name, path in (("meeting", meeting), ("edit", edit)):
        holder = {}

        def get_page(path=path, holder=holder):
            holder["response"] = client.get(path)
            return holder["response"]

        statements = count_statements(app, get_page)
        html = holder["response"].get_data(as_text=True)
        found[name] = (statements, len(html.encode()), len(OPTION.findall(html)))
    return found


def test_the_meeting_page_does_not_grow_with_the_initiatives(page_as, app):
    ids = governance_world(app, starts_at=PAST)
    _initiatives(app, 120)  # more than the short list and the suggestions show
    client = page_as("cx_leader")
    before = _sizes(app, client, ids)
    _initiatives(app, 400)
    after = _sizes(app, client, ids)
    for name in ("meeting", "edit"):
        (statements, size, options), (statements_after, size_after, options_after) = before[name], after[name]
        assert statements_after == statements, name
        assert options_after == options <= 30, name
        assert abs(size_after - size) < 400, (name, size, size_after)  # numbers in titles grow a digit
    assert before["meeting"][1] < 60_000


def test_the_short_list_holds_the_meetings_initiatives_then_the_proposals(page_as, app):
    ids = governance_world(app, starts_at=PAST)
    with app.app_context():
        closed = factories.create_initiative(title="Closed but on the agenda", status="closed")
        factories.add_agenda_item(db.session.get(Meeting, ids["meeting"]), kind="information",
                                  initiative_id=closed.id)
        proposal = factories.create_initiative(title="Fresh proposal")
        in_progress = factories.create_initiative(title="Running already", status="in_progress")
        closed_id, proposal_id, running_id = closed.id, proposal.id, in_progress.id
    html = page_as("cx_leader").get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
    offered = [int(i) for i in OPTION.findall(html)]
    assert offered[:2] == [closed_id, ids["initiative"]]  # the agenda's, then the decisions'
    assert proposal_id in offered and running_id not in offered
    assert html.count('list="initiative-choices"') == 3 and html.count('<datalist id="initiative-choices"') == 1
    assert 'aria-describedby="agenda-initiative-hint"' in html
    assert 'src="/static/initiative-choices.js"' in html
    # Those who only read the meeting get no fields, no list, no script.
    html = page_as("member").get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
    assert "initiative-choices" not in html


def test_the_search_finds_by_title_or_number(page_as, app):
    ids = governance_world(app)
    with app.app_context():
        returns = factories.create_initiative(title="Self-service returns")
        factories.create_initiative(title="Returns at the counter", status="closed")
        factories.create_initiative(title="100% digital")
        returns_id = returns.id
    _initiatives(app, 30, title="Many returns")
    client = page_as("cx_leader")

    def search(q):
        response = client.get("/initiatives/options", query_string={"q": q})
        assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
        return response.get_data(as_text=True)

    found = search("RETURNS")
    assert len(OPTION.findall(found)) == 20  # at most 20
    assert "Returns at the counter" not in found  # the closed one comes after the open ones
    assert "Self-service returns" in search("self-SERVICE")
    by_number = search(f"#{returns_id}")
    assert OPTION.findall(by_number)[0] == str(returns_id)
    assert f'<option value="#{returns_id} Self-service returns">Proposed, not ready for approval</option>' in by_number
    assert "100% digital" in search("100%") and not OPTION.findall(search("%%")) and not OPTION.findall(search(""))
    assert f'<option value="#{ids["initiative"]} ' in search(f"#{ids['initiative']}")


def test_the_fields_read_a_number_or_a_title_without_a_script(page_as, app):
    ids = governance_world(app, starts_at=PAST)
    with app.app_context():
        chosen = factories.create_initiative(title="Self-service returns")
        factories.create_initiative(title="Twin")
        factories.create_initiative(title="twin")
        chosen_id = chosen.id
    client = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"

    response = _post(client, f"{page}/agenda", {"title": "Returns", "kind": "information",
                                                "initiative_id": f"#{chosen_id} Self-service returns"}, page)
    assert response.status_code == 302
    response = _post(client, f"{page}/agenda", {"title": "Returns again", "kind": "information",
                                                "initiative_id": "  self-service RETURNS "}, page)
    assert response.status_code == 302
    response = _post(client, f"{page}/action-items", {"title": "Call them", "owner_id": ids["member"],
                                                      "due_on": "2026-12-01", "initiative_id": f"#{chosen_id}"}, page)
    assert response.status_code == 302
    response = _post(client, f"{page}/decisions", {"kind": "other", "text": "Noted",
                                                   "initiative_id": f"#{chosen_id} Self-service returns"}, page)
    assert response.status_code == 302
    with app.app_context():
        assert {i.initiative_id for i in db.session.scalars(select(AgendaItem).where(
            AgendaItem.title.like("Returns%")))} == {chosen_id}
        assert db.session.scalar(select(ActionItem.initiative_id).where(ActionItem.title == "Call them")) == chosen_id
        assert db.session.scalar(select(Decision.initiative_id).where(Decision.text == "Noted")) == chosen_id

    agenda_items, decisions = count(app, AgendaItem), count(app, Decision)
    for typed, says in (("#999999", "There is no initiative #999999"),
                        ("Nothing like it", "No initiative is called “Nothing like it”"),
                        ("TWIN", "More than one initiative is called “TWIN”")):
        bad = {"title": "Bad", "kind": "information", "initiative_id": typed}
        response = _post(client, f"{page}/agenda", bad, page)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, typed
        assert f'<p class="field-error" id="agenda-initiative-error">{says}' in html
        assert f'<a href="#agenda-initiative">{says}' in html  # the summary links to the field
        assert f'value="{typed}"' in html
        assert 'aria-describedby="agenda-initiative-hint agenda-initiative-error"' in html
        response = _post(client, f"{page}/decisions", {"kind": "other", "text": "Bad", "initiative_id": typed}, page)
        assert response.status_code == 422 and 'id="decision-initiative-error"' in response.get_data(as_text=True)
    assert count(app, AgendaItem) == agenda_items and count(app, Decision) == decisions


def test_the_agenda_item_edit_page_shows_and_takes_the_initiative(page_as, app):
    ids = governance_world(app)
    with app.app_context():
        chosen = factories.create_initiative(title="Self-service returns")
        item = factories.add_agenda_item(db.session.get(Meeting, ids["meeting"]), title="Pilot", kind="decision",
                                         initiative_id=chosen.id)
        item_id, chosen_id = item.id, chosen.id
    client = page_as("cx_leader")
    edit = f"/meetings/{ids['meeting']}/agenda/{item_id}/edit"
    html = client.get(edit).get_data(as_text=True)
    assert f'value="#{chosen_id} Self-service returns"' in html and f'<option value="#{chosen_id} ' in html
    version = get(app, AgendaItem, item_id).version
    response = _post(client, edit, {"title": "Pilot", "kind": "decision", "initiative_id": "#0",
                                    "version": str(version)}, edit)
    assert response.status_code == 422 and "There is no initiative #0" in response.get_data(as_text=True)
    response = _post(client, edit, {"title": "Pilot", "kind": "information", "initiative_id": "",
                                    "version": str(version)}, edit)
    assert response.status_code == 302
    assert get(app, AgendaItem, item_id).initiative_id is None


def test_the_search_leaves_the_session_cookie_alone(app, page_as):
    """The search is fetched as one types, beside a form about to be posted: its answer sends no
    session cookie, so it can never put back a session from before the post (losing the post's
    flashed message). Pages still renew the cookie (the idle clock)."""
    client = page_as("cx_leader")
    searched = client.get("/initiatives/options?q=claim")
    assert searched.status_code == 200
    assert not any(h.startswith("session=") for h in searched.headers.getlist("Set-Cookie"))
    page = client.get("/initiatives")
    assert any(h.startswith("session=") for h in page.headers.getlist("Set-Cookie"))
    with client.session_transaction() as session:  # still signed in after the search
        assert session.get("_user_id") == str(client.user_id)
