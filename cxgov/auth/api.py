"""POST /api/auth/tokens (sign in), DELETE /api/auth/tokens/current (sign out)."""
from flask import current_app, g, request
from flask_babel import gettext as _

from cxgov.audit.services import record_event
from cxgov.auth import throttle
from cxgov.auth.models import ApiToken
from cxgov.auth.schemas import TokenRequestSchema, TokenSchema
from cxgov.auth.services import (
    authenticate,
    issue_token,
    normalise_email,
    record_failed_sign_in,
    record_sign_in,
    revoke_token,
)
from cxgov.errors import Unauthorized
from cxgov.extensions import db, limiter
from cxgov.rest import Blueprint
from cxgov.transaction import rollback, transactional

blp = Blueprint("api_auth", __name__, url_prefix="/api/auth", description="Sign in with a password, get a bearer token.")

# `/login` and `POST /api/auth/tokens` draw on one budget per address.
sign_in_scope = "sign-in"


def login_limit():
    """Sign-in attempts per client address, pages and API together."""
    return current_app.config["CXGOV_LOGIN_LIMIT"]


@blp.route("/tokens", methods=["POST"])
@limiter.shared_limit(login_limit, scope=sign_in_scope)
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.problems(400, 401, 422, 429)
def create_token(data):
    """Exchange an email and password for a bearer token. Failed attempts on one account are
    throttled (429 with `Retry-After`) per address and, from unfamiliar addresses, together."""
    account = normalise_email(data["email"])[:254]
    throttle.check(account)
    user = authenticate(data["email"], data["password"])
    if user is None:
        rollback()  # nothing of the attempt but its record is kept
        with transactional():
            record_failed_sign_in(account, via="api", address=request.remote_addr)
        throttle.record_failure(account)
        raise Unauthorized(_("Unknown email or wrong password."))
    with transactional():
        raw, token = issue_token(user)
        record_sign_in(user, via="api", address=request.remote_addr, token_id=token.id)
    throttle.record_success(account)
    return {"token": raw, "expires_at": token.expires_at}


@blp.route("/tokens/current", methods=["DELETE"])
@blp.response(204)
@blp.problems(401)
def revoke_current_token():
    """Revoke the token this request is signed with."""
    token_id = g.get("api_token_id")
    if token_id is None:
        raise Unauthorized(_("This request is not signed with a bearer token."))
    with transactional():
        token = db.session.get(ApiToken, token_id)
        revoke_token(token)
        record_event("token_revoked", "api_token", token.id, actor_id=token.user_id)


blueprints = [blp]
