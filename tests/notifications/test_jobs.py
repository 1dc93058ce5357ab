"""Who receives which reminder, and when: the rules of each job, with `now` passed in."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from cxgov.extensions import db
from cxgov.initiatives.gate import freeze_baseline
from cxgov.notifications.digest import roi_to_date
from cxgov.notifications.jobs import JOBS, UnknownJob, run_job
from tests import factories as f
from tests.notifications.conftest import notifications

UTC = timezone.utc


def recipients(kind):
    return sorted(n.user_id for n in notifications(kind=kind))


def test_run_job_refuses_unknown_names_and_naive_instants(app):
    with app.app_context():
        with pytest.raises(UnknownJob) as error:
            run_job("no-such-job", datetime(2026, 1, 1, tzinfo=UTC))
        for name in JOBS:
            assert name in str(error.value)
        with pytest.raises(ValueError):
            run_job("meeting-reminders", datetime(2026, 1, 1))


# -- meeting-reminders -----------------------------------------------------------------------

NOW = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)


def _committee(app):
    committee = f.create_committee()
    chair, secretary = f.create_user(), f.create_user()
    gone = f.create_user(active=False)
    for user, role in ((chair, "chair"), (secretary, "secretary"), (gone, "member")):
        f.add_committee_member(committee, user, member_role=role)
    f.create_user()  # not a member
    return committee, [chair.id, secretary.id]


def test_meeting_reminder_goes_once_to_every_active_member_within_48_hours(app):
    with app.app_context():
        committee, members = _committee(app)
        soon = f.create_meeting(committee, starts_at=NOW + timedelta(hours=48))
        f.add_agenda_item(soon, title="Review the onboarding journey", duration_minutes=20)
        f.create_meeting(committee, starts_at=NOW + timedelta(hours=48, minutes=1))  # too far
        f.create_meeting(committee, starts_at=NOW - timedelta(minutes=1))  # started
        f.create_meeting(committee, starts_at=NOW + timedelta(hours=3), status="cancelled")
        f.create_meeting(committee, starts_at=NOW + timedelta(hours=3), status="held")

        assert run_job("meeting-reminders", NOW) == 2
        rows = notifications(kind="meeting_reminder")
        assert sorted(n.user_id for n in rows) == sorted(members)
        assert {(n.entity, n.entity_id) for n in rows} == {("meeting", soon.id)}
        assert "Review the onboarding journey" in rows[0].body
        assert "Review the onboarding journey" in rows[0].body_html
        assert rows[0].sent_at is None and rows[0].read_at is None

        # run again: nothing new; 15 minutes later only the next meeting has come within 48 h
        assert run_job("meeting-reminders", NOW) == 0
        assert run_job("meeting-reminders", NOW + timedelta(minutes=15)) == 2
        assert run_job("meeting-reminders", NOW + timedelta(hours=40)) == 0
        assert len(notifications(kind="meeting_reminder")) == 4


def test_a_reissued_invite_is_reminded_again(app):
    with app.app_context():
        committee, members = _committee(app)
        meeting = f.create_meeting(committee, starts_at=NOW + timedelta(hours=24))
        assert run_job("meeting-reminders", NOW) == 2
        meeting.starts_at = NOW + timedelta(hours=30)
        meeting.ics_sequence += 1
        db.session.commit()
        assert run_job("meeting-reminders", NOW + timedelta(minutes=15)) == 2
        keys = sorted(n.dedupe_key for n in notifications(kind="meeting_reminder"))
        assert [k.rsplit(":", 1)[1] for k in keys].count("1") == 2


# -- action-item-reminders ---------------------------------------------------------------------

def test_action_items_due_tomorrow_and_overdue_reach_their_owner(app):
    today = NOW.date()  # Tuesday 10 March 2026
    with app.app_context():
        owner = f.create_user()
        tomorrow = f.create_action_item(owner, due_on=today + timedelta(days=1))
        f.create_action_item(owner, due_on=today)  # due today: reminded yesterday
        f.create_action_item(owner, due_on=today + timedelta(days=2))
        late = f.create_action_item(owner, due_on=today - timedelta(days=1))
        f.create_action_item(owner, due_on=today - timedelta(days=3), status="done")
        f.create_action_item(owner, due_on=today - timedelta(days=3), status="cancelled")
        f.create_action_item(f.create_user(active=False), due_on=today - timedelta(days=1))

        assert run_job("action-item-reminders", NOW) == 2
        [due] = notifications(kind="action_item_due")
        assert (due.user_id, due.entity_id) == (owner.id, tomorrow.id)
        assert due.subject.startswith("Due tomorrow")
        [overdue] = notifications(kind="action_item_overdue")
        assert (overdue.user_id, overdue.entity_id) == (owner.id, late.id)
        assert "1 day overdue" in overdue.body
        assert notifications(kind="action_item_escalation") == []


def test_overdue_nags_once_a_week_and_escalates_to_cx_leaders_after_seven_days(app):
    today = NOW.date()
    with app.app_context():
        leaders = [f.create_user("cx_leader").id, f.create_user("cx_leader").id]
        f.create_user("cx_leader", active=False)
        f.create_user("executive")
        f.create_user("admin")
        owner = f.create_user()
        week_late = f.create_action_item(owner, due_on=today - timedelta(days=7))
        f.create_action_item(owner, due_on=today - timedelta(days=6))

        assert run_job("action-item-reminders", NOW) == 4  # two overdue to the owner, two escalations
        escalations = notifications(kind="action_item_escalation")
        assert sorted(n.user_id for n in escalations) == leaders
        assert {n.entity_id for n in escalations} == {week_late.id}
        assert "7 days overdue" in escalations[0].body

        # the next days of the same ISO week: nothing again
        for day in range(1, 6):
            # (on day 1 the 6-days-late item reaches 7 days: each leader is told once)
            assert run_job("action-item-reminders", NOW + timedelta(days=day)) == (2 if day == 1 else 0)
        # next Monday: the owner hears again about both; the leaders are not told twice
        assert run_job("action-item-reminders", datetime(2026, 3, 16, 7, tzinfo=UTC)) == 2
        assert len(notifications(kind="action_item_escalation")) == 4
        assert len(notifications(kind="action_item_overdue")) == 4


def test_a_moved_due_date_is_reminded_again(app):
    today = NOW.date()
    with app.app_context():
        item = f.create_action_item(due_on=today + timedelta(days=1))
        assert run_job("action-item-reminders", NOW) == 1
        item.due_on = today + timedelta(days=8)
        db.session.commit()
        assert run_job("action-item-reminders", NOW + timedelta(days=7)) == 1
        assert len(notifications(kind="action_item_due")) == 2


# -- measurement-due -----------------------------------------------------------------------------

JUNE_30 = datetime(2026, 6, 30, 7, tzinfo=UTC)


def _delivered(days_ago, *, impacts=("nps",), status="delivered", **kw):
    delivered_on = JUNE_30.date() - timedelta(days=days_ago)
    initiative = f.create_initiative(status=status, delivered_on=delivered_on, **kw)
    for code in impacts:
        f.add_impact(initiative, metric_code=code)
    return initiative


def test_measurement_due_30_days_after_delivery_to_owner_and_journey_owner(app):
    with app.app_context():
        initiative = _delivered(30)
        _delivered(29)
        _delivered(30, impacts=())  # nothing to measure
        _delivered(30, status="cancelled")

        assert run_job("measurement-due", JUNE_30) == 2
        rows = notifications(kind="measurement_due")
        assert sorted(n.user_id for n in rows) == sorted([initiative.owner_id, initiative.journey.owner_id])
        assert {n.dedupe_key.split(":")[2] for n in rows} == {"30"}
        assert "Net Promoter Score, baseline 20, target 30" in rows[0].body  # names, plain numbers
        assert run_job("measurement-due", JUNE_30) == 0


def test_measurement_after_delivery_stops_the_reminder_one_before_does_not(app):
    with app.app_context():
        measured = _delivered(30)
        f.create_measurement(measured.journey, period_start=measured.delivered_on + timedelta(days=1))
        unmeasured = _delivered(30)
        f.create_measurement(unmeasured.journey, period_start=unmeasured.delivered_on)  # not after
        both = _delivered(30, impacts=("nps", "csat"))
        f.create_measurement(both.journey, period_start=both.delivered_on + timedelta(days=2))

        run_job("measurement-due", JUNE_30)
        rows = notifications(kind="measurement_due")
        assert {n.entity_id for n in rows} == {unmeasured.id, both.id}
        [for_both] = [n for n in rows if n.entity_id == both.id and n.user_id == both.owner_id]
        assert "Customer satisfaction" in for_both.body and "Net Promoter Score" not in for_both.body
        assert "csat" not in for_both.body  # the metric by its name, not its code


def test_measurement_milestones_60_and_90_and_a_missed_day(app):
    with app.app_context():
        journey_owner = f.create_user()
        owner = f.create_user()
        journey = f.create_journey(journey_owner)
        late = _delivered(33, journey=journey, owner=owner)  # the 30-day run was missed
        sixty = _delivered(60, journey=journey, owner=owner)
        ninety = _delivered(119, journey=journey, owner=owner)
        _delivered(120, journey=journey, owner=owner)  # long past the last milestone

        assert run_job("measurement-due", JUNE_30) == 6
        milestones = {(n.entity_id, int(n.dedupe_key.split(":")[2])) for n in notifications(kind="measurement_due")}
        assert milestones == {(late.id, 30), (sixty.id, 60), (ninety.id, 90)}
        # 27 days later the 33-day-old one reaches 60
        assert run_job("measurement-due", JUNE_30 + timedelta(days=27)) == 2


def test_owner_who_owns_the_journey_hears_once(app):
    with app.app_context():
        person = f.create_user()
        _delivered(30, journey=f.create_journey(person), owner=person)
        assert run_job("measurement-due", JUNE_30) == 1


def test_a_review_due_within_7_days_reminds_the_owner_once(app):
    with app.app_context():
        soon = _delivered(10, impacts=())
        f.add_review(soon, 1, JUNE_30.date() + timedelta(days=7))
        f.add_review(soon, 2, JUNE_30.date() + timedelta(days=8))  # not yet within the week
        done = _delivered(10, impacts=())
        f.add_review(done, 1, JUNE_30.date() + timedelta(days=2), verdict="achieved", recorded_at=JUNE_30)
        cancelled = _delivered(10, impacts=(), status="cancelled")
        f.add_review(cancelled, 1, JUNE_30.date() + timedelta(days=2))

        assert run_job("measurement-due", JUNE_30) == 1
        [row] = notifications(kind="review_due")
        assert (row.user_id, row.entity, row.entity_id) == (soon.owner_id, "initiative", soon.id)
        assert "Review 1 of" in row.subject and "7 Jul 2026" in row.subject
        assert run_job("measurement-due", JUNE_30 + timedelta(days=1)) == 1  # review 2 enters the week
        assert run_job("measurement-due", JUNE_30 + timedelta(days=1)) == 0


# -- ambassador-inactivity -------------------------------------------------------------------

MONDAY = datetime(2026, 6, 1, 7, tzinfo=UTC)


def test_inactive_ambassadors_and_the_list_to_cx_leaders(app):
    today = MONDAY.date()
    with app.app_context():
        leader = f.create_user("cx_leader")
        f.create_user("executive")
        quiet = f.create_ambassador(started_on=date(2026, 1, 1))
        f.create_ambassador_action(quiet, occurred_on=today - timedelta(days=30))
        busy = f.create_ambassador(started_on=date(2026, 1, 1))
        f.create_ambassador_action(busy, occurred_on=today - timedelta(days=29))
        silent = f.create_ambassador(started_on=date(2026, 1, 1))  # never logged anything
        f.create_ambassador(started_on=today - timedelta(days=29))  # too new to judge
        f.create_ambassador(started_on=date(2026, 1, 1), ended_on=date(2026, 3, 1))  # no longer one

        assert run_job("ambassador-inactivity", MONDAY) == 3
        assert sorted(n.user_id for n in notifications(kind="ambassador_inactive")) == \
            sorted([quiet.user_id, silent.user_id])
        [summary] = notifications(kind="ambassador_inactivity")
        assert summary.user_id == leader.id
        assert quiet.user.name in summary.body and silent.user.name in summary.body
        assert busy.user.name not in summary.body

        assert run_job("ambassador-inactivity", MONDAY + timedelta(hours=2)) == 0
        # a week later: all four are inactive (the busy one and the new one too), one new list
        assert run_job("ambassador-inactivity", MONDAY + timedelta(days=7)) == 5


def test_no_inactive_ambassadors_no_list(app):
    with app.app_context():
        f.create_user("cx_leader")
        f.create_ambassador_action(f.create_ambassador(started_on=date(2026, 1, 1)),
                                   occurred_on=MONDAY.date())
        assert run_job("ambassador-inactivity", MONDAY) == 0


# -- weekly-digest ------------------------------------------------------------------------------

def test_weekly_digest_to_cx_leaders_and_executives(app):
    today = MONDAY.date()
    with app.app_context():
        readers = sorted([f.create_user("cx_leader").id, f.create_user("executive").id])
        f.create_user("member")
        f.create_user("admin")
        f.create_user("executive", active=False)
        meeting = f.create_meeting(starts_at=MONDAY - timedelta(days=3), status="held")
        f.create_decision(meeting, text="Adopt the complaint playbook", created_at=MONDAY - timedelta(days=3))
        f.create_decision(meeting, text="An old decision", created_at=MONDAY - timedelta(days=8))
        f.create_initiative(title="Self-service returns", status="delivered",
                            delivered_on=today - timedelta(days=2))
        f.create_initiative(title="Long delivered", status="delivered", delivered_on=today - timedelta(days=9))
        f.create_action_item(title="Send the survey", due_on=today - timedelta(days=1))
        roi = f.create_initiative(status="in_progress")
        f.add_cash_flow(roi, "cost", year=0, amount="1000", basis="actual")
        f.add_cash_flow(roi, "benefit", year=1, amount="2200", basis="actual")
        f.add_cash_flow(roi, "benefit", year=1, amount="99999", basis="planned")

        assert run_job("weekly-digest", datetime(2026, 6, 1, 8, tzinfo=UTC)) == 2
        rows = notifications(kind="weekly_digest")
        assert sorted(n.user_id for n in rows) == readers
        body = rows[0].body
        assert "Adopt the complaint playbook" in body and "An old decision" not in body
        assert "Self-service returns" in body and "Long delivered" not in body
        assert "Send the survey" in body
        assert "€1,000.00" in body and "100.0%" in body  # NPV and ROI to date
        assert "Adopt the complaint playbook" in rows[0].body_html
        assert run_job("weekly-digest", datetime(2026, 6, 3, 8, tzinfo=UTC)) == 0
        assert run_job("weekly-digest", datetime(2026, 6, 8, 8, tzinfo=UTC)) == 2


def test_weekly_digest_says_how_much_of_the_planned_benefits_came(app, login_as):
    monday = datetime(2026, 6, 1, 8, tzinfo=UTC)
    with app.app_context():
        f.create_user("executive")
        assert run_job("weekly-digest", monday) == 1
        body = notifications(kind="weekly_digest")[0].body
        assert ("Benefits realisation: nothing is planned to date yet (no funded initiative has an approved "
                "baseline).") in body
        # Started 1 year ago: years 0–1. Planned 1 000 + 2 000 × 0.5 = 2 000; actual 1 240: 62 %.
        behind = f.create_initiative(title="Behind", status="in_progress", start_on=date(2025, 5, 20))
        f.add_cash_flow(behind, "benefit", year=0, amount="1000")
        f.add_cash_flow(behind, "benefit", year=1, amount="2000", risk_adjustment=Decimal("0.5"))
        f.add_cash_flow(behind, "benefit", year=2, amount="9000")  # not yet due
        freeze_baseline(behind, date(2025, 5, 1))
        f.add_cash_flow(behind, "benefit", year=1, amount="1240", basis="actual")
        on_plan = f.create_initiative(title="On plan", status="delivered", start_on=date(2026, 1, 1))
        f.add_cash_flow(on_plan, "benefit", year=0, amount="1000")
        freeze_baseline(on_plan, date(2025, 12, 1))
        f.add_cash_flow(on_plan, "benefit", year=0, amount="1000", basis="actual")
        proposal = f.create_initiative(status="cancelled", start_on=date(2025, 1, 1))  # not funded
        f.add_cash_flow(proposal, "benefit", year=0, amount="5000")
        freeze_baseline(proposal, date(2025, 1, 1))
        db.session.commit()
        # The portfolio: 2 240 of 3 000, 75 % (the ratio of the sums); "Behind" alone is below 70 %.
        assert run_job("weekly-digest", monday + timedelta(days=7)) == 1
        row = notifications(kind="weekly_digest")[-1]
        assert "Realised 75% of the benefits planned to date; 1 initiative below 70%." in row.body
        assert "Realised 75% of the benefits planned to date; 1 initiative below 70%." in row.body_html


def test_roi_to_date_is_the_actual_portfolio(app):
    with app.app_context():
        assert roi_to_date()["roi"] is None
        first = f.create_initiative()
        f.add_cash_flow(first, "cost", year=0, amount="1000", basis="actual")
        f.add_cash_flow(first, "benefit", year=1, amount="2200", basis="actual", risk_adjustment=Decimal("0.5"))
        second = f.create_initiative()
        f.add_cash_flow(second, "cost", year=0, amount="500.25", basis="actual")
        f.add_cash_flow(second, "cost", year=0, amount="499.75", basis="actual")
        f.add_cash_flow(second, "benefit", year=0, amount="3000", basis="planned")
        totals = roi_to_date(Decimal("0.10"))
        assert totals["pv_costs"] == Decimal("2000")
        assert totals["pv_benefits"] == Decimal("1000")
        assert totals["npv"] == Decimal("-1000")
        assert totals["roi"] == Decimal("-0.5")
        assert totals["initiatives"] == 2


def test_weekly_digest_names_the_most_active_ambassadors_and_their_delivered_ideas(app):
    monday = datetime(2026, 6, 1, 8, tzinfo=UTC)
    today = monday.date()
    with app.app_context():
        f.create_user("cx_leader")
        busy = f.create_ambassador(user=f.create_user(name="Bea Busy"), started_on=date(2026, 1, 1))
        quiet = f.create_ambassador(user=f.create_user(name="Quentin Quiet"), started_on=date(2026, 1, 1))
        honoured = f.create_ambassador(user=f.create_user(name="Hana Honoured"), started_on=date(2026, 1, 1))
        for days in (1, 2, 3):
            f.create_ambassador_action(busy, occurred_on=today - timedelta(days=days), people_reached=5)
        f.create_ambassador_action(quiet, occurred_on=today - timedelta(days=4), people_reached=2)
        f.create_ambassador_action(quiet, occurred_on=today - timedelta(days=9))  # before the week
        for days in (1, 2, 3, 4):  # recognitions are given, not done: they make no one "most active"
            f.create_ambassador_action(honoured, occurred_on=today - timedelta(days=days), kind="recognition")
        idea = f.create_ambassador_action(quiet, kind="improvement_idea", title="Text the repair slot",
                                          occurred_on=date(2026, 3, 1))
        idea.initiative_id = f.create_initiative(title="Repair slot by SMS", status="delivered",
                                                 delivered_on=today - timedelta(days=2)).id
        old = f.create_ambassador_action(busy, kind="improvement_idea", title="Old idea", occurred_on=date(2026, 2, 1))
        old.initiative_id = f.create_initiative(title="Delivered long ago", status="delivered",
                                                delivered_on=today - timedelta(days=30)).id
        db.session.commit()
        assert run_job("weekly-digest", monday) == 1
        row = notifications(kind="weekly_digest")[0]
        for body in (row.body, row.body_html):
            assert body.index("Bea Busy") < body.index("Quentin Quiet")
            assert "3 actions, 15 people reached" in body
            assert "Hana Honoured" not in body
            assert "Text the repair slot" in body and "Repair slot by SMS" in body
            assert "Delivered long ago" not in body.split("ideas delivered")[1]
