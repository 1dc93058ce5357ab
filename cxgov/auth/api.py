"""POST /api/auth/tokens (sign in), DELETE /api/auth/tokens/current (sign out)."""
from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from cxgov.auth.models import ApiToken
from cxgov.auth.schemas import TokenRequestSchema, TokenSchema
from cxgov.auth.services import authenticate, issue_token, normalise_email, revoke_token
from cxgov.errors import Unauthorized
from cxgov.extensions import db, limiter
from cxgov.rest import Blueprint

blp = Blueprint("api_auth", __name__, url_prefix="/api/auth", description="Sign in with a password, get a bearer token.")


def login_limit():
    """Sign-in attempts per client address."""
    return current_app.config["CXGOV_LOGIN_LIMIT"]


def account_limit():
    """Sign-in attempts per account, whichever addresses they come from."""
    return current_app.config["CXGOV_LOGIN_ACCOUNT_LIMIT"]


def account_key():
    """The rate-limit key of a sign-in attempt: the normalised email it names (form or JSON
    body), or the client address when it names none."""
    email = request.form.get("email")
    if email is None:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    if not isinstance(email, str) or not email.strip():
        return get_remote_address()
    return "account:" + normalise_email(email)[:254]


@blp.route("/tokens", methods=["POST"])
@limiter.limit(login_limit)
@limiter.limit(account_limit, key_func=account_key)
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.problems(400, 401, 422)
def create_token(data):
    """Exchange an email and password for a bearer token."""
    user = authenticate(data["email"], data["password"])
    if user is None:
        raise Unauthorized("Unknown email or wrong password.")
    raw, token = issue_token(user)
    db.session.commit()
    return {"token": raw, "expires_at": token.expires_at}


@blp.route("/tokens/current", methods=["DELETE"])
@blp.response(204)
@blp.problems(401)
def revoke_current_token():
    """Revoke the token this request is signed with."""
    token_id = g.get("api_token_id")
    if token_id is None:
        raise Unauthorized("This request is not signed with a bearer token.")
    revoke_token(db.session.get(ApiToken, token_id))
    db.session.commit()

blueprints = [blp]
