"""Domain errors and the one handler that renders them: problem+json under /api, pages elsewhere."""
import re
from http import HTTPStatus

from flask import current_app, json, render_template, request
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from cxgov.transaction import rollback

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    status = 500
    title = None

    def __init__(self, detail=None, *, errors=None, **extra):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra


class Invalid(DomainError):
    """422: fields that fail a rule. `errors` maps each field to its messages."""

    status = 422


class BadRequest(DomainError):
    """400: a malformed request (no body where one is needed, not JSON)."""

    status = 400


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class PreconditionFailed(DomainError):
    status = 412


# The standard titles of problem+json, as a client reading another language gets them.
TITLES = {
    400: _l("Bad Request"), 401: _l("Unauthorized"), 403: _l("Forbidden"), 404: _l("Not Found"),
    405: _l("Method Not Allowed"), 409: _l("Conflict"), 410: _l("Gone"), 412: _l("Precondition Failed"),
    413: _l("Content Too Large"), 415: _l("Unsupported Media Type"), 422: _l("Unprocessable Content"),
    428: _l("Precondition Required"), 429: _l("Too Many Requests"), 500: _l("Internal Server Error"),
    503: _l("Service Unavailable"),
}
# marshmallow's and webargs' own messages, translated when the request asks for another language
# (the field names they are filed under stay: they are keys).
MESSAGES = {
    "Missing data for required field.": _l("Missing data for required field."),
    "Field may not be null.": _l("Field may not be null."),
    "Unknown field.": _l("Unknown field."),
    "Invalid input type.": _l("Invalid input type."),
    "Not a valid string.": _l("Not a valid string."),
    "Not a valid integer.": _l("Not a valid integer."),
    "Not a valid number.": _l("Not a valid number."),
    "Not a valid decimal.": _l("Not a valid decimal."),
    "Not a valid boolean.": _l("Not a valid boolean."),
    "Not a valid date.": _l("Not a valid date."),
    "Not a valid datetime.": _l("Not a valid datetime."),
    "Not a valid time.": _l("Not a valid time."),
    "Not a valid email address.": _l("Not a valid email address."),
    "Not a valid URL.": _l("Not a valid URL."),
    "Not a valid list.": _l("Not a valid list."),
    "Not a valid mapping type.": _l("Not a valid mapping type."),
    "Invalid value.": _l("Invalid value."),
    "String does not match expected pattern.": _l("String does not match expected pattern."),
    "Special numeric values (nan or infinity) are not permitted.":
        _l("Special numeric values (nan or infinity) are not permitted."),
    "Invalid JSON body.": _l("Invalid JSON body."),
    "Must not contain NUL characters or unpaired surrogates.":
        _l("Must not contain NUL characters or unpaired surrogates."),
    "Not a known time zone: give an IANA name, like Europe/Lisbon.":
        _l("Not a known time zone: give an IANA name, like Europe/Lisbon."),
}
_PATTERNS = (
    (re.compile(r"^Longer than maximum length (?P<most>\d+)\.$"), _l("Longer than maximum length %(most)s.")),
    (re.compile(r"^Shorter than minimum length (?P<least>\d+)\.$"), _l("Shorter than minimum length %(least)s.")),
    (re.compile(r"^Length must be between (?P<least>\d+) and (?P<most>\d+)\.$"),
     _l("Length must be between %(least)s and %(most)s.")),
    (re.compile(r"^Length must be (?P<equal>\d+)\.$"), _l("Length must be %(equal)s.")),
    (re.compile(r"^Must be one of: (?P<choices>.*)\.$"), _l("Must be one of: %(choices)s.")),
    (re.compile(r"^Must be greater than or equal to (?P<low>\S+) and less than or equal to (?P<high>\S+)\.$"),
     _l("Must be greater than or equal to %(low)s and less than or equal to %(high)s.")),
    (re.compile(r"^Must be greater than or equal to (?P<low>\S+)\.$"), _l("Must be greater than or equal to %(low)s.")),
    (re.compile(r"^Must be greater than (?P<low>\S+)\.$"), _l("Must be greater than %(low)s.")),
    (re.compile(r"^Must be less than or equal to (?P<high>\S+)\.$"), _l("Must be less than or equal to %(high)s.")),
    (re.compile(r"^Must be less than (?P<high>\S+)\.$"), _l("Must be less than %(high)s.")),
)


