"""Browser sessions (ASVS V7): an idle timeout, an absolute timeout, and an end that sticks.

The session cookie carries two instants (epoch seconds): when its user signed in and when they
were last seen. A session past either limit is emptied before the request is served, so the
request continues anonymous (pages redirect to /login) unless a remember-me cookie re-opens a
session, which then counts as a new, non-fresh sign-in.

It also carries a random session id and the user's credential generation at sign-in: a session
signed out of (`EndedSession`) or older than its user's last password change, deactivation,
role change or "sign out everywhere" opens nothing, even if its cookie was captured.

"Keep me signed in" is a random token in the `cxgov_remember` cookie (SHA-256 digest stored, one
per sign-in, expiring after CXGOV_REMEMBER_DAYS, revoked at sign-out). Flask-Login's own
remember cookie (the user id under an HMAC, the same at every sign-in) is never set, and a left
over one opens nothing: sessions need the id and generation it cannot give.
"""
import secrets
from datetime import datetime, timedelta, timezone

from flask import current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import login_user

from cxgov.db import utcnow

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
SESSION_ID = "session_id"
GENERATION = "credential_generation"
REMEMBER_COOKIE = "cxgov_remember"
LEGACY_REMEMBER_COOKIE = "remember_token"


def _now():
    return int(utcnow().timestamp())


def start_session_clock(now=None):
    """The absolute and idle limits count from now."""
    now = _now() if now is None else now
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def sign_in(user, fresh=True):
    """A fresh session for `user`: nothing of the session before survives."""
    session.clear()
    login_user(user, fresh=fresh)
    start_session_clock()
    session[SESSION_ID] = secrets.token_urlsafe(24)
    session[GENERATION] = user.credential_generation


def session_ends_at():
    """When this session would end at the latest (its absolute limit)."""
    signed_in_at = session.get(SIGNED_IN_AT)
    if not isinstance(signed_in_at, int):
        return utcnow()
    return (datetime.fromtimestamp(signed_in_at, timezone.utc)
            + timedelta(hours=current_app.config["CXGOV_SESSION_MAX_HOURS"]))


def expired(signed_in_at, seen_at, now, config):
    """Whether a session signed in at `signed_in_at` and last seen at `seen_at` is over."""
    if not isinstance(signed_in_at, int) or not isinstance(seen_at, int):
        return True
    idle = config["CXGOV_SESSION_IDLE_MINUTES"] * 60
    maximum = config["CXGOV_SESSION_MAX_HOURS"] * 3600
    return now - seen_at > idle or now - signed_in_at > maximum


def enforce_session_lifetime():
    """before_request, ahead of the sign-in check: end sessions past their limits."""
    # The API is signed with bearer tokens; of it only the OpenAPI description reads the session.
    if "_user_id" not in session or (request.path.startswith("/api") and request.path != "/api/openapi.json"):
        return
    now = _now()
    if expired(session.get(SIGNED_IN_AT), session.get(SEEN_AT), now, current_app.config):
        session.clear()
        return
    session[SEEN_AT] = now


def set_remember_cookie(response, raw):
    config = current_app.config
    response.set_cookie(REMEMBER_COOKIE, raw, max_age=config["REMEMBER_COOKIE_DURATION"],
                        secure=config["REMEMBER_COOKIE_SECURE"], httponly=True,
                        samesite=config["REMEMBER_COOKIE_SAMESITE"], path="/")
    response.delete_cookie(LEGACY_REMEMBER_COOKIE)


def clear_remember_cookie(response):
    config = current_app.config
    response.delete_cookie(REMEMBER_COOKIE, secure=config["REMEMBER_COOKIE_SECURE"], httponly=True,
                           samesite=config["REMEMBER_COOKIE_SAMESITE"], path="/")
    response.delete_cookie(LEGACY_REMEMBER_COOKIE)


# -- requests that leave the cookie alone ----------------------------------------------------------

_LEAVE_COOKIE = "cxgov_leave_session_cookie"


def leave_session_cookie():
    """This response sends no session cookie. For what a page's script fetches while the person
    goes on working (a search as they type): every response otherwise writes the whole session
    back (its last-seen clock), and a fetch answered after the form posted beside it would put the
    session as it was before the post back in the browser, losing what the post left in it (its
    flashed message, above all)."""
    g.setdefault(_LEAVE_COOKIE, True)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, but for the responses that leave the cookie alone."""

    def should_set_cookie(self, app, session):
        return not g.get(_LEAVE_COOKIE) and super().should_set_cookie(app, session)
