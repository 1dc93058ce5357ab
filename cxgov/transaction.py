"""The one transaction boundary (STYLE §1; Indico's request handler commits once).

Services flush and never commit or roll back. Whoever serves a request or runs a job (an API
resource, a page view, a CLI command, a scheduler job) wraps the work in `transactional()`:
the session commits when the block ends normally and rolls back when anything escapes it, then
the exception goes on to the error handlers.
"""
from contextlib import ContextDecorator

from cxgov.extensions import db


class transactional(ContextDecorator):
    """`with transactional():` or `@transactional()`: commit after success, roll back on any
    exception (a failed commit included) and re-raise it."""

    def __enter__(self):
        return db.session

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            db.session.rollback()
            return False
        try:
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return False


def rollback():
    """Undo what the current transaction wrote so far (a refused form re-rendered, a sweep that
    skips one item): the only other place a transaction ends."""
    db.session.rollback()
