"""The scheduler process: `flask --app wsgi cxgov scheduler`.

It runs on its own, never inside a web worker (APScheduler's job store cannot be shared between
processes). Schedules are in CXGOV_TIMEZONE. On PostgreSQL the process first takes a session
advisory lock on a dedicated connection; a second scheduler finds it taken, stays idle and retries
every minute, so it takes over when the first one stops. Even two schedulers running at once would
not send anything twice: reminders are deduplicated and the deliverer skips locked rows.
"""
import logging
import signal
import time

import sqlalchemy as sa
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.formatting import local_zone

log = logging.getLogger("cxgov.scheduler")

# pg_try_advisory_lock key: "cxgov" in ASCII, held by the one active scheduler.
LOCK_KEY = 0x6378676F76
LOCK_RETRY_SECONDS = 60

# A run may start this late (seconds) and still run; coalescing folds missed runs into one.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
DAILY_GRACE = 3600


def triggers(timezone):
    """The schedule of SPEC §6 (plus the daily digest), as {job name: (trigger, options)}."""
    daily = {"misfire_grace_time": DAILY_GRACE}
    return {
        "meeting-reminders": (IntervalTrigger(minutes=15, timezone=timezone), {}),
        "action-item-reminders": (CronTrigger(hour=7, minute=0, timezone=timezone), daily),
        "measurement-due": (CronTrigger(hour=7, minute=0, timezone=timezone), daily),
        "daily-digest": (CronTrigger(hour=7, minute=30, timezone=timezone), daily),
        "ambassador-inactivity": (CronTrigger(day_of_week="mon", hour=7, minute=0, timezone=timezone), daily),
        "weekly-digest": (CronTrigger(day_of_week="mon", hour=8, minute=0, timezone=timezone), daily),
        "deliver-notifications": (IntervalTrigger(minutes=1, timezone=timezone), {"misfire_grace_time": 30}),
        "run-imports": (IntervalTrigger(minutes=1, timezone=timezone), {"misfire_grace_time": 30}),
    }


# Run at start-up too: the frequent jobs, and the daily ones when their time today has passed
# (a restart at 07:05 must not skip the day's reminders; dedupe keys make the extra run harmless).
START_NOW = ("meeting-reminders", "deliver-notifications", "run-imports")
CATCH_UP_DAILY = {"action-item-reminders": (7, 0), "measurement-due": (7, 0), "daily-digest": (7, 30)}


def first_run(name, now):
    """When `name` first runs if the scheduler starts at `now` (aware, local); None: per trigger."""
    if name in START_NOW:
        return now
    if name in CATCH_UP_DAILY and (now.hour, now.minute) >= CATCH_UP_DAILY[name]:
        return now
    return None


def run_scheduled(app, name):
    """One scheduled run: in an app context, at the current instant, in the job's transaction
    (`run_job` commits it, or rolls it back when the job fails)."""
    from cxgov.notifications.jobs import run_job

    with app.app_context():
        started = time.monotonic()
        try:
            count = run_job(name, utcnow())
        except Exception:
            log.exception("job %s failed", name)
            return
        finally:
            db.session.remove()
        log.info("job %s: %s in %.1fs", name, count, time.monotonic() - started)


def build_scheduler(app, scheduler_class=BlockingScheduler, now=None):
    timezone = local_zone(app)
    now = (now or utcnow()).astimezone(timezone)
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    # SQLite has one writer: run the jobs one after another there.
    executors = {"default": ThreadPoolExecutor(1 if sqlite else 4)}
    scheduler = scheduler_class(timezone=timezone, job_defaults=dict(JOB_DEFAULTS), executors=executors)
    for name, (trigger, options) in triggers(timezone).items():
        start = first_run(name, now)
        if start is not None:
            options = {**options, "next_run_time": start}
        scheduler.add_job(run_scheduled, trigger, args=[app, name], id=name, name=name,
                          replace_existing=True, **options)
    return scheduler


def try_leader_lock(engine):
    """On PostgreSQL: a connection holding the scheduler's advisory lock, or None when another
    process holds it. On other databases (single machine) there is nothing to take: a dummy True.

    The lock belongs to the connection's session, not to a transaction: the connection runs in
    autocommit, so it never sits idle inside a transaction (and writes nothing to commit)."""
    if engine.dialect.name != "postgresql":
        return True
    connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        taken = connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}).scalar()
    except BaseException:
        connection.close()
        raise
    if not taken:
        connection.close()
        return None
    return connection


def release_leader_lock(lock):
    if lock is True or lock is None:
        return
    try:
        lock.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
    finally:
        lock.close()


def _watch_lock(scheduler, lock, lost):
    """Stop the scheduler if the lock's connection is lost: the lock went with it."""

    def check():
        try:
            lock.execute(sa.text("SELECT 1"))
        except Exception:
            log.exception("lost the scheduler lock connection; stopping")
            lost.append(True)
            scheduler.shutdown(wait=False)

    scheduler.add_job(check, IntervalTrigger(minutes=1), id="leader-lock-check", name="leader-lock-check")


def _stop(signum, frame):
    raise SystemExit(0)


def run_scheduler(app, retry_seconds=LOCK_RETRY_SECONDS):
    """Block forever: wait for the leader lock (PostgreSQL), then run the schedule.

    SIGTERM and SIGINT stop it cleanly, also when a shell started it in the background
    (`make run`), where SIGINT would otherwise be ignored."""
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with app.app_context():
        engine = db.engine
    lock = try_leader_lock(engine)
    while lock is None:
        log.info("another scheduler holds the lock; idle, retrying in %ss", retry_seconds)
        time.sleep(retry_seconds)
        lock = try_leader_lock(engine)
    scheduler = build_scheduler(app)
    lost = []
    if lock is not True:
        _watch_lock(scheduler, lock, lost)
    log.info("scheduler started (time zone %s): %s", app.config["CXGOV_TIMEZONE"],
             ", ".join(job.id for job in scheduler.get_jobs()))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        release_leader_lock(lock) if not lost else lock.close()
        log.info("scheduler stopped")
    if lost:
        raise SystemExit(1)  # let the process supervisor start it again
