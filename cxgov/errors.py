"""Domain errors and the one handler that renders them: problem+json under /api, pages elsewhere."""
from http import HTTPStatus

from flask import current_app, json, render_template, request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from cxgov.extensions import db

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


def problem(status, detail=None, *, title=None, errors=None, **extra):
    body = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or HTTPStatus(status).description,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="cxgov"'
    return response


def wants_json():
    return request.path.startswith("/api") or request.path == "/healthz"


def render_error(status, detail=None, *, errors=None, title=None, **extra):
    if wants_json():
        return problem(status, detail, title=title, errors=errors, **extra)
    return (
        render_template("errors/error.html", status=status, title=title or HTTPStatus(status).phrase,
                        detail=detail or HTTPStatus(status).description, errors=errors),
        status,
    )


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
    return f"{count} bytes"


def too_large():
    """413: the body is over the limit of its address (`limit_request_bodies`), named in the answer."""
    limit = request.max_content_length
    if limit is None:
        return render_error(413, "The request is too large.")
    return render_error(413, f"The request is too large: this address takes at most {_size(limit)} "
                             f"({limit} bytes).", max_bytes=limit)


def handle_http_exception(error):
    status = error.code or 500
    if status == 413:
        return too_large()
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    errors = flatten_messages(messages) if messages else None
    if status in (400, 422) and errors:
        if set(errors) == {"_body"} and status == 400:
            return render_error(400, "The request body is not valid JSON.", errors=errors)
        return render_error(status, "The request has invalid fields.", errors=errors)
    detail = data.get("message") or error.description
    if status == 429:
        detail = f"Too many attempts (the limit is {error.description}); wait a little and try again."
    response = current_app.make_response(render_error(status, detail))
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def register_errors(app):
    @app.errorhandler(DomainError)
    def on_domain_error(error):
        db.session.rollback()
        return render_error(error.status, error.detail, errors=error.errors, title=error.title, **error.extra)

    @app.errorhandler(HTTPException)
    def on_http_exception(error):
        db.session.rollback()
        return handle_http_exception(error)

    @app.errorhandler(StaleDataError)
    def on_stale(error):
        db.session.rollback()
        return render_error(412, "The resource was changed by someone else; fetch it again and retry.")

    @app.errorhandler(IntegrityError)
    def on_integrity(error):
        db.session.rollback()
        current_app.logger.info("integrity error: %s", error.orig)
        return render_error(409, "The change conflicts with existing data (a duplicate or a missing reference).")

    @app.errorhandler(RecursionError)
    def on_too_deep(error):
        db.session.rollback()
        if request.is_json:  # Python's JSON parser gives up on bodies nested thousands deep
            return render_error(400, "The request body is nested too deeply.")
        return on_unexpected(error)

    @app.errorhandler(Exception)
    def on_unexpected(error):
        db.session.rollback()
        current_app.logger.exception("unhandled error")
        return render_error(500, "Something went wrong on our side; it has been logged.")
