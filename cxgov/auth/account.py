"""The signed-in person's own account (/account): their password (the current one needed; every
other session and token of theirs ends, this browser stays signed in), how reminders reach them
(each as a mail, or one daily digest), and signing out everywhere (the sign-out form of every
page, `auth.logout` with `everywhere`). And the page a one-time "set your password" link opens
(/password/set/<token>), for someone not signed in."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from cxgov import i18n, pages
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
    "immediate": _l("Each reminder as its own mail, when it is due"),
    "daily": _l("One mail a day gathering my reminders (a daily digest)"),
}
# What the flash says once a preference is saved.
DIGEST_SAVED = {
    "immediate": _l("Saved: each reminder as its own mail, when it is due."),
    "daily": _l("Saved: one mail a day gathering your reminders (a daily digest)."),
}
assert set(DIGEST_LABELS) == set(DIGEST_PREFERENCES)

PASSWORD_FORM = pages.FormSpec(
    "password",
    current_password=pages.Field("current-password", _l("Current password"), noun=_l("your current password")),
    password=pages.Field("new-password", _l("New password"), noun=_l("the new password")),
    password_again=pages.Field("new-password-again", _l("New password again"), noun=_l("the new password again")),
)
DIGEST_FORM = pages.FormSpec(
    "digest",
    digest_preference=pages.Field("digest-preference", _l("How reminders reach you"), "choice",
                                  noun=_l("how reminders reach you")),
)
LOCALE_FORM = pages.FormSpec(
    "locale",
    language=pages.Field("account-language", _l("Language"), "choice", noun=_l("your language")),
    timezone=pages.Field("account-timezone", _l("Time zone"), "choice", noun=_l("your time zone")),
)
SET_PASSWORD_FORM = pages.FormSpec(
    "set-password",
    password=pages.Field("new-password", _l("New password"), noun=_l("a password")),
    password_again=pages.Field("new-password-again", _l("New password again"), noun=_l("the password again")),
)


def _passwords(form, *names):
    """The password fields as typed (a password may begin or end with a space): never trimmed,
    never sent back on a re-render. A missing one, or two new ones that differ, is a message."""
    typed = {name: request.form.get(name, "") for name in names}
    for name in names:
        if not typed[name]:
            form.add(name, pages.human_message("Required.", form.spec.fields[name]))
    if typed.get("password") and typed.get("password_again") and typed["password"] != typed["password_again"]:
        form.add("password_again", _("The two new passwords differ; type the same one twice."))
    return typed


# -- account settings ----------------------------------------------------------------------------

@bp.route("/account")
def settings():
    return _render_settings()


def _render_settings(form=None, status=200):
    user = current_user._get_current_object()
    forms = {"password": PASSWORD_FORM.blank(), "digest": DIGEST_FORM.blank(digest_preference=user.digest_preference),
             "locale": LOCALE_FORM.blank(language=i18n.supported(user.language) or str(i18n.select_locale()),
                                         timezone=i18n.select_timezone())}
    if form is not None:
        form.values = {k: v for k, v in form.values.items() if "password" not in k}  # never sent back
        forms[form.name] = form
    return render_template("auth/account.html", user=user, forms=forms, form=form,
                           digest_labels=DIGEST_LABELS, timezone_options=i18n.timezone_options), status


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
    flash(_("Your password is changed. Every other browser and API token of yours is signed out."), "success")
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
    flash(str(DIGEST_SAVED[user.digest_preference]), "success")
    return redirect(url_for("account.settings"))


@bp.route("/account/language", methods=["POST"])
def locale():
    """The person's language and time zone: every page after this one, and their mails, use them."""
    user = current_user._get_current_object()
    form = LOCALE_FORM.read()
    try:
        data = form.load(MeUpdateSchema(), form.data("language", "timezone"))
        for name in ("language", "timezone"):
            if not data.get(name):
                form.add(name, pages.human_message("Required.", form.spec.fields[name]))
        if form.errors:
            raise pages.FormInvalid(form)
        with transactional():
            org.update_me(user, data)
    except pages.FormInvalid:
        return _render_settings(form, 422)
    # The flash is read on the next page, in the language just chosen.
    with i18n.speaking_to(user):
        flash(_("Saved: pages and mails are now in %(language)s, with times in %(zone)s.",
                language=i18n.LANGUAGES[user.language], zone=user.timezone.replace("_", " ")), "success")
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
    flash(_("Your password is set. Sign in with your email address and the new password."), "success")
    return redirect(url_for("auth.login"))
