"""Data versions: a token per named set of tables, changed in the same transaction as any write
to them through the ORM, so a figure computed from those tables can be kept and reused for as long
as the token it was computed under is current, in every process and instance alike.

`watch(name, *models)` (at import, by the feature that owns the figure) makes every transaction
that creates, changes or deletes one of `models` through the ORM give the set `name` a new random
token as it commits (`changed(name)` does the same for a write the ORM does not see). A token is
random rather than a counter so that a database restored from a copy (or a test's fresh database)
never meets a token computed on other data. `current(name)` reads it (one query on a primary key;
None when the set has no row, and then nothing is kept); `current_all(*names)` reads several sets'
tokens at once. Writes that bypass the ORM (bulk Core statements, SQL by hand) call
`changed(name)` (the token changes at commit) or `bump(name)` (at once) themselves.

`Kept` is the per-process store: a value is read as `kept.get(key, token, compute)`. Reading the
token before computing keeps it safe: a write committed meanwhile can only make the value newer
than its token, never older, and the next reader sees the new token and computes again.
"""
import secrets
import threading
from collections import OrderedDict

import sqlalchemy as sa
from flask_sqlalchemy.session import Session
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from cxgov.extensions import db

_watched = {}  # model class → names of the sets it belongs to
_watched_deletes = {}  # model class → names of the sets its deletion changes (a foreign key's SET NULL)


class DataVersion(db.Model):
    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    token: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)


def new_token():
    return secrets.randbits(62)


def current(name):
    """The set's token now, or None when it is not tracked in this database."""
    return db.session.scalar(sa.select(DataVersion.token).where(DataVersion.name == name))


def current_all(*names):
    """The tokens of the sets `names`, in that order (one query); None for a set not tracked in
    this database. `Kept` keeps nothing under a tuple holding a None."""
    found = dict(db.session.execute(sa.select(DataVersion.name, DataVersion.token)
                                    .where(DataVersion.name.in_(names))).all())
    return tuple(found.get(name) for name in names)


def bump(name, connection=None):
    """Give the set `name` a new token (in the caller's transaction)."""
    statement = sa.update(DataVersion.__table__).where(DataVersion.__table__.c.name == name).values(token=new_token())
    (connection or db.session.connection()).execute(statement)


def watch(name, *models):
    """Every ORM write to one of `models` gives the set `name` a new token, at commit."""
    for model in models:
        _watched.setdefault(model, set()).add(name)
    for name_, listener in (("before_flush", _before_flush), ("before_commit", _before_commit),
                            ("after_rollback", _after_rollback)):
        if not event.contains(Session, name_, listener):
            event.listen(Session, name_, listener)


def watch_deletes(name, *models):
    """Deleting one of `models` through the ORM gives the set `name` a new token, at commit: for
    rows of the set that the database changes unseen (a foreign key's ON DELETE SET NULL)."""
    for model in models:
        _watched_deletes.setdefault(model, set()).add(name)
    watch(name)


PENDING = "cxgov.data_versions"


def changed(name, session=None):
    """Give the set `name` a new token when the session's transaction commits: for a write the ORM
    does not see (a bulk insert), taking the token's lock as late as an ORM write would."""
    (session or db.session).info.setdefault(PENDING, set()).add(name)


def _before_flush(session, flush_context, instances):
    if session.info.get("data_versions") is False:  # a schema older than the table (migration tests)
        return
    names = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        names |= _watched.get(type(obj), set())
    for obj in session.deleted:
        names |= _watched_deletes.get(type(obj), set())
    if names:
        session.info.setdefault(PENDING, set()).update(names)


def _before_commit(session):
    """The new tokens are written last, just before the commit: the row is locked only while the
    transaction commits, after every other lock it takes, so writers queue on it but never wait
    for one another in a cycle."""
    session.flush()  # what is still pending is flushed now, so every watched write is known
    for name in sorted(session.info.pop(PENDING, ())):
        bump(name, session.connection())


def _after_rollback(session):
    session.info.pop(PENDING, None)


class Kept:
    """A small per-process store of values by key, each valid at one token (least recently used
    first out)."""

    def __init__(self, size=64):
        self.size = size
        self._values = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, token, compute):
        """`compute()`, or the value kept for `key` under `token` (one token, or a tuple of them);
        nothing is kept under a missing token."""
        if token is None or (isinstance(token, tuple) and None in token):
            return compute()
        with self._lock:
            found = self._values.get(key)
            if found is not None and found[0] == token:
                self._values.move_to_end(key)
                return found[1]
        value = compute()
        with self._lock:
            self._values[key] = (token, value)
            self._values.move_to_end(key)
            while len(self._values) > self.size:
                self._values.popitem(last=False)
        return value

    def clear(self):
        with self._lock:
            self._values.clear()
