"""Two real scheduler processes on one PostgreSQL database: the one holding the advisory lock is
killed (SIGKILL, no clean shutdown), the idle one takes the lock over and carries on, and every
meeting reminder is created and mailed exactly once, the ones due before the kill and the one due
during the handover alike.

Time is controlled the way the scheduler allows: each process runs `run_scheduler` with a lock
retry of 1 s (instead of a minute) and the two frequent jobs (meeting reminders, delivery) every
second instead of every 15 and 1 minutes; what they do at each run is the production code. Every
wait is bounded; everything listens on loopback."""
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import make_url

from cxgov.scheduler import LOCK_KEY
from tests import factories as f
from tests.conftest import PG_URL
from tests.notifications.conftest import notifications

pytestmark = pytest.mark.skipif(not PG_URL, reason="the scheduler's leader lock is PostgreSQL's advisory lock")

ROOT = Path(__file__).resolve().parents[2]
HANDOVER_SECONDS = 60  # the promise: the idle scheduler takes over within a minute

# One scheduler process: the production `run_scheduler`, with the retry and the two frequent
# jobs' intervals shortened (the test's clock), logging to stderr.
PROCESS = """
import logging, sys
from apscheduler.triggers.interval import IntervalTrigger
from cxgov import create_app, scheduler

logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")
production = scheduler.triggers

def fast(timezone):
    table = production(timezone)
    for name in ("meeting-reminders", "deliver-notifications"):
        table[name] = (IntervalTrigger(seconds=1, timezone=timezone), {"misfire_grace_time": 30})
    return table

scheduler.triggers = fast
app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": sys.argv[1], "MAIL_SERVER": "127.0.0.1",
                  "MAIL_PORT": int(sys.argv[2]), "MAIL_USE_TLS": False, "MAIL_TIMEOUT": 5,
                  "MAIL_DEFAULT_SENDER": "cxgov@example.com"})
scheduler.run_scheduler(app, retry_seconds=1)
"""


def _start(url, port, log):
    return subprocess.Popen([sys.executable, "-c", PROCESS, url, str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=log, env={**os.environ, "PYTHONWARNINGS": "ignore"})


def _lock_holder(url):
    """The backend pid holding the scheduler's advisory lock, or None."""
    u = make_url(url)
    with psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                         password=u.password, dbname=u.database, autocommit=True) as connection:
        row = connection.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND ((classid::bigint << 32) | objid::bigint) = %s", (LOCK_KEY,)).fetchone()
    return row and row[0]


def _until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s: {what}")


def _meeting(starts_at):
    committee = f.create_committee()
    users = [f.create_user() for _ in range(2)]
    for user in users:
        f.add_committee_member(committee, user)
    return f.create_meeting(committee, starts_at=starts_at).id, sorted(u.email for u in users)


def test_killing_the_lock_holder_hands_over_without_losing_or_doubling_a_reminder(app, smtp, tmp_path):
    url, port = app.config["SQLALCHEMY_DATABASE_URI"], smtp.port
    soon = datetime.now(timezone.utc) + timedelta(hours=5)
    with app.app_context():
        first_meeting, first_people = _meeting(soon)
    logs = {name: tmp_path / f"{name}.log" for name in ("a", "b")}
    processes = {}
    try:
        for name, log in logs.items():  # both at once: one takes the lock, the other waits
            with open(log, "w") as handle:
                processes[name] = _start(url, port, handle)

        def roles():
            text = {name: log.read_text() for name, log in logs.items()}
            started = [name for name in text if "scheduler started" in text[name]]
            waiting = [name for name in text if "another scheduler holds the lock" in text[name]]
            return len(started) == len(waiting) == 1 and (started[0], waiting[0])
        first, second = _until(roles, 60, "one scheduler takes the lock, the other waits")
        holder = _lock_holder(url)
        assert holder
        _until(lambda: len(smtp.messages) >= 2, 30, "the first scheduler mails the first meeting's reminders")
        assert _lock_holder(url) == holder and processes[second].poll() is None

        processes[first].send_signal(signal.SIGKILL)
        processes[first].wait(timeout=10)
        killed = time.monotonic()
        with app.app_context():  # due while nobody holds the lock
            second_meeting, second_people = _meeting(soon + timedelta(minutes=30))
        new_holder = _until(lambda: _lock_holder(url), HANDOVER_SECONDS, "the second scheduler takes over")
        handover = time.monotonic() - killed
        assert new_holder != holder and handover < HANDOVER_SECONDS
        assert processes[second].poll() is None

        _until(lambda: len(smtp.messages) >= 4, 30, "the second meeting's reminders are mailed")
        time.sleep(3)  # three more runs of each job: nothing more may be created or sent
        assert sorted(rcpt[0] for rcpt, _ in smtp.messages) == sorted(first_people + second_people)
        with app.app_context():
            reminders = notifications(kind="meeting_reminder")
            assert Counter(n.entity_id for n in reminders) == {first_meeting: 2, second_meeting: 2}
            assert all(n.sent_at is not None for n in reminders)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)
