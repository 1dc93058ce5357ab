"""Browser session lifetime (ASVS V7): an idle timeout and an absolute timeout.

The session cookie carries two instants (epoch seconds): when its user signed in and when they
were last seen. A session past either limit is emptied before the request is served, so the
request continues anonymous (pages redirect to /login) unless a remember-me cookie re-opens a
session, which then counts as a new, non-fresh sign-in.
"""
from flask import current_app, request, session
from flask_login import user_loaded_from_cookie

from cxgov.db import utcnow

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"


def _now():
    return int(utcnow().timestamp())


def start_session_clock(now=None):
    """Call right after `login_user`: the absolute and idle limits count from now."""
    now = _now() if now is None else now
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


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


@user_loaded_from_cookie.connect
def _restart_clock_from_remember_cookie(sender, user=None, **extra):
    start_session_clock()
