"""The one transaction boundary (STYLE §1; Indico's request handler commits once).

Services flush and never commit or roll back. Whoever serves a request or runs a job (an API
resource, a page view, a CLI command, a scheduler job) wraps the work in `transactional()`:
the session commits when the block ends normally and rolls back when anything escapes it, then
the exception goes on to the error handlers.

A refusal may leave a trace although the refused work is undone (an attempt to claim a KPI
movement already claimed is audited): `after_rollback(record)` queues `record`, which runs and
commits in a transaction of its own if, and only if, the current transaction is rolled back.
"""
import logging
from contextlib import ContextDecorator

from cxgov.extensions import db


class transactional(ContextDecorator):
    """`with transactional():` or `@transactional()`: commit after success, roll back on any
    exception (a failed commit included) and re-raise it."""

    def __enter__(self):
        return db.session

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            rollback()
            return False
        try:
            db.session.commit()
        except BaseException:
            rollback()
            raise
        db.session.info.pop(PENDING, None)
        return False


PENDING = "cxgov.after_rollback"
log = logging.getLogger(__name__)


def after_rollback(record):
    """Run `record()` (it adds rows; it must not raise for the refusal's sake) in a transaction
    of its own once the current transaction is rolled back; forgotten if it commits."""
    db.session.info.setdefault(PENDING, []).append(record)


def keep_traces():
    """Write now, in the current transaction, what `after_rollback` queued: for a refusal raised
    before it wrote anything, when the transaction goes on (the demo writes its story in one)."""
    for record in db.session.info.pop(PENDING, []):
        record()
    db.session.flush()


def rollback():
    """Undo what the current transaction wrote so far (a refused form re-rendered, a sweep that
    skips one item): the only other place a transaction ends. What `after_rollback` queued is
    then written and committed."""
    db.session.rollback()
    pending = db.session.info.pop(PENDING, [])
    if not pending:
        return
    try:
        for record in pending:
            record()
        db.session.commit()
    except Exception:  # the refusal is answered even if its trace cannot be kept
        log.exception("could not keep the trace of a refused change")
        db.session.rollback()
