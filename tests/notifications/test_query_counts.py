"""Jobs and the inbox cost a constant number of SQL queries, whatever the number of rows."""
from datetime import datetime, timedelta, timezone

from cxgov.extensions import db
from cxgov.initiatives.gate import freeze_baseline
from cxgov.notifications.jobs import run_job
from tests import factories as f
from tests.queries import recorded_statements

UTC = timezone.utc
NOW = datetime(2026, 3, 10, 7, tzinfo=UTC)


def _world(size):
    committee = f.create_committee()
    for _ in range(size):
        f.add_committee_member(committee, f.create_user())
    for n in range(size):
        meeting = f.create_meeting(committee, starts_at=NOW + timedelta(hours=2 + n))
        f.add_agenda_item(meeting)
        f.create_action_item(due_on=NOW.date() - timedelta(days=8))
        meeting_held = f.create_meeting(committee, starts_at=NOW - timedelta(days=2), status="held")
        f.create_decision(meeting_held, created_at=NOW - timedelta(days=1))
        initiative = f.create_initiative(status="delivered", delivered_on=NOW.date() - timedelta(days=30),
                                         start_on=NOW.date() - timedelta(days=400))
        f.add_impact(initiative)
        f.add_cash_flow(initiative, "cost", year=0, amount="100", basis="actual")
        f.add_cash_flow(initiative, "benefit", year=1, amount="300")
        freeze_baseline(initiative, NOW.date() - timedelta(days=400))  # the digest's benefits line reads it
        f.add_cash_flow(initiative, "benefit", year=1, amount="200", basis="actual")
        f.create_ambassador(started_on=NOW.date() - timedelta(days=90))
    f.create_user("cx_leader")
    f.create_user("executive")


def _costs(app, size):
    costs = {}
    with app.app_context():
        _world(size)
        for name in ("meeting-reminders", "action-item-reminders", "measurement-due",
                     "ambassador-inactivity", "weekly-digest"):
            with recorded_statements(app) as statements:
                assert run_job(name, NOW) > 0, name
            costs[name] = len(statements)
    return costs


def _emptied(app):
    with app.app_context():
        db.session.execute(db.text("DELETE FROM notifications"))
        db.session.commit()


def test_jobs_cost_the_same_for_2_or_6_of_everything(app, database_url):
    """Each job costs the same whatever it finds, except that the meeting reminders build and keep
    one pre-read pack per meeting they remind of (SPEC §9): a fixed number of statements each."""
    small = _costs(app, 2)
    _emptied(app)
    middle = _costs(app, 4)
    _emptied(app)
    large = _costs(app, 6)
    packs = [costs.pop("meeting-reminders") for costs in (small, middle, large)]
    assert small == middle == large
    # The worlds add up: 2, then 6, then 12 meetings to remind of, each with its pack.
    per_pack = (packs[1] - packs[0]) // 4
    assert packs == [packs[0], packs[0] + 4 * per_pack, packs[0] + 10 * per_pack]
    assert per_pack <= 12, packs
