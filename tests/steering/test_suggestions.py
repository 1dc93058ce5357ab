"""Agenda suggestions: carried-over actions, decisions due, impact reviews, KPIs moving the wrong way."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.steering import suggestions
from cxgov.steering.models import AgendaItem, Meeting
from tests import factories
from tests.steering.helpers import count

MEETING_AT = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def _world(app):
    with app.app_context():
        committee = factories.create_committee()
        earlier = factories.create_meeting(committee, starts_at=datetime(2026, 11, 1, 9, tzinfo=timezone.utc))
        meeting = factories.create_meeting(committee, starts_at=MEETING_AT)
        later = factories.create_meeting(committee, starts_at=datetime(2027, 1, 1, 9, tzinfo=timezone.utc))
        owner = factories.create_user(name="Olga Owner")
        carried = factories.create_action_item(
            owner=owner, meeting_id=earlier.id, due_on=date(2026, 11, 30), title="Fix IVR"
        )
        factories.create_action_item(owner=owner, meeting_id=earlier.id, due_on=date(2026, 12, 20))   # not due yet
        factories.create_action_item(owner=owner, meeting_id=earlier.id, due_on=date(2026, 11, 2), status="done")
        factories.create_action_item(owner=owner, meeting_id=later.id, due_on=date(2026, 11, 2))       # not earlier
        factories.create_action_item(owner=owner, due_on=date(2026, 11, 2))                             # no meeting
        elsewhere = factories.create_meeting(starts_at=datetime(2026, 10, 1, 9, tzinfo=timezone.utc))
        factories.create_action_item(owner=owner, meeting_id=elsewhere.id, due_on=date(2026, 11, 2))   # other committee
        proposed = factories.create_initiative(title="Chatbot")
        factories.create_initiative(status="approved")
        delivered = factories.create_initiative(title="New returns", status="delivered", delivered_on=date(2026, 10, 1))
        due = factories.add_review(delivered, 1, date(2026, 10, 31))
        factories.add_review(delivered, 2, date(2026, 11, 30), verdict="achieved",  # has its verdict
                             recorded_at=datetime(2026, 11, 30, tzinfo=timezone.utc))
        factories.add_review(delivered, 3, date(2026, 12, 30))  # due after the meeting
        cancelled = factories.create_initiative(status="cancelled", delivered_on=date(2026, 9, 1))
        factories.add_review(cancelled, 1, date(2026, 10, 1))  # no longer delivered
        worse = factories.create_journey(name="Onboarding")
        better = factories.create_journey(name="Billing")
        for journey, values in ((worse, ("30", "25")), (better, ("30", "35"))):
            factories.create_measurement(journey, "nps", period_start=date(2026, 9, 1), value=Decimal(values[0]))
            factories.create_measurement(journey, "nps", period_start=date(2026, 10, 1), value=Decimal(values[1]))
        # churn is lower-is-better: a rise is the wrong way
        factories.create_measurement(better, "churn_rate", period_start=date(2026, 9, 1), value=Decimal("2.0"))
        factories.create_measurement(better, "churn_rate", period_start=date(2026, 10, 1), value=Decimal("2.5"))
        # a measurement after the meeting date is ignored
        factories.create_measurement(worse, "nps", period_start=date(2026, 12, 5), value=Decimal("50"))
        return {"meeting": meeting.id, "carried": carried.id, "proposed": proposed.id, "due": due.id,
                "worse": worse.id, "better": better.id}


def test_suggestions_cover_the_four_sources_and_are_added_once(login_as, app):
    ids = _world(app)
    leader = login_as("cx_leader")
    url = f"/api/meetings/{ids['meeting']}/agenda-items/suggested"
    preview = leader.get(url).json
    keys = [s["source_key"] for s in preview]
    expected = {f"action_item:{ids['carried']}", f"initiative:{ids['proposed']}:decision",
                f"review:{ids['due']}", f"journey:{ids['worse']}:nps", f"journey:{ids['better']}:churn_rate"}
    assert set(keys) == expected and len(keys) == len(expected)
    added = leader.post(url)
    assert added.status_code == 200
    assert {item["source_key"] for item in added.json} == expected
    kinds = {item["source_key"]: item["kind"] for item in added.json}
    assert kinds[f"initiative:{ids['proposed']}:decision"] == "decision"
    assert kinds[f"review:{ids['due']}"] == "initiative_review"
    assert kinds[f"journey:{ids['worse']}:nps"] == "journey_review"
    assert [item["position"] for item in added.json] == list(range(len(expected)))
    assert leader.post(url).json == []
    assert leader.get(url).json == []
    assert count(app, AgendaItem) == len(expected)


def test_a_deleted_suggestion_may_be_suggested_again_and_keeps_order(login_as, app):
    ids = _world(app)
    leader = login_as("cx_leader")
    base = f"/api/meetings/{ids['meeting']}/agenda-items"
    leader.post(base, json={"title": "Opening"})
    added = leader.post(f"{base}/suggested").json
    assert added[0]["position"] == 1
    leader.delete(f"{base}/{added[0]['id']}")
    again = leader.post(f"{base}/suggested").json
    assert [item["source_key"] for item in again] == [added[0]["source_key"]]


def test_suggestions_are_governance_only(login_as, app, client):
    ids = _world(app)
    url = f"/api/meetings/{ids['meeting']}/agenda-items/suggested"
    assert client.post(url).status_code == 401
    assert login_as("member").post(url).status_code == 403
    assert login_as("executive").post(url).status_code == 403
    assert count(app, AgendaItem) == 0


def test_only_the_chosen_suggestions_are_added(app):
    """The meeting page adds the suggestions a CX leader ticked, in the order suggested; a key no
    longer suggested adds nothing; choosing none is refused with nothing written."""
    ids = _world(app)
    with app.app_context():
        leader = factories.create_user(role="cx_leader")
        meeting = db.session.get(Meeting, ids["meeting"])
        chosen = [f"journey:{ids['worse']}:nps", f"action_item:{ids['carried']}", "review:999999"]
        added = suggestions.add_suggestions(leader, meeting, chosen)
        assert [item.source_key for item in added] == chosen[1::-1]  # the order they are suggested in
        assert suggestions.add_suggestions(leader, meeting, chosen[:1]) == []
        with pytest.raises(Invalid):
            suggestions.add_suggestions(leader, meeting, [])
        db.session.commit()
    assert count(app, AgendaItem) == 2
