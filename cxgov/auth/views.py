"""Session sign-in for the browser pages."""
from urllib.parse import urlsplit

from flask import Blueprint, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user

from cxgov import i18n, pages
from cxgov.audit.services import record_event
from cxgov.auth import account, throttle
from cxgov.auth.api import login_limit, sign_in_scope
from cxgov.auth.schemas import TokenRequestSchema
from cxgov.auth.services import (
    authenticate,
    end_all_credentials,
    end_session,
    issue_remember_token,
    normalise_email,
    record_failed_sign_in,
    record_sign_in,
    revoke_remember_token,
)
from cxgov.auth.sessions import (
    REMEMBER_COOKIE,
    SESSION_ID,
    clear_remember_cookie,
    session_ends_at,
    set_remember_cookie,
    sign_in,
)
from cxgov.extensions import limiter
from cxgov.transaction import rollback, transactional

bp = Blueprint("auth", __name__)

LOGIN_FORM = pages.FormSpec(
    "login",
    email=pages.Field("email", _l("Email"), noun=_l("your email address")),
    password=pages.Field("password", _l("Password"), noun=_l("your password")),
    remember=pages.Field("remember", _l("Keep me signed in"), "choice"),
)


def _safe_next(target):
    """Only redirect to paths on this site."""
    if not target:
        return None
    # Browsers read a backslash as a slash ("/\\evil" is "//evil") and drop control characters.
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.shared_limit(login_limit, scope=sign_in_scope, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    if request.method == "GET":
        return render_template("auth/login.html", form=LOGIN_FORM.blank())
    form = LOGIN_FORM.read()
    data = form.data("email")
    if request.form.get("password"):
        data["password"] = request.form["password"]  # as typed: it may begin or end with a space
    try:
        credentials = form.load(TokenRequestSchema(), data)
    except pages.FormInvalid:
        return _login_again(form, 422)
    account = normalise_email(credentials["email"])[:254]
    throttle.check(account)
    user = authenticate(credentials["email"], credentials["password"])
    if user is not None:
        with transactional():
            sign_in(user)
            _first_settings(user)
            raw = issue_remember_token(user) if form.value("remember") else None
            record_sign_in(user, via="page", address=request.remote_addr)
        throttle.record_success(account)
        response = make_response(redirect(_safe_next(request.args.get("next")) or url_for("home.index")))
        if raw:
            set_remember_cookie(response, raw)
        return response
    rollback()  # nothing of the attempt but its record is kept
    with transactional():
        record_failed_sign_in(account, via="page", address=request.remote_addr)
    throttle.record_failure(account)
    form.add(pages.FORM_LEVEL, _("Unknown email or wrong password."))
    return _login_again(form, 200)


def _first_settings(user):
    """A first sign-in keeps the browser's language (Accept-Language, else the deployment's) and,
    when the sign-in form's script sent one, the browser's time zone: the account page changes them."""
    if user.language is None:
        user.language = i18n.from_browser() or i18n.default_language()
    zone = i18n.browser_timezone(request.form.get("timezone"))
    if user.timezone is None and zone:
        user.timezone = zone


def _login_again(form, status):
    form.values.pop("password", None)  # never sent back
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out of this browser (its session and remember-me cookie end for good), or, with
    `everywhere`, out of every browser and API token."""
    user = current_user._get_current_object()
    everywhere = bool(request.form.get("everywhere"))
    with transactional():
        end_session(user, session.get(SESSION_ID), session_ends_at())
        revoke_remember_token(request.cookies.get(REMEMBER_COOKIE), user)
        if everywhere:
            end_all_credentials(user)
        record_event("sign_out", "user", user.id, actor_id=user.id, everywhere=everywhere)
    logout_user()
    session.clear()
    response = make_response(redirect(url_for("auth.login")))
    clear_remember_cookie(response)
    return response

blueprints = [bp, account.bp]
