"""Session sign-in for the browser pages."""
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from cxgov.auth.api import account_key, account_limit, login_limit
from cxgov import pages
from cxgov.auth.schemas import TokenRequestSchema
from cxgov.auth.services import authenticate
from cxgov.auth.sessions import start_session_clock
from cxgov.extensions import db, limiter

bp = Blueprint("auth", __name__)

LOGIN_FORM = pages.FormSpec(
    "login",
    email=pages.Field("email", "Email", noun="your email address"),
    password=pages.Field("password", "Password", noun="your password"),
    remember=pages.Field("remember", "Keep me signed in", "choice"),
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
@limiter.limit(login_limit, methods=["POST"])
@limiter.limit(account_limit, key_func=account_key, methods=["POST"])
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
    user = authenticate(credentials["email"], credentials["password"])
    if user is not None:
        session.clear()  # a fresh session on every sign-in
        login_user(user, remember=bool(form.value("remember")))
        start_session_clock()
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))
    db.session.rollback()
    form.add(pages.FORM_LEVEL, "Unknown email or wrong password.")
    return _login_again(form, 200)


def _login_again(form, status):
    form.values.pop("password", None)  # never sent back
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))

blueprints = [bp]
