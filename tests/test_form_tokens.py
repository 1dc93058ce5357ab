"""A page form that creates something acts once per form token: sending it again (a double
click, a second tab, the browser's resubmission) creates nothing and goes where the first went.
Two POSTs of the same token racing each other are settled by the unique token digest."""
import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from cxgov import form_tokens
from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.form_tokens import FormSubmission
from cxgov.initiatives import business_case
from cxgov.initiatives.models import CashFlow, Initiative
from cxgov.org.models import User
from cxgov.pages import ALREADY_SAVED
from tests import factories
from tests.conftest import PG_URL, csrf_token
from tests.steering.helpers import PAST, count, governance_world

TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
FLOW = {"basis": "planned", "kind": "benefit", "year": "1", "category": "Licence", "amount": "12000",
        "risk_adjustment": "0"}


def _form_token(html, after=""):
    """The form token of the first form after `after` on the page."""
    match = TOKEN.search(html, html.index(after) if after else 0)
    assert match, "no form token"
    return match.group(1)


@pytest.fixture
def owner_page(page_as, app):
    page = page_as("member")
    with app.app_context():
        owner = db.session.get(User, page.user_id)
        initiative = factories.create_initiative(owner=owner)
        factories.add_cash_flow(initiative, "cost", 0, "10000")
        page.initiative_id = initiative.id
    page.url = f"/initiatives/{page.initiative_id}"
    return page


def _npv(app, user_id, initiative_id):
    with app.app_context():
        user, initiative = db.session.get(User, user_id), db.session.get(Initiative, initiative_id)
        return business_case.initiative_roi(user, initiative, "planned")["npv"]


def _add_flow(page, token, csrf):
    return page.post(f"{page.url}/cash-flows", data={**FLOW, "form_token": token, "csrf_token": csrf})


def test_every_creating_form_carries_a_fresh_token(owner_page):
    first = _form_token(owner_page.get(owner_page.url).get_data(as_text=True))
    second = _form_token(owner_page.get(owner_page.url).get_data(as_text=True))
    assert first != second and len(first) >= 40


def test_sending_the_cash_flow_form_again_creates_nothing_and_leaves_the_npv(app, owner_page):
    html = owner_page.get(owner_page.url).get_data(as_text=True)
    token, csrf = _form_token(html), csrf_token(owner_page, owner_page.url)
    first = _add_flow(owner_page, token, csrf)
    assert first.status_code == 302
    flows, npv = count(app, CashFlow), _npv(app, owner_page.user_id, owner_page.initiative_id)
    assert flows == 2
    again = _add_flow(owner_page, token, csrf)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert count(app, CashFlow) == flows
    assert _npv(app, owner_page.user_id, owner_page.initiative_id) == npv
    assert str(ALREADY_SAVED) in owner_page.get(again.headers["Location"]).get_data(as_text=True)
    # A new rendering of the form is a new token: the same flow may be added on purpose.
    fresh = _form_token(owner_page.get(owner_page.url).get_data(as_text=True))
    assert _add_flow(owner_page, fresh, csrf).status_code == 302
    assert count(app, CashFlow) == flows + 1


def test_a_refused_form_keeps_its_token_unused(app, owner_page):
    html = owner_page.get(owner_page.url).get_data(as_text=True)
    form = f'action="{owner_page.url}/cash-flows"'
    token, csrf = _form_token(html, form), csrf_token(owner_page, owner_page.url)
    refused = owner_page.post(f"{owner_page.url}/cash-flows",
                              data={**FLOW, "amount": "-5", "form_token": token, "csrf_token": csrf})
    assert refused.status_code == 422
    assert _form_token(refused.get_data(as_text=True), form) == token  # the corrected form is the same form
    assert count(app, FormSubmission) == 0
    assert _add_flow(owner_page, token, csrf).status_code == 302
    assert count(app, CashFlow) == 2 and count(app, FormSubmission) == 1


def test_only_a_digest_of_the_token_is_stored_and_old_ones_are_pruned(app, owner_page):
    with app.app_context():
        stale = FormSubmission(token_hash=form_tokens.digest("s" * 43), user_id=owner_page.user_id,
                               created_at=utcnow() - form_tokens.KEEP_FOR - timedelta(minutes=1), outcome_url="/")
        recent = FormSubmission(token_hash=form_tokens.digest("r" * 43), user_id=owner_page.user_id,
                                created_at=utcnow() - timedelta(days=6), outcome_url="/")
        db.session.add_all([stale, recent])
        db.session.commit()
    token = _form_token(owner_page.get(owner_page.url).get_data(as_text=True))
    _add_flow(owner_page, token, csrf_token(owner_page, owner_page.url))
    with app.app_context():
        hashes = set(db.session.scalars(select(FormSubmission.token_hash)))
    assert hashes == {form_tokens.digest("r" * 43), form_tokens.digest(token)}
    assert token not in hashes


