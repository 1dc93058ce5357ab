"""Large measurement imports, run in the background (SPEC §4's import past a size).

An upload of more than `CXGOV_IMPORT_SYNC_ROWS` lines (default 50,000; an update of 200,000 rows
takes longer than a web worker may spend on a request) is not imported in the request: the file
is stored, a queued `ImportJob` row is committed, and the caller is answered `202 Accepted` with
`Location: /api/imports/{id}`. The job runs the same import as the request would
(`cxgov.journeys.imports.import_measurements`: all or nothing, one transaction, the journeys
locked), and records its counts or its refusal on the row, in the same transaction as the data.

Where the file waits: `instance/imports/<id>.csv`, not a database column. A blob of hundreds of
megabytes would be read whole into memory by the database driver, bloat the database and its
backups, and on SQLite hold the write lock while it is stored; a file is streamed in and out and
deleted when the job ends. (Several machines serving one database need `instance/` shared.)

Who runs it: a thread of the web process that took the upload starts at once (so `make run` and
the tests need no scheduler) and runs the queue in a child process (`cxgov.import_process`,
this app's settings) at a lower CPU priority, `CXGOV_IMPORT_NICE` (default 10): the import's
parsing then neither shares the web worker's interpreter lock nor takes the cores from the
requests being served; on a busy machine it runs on what they leave, and rests between chunks while
the requests want the cores (`import_pace`: its database work is not lowered by a niceness). The
scheduler's `run-imports` job, every minute, runs what is queued and takes over a job whose
process died (a `running` job whose progress file has not moved for `STALE_AFTER`): the import's
transaction died with the process, so running it again is safe.
Two runners never run one job: a job is claimed by one UPDATE … WHERE status = 'queued'.

Progress: `instance/imports/<id>.progress` (JSON: phase, rows done, rows total), rewritten after
every chunk. A file, not the row, because on SQLite the import's own transaction holds the write
lock while it writes, and any other write (a progress update) would wait for it.
"""
import json
import logging
import os
import re
import secrets
import subprocess
import sys
import threading
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from cxgov.db import utcnow
from cxgov.errors import DomainError, Forbidden, database_busy
from cxgov.extensions import db
from cxgov.journeys import imports
from cxgov.journeys.import_pace import Pacer
from cxgov.journeys.models import ImportJob
from cxgov.journeys.schemas import ImportArgs
from cxgov.org.models import User
from cxgov.transaction import transactional

log = logging.getLogger(__name__)

SYNC_ROWS = 50_000
STALE_AFTER = timedelta(minutes=10)
MAX_ATTEMPTS = 3  # a job that found SQLite's write lock taken is queued again, this many times in all
COPY_CHUNK = 1 << 20


def directory():
    path = current_app.config.get("CXGOV_IMPORT_DIR") or os.path.join(current_app.instance_path, "imports")
    os.makedirs(path, exist_ok=True)
    return path


def file_path(job_id):
    return os.path.join(directory(), f"{job_id}.csv")


def progress_path(job_id):
    return os.path.join(directory(), f"{job_id}.progress")


# -- the request ------------------------------------------------------------------------------------

def count_lines(stream, limit):
    """Line breaks in the upload, counted up to `limit + 1`; the stream is rewound. None when
    the stream cannot be rewound (then the import runs in the request)."""
    if not (hasattr(stream, "seek") and stream.seekable()):
        return None
    stream.seek(0)
    lines = 0
    while lines <= limit:
        block = stream.read(COPY_CHUNK)
        if not block:
            break
        lines += block.count(b"\n")
    stream.seek(0)
    return lines


def in_background(stream):
    """The number of lines when the upload is to be imported in the background, else None."""
    limit = current_app.config.get("CXGOV_IMPORT_SYNC_ROWS", SYNC_ROWS)
    breaks = count_lines(stream, limit + 1)
    if breaks is None or breaks - 1 <= limit:  # the header's line break is not a data line
        return None
    return breaks - 1


def queue_import(actor, stream, filename, args):
    """Store the upload and a queued job for it (flushed: the caller commits, then `start_worker`)."""
    job = ImportJob(status="queued", created_by_id=actor.id, filename=(filename or "upload.csv")[:255],
                    options=ImportArgs().dump(args), size_bytes=0, lines=0, attempts=0)
    db.session.add(job)
    db.session.flush()
    stream.seek(0)
    lines, size = 0, 0
    with open(file_path(job.id), "wb") as target:
        for block in iter(lambda: stream.read(COPY_CHUNK), b""):
            target.write(block)
            lines += block.count(b"\n")
            size += len(block)
    job.size_bytes, job.lines = size, max(lines - 1, 0)  # the header is not a data line
    db.session.flush()
    return job


