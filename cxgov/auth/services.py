"""Signing in: password checks and API tokens (only their SHA-256 digest is stored)."""
import hashlib
import itertools
import secrets
import time
from datetime import timedelta

from flask import current_app, has_app_context
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session, lazyload, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from cxgov.auth.models import ApiToken
from cxgov.auth.passwords import hash_password, needs_rehash, verify_password
from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.org.models import User


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str):
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str):
    """The active user with this email and password, or None. Upgrades outdated hashes."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        verify_password(None, password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user):
    """A new API token for `user`: returns (the raw token, shown once, and its row)."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        token_hash=_digest(raw),
        expires_at=utcnow() + timedelta(hours=current_app.config["CXGOV_TOKEN_TTL_HOURS"]),
    )
    db.session.add(token)
    db.session.flush()
    return raw, token


# Built once: every API request runs it, and building a statement costs more than running it.
_USER_FOR_TOKEN = (
    select(User, ApiToken.id, ApiToken.expires_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None),
           ApiToken.expires_at > bindparam("now"), User.active.is_(True))
    .options(lazyload(User.department))  # loaded when a request needs it, not on every one
)
_USER_CLASS = User.__mapper__.class_manager
# What is kept of a user between requests: every column but the password hash.
_CACHED_COLUMNS = tuple(attr.key for attr in User.__mapper__.column_attrs if attr.key != "password_hash")


class VerifiedTokens:
    """The bearer tokens this process verified in the last `seconds`, so a client's run of
    requests costs one token lookup per `seconds` rather than one per request.

    A token's entry holds its user's columns (never the password hash), its id and its expiry;
    it lasts `seconds` and never past the token's expiry. Any change to a user or a token made
    through this process's sessions empties the cache at once (`forget_on_change`), so revoking
    a token, deactivating a user or changing a role takes effect immediately here, and within
    `seconds` in other workers and instances. `CXGOV_TOKEN_CACHE_SECONDS = 0` turns it off."""

    clock = staticmethod(time.monotonic)

    def __init__(self, seconds, size=10_000):
        self.seconds, self.size, self.entries = seconds, size, {}
        # Bumped by every `clear`: a lookup that started before a clear must not store what it
        # read (it may have read the row as it was before the change).
        self.generation = 0

    def get(self, digest):
        entry = self.entries.get(digest)
        if entry is None:
            return None
        deadline, values, token_id, expires_at = entry
        if self.clock() >= deadline or expires_at <= utcnow():
            self.entries.pop(digest, None)
            return None
        return values, token_id

    def put(self, digest, user, token_id, expires_at, generation):
        """Keep what a lookup that started at `generation` found, unless a change came since."""
        if self.seconds <= 0 or generation != self.generation:
            return
        if len(self.entries) >= self.size:
            self.entries.clear()
        values = {key: getattr(user, key) for key in _CACHED_COLUMNS}
        self.entries[digest] = (self.clock() + self.seconds, values, token_id, expires_at)

    def clear(self):
        self.generation += 1
        self.entries.clear()


def verified_tokens(app=None):
    app = app or current_app
    cache = app.extensions.get("cxgov.verified_tokens")
    if cache is None:
        cache = app.extensions["cxgov.verified_tokens"] = VerifiedTokens(app.config["CXGOV_TOKEN_CACHE_SECONDS"])
    return cache


def _attached(values):
    """A user rebuilt from cached columns, attached to this request's session as if loaded
    (no query; the password hash and relationships load if something reads them). If the session
    already holds that user (e.g. signing in again loaded it), that instance is the user."""
    existing = db.session.identity_map.get(identity_key(User, values["id"]))
    if existing is not None:
        return existing
    # As a query's loading does: the column values straight into a new instance's dict (no
    # attribute events), then marked persistent-as-loaded.
    user = _USER_CLASS.new_instance()
    user.__dict__.update(values)
    make_transient_to_detached(user)
    db.session.add(user)
    return user


def user_for_token(raw: str):
    """(the active user, the token's id) of a live raw bearer token, or None if it is unknown,
    expired or revoked, or its user is deactivated: one query, or none when this process
    verified the token moments ago (`VerifiedTokens`)."""
    if not raw or len(raw) > 200:
        return None
    digest = _digest(raw)
    cache = verified_tokens()
    hit = cache.get(digest)
    if hit is not None:
        values, token_id = hit
        return _attached(values), token_id
    generation = cache.generation
    found = db.session.execute(_USER_FOR_TOKEN, {"digest": digest, "now": utcnow()}).first()
    if found is None:
        return None
    user, token_id, expires_at = found
    cache.put(digest, user, token_id, expires_at, generation)
    return user, token_id


_CHANGED = "cxgov.users_or_tokens_changed"


def forget_on_change(session, flush_context=None):
    """after_flush: a user or a token changed, so no verified token may be trusted any longer.
    Emptied now and again at commit (`forget_on_commit`): between the two, another request of this
    process may still read (and would cache) the rows as they were before the change."""
    changed = itertools.chain(session.new, session.dirty, session.deleted)
    if any(isinstance(obj, (User, ApiToken)) for obj in changed) and has_app_context():
        verified_tokens().clear()
        session.info[_CHANGED] = True


def forget_on_commit(session):
    """after_commit: the change is now what every other request reads."""
    if session.info.pop(_CHANGED, False) and has_app_context():
        verified_tokens().clear()


def _forget_mark(session, *args):
    session.info.pop(_CHANGED, None)


def forget_on_bulk_change(orm_execute_state):
    """do_orm_execute: the same for bulk UPDATE and DELETE statements on users or tokens."""
    if (orm_execute_state.is_update or orm_execute_state.is_delete) and has_app_context():
        entity = orm_execute_state.bind_mapper
        if entity is not None and entity.class_ in (User, ApiToken):
            verified_tokens().clear()
            orm_execute_state.session.info[_CHANGED] = True


def install():
    for name, listener in (("after_flush", forget_on_change), ("do_orm_execute", forget_on_bulk_change),
                           ("after_commit", forget_on_commit), ("after_soft_rollback", _forget_mark)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def revoke_token(token):
    token.revoked_at = utcnow()

