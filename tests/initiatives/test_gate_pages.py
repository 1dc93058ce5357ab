"""The initiative page shows the approval gate, the claimed share of each KPI and the approved
baseline (SPEC §8.1–§8.3)."""
from datetime import date
from decimal import Decimal

from cxgov.extensions import db
from cxgov.initiatives import lifecycle
from cxgov.initiatives.models import Initiative
from cxgov.org.models import User
from tests import factories


def test_a_proposal_shows_what_is_missing_in_plain_words(app, page_as):
    with app.app_context():
        initiative_id = factories.create_initiative(title="Call-back service").id
    html = page_as("member").get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    assert "Ready for approval?" in html
    assert "Not yet: the steering committee can approve it once these are done." in html
    assert "The business case needs a planned cost and a planned benefit." in html
    assert "The measurement plan needs at least one KPI impact." in html
    assert "The initiative needs a target date." in html


def test_the_page_says_who_else_claims_the_kpi(app, page_as):
    with app.app_context():
        journey = factories.create_journey()
        mine = factories.create_initiative(journey=journey, title="Call-back service")
        factories.add_impact(mine, metric_code="csat", attribution=Decimal("0.6"))
        rival = factories.create_initiative(journey=journey, title="Chat-bot")
        factories.add_impact(rival, metric_code="csat", attribution=Decimal("0.3"))
        ids = mine.id, rival.id
    html = page_as("cx_leader").get(f"/initiatives/{ids[0]}").get_data(as_text=True)
    assert "Measurement plan" in html
    assert "90.0 %" in html and f'href="/initiatives/{ids[1]}">Chat-bot</a> (30.0 %)' in html


def test_the_approved_baseline_is_shown_once_approved(app, page_as):
    with app.app_context():
        initiative = factories.complete_plan(factories.create_initiative())
        meeting = factories.create_meeting(starts_at=factories.datetime(2026, 11, 2, 9, tzinfo=factories.timezone.utc))
        decision = factories.create_decision(meeting, initiative=initiative)
        leader = factories.create_user("cx_leader")
        lifecycle.transition_initiative(db.session.get(User, leader.id), db.session.get(Initiative, initiative.id),
                                        "approved", decision_id=decision.id, on=date(2026, 11, 3))
        db.session.commit()
        initiative_id = initiative.id
    html = page_as("executive").get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    assert "Approved baseline" in html and "Ready for approval?" not in html
    assert 'data-figure="baseline-npv">3,636.36<' in html