# -- an upload kept between its preview and its confirmation (the upload page) ------------------------

KEPT_FOR = timedelta(hours=12)  # a preview not confirmed by then is forgotten
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _kept_paths(token):
    return os.path.join(directory(), f"preview-{token}.csv"), os.path.join(directory(), f"preview-{token}.json")


def keep_upload(actor, stream, filename, args):
    """Store an upload whose preview was shown, until it is confirmed: its token. A browser
    cannot send a chosen file again without script, so the confirmation names the kept one.
    Kept uploads older than `KEPT_FOR` are removed on the way."""
    _forget_old()
    token = secrets.token_urlsafe(24)
    data, meta = _kept_paths(token)
    stream.seek(0)
    with open(data, "wb") as target:
        for block in iter(lambda: stream.read(COPY_CHUNK), b""):
            target.write(block)
    with open(meta, "w") as handle:
        json.dump({"user_id": actor.id, "filename": (filename or "upload.csv")[:255],
                   "args": ImportArgs().dump(args)}, handle)
    return token


def kept_upload(token, actor):
    """(path of the file, its name, the import's arguments) of `actor`'s kept upload, or None
    (unknown, someone else's, forgotten or already imported)."""
    if not token or not _TOKEN.match(token):
        return None
    data, meta = _kept_paths(token)
    try:
        with open(meta) as handle:
            kept = json.load(handle)
    except (OSError, ValueError):
        return None
    if kept.get("user_id") != actor.id or not os.path.exists(data):
        return None
    return data, kept["filename"], ImportArgs().load(kept["args"])


def drop_upload(token):
    if token and _TOKEN.match(token):
        for path in _kept_paths(token):
            _remove(path)


def _forget_old():
    limit = utcnow().timestamp() - KEPT_FOR.total_seconds()
    for entry in os.scandir(directory()):
        if entry.name.startswith("preview-"):
            try:
                if entry.stat().st_mtime < limit:
                    _remove(entry.path)
            except OSError:
                pass


def progress_of(job):
    """{"phase", "done", "total"} of a job: from its progress file while it runs."""
    if job.status == "done":
        rows = (job.counts or {}).get("rows", job.lines)
        return {"phase": "done", "done": rows, "total": rows}
    if job.status == "running":
        try:
            with open(progress_path(job.id)) as handle:
                return json.load(handle)
        except (OSError, ValueError):
            pass
    return {"phase": job.status, "done": 0, "total": job.lines}


# -- running ----------------------------------------------------------------------------------------

@transactional()
def claim(job_id):
    """Take the queued job `job_id` for this runner (one UPDATE: exactly one runner wins); commits."""
    return db.session.execute(
        sa.update(ImportJob).where(ImportJob.id == job_id, ImportJob.status == "queued")
        .values(status="running", started_at=utcnow(), attempts=ImportJob.attempts + 1)).rowcount == 1


@transactional()
def requeue_stale(now: datetime):
    """Jobs left `running` by a process that died (no progress for STALE_AFTER) go back to the queue."""
    stale = []
    for job in db.session.scalars(sa.select(ImportJob).where(ImportJob.status == "running")):
        try:
            moved = datetime.fromtimestamp(os.path.getmtime(progress_path(job.id)), tz=now.tzinfo)
        except OSError:
            moved = job.started_at
        if moved is None or now - moved > STALE_AFTER:
            stale.append(job.id)
    if stale:
        db.session.execute(sa.update(ImportJob).where(ImportJob.id.in_(stale), ImportJob.status == "running")
                           .values(status="queued"))
    return stale


def run_queued(now: datetime | None = None) -> int:
    """Run every queued job, oldest first (the scheduler's `run-imports`); returns how many ran."""
    now = now or utcnow()
    requeue_stale(now)
    ran = 0
    while True:
        with transactional():
            job_id = db.session.scalar(sa.select(sa.func.min(ImportJob.id)).where(ImportJob.status == "queued"))
        if job_id is None:
            return ran
        if claim(job_id):
            run(job_id)
            ran += 1


def _write_progress(job_id, total):
    path, temporary = progress_path(job_id), progress_path(job_id) + ".tmp"

    def progress(phase, done):
        with open(temporary, "w") as handle:
            json.dump({"phase": phase, "done": done, "total": total}, handle)
        os.replace(temporary, path)

    return progress