def _english():
    locale = get_locale()
    return locale is None or locale.language == "en"


def translate_message(message):
    """A validation message in the request's language: marshmallow's defaults by their English
    text; anything else (already translated where it was written) as it is."""
    if not isinstance(message, str):
        return message
    known = MESSAGES.get(message)
    if known is not None:
        return str(known)
    for pattern, text in _PATTERNS:
        match = pattern.match(message)
        if match:
            return str(text) % match.groupdict()
    return message


def translate_messages(errors):
    """`errors` ({field: [messages]}, nested) with each message translated; keys kept."""
    if isinstance(errors, dict):
        return {key: translate_messages(value) for key, value in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [translate_messages(value) for value in errors]
    return translate_message(errors)


def problem(status, detail=None, *, title=None, errors=None, **extra):
    english = _english()
    default_title = HTTPStatus(status).phrase if english or status not in TITLES else str(TITLES[status])
    body = {
        "type": "about:blank",
        "title": str(title) if title else default_title,
        "status": status,
        "detail": str(detail) if detail else (HTTPStatus(status).description if english or status not in PAGE_DETAILS
                                               else str(PAGE_DETAILS[status])),
    }
    if errors:
        body["errors"] = errors if english else translate_messages(errors)
    body.update(extra)
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="cxgov"'
    return response


def wants_json():
    return request.path.startswith("/api") or request.path == "/healthz"


# What a page says about a failed request: the API keeps the standard titles (problem+json).
PAGE_TITLES = {
    400: _l("This request could not be read"),
    401: _l("Sign in to see this page"),
    403: _l("You don’t have access to this page"),
    404: _l("This page doesn’t exist"),
    405: _l("This page can’t do that"),
    409: _l("This could not be done"),
    412: _l("Something changed while you were editing — reload and try again"),
    413: _l("That is too large to send"),
    415: _l("That kind of content can’t be sent here"),
    422: _l("Some fields need another look"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}
PAGE_DETAILS = {
    400: _l("Go back, reload the page and try again."),
    401: _l("Your session has ended. Sign in again to continue."),
    403: _l("If you need it, ask a CX leader or an administrator."),
    404: _l("It may have been deleted, or the address may be mistyped. Start again from the home page."),
    405: _l("Go back and use the buttons on the page."),
    409: _l("Reload the page to see how things stand now, then try again."),
    412: _l("Someone saved a change after you opened the page. Reload it to see the latest version, "
         "then make your change again."),
    413: _l("Send a smaller file or less text."),
    422: _l("Go back, correct what is marked and send it again."),
    429: _l("Wait a little and try again."),
    500: _l("It has been logged and will be looked at. Try again in a moment."),
}
# Statuses whose page always speaks plainly (what the code knows about them is for developers).
PLAIN_ONLY = {404, 405, 412, 500}
CSRF_EXPIRED = (_l("This form has expired"),
                _l("For your safety a form only works from a page opened in this session. Reload the page, "
                   "fill in the form again and send it."))


def render_error(status, detail=None, *, errors=None, title=None, page_detail=None, page_title=None, **extra):
    """problem+json for the API; for pages, a plain title and `page_detail` (a sentence written
    for people) or the plain default of the status."""
    if wants_json():
        return problem(status, detail, title=title, errors=errors, **extra)
    if status in PLAIN_ONLY or not page_detail:
        page_detail = PAGE_DETAILS.get(status, HTTPStatus(status).description)
    return (
        render_template("errors/error.html", status=status,
                        title=page_title or PAGE_TITLES.get(status, TITLES.get(status, HTTPStatus(status).phrase)),
                        detail=page_detail, errors=_page_messages(errors)),
        status,
    )


def _page_messages(errors):
    """Field messages as sentences, each field named as people would name it."""
    if not errors or not isinstance(errors, dict):
        return None
    from cxgov.pages import Field, human_message

    readable = {}
    for name, messages in errors.items():
        label = name.replace("_id", "").replace("_", " ").strip().capitalize() or _("The request")
        field = Field(name, label)
        messages = messages if isinstance(messages, list) else [messages]
        readable[label] = [human_message(m, field) if isinstance(m, str) else str(m) for m in messages]
    return readable


def flatten_messages(messages):
    """webargs nests messages by location ({"json": {"field": [...]}}); clients want fields."""
    if not isinstance(messages, dict):
        return {"_body": messages if isinstance(messages, list) else [str(messages)]}
    locations = {"json", "query", "querystring", "form", "files", "headers", "view_args", "path"}
    if set(messages) <= locations:
        merged = {}
        for location, fields in messages.items():
            if isinstance(fields, dict):
                merged.update(fields)
            else:
                merged["_body" if location == "json" else location] = fields
        return merged
    return messages


def _size(count):
    for unit, name in ((1024 * 1024, "MB"), (1024, "KB")):
        if count >= unit and count % unit == 0:
            return f"{count // unit} {name}"
    return ngettext("%(count)s byte", "%(count)s bytes", count, count=count)


def too_large():
    """413: the body is over the limit of its address (`limit_request_bodies`), named in the answer."""
    limit = request.max_content_length
    if limit is None:
        return render_error(413, _("The request is too large."))
    size = _size(limit)
    return render_error(413, _("The request is too large: this address takes at most %(size)s (%(limit)s bytes).",
                                          size=size, limit=limit),
                        max_bytes=limit,
                        page_detail=_("This page takes at most %(size)s: send a smaller file or less text.", size=size))


def handle_http_exception(error):
    status = error.code or 500
    if status == 413:
        return too_large()
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    errors = flatten_messages(messages) if messages else None
    if status in (400, 422) and errors:
        if set(errors) == {"_body"} and status == 400:
            return render_error(400, _("The request body is not valid JSON."), errors=errors)
        return render_error(status, _("The request has invalid fields."), errors=errors)
    detail = data.get("message") or error.description
    page = {}
    if status == 429:
        detail = _("Too many attempts (the limit is %(limit)s); wait a little and try again.", limit=error.description)
        page["page_detail"] = detail
    elif isinstance(error, CSRFError):
        page["page_title"], page["page_detail"] = CSRF_EXPIRED
    response = current_app.make_response(render_error(status, detail, **page))
    retry_after = dict(error.get_headers()).get("Retry-After") if status == 429 else None
    if retry_after:
        response.headers["Retry-After"] = retry_after
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


RETRY_AFTER_SECONDS = 5


def database_busy(error):
    """SQLite's answer when another connection held the write lock past the busy timeout."""
    return isinstance(error, OperationalError) and "database is locked" in str(getattr(error, "orig", error))


def register_errors(app):
    @app.errorhandler(DomainError)
    def on_domain_error(error):
        rollback()
        return render_error(error.status, error.detail, errors=error.errors, title=error.title,
                            page_detail=error.detail, **error.extra)

    @app.errorhandler(HTTPException)
    def on_http_exception(error):
        rollback()
        return handle_http_exception(error)

    @app.errorhandler(StaleDataError)
    def on_stale(error):
        rollback()
        return render_error(412, _("The resource was changed by someone else; fetch it again and retry."))

    @app.errorhandler(IntegrityError)
    def on_integrity(error):
        rollback()
        current_app.logger.info("integrity error: %s", error.orig)
        return render_error(409, _("The change conflicts with existing data (a duplicate or a missing reference)."))

    @app.errorhandler(OperationalError)
    def on_operational(error):
        rollback()
        if database_busy(error):
            response = current_app.make_response(render_error(
                503, _("The database is busy with another change (a large import); try again in a few seconds.")))
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        if error.connection_invalidated:
            # The server dropped a connection in use a moment ago (cxgov.pool): the pool has
            # replaced it, and the request can be sent again at once.
            current_app.logger.warning("database connection lost: %s", error.orig)
            response = current_app.make_response(render_error(
                503, _("The connection to the database was lost; try again.")))
            response.headers["Retry-After"] = "1"
            return response
        return on_unexpected(error)

    @app.errorhandler(RecursionError)
    def on_too_deep(error):
        rollback()
        if request.is_json:  # Python's JSON parser gives up on bodies nested thousands deep
            return render_error(400, _("The request body is nested too deeply."))
        return on_unexpected(error)

    @app.errorhandler(Exception)
    def on_unexpected(error):
        rollback()
        current_app.logger.exception("unhandled error")
        return render_error(500, _("Something went wrong on our side; it has been logged."))