def test_a_token_of_someone_else_creates_nothing(app, owner_page, page_as):
    token = _form_token(owner_page.get(owner_page.url).get_data(as_text=True))
    assert _add_flow(owner_page, token, csrf_token(owner_page, owner_page.url)).status_code == 302
    leader = page_as("cx_leader")
    leader.url = owner_page.url
    response = _add_flow(leader, token, csrf_token(leader, owner_page.url))
    assert response.status_code == 409
    assert count(app, CashFlow) == 2


def _steering_forms(ids):
    meeting = f"/meetings/{ids['meeting']}"
    return [
        ("/meetings", "/meetings", {"committee_id": ids["committee"], "title": "Q1 review",
                                    "starts_at": "2027-01-12T09:30"}, "Meeting"),
        (meeting, f"{meeting}/agenda", {"title": "Budget", "kind": "information"}, "AgendaItem"),
        (meeting, f"{meeting}/decisions", {"text": "Noted.", "kind": "other"}, "Decision"),
        (meeting, f"{meeting}/action-items", {"title": "Call back", "owner_id": ids["member"],
                                              "due_on": "2026-12-20"}, "ActionItem"),
        ("/committees", "/committees", {"name": "Digital board"}, "Committee"),
    ]


@pytest.mark.parametrize("index", range(5))
def test_steering_forms_create_once(app, page_as, index):
    from cxgov.steering import models

    ids = governance_world(app, starts_at=PAST)  # begun: decisions can be recorded
    client = page_as("cx_leader")
    page, path, data, model = _steering_forms(ids)[index]
    model = getattr(models, model)
    token = _form_token(client.get(page).get_data(as_text=True), f'action="{path}"')
    csrf = csrf_token(client, page)
    before = count(app, model)
    first = client.post(path, data={**data, "form_token": token, "csrf_token": csrf})
    assert first.status_code == 302, first.get_data(as_text=True)[:2000]
    assert count(app, model) == before + 1
    again = client.post(path, data={**data, "form_token": token, "csrf_token": csrf})
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert count(app, model) == before + 1


def test_adding_a_committee_member_creates_once(app, page_as):
    from cxgov.steering.models import CommitteeMember

    ids = governance_world(app, starts_at=PAST)
    client = page_as("cx_leader")
    path = f"/committees/{ids['committee']}/members"
    token = _form_token(client.get("/committees").get_data(as_text=True), f'action="{path}"')
    csrf = csrf_token(client, "/committees")
    data = {"user_id": client.user_id, "member_role": "sponsor", "form_token": token, "csrf_token": csrf}
    assert client.post(path, data=data).status_code == 302
    assert client.post(path, data=data).status_code == 302
    assert count(app, CommitteeMember) == 4


def test_logging_an_ambassador_action_creates_once(app, page_as):
    from cxgov.ambassadors.models import AmbassadorAction

    client = page_as("member")
    with app.app_context():
        factories.create_ambassador(user=db.session.get(User, client.user_id))
    token = _form_token(client.get("/ambassadors/log").get_data(as_text=True))
    data = {"kind": "training", "title": "Trained the desk", "people_reached": "3", "hours": "1",
            "form_token": token, "csrf_token": csrf_token(client, "/ambassadors/log")}
    assert client.post("/ambassadors/log", data=data).status_code == 302
    assert client.post("/ambassadors/log", data=data).status_code == 302
    assert count(app, AmbassadorAction) == 1


def _race(app, clients, path, data):
    """Every client POSTs the same form at the same instant; returns the responses."""
    barrier = threading.Barrier(len(clients))
    results, errors = {}, []

    def send(index, client):
        try:
            barrier.wait(timeout=30)
            results[index] = client.post(path, data=data)
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=send, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return [results[i] for i in range(len(clients))]