def _paced(progress):
    """`progress`, resting after each chunk while the machine is busy (`import_pace`)."""
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    pacer = Pacer(current_app.config.get("CXGOV_IMPORT_REST", 3),
                  holds_lock=lambda phase: sqlite and phase == "writing")

    def paced(phase, done):
        progress(phase, done)
        pacer(phase)

    return paced


def run(job_id):
    """Run a claimed job, one transaction: the import and the job's `done` commit together; a
    refusal rolls the import back and marks the job `failed` (a transaction of its own) with the
    problem the request would have answered."""
    outcome = None
    try:
        with transactional():
            job = db.session.get(ImportJob, job_id)
            progress = _paced(_write_progress(job_id, job.lines))
            progress("checking", 0)
            actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
            if actor is None or not actor.active:
                raise Forbidden(_("The user who uploaded the file can no longer import."))
            args = ImportArgs().load(job.options)
            with open(file_path(job_id), "rb") as upload:
                counts = imports.import_measurements(actor, upload, args, progress=progress)
            job.status, job.counts, job.finished_at = "done", counts, utcnow()
        outcome = "done"
    except DomainError as problem:
        _fail(job_id, {"status": problem.status, "detail": problem.detail, "errors": problem.errors or {},
                       **problem.extra})
        outcome = "failed"
    except Exception as error:  # noqa: BLE001 — recorded on the job, and logged
        if database_busy(error) and _requeue_busy(job_id):
            log.info("import job %s found the database busy; queued again", job_id)
            return
        log.exception("import job %s failed", job_id)
        _fail(job_id, {"status": 500, "detail": _("The import failed on our side; it has been logged. "
                                                  "Nothing was imported.")})
        outcome = "failed"
    finally:
        if outcome is not None:
            for path in (file_path(job_id), progress_path(job_id)):
                _remove(path)


@transactional()
def _requeue_busy(job_id):
    """A job that found SQLite's write lock taken goes back to the queue, up to MAX_ATTEMPTS runs."""
    if db.session.get(ImportJob, job_id).attempts >= MAX_ATTEMPTS:
        return False
    db.session.execute(sa.update(ImportJob).where(ImportJob.id == job_id).values(status="queued"))
    return True


@transactional()
def _fail(job_id, problem):
    db.session.execute(sa.update(ImportJob).where(ImportJob.id == job_id).values(
        status="failed", problem=problem, finished_at=utcnow()))


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


# -- the worker thread of a web process -----------------------------------------------------------

_lock = threading.Lock()
_state = {"thread": None, "wanted": False}


def start_worker():
    """Make sure a thread of this process runs the queued jobs (after the request committed one)."""
    if not current_app.config.get("CXGOV_IMPORT_WORKER", True):
        return
    app = current_app._get_current_object()
    with _lock:
        _state["wanted"] = True
        if _state["thread"] is None:
            _state["thread"] = threading.Thread(target=_work, args=(app,), name="cxgov-imports", daemon=True)
            _state["thread"].start()


def _work(app):
    with app.app_context():
        try:
            while True:
                with _lock:
                    if not _state["wanted"]:
                        _state["thread"] = None
                        return
                    _state["wanted"] = False
                try:
                    _run_queued_aside(app)
                except Exception:  # noqa: BLE001 — the scheduler's run-imports takes over
                    log.exception("import worker failed")
        finally:
            db.session.remove()
            with _lock:
                if _state["thread"] is threading.current_thread():
                    _state["thread"] = None


def _run_queued_aside(app):
    """`run_queued()` in a child process at CXGOV_IMPORT_NICE (in this thread when it is None);
    returns when the queue is empty. The child is a new interpreter (a fork of a process serving
    requests on other threads could inherit a lock one of them held), made with this app's
    settings, those that JSON carries (the others are the profile's), sent on its stdin."""
    nice = app.config.get("CXGOV_IMPORT_NICE")
    if nice is None:
        run_queued()  # every unit of work in a transactional() of its own
        return
    settings = {"nice": int(nice), "config": {key: value for key, value in app.config.items() if _plain(value)}}
    root = os.path.dirname(app.root_path)  # where `config` and `cxgov` are imported from
    ended = subprocess.run([sys.executable, "-m", "cxgov.import_process"], cwd=root,
                           input=json.dumps(settings).encode(), check=False)
    if ended.returncode:
        log.warning("the import process ended with status %s", ended.returncode)


def _plain(value):
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def join_worker(timeout=None):
    """Wait for this process's import thread to finish what is queued (tests, shutdown)."""
    thread = _state["thread"]
    if thread is not None:
        thread.join(timeout)
