"""`cxgov run-job`, the scheduler's job table and its advisory lock."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from cxgov.extensions import db
from cxgov.notifications.jobs import JOBS
from cxgov.scheduler import build_scheduler, release_leader_lock, run_scheduled, try_leader_lock
from tests import factories as f
from tests.conftest import PG_URL
from tests.notifications.conftest import notifications

UTC = timezone.utc


def _committee_meeting(starts_at):
    committee = f.create_committee()
    for _ in range(2):
        f.add_committee_member(committee, f.create_user())
    return f.create_meeting(committee, starts_at=starts_at)


def test_run_job_with_now(app, runner):
    with app.app_context():
        _committee_meeting(datetime(2026, 3, 11, 9, tzinfo=UTC))
    result = runner.invoke(args=["cxgov", "run-job", "meeting-reminders", "--now", "2026-03-10T10:00:00+01:00"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "meeting-reminders: 2"
    again = runner.invoke(args=["cxgov", "run-job", "meeting-reminders", "--now", "2026-03-10T09:15:00Z"])
    assert again.output.strip() == "meeting-reminders: 0"
    too_early = runner.invoke(args=["cxgov", "run-job", "meeting-reminders", "--now", "2026-03-08T09:00:00Z"])
    assert too_early.output.strip() == "meeting-reminders: 0"
    with app.app_context():
        assert {n.created_at for n in notifications()} == {datetime(2026, 3, 10, 9, tzinfo=UTC)}


def test_run_job_refuses_naive_or_malformed_now_and_unknown_names(app, runner):
    naive = runner.invoke(args=["cxgov", "run-job", "meeting-reminders", "--now", "2026-03-10T09:00:00"])
    assert naive.exit_code == 2 and "offset" in naive.output
    garbage = runner.invoke(args=["cxgov", "run-job", "meeting-reminders", "--now", "yesterday"])
    assert garbage.exit_code == 2 and "ISO 8601" in garbage.output
    unknown = runner.invoke(args=["cxgov", "run-job", "send-everything"])
    assert unknown.exit_code == 2
    for name in JOBS:
        assert name in unknown.output
    with app.app_context():
        assert notifications() == []


def test_run_job_without_now_uses_the_current_time(app, runner):
    result = runner.invoke(args=["cxgov", "run-job", "deliver-notifications"])
    assert result.exit_code == 0 and result.output.strip() == "deliver-notifications: 0"


EXPECTED = {
    "meeting-reminders": ("interval", timedelta(minutes=15)),
    "action-item-reminders": ("cron", {"hour": "7", "minute": "0"}),
    "measurement-due": ("cron", {"hour": "7", "minute": "0"}),
    "daily-digest": ("cron", {"hour": "7", "minute": "30"}),
    "ambassador-inactivity": ("cron", {"day_of_week": "mon", "hour": "7", "minute": "0"}),
    "weekly-digest": ("cron", {"day_of_week": "mon", "hour": "8", "minute": "0"}),
    "deliver-notifications": ("interval", timedelta(minutes=1)),
    "run-imports": ("interval", timedelta(minutes=1)),
}


def _fields(trigger):
    return {field.name: str(field) for field in trigger.fields if not field.is_default}


def test_the_scheduler_job_table(app):
    app.config["CXGOV_TIMEZONE"] = "Europe/Berlin"
    berlin = ZoneInfo("Europe/Berlin")
    assert isinstance(build_scheduler(app), BlockingScheduler)
    scheduler = build_scheduler(app, scheduler_class=BackgroundScheduler)
    scheduler.start(paused=True)  # applies the job defaults; runs nothing
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == set(EXPECTED) and set(JOBS) == set(EXPECTED)
        for name, (kind, expected) in EXPECTED.items():
            job = jobs[name]
            assert job.coalesce is True and job.max_instances == 1
            assert job.misfire_grace_time and job.misfire_grace_time <= 3600
            assert job.args[1] == name
            if kind == "interval":
                assert isinstance(job.trigger, IntervalTrigger) and job.trigger.interval == expected
            else:
                assert isinstance(job.trigger, CronTrigger) and _fields(job.trigger) == expected
            assert str(job.trigger.timezone) == "Europe/Berlin"
        # Monday 08:00 in Berlin (summer time): 06:00 UTC
        wednesday = datetime(2026, 7, 1, 12, tzinfo=berlin)
        assert jobs["weekly-digest"].trigger.get_next_fire_time(None, wednesday) == \
            datetime(2026, 7, 6, 8, tzinfo=berlin)
        assert jobs["action-item-reminders"].trigger.get_next_fire_time(None, wednesday) == \
            datetime(2026, 7, 2, 7, tzinfo=berlin)
    finally:
        scheduler.shutdown(wait=False)


def test_start_up_runs_the_frequent_jobs_and_catches_up_the_days_jobs(app):
    app.config["CXGOV_TIMEZONE"] = "Europe/Berlin"
    berlin = ZoneInfo("Europe/Berlin")

    def first_runs(now):
        scheduler = build_scheduler(app, scheduler_class=BackgroundScheduler, now=now)
        scheduler.start(paused=True)
        try:
            return {job.id: job.next_run_time for job in scheduler.get_jobs()}
        finally:
            scheduler.shutdown(wait=False)

    late_morning = datetime(2026, 7, 1, 10, 5, tzinfo=berlin)  # a Wednesday, after 07:30
    runs = first_runs(late_morning)
    for name in ("meeting-reminders", "deliver-notifications", "action-item-reminders",
                 "measurement-due", "daily-digest"):
        assert runs[name] == late_morning, name
    # weekly jobs wait for their Monday (the next one after the real clock: runs are not faked)
    for name in ("weekly-digest", "ambassador-inactivity"):
        assert runs[name] != late_morning and runs[name].astimezone(berlin).weekday() == 0

    early = datetime(2026, 7, 1, 7, 10, tzinfo=berlin)
    runs = first_runs(early)
    assert runs["action-item-reminders"] == early
    assert runs["daily-digest"] != early
    assert runs["daily-digest"].astimezone(berlin).strftime("%H:%M") == "07:30"


def test_a_scheduled_run_works_in_its_own_app_context_at_the_current_time(app):
    with app.app_context():
        _committee_meeting(datetime.now(UTC) + timedelta(hours=5))
    run_scheduled(app, "meeting-reminders")
    with app.app_context():
        assert len(notifications(kind="meeting_reminder")) == 2


def test_a_failing_scheduled_run_is_logged_not_raised(app, caplog, monkeypatch):
    from cxgov.notifications import jobs

    def broken(now):
        raise RuntimeError("database gone")

    monkeypatch.setitem(jobs.JOBS, "meeting-reminders", broken)
    run_scheduled(app, "meeting-reminders")
    assert "job meeting-reminders failed" in caplog.text


@pytest.mark.skipif(not PG_URL, reason="the advisory lock guard is PostgreSQL's")
def test_a_second_scheduler_does_not_get_the_lock(app):
    with app.app_context():
        engine = db.engine
        first = try_leader_lock(engine)
        assert first not in (None, True)
        assert try_leader_lock(engine) is None
        release_leader_lock(first)
        again = try_leader_lock(engine)
        assert again not in (None, True)
        release_leader_lock(again)


def test_on_sqlite_there_is_no_lock_to_take(app):
    if PG_URL:
        pytest.skip("PostgreSQL takes a real lock")
    with app.app_context():
        assert try_leader_lock(db.engine) is True
