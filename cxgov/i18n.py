"""The languages cxgov speaks, and which one a person reads (Flask-Babel).

Catalogues: English (the source language), Portuguese (Portugal and Brazil) and Romanian, in
`cxgov/translations/<locale>/LC_MESSAGES/messages.po` (compiled by `make install`).

Who reads what:
- a page: the person's own language (account page); before they chose, the browser's
  (Accept-Language), else the deployment's CXGOV_LOCALE;
- the API: English, unless the request's Accept-Language asks for one of the catalogues;
- a mail, a digest or a calendar invite: its recipient's language and time zone (`speaking_to`).

Time zones: instants are shown in the person's time zone (account page), else CXGOV_TIMEZONE.
"""
from contextlib import contextmanager
from functools import lru_cache
from zoneinfo import available_timezones

from babel import Locale, UnknownLocaleError
from flask import current_app, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup, escape

from cxgov.formatting import zone_of_reader

# Each catalogue, named in its own language (the account page's choices).
LANGUAGES = {
    "en": "English",
    "pt_PT": "Português (Portugal)",
    "pt_BR": "Português (Brasil)",
    "ro": "Română",
}
# A browser asking for a language without its country gets this one ("pt" → Portugal).
BY_LANGUAGE = {"en": "en", "pt": "pt_PT", "ro": "ro"}

babel = Babel()


def supported(name):
    """`name` as one of LANGUAGES ("pt-BR", "pt_br" → "pt_BR"), or None."""
    if not name:
        return None
    try:
        parsed = Locale.parse(str(name).replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    exact = f"{parsed.language}_{parsed.territory}" if parsed.territory else parsed.language
    if exact in LANGUAGES:
        return exact
    return BY_LANGUAGE.get(parsed.language)


def from_browser():
    """The catalogue the request's Accept-Language prefers, or None."""
    if not has_request_context():
        return None
    for name, _quality in request.accept_languages:
        found = supported(name)
        if found:
            return found
    return None


def default_language():
    return supported(current_app.config.get("CXGOV_LOCALE")) or "en"


def _reader():
    user = current_user if has_request_context() else None
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def select_locale():
    if has_request_context() and request.path.startswith("/api"):
        return from_browser() or "en"
    user = _reader()
    return (supported(getattr(user, "language", None)) if user else None) or from_browser() or default_language()


def select_timezone():
    user = _reader()
    return (getattr(user, "timezone", None) if user else None) or current_app.config["CXGOV_TIMEZONE"]


def language_of(user):
    """The language `user` reads mails in."""
    return supported(getattr(user, "language", None)) or default_language()


def html_lang(locale=None):
    """The BCP 47 tag of `locale` (default: the reader's), for `<html lang>`: "en", "pt-PT", "ro"."""
    locale = locale if locale is not None else (get_locale() or "en")
    return str(locale).replace("_", "-")


# The regions of the IANA time zones, as the account page groups them.
REGIONS = {
    "Europe": _l("Europe"), "America": _l("America"), "Africa": _l("Africa"), "Asia": _l("Asia"),
    "Atlantic": _l("Atlantic Ocean"), "Australia": _l("Australia"), "Indian": _l("Indian Ocean"),
    "Pacific": _l("Pacific Ocean"), "Antarctica": _l("Antarctica"), "Arctic": _l("Arctic"),
}


@lru_cache(maxsize=1)
def time_zones():
    """The IANA time zones a person may choose: every "Region/City" zone of the regions, and UTC."""
    return frozenset(z for z in available_timezones() if z.split("/", 1)[0] in REGIONS and "/" in z) | {"UTC"}


def valid_timezone(name):
    return isinstance(name, str) and name in time_zones()


# Other names browsers give for UTC (Intl answers "Etc/UTC" on many servers and containers).
UTC_ALIASES = frozenset({"Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu", "UCT",
                         "Etc/UCT", "Etc/Greenwich", "Greenwich"})


def browser_timezone(name):
    """The time zone a browser reported, as one of `time_zones()`, or None."""
    name = (name or "").strip()
    if name in UTC_ALIASES:
        return "UTC"
    return name if valid_timezone(name) else None


def timezone_groups():
    """[(region as people name it, [zones])] for a select: Europe first, UTC last."""
    groups = {}
    for zone in sorted(time_zones() - {"UTC"}):
        groups.setdefault(zone.split("/", 1)[0], []).append(zone)
    return [(str(REGIONS[region]), groups[region]) for region in REGIONS if region in groups] + [("UTC", ["UTC"])]


def timezone_options(selected=None):
    """The time-zone select's groups and options, `selected` chosen: the 490 zones are written
    once per language (the regions' names are translated) and kept, not once a page."""
    html = _timezone_options(str(get_locale()))
    if selected:
        option = f'<option value="{escape(str(selected))}">'
        html = html.replace(option, option[:-1] + " selected>", 1)
    return Markup(html)


@lru_cache(maxsize=len(LANGUAGES) + 1)
def _timezone_options(language):
    parts = []
    for region, zones in timezone_groups():
        parts.append(f'<optgroup label="{escape(region)}">')
        parts.extend(f'<option value="{escape(zone)}">{escape(zone.replace("_", " "))}</option>' for zone in zones)
        parts.append("</optgroup>")
    return "\n".join(parts)


@contextmanager
def speaking_to(user):
    """Inside the block, text is in `user`'s language and instants in their time zone."""
    with force_locale(language_of(user)), zone_of_reader(getattr(user, "timezone", None)):
        yield


def init_app(app):
    # {% trans %} blocks are read with their whitespace collapsed, as `make messages` extracts them.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    babel.init_app(app, default_locale="en", default_timezone=app.config["CXGOV_TIMEZONE"],
                   locale_selector=select_locale, timezone_selector=select_timezone)

    @app.context_processor
    def languages():
        return {"LANGUAGES": LANGUAGES, "html_lang": html_lang, **page_gettext(get_translations())}


def page_gettext(translations):
    """A template's gettext callables bound to `translations`, the catalogue of the page being
    drawn. Flask-Babel's own look the catalogue up again at each of a page's hundreds of strings
    (the locale, then the cache, through the request context); these are bound once per
    `render_template`, inside any `force_locale` (a mail in its recipient's language). They
    behave as Jinja's newstyle gettext: the text is autoescaped and always %-formatted, and
    `num` and `context` are offered to the format. `_()` and `{% trans %}` find them by name in
    the template's context; a template imported without context uses Flask-Babel's."""
    def done(context, text, variables):
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    @pass_context
    def gettext(context, string, **variables):
        return done(context, translations.ugettext(string), variables)

    @pass_context
    def ngettext(context, singular, plural, num, **variables):
        variables.setdefault("num", num)
        return done(context, translations.ungettext(singular, plural, num), variables)

    @pass_context
    def pgettext(context, string_context, string, **variables):
        variables.setdefault("context", string_context)
        return done(context, translations.upgettext(string_context, string), variables)

    @pass_context
    def npgettext(context, string_context, singular, plural, num, **variables):
        variables.setdefault("context", string_context)
        variables.setdefault("num", num)
        return done(context, translations.unpgettext(string_context, singular, plural, num), variables)

    return {"gettext": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}
