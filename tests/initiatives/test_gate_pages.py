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
    assert "90.0%" in html and f'href="/initiatives/{ids[1]}">Chat-bot</a> (30.0%)' in html


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


# -- post-implementation reviews (SPEC §8.4) --------------------------------------------------------

def _delivered(app):
    """A delivered initiative (through the lifecycle) with a CSAT measurement after delivery."""
    with app.app_context():
        initiative = factories.complete_plan(factories.create_initiative(title="Call-back service"))
        meeting = factories.create_meeting(starts_at=factories.datetime(2026, 6, 1, 9, tzinfo=factories.timezone.utc))
        decision = factories.create_decision(meeting, initiative=initiative)
        leader = db.session.get(User, factories.create_user("cx_leader").id)
        initiative = db.session.get(Initiative, initiative.id)
        lifecycle.transition_initiative(leader, initiative, "approved", decision_id=decision.id, on=date(2026, 6, 1))
        lifecycle.transition_initiative(leader, initiative, "in_progress", on=date(2026, 6, 2))
        lifecycle.transition_initiative(leader, initiative, "delivered", on=date(2026, 7, 1))
        factories.create_measurement(initiative.journey, "csat", period_start=date(2026, 8, 1), value=Decimal("74"))
        db.session.commit()
        return initiative.id


def test_a_cx_leader_records_a_verdict_on_the_page_and_sees_the_frozen_figures(app, page_as, login_as):
    from tests.conftest import csrf_token

    initiative_id = _delivered(app)
    page = page_as("cx_leader")
    html = page.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    assert "Post-implementation reviews" in html and "Review 3 (final), due 29 Sept 2026" in html
    review_id = login_as("admin").get(f"/api/initiatives/{initiative_id}/reviews").json["items"][0]["id"]
    action = f"/initiatives/{initiative_id}/reviews/{review_id}/verdict"
    assert f'action="{action}"' in html
    token = csrf_token(page, f"/initiatives/{initiative_id}")
    missing = page.post(action, data={"csrf_token": token, "notes": "Looks good"})
    assert missing.status_code == 422
    text = missing.get_data(as_text=True)
    assert "The verdict was not recorded" in text and "Looks good" in text
    done = page.post(action, data={"csrf_token": token, "verdict": "partly_achieved", "notes": "CSAT up 4 points."})
    assert done.status_code == 302 and done.headers["Location"].endswith("#reviews")
    html = page.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    snapshot = login_as("executive").get(f"/api/reviews/{review_id}").json["snapshot"]
    annual = Decimal(snapshot["impacts"][0]["annual_value"])
    from cxgov.formatting import money
    with app.app_context():
        assert f'data-figure="review-1-impact-1">74, worth {money(annual)} a year<' in html
        assert f'data-figure="review-1-actual-npv">{money(Decimal(snapshot["actual_npv"]))}<' in html
    assert "Partly achieved" in html and "“CSAT up 4 points.”" in html


def test_others_read_the_verdicts_without_a_form(app, page_as, login_as):
    initiative_id = _delivered(app)
    review_id = login_as("admin").get(f"/api/initiatives/{initiative_id}/reviews").json["items"][0]["id"]
    login_as("admin").post(f"/api/reviews/{review_id}/verdict", json={"verdict": "achieved"})
    html = page_as("member").get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    assert "Post-implementation reviews" in html and "Achieved" in html
    assert "Record the verdict" not in html and "Actual NPV then" not in html
