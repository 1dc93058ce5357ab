"""The signed-in person's own account (/account): their password (the current one needed; every
other session and token of theirs ends, this browser stays signed in), how reminders reach them
(each as a mail, or one daily digest), and signing out everywhere (the sign-out form of every
page, `auth.logout` with `everywhere`). And the page a one-time "set your password" link opens
(/password/set/<token>), for someone not signed in."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cxgov import pages
from cxgov.auth import password_links
from cxgov.auth.sessions import sign_in
from cxgov.errors import Invalid
from cxgov.org import services as org
from cxgov.org.models import DIGEST_PREFERENCES
from cxgov.org.schemas import MeUpdateSchema
from cxgov.transaction import rollback, transactional

bp = Blueprint("account", __name__)

# What each digest preference means to the person choosing it.
DIGEST_LABELS = {
    "immediate": "Each reminder as its own mail, when it is due",
    "daily": "One mail a day gathering my reminders (a daily digest)",
}
assert set(DIGEST_LABELS) == set(DIGEST_PREFERENCES)

PASSWORD_FORM = pages.FormSpec(
    "password",
    current_password=pages.Field("current-password", "Current password", noun="your current password"),
    password=pages.Field("new-password", "New password", noun="the new password"),
    password_again=pages.Field("new-password-again", "New password again", noun="the new password again"),
)
DIGEST_FORM = pages.FormSpec(
    "digest",
    digest_preference=pages.Field("digest-preference", "How reminders reach you", "choice",
                                  noun="how reminders reach you"),
)
SET_PASSWORD_FORM = pages.FormSpec(
    "set-password",
    password=pages.Field("new-password", "New password", noun="a password"),
    password_again=pages.Field("new-password-again", "New password again", noun="the password again"),
)


def _passwords(form, *names):
    """The password fields as typed (a password may begin or end with a space): never trimmed,
    never sent back on a re-render. A missing one, or two new ones that differ, is a message."""
    typed = {name: request.form.get(name, "") for name in names}
    for name in names:
        if not typed[name]:
            form.add(name, pages.human_message("Required.", form.spec.fields[name]))
    if typed.get("password") and typed.get("password_again") and typed["password"] != typed["password_again"]:
        form.add("password_again", "The two new passwords differ; type the same one twice.")
    return typed


# -- account settings ----------------------------------------------------------------------------

@bp.route("/account")
def settings():
    return _render_settings()


def _render_settings(form=None, status=200):
    user = current_user._get_current_object()
    forms = {"password": PASSWORD_FORM.blank(), "digest": DIGEST_FORM.blank(digest_preference=user.digest_preference)}
    if form is not None:
        form.values = {k: v for k, v in form.values.items() if "password" not in k}  # never sent back
        forms[form.name] = form
    return render_template("auth/account.html", user=user, forms=forms, form=form,
                           digest_labels=DIGEST_LABELS), status


@bp.route("/account/password", methods=["POST"])
def change_password():
    user = current_user._get_current_object()
    form = PASSWORD_FORM.read()
    typed = _passwords(form, "current_password", "password", "password_again")
    try:
        data = form.load(MeUpdateSchema(), {"password": typed["password"],
                                            "current_password": typed["current_password"]})
        with transactional():
            try:
                org.update_me(user, data)  # every credential of theirs ends (a new generation)
            except Invalid as error:
                rollback()
                form.refuse(error)
            sign_in(user)  # this browser goes on, under the new generation
    except pages.FormInvalid:
        return _render_settings(form, 422)
    flash("Your password is changed. Every other browser and API token of yours is signed out.", "success")
    return redirect(url_for("account.settings"))


@bp.route("/account/digest", methods=["POST"])
def digest():
    user = current_user._get_current_object()
    form = DIGEST_FORM.read()
    try:
        data = form.load(MeUpdateSchema(), form.data("digest_preference"))
        if "digest_preference" not in data:
            form.add("digest_preference", pages.human_message("Required.", form.spec.fields["digest_preference"]))
            raise pages.FormInvalid(form)
        with transactional():
            org.update_me(user, data)
    except pages.FormInvalid:
        return _render_settings(form, 422)
    flash("Saved: " + DIGEST_LABELS[user.digest_preference].lower() + ".", "success")
    return redirect(url_for("account.settings"))


# -- a one-time "set your password" link -------------------------------------------------------------

@bp.route("/password/set/<token>", methods=["GET", "POST"])
def set_password(token):
    link = password_links.live_link(token)
    if link is None:
        return render_template("auth/set_password.html", link=None, form=None), 410
    form = SET_PASSWORD_FORM.read() if request.method == "POST" else SET_PASSWORD_FORM.blank()
    if request.method == "GET":
        return render_template("auth/set_password.html", link=link, form=form)
    typed = _passwords(form, "password", "password_again")
    try:
        if form.errors:
            raise pages.FormInvalid(form)
        with transactional():
            try:
                password_links.use(token, typed["password"])
            except Invalid as error:
                rollback()
                form.refuse(error)
    except pages.FormInvalid:
        form.values = {}
        return render_template("auth/set_password.html", link=link, form=form), 422
    flash("Your password is set. Sign in with your email address and the new password.", "success")
    return redirect(url_for("auth.login"))