def test_a_double_click_adds_one_cash_flow(app, owner_page):
    """Two POSTs of the same form at once (one session, two connections): one cash flow."""
    token = _form_token(owner_page.get(owner_page.url).get_data(as_text=True))
    csrf = csrf_token(owner_page, owner_page.url)
    clones = [owner_page, _same_session(app, owner_page)]
    responses = _race(app, clones, f"{owner_page.url}/cash-flows", {**FLOW, "form_token": token, "csrf_token": csrf})
    assert [r.status_code for r in responses] == [302, 302]
    assert len({r.headers["Location"] for r in responses}) == 1
    assert count(app, CashFlow) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FormSubmission)) == 1


def test_the_unique_token_settles_a_race_the_first_look_missed(app, owner_page, monkeypatch):
    """The second request looks for the token before the first has committed (it sees nothing),
    then claims it: the claim waits for the first transaction and fails on the unique digest,
    and the request answers like a resubmission, having created nothing."""
    token = _form_token(owner_page.get(owner_page.url).get_data(as_text=True))
    csrf = csrf_token(owner_page, owner_page.url)
    looked, first_done = threading.Event(), threading.Event()
    real_find = form_tokens.find

    def find_then_let_the_first_commit(value):
        found = real_find(value)
        looked.set()
        first_done.wait(timeout=30)
        return found

    with app.app_context():
        # The "first request": its cash flow and its claim, committed while the second one waits.
        monkeypatch.setattr(form_tokens, "find", find_then_let_the_first_commit)
        second = {}
        thread = threading.Thread(target=lambda: second.setdefault("response", _add_flow(owner_page, token, csrf)))
        thread.start()
        assert looked.wait(timeout=30)
        db.session.add(CashFlow(initiative_id=owner_page.initiative_id, kind="benefit", category="Licence", year=1,
                                amount=Decimal("12000"), basis="planned", risk_adjustment=Decimal("0")))
        db.session.add(FormSubmission(token_hash=form_tokens.digest(token), user_id=owner_page.user_id,
                                      outcome_url=f"{owner_page.url}#cash-flows"))
        db.session.commit()
        monkeypatch.setattr(form_tokens, "find", real_find)
        first_done.set()
        thread.join(timeout=60)
    response = second["response"]
    assert response.status_code == 302 and response.headers["Location"].endswith("#cash-flows")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FormSubmission)) == 1
        flows = db.session.scalars(select(CashFlow).where(CashFlow.year == 1)).all()
    assert len(flows) == 1  # the first request's flow, and none from the second


def _same_session(app, page):
    """A second client carrying the same session cookie (a second tab of the same browser)."""
    clone = app.test_client()
    clone.environ_base.update(page.environ_base)
    cookie = page.get_cookie("session")
    clone.set_cookie(cookie.key, cookie.value, domain=cookie.domain or "localhost")
    return clone


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: it shows the second claim waiting on the first")
def test_on_postgresql_the_second_claim_waits_for_the_first_and_creates_nothing(app, owner_page):
    """The first submission's transaction is open (its cash flow and token claimed, not yet
    committed) when the second arrives: the second's claim waits on the unique index, and when
    the first commits it fails there and answers as a resubmission."""
    token = _form_token(owner_page.get(owner_page.url).get_data(as_text=True))
    csrf = csrf_token(owner_page, owner_page.url)
    with app.app_context():
        db.session.add(CashFlow(initiative_id=owner_page.initiative_id, kind="benefit", category="Licence", year=1,
                                amount=Decimal("12000"), basis="planned", risk_adjustment=Decimal("0")))
        db.session.add(FormSubmission(token_hash=form_tokens.digest(token), user_id=owner_page.user_id,
                                      outcome_url=f"{owner_page.url}#cash-flows"))
        db.session.flush()  # the first transaction holds its claim
        second = {}
        thread = threading.Thread(target=lambda: second.setdefault("response", _add_flow(owner_page, token, csrf)))
        thread.start()
        # Autocommit: pg_stat_activity is a snapshot kept for the rest of a transaction, so a
        # watcher inside one would never see the second request start waiting.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as watcher:
            waiting = 0
            for _ in range(6000):  # until the second request waits on a lock (bounded)
                waiting = watcher.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")).scalar()
                if waiting or not thread.is_alive():
                    break
                threading.Event().wait(0.01)
        assert waiting >= 1, f"the second claim did not wait for the first (request finished: {not thread.is_alive()})"
        db.session.commit()
        thread.join(timeout=60)
    response = second["response"]
    assert response.status_code == 302 and response.headers["Location"].endswith("#cash-flows")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FormSubmission)) == 1
        assert len(db.session.scalars(select(CashFlow).where(CashFlow.year == 1)).all()) == 1
