"""Who is calling: session users on pages, bearer tokens on /api. Nothing but sign-in and the
health check is served to someone not signed in."""
from flask import g, redirect, request, url_for
from flask_login import current_user

from cxgov.errors import problem
from cxgov.extensions import db, login_manager
from cxgov.org.models import User

PUBLIC_ENDPOINTS = {"auth.login", "api_auth.create_token", "healthz", "static"}


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
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


@login_manager.request_loader
def load_token_user(req):
    if not req.path.startswith("/api"):
        return None
    raw = _bearer()
    if raw is None:
        return None
    from cxgov.auth.services import user_for_token

    found = user_for_token(raw)
    if found is None:
        return None
    user, g.api_token_id = found
    return user


@login_manager.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api"):
        return problem(401, "Sign in first: send Authorization: Bearer <token> from POST /api/auth/tokens.")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def require_sign_in():
    """before_request: everything but the public endpoints needs a signed-in user."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None
