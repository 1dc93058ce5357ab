"""Post-implementation reviews (SPEC §8.4): scheduled at delivery, a verdict recorded once by CX
leaders and admins with a frozen snapshot, and no closing before the final verdict."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from cxgov.extensions import db
from cxgov.initiatives import reviews
from cxgov.initiatives.models import Initiative, Review
from tests import factories
from tests.steering.helpers import client_for

STARTED = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def delivered(app, login_as):
    """An initiative approved at a meeting, started and delivered on 2026-07-01 through the API,
    with a CSAT impact (baseline 70, 2 000 a point, a quarter attributed) and an actual cost."""
    with app.app_context():
        owner = factories.create_user()
        initiative = factories.create_initiative(owner=owner, title="Call-back service")
        factories.complete_plan(initiative)
        meeting = factories.create_meeting(starts_at=STARTED)
        approve = factories.create_decision(meeting, initiative=initiative, kind="approve_initiative")
        factories.add_cash_flow(initiative, kind="cost", year=0, amount="8000", basis="actual")
        ids = {"initiative": initiative.id, "owner": owner.id, "journey": initiative.journey_id,
               "approve": approve.id}
    leader = login_as("cx_leader")
    url = f"/api/initiatives/{ids['initiative']}/transitions"
    for step in ({"to": "approved", "decision_id": ids["approve"], "on": "2026-06-01"},
                 {"to": "in_progress", "on": "2026-06-02"}, {"to": "delivered", "on": "2026-07-01"}):
        assert leader.post(url, json=step).status_code == 201
    return ids


def _reviews(client, ids):
    return client.get(f"/api/initiatives/{ids['initiative']}/reviews").json["items"]


def test_delivery_schedules_the_reviews_30_60_90_days_later(login_as, delivered):
    items = _reviews(login_as("member"), delivered)
    assert [(r["number"], r["due_on"], r["status"], r["verdict"]) for r in items] == [
        (1, "2026-07-31", "due", None), (2, "2026-08-30", "due", None), (3, "2026-09-29", "due", None)]


def test_the_review_days_come_from_the_configuration(app, login_as):
    app.config["CXGOV_REVIEW_DAYS"] = "14, 120"
    with app.app_context():
        initiative = factories.create_initiative(status="in_progress", start_on=date(2026, 5, 1))
        ident = initiative.id
    leader = login_as("admin")
    assert leader.post(f"/api/initiatives/{ident}/transitions",
                       json={"to": "delivered", "on": "2026-07-01"}).status_code == 201
    items = leader.get(f"/api/initiatives/{ident}/reviews").json["items"]
    assert [r["due_on"] for r in items] == ["2026-07-15", "2026-10-29"]


def test_nothing_is_scheduled_before_delivery(app, login_as):
    with app.app_context():
        ident = factories.create_initiative().id
    body = login_as("cx_leader").get(f"/api/initiatives/{ident}/reviews").json
    assert body["items"] == [] and body["total"] == 0


def test_a_verdict_freezes_the_measured_value_and_the_actual_npv(app, login_as, delivered):
    with app.app_context():
        factories.create_measurement(db.session.get(Initiative, delivered["initiative"]).journey, "csat",
                                     period_start=date(2026, 8, 1), value=Decimal("74"))
    leader = login_as("cx_leader")
    first = _reviews(leader, delivered)[0]
    response = leader.post(f"/api/reviews/{first['id']}/verdict",
                           json={"verdict": "partly_achieved", "notes": "CSAT up 4 of 5 points."})
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["status"], body["verdict"], body["notes"]) == ("done", "partly_achieved", "CSAT up 4 of 5 points.")
    assert body["recorded_by_id"] == leader.user_id and body["recorded_at"]
    impact = leader.get(f"/api/initiatives/{delivered['initiative']}/impacts").json["items"][0]
    roi = leader.get(f"/api/initiatives/{delivered['initiative']}/roi?basis=actual").json
    assert body["snapshot"] == {
        "impacts": [{"impact_id": impact["id"], "actual_value": impact["actual_value"],
                     "annual_value": impact["annual_value"]}],
        "actual_npv": roi["npv"]}
    assert Decimal(body["snapshot"]["actual_npv"]) == Decimal("-8000.00")
    # A later measurement moves the impact, never the snapshot.
    with app.app_context():
        factories.create_measurement(db.session.get(Initiative, delivered["initiative"]).journey, "csat",
                                     period_start=date(2026, 9, 1), value=Decimal("80"))
    assert leader.get(f"/api/initiatives/{delivered['initiative']}/impacts").json["items"][0]["actual_value"] != \
        impact["actual_value"]
    assert leader.get(f"/api/reviews/{first['id']}").json["snapshot"] == body["snapshot"]


def test_a_verdict_is_recorded_once(app, login_as, delivered):
    admin = login_as("admin")
    first = _reviews(admin, delivered)[0]
    assert admin.post(f"/api/reviews/{first['id']}/verdict", json={"verdict": "achieved"}).status_code == 200
    again = admin.post(f"/api/reviews/{first['id']}/verdict", json={"verdict": "not_achieved"})
    assert again.status_code == 409 and "verdict" in again.json["errors"]
    assert admin.get(f"/api/reviews/{first['id']}").json["verdict"] == "achieved"


@pytest.mark.parametrize("role", ["executive", "member"])
def test_only_cx_leaders_and_admins_record_verdicts(app, login_as, delivered, role):
    review_id = _reviews(login_as(role), delivered)[0]["id"]
    assert login_as(role).post(f"/api/reviews/{review_id}/verdict", json={"verdict": "achieved"}).status_code == 403
    owner = client_for(app, delivered["owner"])
    assert owner.post(f"/api/reviews/{review_id}/verdict", json={"verdict": "achieved"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(Review.id)).where(Review.verdict.is_not(None))) == 0


@pytest.mark.parametrize("body, field", [({}, "verdict"), ({"verdict": "great"}, "verdict"),
                                         ({"verdict": "achieved", "notes": 5}, "notes"),
                                         ({"verdict": "achieved", "score": 1}, "score")])
def test_a_bad_verdict_names_the_field_and_writes_nothing(app, login_as, delivered, body, field):
    review_id = _reviews(login_as("cx_leader"), delivered)[0]["id"]
    response = login_as("cx_leader").post(f"/api/reviews/{review_id}/verdict", json=body)
    assert response.status_code == 422 and field in response.json["errors"]
    assert login_as("cx_leader").get(f"/api/reviews/{review_id}").json["status"] == "due"


def test_an_unknown_review_is_404(login_as):
    assert login_as("admin").post("/api/reviews/999/verdict", json={"verdict": "achieved"}).status_code == 404
    assert login_as("admin").get("/api/reviews/999").status_code == 404


def test_the_snapshot_is_for_those_who_read_the_business_case(app, login_as, delivered):
    leader = login_as("cx_leader")
    review_id = _reviews(leader, delivered)[0]["id"]
    leader.post(f"/api/reviews/{review_id}/verdict", json={"verdict": "achieved"})
    assert login_as("executive").get(f"/api/reviews/{review_id}").json["snapshot"] is not None
    assert client_for(app, delivered["owner"]).get(f"/api/reviews/{review_id}").json["snapshot"] is not None
    other = login_as("member").get(f"/api/reviews/{review_id}").json
    assert other["verdict"] == "achieved" and other["snapshot"] is None


def test_closing_needs_the_final_verdict(app, login_as, delivered):
    leader = login_as("cx_leader")
    url = f"/api/initiatives/{delivered['initiative']}/transitions"
    items = _reviews(leader, delivered)
    leader.post(f"/api/reviews/{items[0]['id']}/verdict", json={"verdict": "achieved"})
    refused = leader.post(url, json={"to": "closed"})
    assert refused.status_code == 409 and refused.json["missing"] == ["final_review"]
    with app.app_context():
        assert db.session.get(Initiative, delivered["initiative"]).status == "delivered"
    leader.post(f"/api/reviews/{items[-1]['id']}/verdict", json={"verdict": "not_achieved"})
    assert leader.post(url, json={"to": "closed"}).status_code == 201


# -- the pure parts -----------------------------------------------------------------------------------

def test_review_days_are_read_as_sorted_distinct_positive_days():
    assert reviews.parse_days("90,30, 60,30") == [30, 60, 90]
    assert reviews.parse_days("") == []
    for bad in ("30,x", "0", "-5"):
        with pytest.raises(ValueError):
            reviews.parse_days(bad)


@given(st.lists(st.integers(min_value=1, max_value=3650), max_size=8))
def test_any_list_of_days_reads_back_as_its_sorted_set(days):
    assert reviews.parse_days(",".join(map(str, days))) == sorted(set(days))
