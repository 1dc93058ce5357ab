"""Session sign-in for the browser pages."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from cxgov.auth.api import account_key, account_limit, login_limit
from cxgov.auth.forms import LoginForm
from cxgov.auth.services import authenticate
from cxgov.auth.sessions import start_session_clock
from cxgov.extensions import db, limiter

bp = Blueprint("auth", __name__)


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
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a fresh session on every sign-in
            login_user(user, remember=form.remember.data)
            start_session_clock()
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")) or url_for("home.index"))
        db.session.rollback()
        flash("Unknown email or wrong password.", "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))

blueprints = [bp]
