"""The decision register page and a decision's trace page (SPEC §8.5)."""
import re

from tests import factories
from tests.conftest import sign_in_session
from tests.steering import register_world


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_register_filters_by_outcome_with_readable_labels(app, page_as):
    world = register_world.build(app)
    page = page_as("executive")
    html = page.get("/decisions?outcome=realised").get_data(as_text=True)
    assert '<option value="realised" selected>Realised</option>' in html
    assert '<option value="delivered_unmeasured" >Delivered, not measured</option>' in html
    assert f'href="/decisions/{world["decisions"]["realised"]}"' in html
    assert f'href="/decisions/{world["decisions"]["pending"]}"' not in html
    assert '<span class="badge badge-good">Realised</span>' in html and "1 decision." in _text(html)


def test_the_register_filters_by_committee_kind_and_dates(app, page_as):
    world = register_world.build(app)
    page = page_as("member")
    board = page.get(f"/decisions?committee_id={world['board']}").get_data(as_text=True)
    assert "2 decisions." in _text(board) and "Faster refunds" in board and "Chat callback" not in board
    rejected = page.get("/decisions?kind=reject_initiative").get_data(as_text=True)
    assert "Blimp" in rejected and "1 decision." in _text(rejected)
    november = page.get("/decisions?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert "3 decisions." in _text(november)


def test_bad_filters_are_said_and_ignored(app, page_as):
    register_world.build(app)
    response = page_as("member").get("/decisions?from=soon&outcome=won")
    assert response.status_code == 200
    assert "Some filters were not valid" in response.get_data(as_text=True)


def test_the_trace_reads_top_to_bottom(app, page_as):
    world = register_world.build(app)
    html = page_as("executive").get(f"/decisions/{world['decisions']['realised']}").get_data(as_text=True)
    order = [html.index(f'id="{section}"') for section in
             ("meeting", "decision", "lifecycle", "baseline", "impacts", "actual", "reviews")]
    assert order == sorted(order)
    text = _text(html)
    assert "Board in September" in text and "1 Sept 2026" in text
    assert "12,000.00" in text and "€3,000.00" in text and "33.3%" in text
    assert "The value came." in text and "by Lea Leader" in text and "Review 2 (final)" in text


def test_a_member_reads_the_trace_without_money_of_others_initiatives(app, page_as):
    world = register_world.build(app)
    url = f"/decisions/{world['decisions']['realised']}"
    other = _text(page_as("member").get(url).get_data(as_text=True))
    assert "12,000.00" not in other and "3,000.00" not in other and "not shown" in other
    assert "The value came." in other and "Realised" in other
    owner = _text(client_for_page(app, world["owner"]).get(url).get_data(as_text=True))
    assert "12,000.00" in owner and "€3,000.00" in owner


def client_for_page(app, user_id):
    return sign_in_session(app, app.test_client(), user_id)


def test_a_decision_about_no_initiative(app, page_as):
    world = register_world.build(app)
    html = page_as("member").get(f"/decisions/{world['decisions']['recorded']}").get_data(as_text=True)
    assert "This decision is about no initiative" in html and 'id="reviews"' not in html


def test_a_missing_decision_is_404(app, page_as):
    assert page_as("member").get("/decisions/999999").status_code == 404


def test_the_meeting_and_initiative_pages_link_to_the_trace(app, page_as, login_as):
    leader = login_as("cx_leader")
    with app.app_context():
        initiative = factories.complete_plan(factories.create_initiative())
        meeting = factories.create_meeting(starts_at=register_world.NOVEMBER)
        decision = factories.create_decision(meeting, initiative=initiative).id
        initiative_id, meeting_id = initiative.id, meeting.id
    assert leader.post(f"/api/initiatives/{initiative_id}/transitions",
                       json={"to": "approved", "decision_id": decision, "on": "2026-11-03"}).status_code == 201
    page = page_as("member")
    link = f'href="/decisions/{decision}"'
    assert link in page.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert link in page.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
