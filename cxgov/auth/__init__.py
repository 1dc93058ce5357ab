"""Who is calling: session users on pages (or a remember-me cookie re-opening a session),
bearer tokens on /api. Nothing but sign-in and the health check is served to someone not signed
in."""
from flask import g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cxgov.errors import problem
from cxgov.extensions import login_manager
from cxgov.transaction import transactional

# A one-time "set your password" link is opened by someone who cannot sign in yet.
PUBLIC_ENDPOINTS = {"auth.login", "account.set_password", "api_auth.create_token", "healthz", "static"}


def _bearer():
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    return raw.strip() if scheme.lower() == "bearer" else None


@login_manager.user_loader
def load_session_user(user_id):
    if request.path.startswith("/api") and request.path != "/api/openapi.json":
        # The API is signed with bearer tokens only, so it needs no CSRF token; its (read-only)
        # description is also readable from a signed-in browser, where the home page links to it.
        return None
    from cxgov.auth.services import session_user
    from cxgov.auth.sessions import GENERATION, SESSION_ID

    generation, session_id = session.get(GENERATION), session.get(SESSION_ID)
    user = None
    if user_id.isdigit() and isinstance(generation, int) and isinstance(session_id, str):
        user = session_user(int(user_id), generation, session_id)
    if user is None:
        # Signed out, outlived by a password change (or the like), or never issued by a sign-in.
        session.clear()
    return user


def _resume_remembered_user():
    """A page request without a live session but with a remember-me cookie: a new, non-fresh
    session for the cookie's user if the token is live."""
    from cxgov.auth.services import record_sign_in, user_for_remember_token
    from cxgov.auth.sessions import REMEMBER_COOKIE, sign_in

    raw = request.cookies.get(REMEMBER_COOKIE)
    if raw is None:
        return None
    user = user_for_remember_token(raw)
    if user is None:
        g.forget_remember_cookie = True  # dead: the browser need not send it again
        return None
    with transactional():
        sign_in(user, fresh=False)
        record_sign_in(user, via="remember_me", address=request.remote_addr)
    return user


@login_manager.request_loader
def load_token_user(req):
    if not req.path.startswith("/api"):
        return _resume_remembered_user()
    raw = _bearer()
    if raw is None:
        return None
    from cxgov.auth.services import user_for_token

    found = user_for_token(raw)
    if found is None:
        return None
    user, g.api_token_id = found
    return user


def forget_dead_remember_cookie(response):
    """after_request: a remember-me cookie that opened nothing is deleted from the browser."""
    if g.get("forget_remember_cookie"):
        from cxgov.auth.sessions import clear_remember_cookie

        clear_remember_cookie(response)
    return response


@login_manager.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api"):
        return problem(401, _("Sign in first: send Authorization: Bearer <token> from POST /api/auth/tokens."))
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def require_sign_in():
    """before_request: everything but the public endpoints needs a signed-in user."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None
