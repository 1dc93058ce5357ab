"""The log form's initiative field: the open initiatives of the ambassador's department, a search,
and text read on the server, so that the form stays the same size whatever the number of
initiatives."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from cxgov.extensions import db
from cxgov.models import AmbassadorAction, Department, User
from tests import factories
from tests.ambassadors.conftest import STARTED, TODAY, count
from tests.conftest import csrf_token
from tests.queries import count_statements

OPTION = re.compile(r'<option value="#(\d+) ')
LOG = "/ambassadors/log"


@pytest.fixture
def ambassador(app, page_as):
    """A member signed in to the pages, the active ambassador of Claims (`.department_id`)."""
    client = page_as("member")
    with app.app_context():
        department = factories.create_department(name="Claims")
        factories.create_ambassador(user=db.session.get(User, client.user_id), department=department,
                                    started_on=STARTED)
        client.department_id = department.id
    return client


def _form(**fields):
    return {"kind": "voc_session", "title": "Listening session", "occurred_on": TODAY.isoformat(),
            "people_reached": "3", "hours": "1", **fields}


def _post(client, **fields):
    return client.post(LOG, data={**_form(**fields), "csrf_token": csrf_token(client, LOG)})


def _initiatives(app, number, department_id=None, **fields):
    with app.app_context():
        journey = factories.create_journey()
        department = db.session.get(Department, department_id) if department_id \
            else factories.create_department()
        owner = factories.create_user(department_id=department.id)
        for index in range(number):
            status = ("proposed", "in_progress", "approved", "closed")[index % 4]
            factories.create_initiative(journey=journey, owner=owner, department=department, status=status, **fields)
        db.session.commit()


def _size(app, client):
    holder = {}

    def get_page():
        holder["response"] = client.get(LOG)
        return holder["response"]

    statements = count_statements(app, get_page)
    html = holder["response"].get_data(as_text=True)
    return statements, len(html.encode()), len(OPTION.findall(html))


def test_the_log_form_does_not_grow_with_the_initiatives(app, ambassador):
    _initiatives(app, 60, ambassador.department_id)  # more than the short list shows, in their department
    _initiatives(app, 60)
    statements, size, options = _size(app, ambassador)
    _initiatives(app, 300, ambassador.department_id)
    _initiatives(app, 300)
    statements_after, size_after, options_after = _size(app, ambassador)
    assert statements_after == statements
    assert options_after == options == 30
    assert abs(size_after - size) < 400, (size, size_after)  # numbers in titles grow a digit
    assert size < 20_000


def test_the_short_list_holds_the_departments_open_initiatives_changed_last(app, ambassador):
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with app.app_context():
        department = db.session.get(Department, ambassador.department_id)
        older = factories.create_initiative(title="Older claims work", department=department, status="in_progress")
        newer = factories.create_initiative(title="Newer claims work", department=department, status="approved")
        closed = factories.create_initiative(title="Closed claims work", department=department, status="closed")
        elsewhere = factories.create_initiative(title="Another department's", status="proposed")
        for when, initiative in enumerate((older, newer, closed, elsewhere)):
            initiative.updated_at = base + timedelta(days=when)
        db.session.commit()
        ids = older.id, newer.id, closed.id, elsewhere.id
    html = ambassador.get(LOG).get_data(as_text=True)
    offered = [int(i) for i in OPTION.findall(html)]
    assert offered == [ids[1], ids[0], ids[3]]  # theirs changed last first, then the other open ones
    assert html.count('list="initiative-choices"') == 1 and html.count('<datalist id="initiative-choices"') == 1
    assert 'aria-describedby="initiative_id-hint"' in html
    assert 'src="/static/initiative-choices.js"' in html


@pytest.mark.parametrize("role", ["member", "executive"])
def test_an_ambassador_and_every_reader_search_the_initiatives(app, ambassador, page_as, role):
    with app.app_context():
        returns = factories.create_initiative(title="Self-service returns")
        returns_id = returns.id
    for client in (ambassador, page_as(role)):
        response = client.get("/initiatives/options", query_string={"q": "self-SERVICE"})
        assert response.status_code == 200
        assert OPTION.findall(response.get_data(as_text=True)) == [str(returns_id)]


def test_the_field_reads_a_number_or_a_title_without_a_script(app, ambassador):
    with app.app_context():
        chosen = factories.create_initiative(title="Self-service returns", status="closed")
        factories.create_initiative(title="Twin")
        factories.create_initiative(title="twin")
        chosen_id = chosen.id
    for typed in (f"#{chosen_id} Self-service returns", f"#{chosen_id}", "  self-service RETURNS ", str(chosen_id)):
        response = _post(ambassador, title=f"Linked by {typed}", initiative_id=typed)
        assert response.status_code == 302, typed
    response = _post(ambassador, title="Linked to nothing", initiative_id="")
    assert response.status_code == 302
    with app.app_context():
        linked = dict(db.session.execute(select(AmbassadorAction.title, AmbassadorAction.initiative_id)).all())
    assert linked.pop("Linked to nothing") is None
    assert set(linked.values()) == {chosen_id} and len(linked) == 4

    actions = count(app, AmbassadorAction)
    for typed, says in (("#999999", "There is no initiative #999999"),
                        ("Nothing like it", "No initiative is called “Nothing like it”"),
                        ("TWIN", "More than one initiative is called “TWIN”")):
        response = _post(ambassador, title="Bad", initiative_id=typed)
        html = response.get_data(as_text=True)
        assert response.status_code == 422, typed
        assert f'<p class="field-error" id="initiative_id-error">{says}' in html
        assert f'<a href="#initiative_id">{says}' in html  # the summary links to the field
        assert f'value="{typed}"' in html and 'value="Bad"' in html  # what was typed stays
        assert 'aria-describedby="initiative_id-hint initiative_id-error"' in html
    assert count(app, AmbassadorAction) == actions
