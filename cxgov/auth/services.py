"""Signing in: password checks, API tokens and remember-me tokens (only their SHA-256 digest is
stored), and ending credentials: one token, one browser session, or all of a user's at once
(`end_all_credentials`, by bumping the user's credential generation: `cxgov.org.services`)."""
import hashlib
import itertools
import secrets
import time
from datetime import timedelta

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import bindparam, delete, event, select
from sqlalchemy.orm import Session, lazyload, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from cxgov.auth.models import ApiToken, EndedSession, RememberToken
from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.org.models import User
from cxgov.org.passwords import hash_password, needs_rehash, verify_password
from cxgov.org.services import end_all_credentials, normalise_email  # noqa: F401  (signing in and out uses them)


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


def record_sign_in(user, via, address, token_id=None):
    """Audit a sign-in (`via` page, api or remember_me); an API sign-in names the token it issued."""
    from cxgov.audit.services import record_event

    details = {"via": via, "address": address}
    if token_id is not None:
        details["token_id"] = token_id
    record_event("sign_in", "user", user.id, actor_id=user.id, **details)


def record_failed_sign_in(account, via, address):
    """Audit a failed sign-in on the user it named, if any. What was typed is not kept: people
    type their password into the email field too."""
    from cxgov.audit.services import record_event

    user = find_user_by_email(account)
    record_event("sign_in_failed", "user", user.id if user is not None else None,
                 via=via, address=address, account="known" if user is not None else "unknown")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user):
    """A new API token for `user`: returns (the raw token, shown once, and its row)."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        token_hash=_digest(raw),
        generation=user.credential_generation,
        expires_at=utcnow() + timedelta(hours=current_app.config["CXGOV_TOKEN_TTL_HOURS"]),
    )
    db.session.add(token)
    db.session.flush()
    return raw, token


def keep_token(token_id, user):
    """After `end_all_credentials`, let the token signing this very request go on working."""
    token = db.session.get(ApiToken, token_id)
    if token is not None and token.user_id == user.id:
        token.generation = user.credential_generation


def keep_request_token(user):
    """`keep_token` for the API token of the request being served, if it signs one."""
    if has_request_context() and g.get("api_token_id") is not None:
        keep_token(g.api_token_id, user)


def issue_remember_token(user):
    """A new remember-me token for `user` (one per sign-in): returns the raw token for the cookie."""
    raw = secrets.token_urlsafe(32)
    db.session.add(RememberToken(
        user_id=user.id, token_hash=_digest(raw), generation=user.credential_generation,
        expires_at=utcnow() + current_app.config["REMEMBER_COOKIE_DURATION"],
    ))
    db.session.flush()
    return raw


def user_for_remember_token(raw):
    """The active user of a live remember-me token (not expired, revoked or outlived by its
    user's credential generation), or None."""
    if not raw or len(raw) > 200:
        return None
    return db.session.scalar(
        select(User).join(RememberToken, RememberToken.user_id == User.id)
        .where(RememberToken.token_hash == _digest(raw), RememberToken.revoked_at.is_(None),
               RememberToken.expires_at > utcnow(), RememberToken.generation == User.credential_generation,
               User.active.is_(True))
    )


def revoke_remember_token(raw, user):
    """Signing out: the remember-me token of this browser (if it is the user's) stops working."""
    if not raw or len(raw) > 200:
        return
    token = db.session.scalar(select(RememberToken).where(RememberToken.token_hash == _digest(raw)))
    if token is not None and token.user_id == user.id and token.revoked_at is None:
        token.revoked_at = utcnow()


def end_session(user, session_id, ends_at):
    """Signing out: the browser session `session_id` opens nothing any more, even if its cookie
    was captured. Records of sessions past their absolute limit are dropped on the way."""
    now = utcnow()
    db.session.execute(delete(EndedSession).where(EndedSession.ends_at <= now))
    if isinstance(session_id, str) and ends_at > now:
        db.session.add(EndedSession(session_id=session_id, user_id=user.id, ends_at=ends_at))
    db.session.flush()


def session_user(user_id, generation, session_id):
    """The active user of a browser session signed in under credential generation `generation`,
    unless the session was signed out of or the generation has moved on: one query."""
    ended = select(EndedSession.id).where(EndedSession.session_id == session_id).exists()
    found = db.session.execute(select(User, ended).where(User.id == user_id)).first()
    if found is None:
        return None
    user, was_ended = found
    if was_ended or not user.active or user.credential_generation != generation:
        return None
    return user


# Built once: every API request runs it, and building a statement costs more than running it.
_USER_FOR_TOKEN = (
    select(User, ApiToken.id, ApiToken.expires_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None),
           ApiToken.expires_at > bindparam("now"), ApiToken.generation == User.credential_generation,
           User.active.is_(True))
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

