"""cxgov: the system of record for customer-experience governance."""
import importlib
import importlib.util
import io
import os
from pathlib import Path

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.exceptions import RequestEntityTooLarge

import config as config_module
from cxgov.extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = ROOT / "instance"


def create_app(config=None):
    """Build the app. `config` is a mapping of settings; `CXGOV_ENV` in it or the environment
    picks the profile (development, testing, production)."""
    config = dict(config or {})
    app = Flask(__name__, instance_path=str(INSTANCE_DIR),
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    profile = config_module.profile_name(config.pop("CXGOV_ENV", None))
    app.config.from_object(config_module.load(profile))
    app.config["CXGOV_ENV"] = profile  # a process made with this app's settings takes its profile too
    app.config.update(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        # Development without SECRET_KEY (production refuses to start without a strong one).
        app.config["SECRET_KEY"] = config_module.development_secret_key(app.instance_path)
    db.init_app(app)
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A server can drop a connection: one idle for a while is pinged before use (a local
        # SQLite file cannot, and is never pinged).
        from cxgov.pool import ping_after_idle

        with app.app_context():
            ping_after_idle(db.engine, app.config["CXGOV_DB_PING_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)  # limits only sign-in (`cxgov.extensions.only_sign_in_is_limited`)

    from cxgov import i18n

    i18n.init_app(app)

    from cxgov import models  # noqa: F401  (the whole schema, for alembic and relationships)
    from cxgov.audit.services import install as install_audit

    install_audit()
    connect_features()
    register_blueprints(app)
    register_request_hooks(app)

    from cxgov.errors import register_errors

    register_errors(app)

    from cxgov.cli import cxgov_cli

    app.cli.add_command(cxgov_cli)
    register_template_helpers(app)

    from cxgov.auth.proxies import trust_proxies

    app.wsgi_app = trust_proxies(app.wsgi_app, app.config["CXGOV_TRUSTED_PROXIES"])
    return app


# Feature packages. Each may have `api.py` (a `blueprints` list of API blueprints, registered
# with the OpenAPI description), `views.py` (a `blueprints` list of page blueprints) and
# `wiring.py` (`connect()`: what it tells the layers below it).
FEATURES = (
    "auth", "org", "audit", "home", "steering", "ambassadors", "journeys", "initiatives", "roi",
    "notifications", "admin",
)


def _feature_modules(kind):
    for feature in FEATURES:
        name = f"cxgov.{feature}.{kind}"
        if importlib.util.find_spec(name) is not None:
            yield importlib.import_module(name)


def connect_features():
    """Lower layers ask, the features above them answer (STYLE §12): each feature's `wiring.connect()`
    hands down what the policy, the lifecycle or journeys need to know of it, so that no lower
    layer imports a feature above it (`.importlinter` holds the order)."""
    for module in _feature_modules("wiring"):
        module.connect()


def register_blueprints(app):
    from cxgov.home.views import healthz
    from cxgov.rest import Api

    api = Api(app, spec_kwargs={
        "info": {"description": "cxgov: CX governance — steering, ambassadors, journeys, initiatives, ROI."},
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    })
    for module in _feature_modules("api"):
        for blueprint in module.blueprints:
            api.register_blueprint(blueprint)
    for module in _feature_modules("views"):
        for blueprint in module.blueprints:
            app.register_blueprint(blueprint)
    app.add_url_rule("/healthz", "healthz", healthz)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CSP = ("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'self'")

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    # Inline styles are allowed for the server-rendered SVG charts (matplotlib styles its elements
    # inline); scripts stay strictly same-origin.
    ("Content-Security-Policy", CSP),
    ("Permissions-Policy", PERMISSIONS_POLICY),
)


# The endpoints that take a measurements upload: their bodies may reach CXGOV_MAX_UPLOAD_BYTES,
# every other body CXGOV_MAX_JSON_BYTES. Each decides whether the caller may upload at all before
# it reads the body, so the page checks its own CSRF token (which is in that body) afterwards.
UPLOAD_ENDPOINTS = frozenset({"api_measurements.Import", "journeys.upload"})
CSRF_CHECKED_IN_VIEW = frozenset({"journeys.upload"})
# The only answers (besides static files) the browser may keep: a journey KPI chart's picture,
# `private` and immutable at its version (cxgov/journeys/views.py `chart`). Only when the view set
# its own Cache-Control on a successful answer; its refusals and errors are `no-store` as all.
CACHEABLE_ENDPOINTS = frozenset({"journeys.chart"})


class BoundedBody(io.RawIOBase):
    """A body of unknown length (chunked) that raises 413 once it passes `limit` bytes. Werkzeug
    alone stops reading such a body at the limit and hands on what it read, so a JSON body or a
    form over the limit would be taken cut short instead of refused."""

    def __init__(self, stream, limit):
        self._stream = stream
        self._left = limit

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self._stream.read(min(len(buffer), self._left + 1))
        if len(data) > self._left or (len(data) == self._left and data and self._stream.read(1)):
            raise RequestEntityTooLarge()
        self._left -= len(data)
        buffer[:len(data)] = data
        return len(data)


def register_request_hooks(app):
    from cxgov.auth import forget_dead_remember_cookie, require_sign_in
    from cxgov.auth.sessions import SessionInterface, enforce_session_lifetime

    app.session_interface = SessionInterface()

    @app.before_request
    def limit_request_bodies():
        # Before anything reads the body: a larger one is refused with 413 as soon as it is
        # touched (at once when its Content-Length says so, else when the limit is reached).
        upload = request.endpoint in UPLOAD_ENDPOINTS
        limit = request.max_content_length = app.config["CXGOV_MAX_UPLOAD_BYTES" if upload else "CXGOV_MAX_JSON_BYTES"]
        if request.content_length is None and "wsgi.input_terminated" in request.environ:
            request.environ["wsgi.input"] = BoundedBody(request.environ["wsgi.input"], limit)

    # A safe request only reads. PostgreSQL's READ COMMITTED gives every statement its own
    # snapshot, inside a transaction or not, so reads run in autocommit: no BEGIN and no ROLLBACK
    # round trips around them. (SQLite's driver never opens a transaction for reads.)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        @app.before_request
        def read_without_transaction():
            if request.method in SAFE_METHODS:
                db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

    @app.before_request
    def protect_forms():
        # Page forms carry a CSRF token; the API is signed with bearer tokens instead.
        if (request.method not in ("GET", "HEAD", "OPTIONS") and not request.path.startswith("/api")
                and request.endpoint not in CSRF_CHECKED_IN_VIEW):
            csrf.protect()

    app.before_request(enforce_session_lifetime)
    app.before_request(require_sign_in)
    app.after_request(forget_dead_remember_cookie)

    security = SECURITY_HEADERS + ((("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),)
                                   if app.config.get("CXGOV_HSTS") else ())

    @app.after_request
    def security_headers(response):
        # Each header unless the view set its own: one pass over the response's headers (every
        # request runs this, and `setdefault` would scan them once per header).
        headers = response.headers
        present = {key.lower() for key in headers.keys()}
        for key, value in security:
            if key.lower() not in present:
                headers.add(key, value)
        # What a signed-in person sees (pages, CSV, PDF, API answers, a new token) is never kept
        # by the browser or a proxy; static files keep their caching, and so do the few answers in
        # CACHEABLE_ENDPOINTS that set their own Cache-Control (a chart's picture: `private`).
        if request.endpoint != "static" and not (
                request.endpoint in CACHEABLE_ENDPOINTS and "cache-control" in present and response.status_code < 400):
            if "cache-control" in present:
                headers["Cache-Control"] = "no-store"
            else:
                headers.add("Cache-Control", "no-store")
        return response


def register_template_helpers(app):
    from cxgov import badges, formatting, policy

    formatting.register(app)
    app.add_template_filter(badges.badge, "badge")
    app.add_template_filter(badges.overdue, "overdue")

    @app.context_processor
    def inject():
        return {"policy": policy, "currency": app.config["CXGOV_CURRENCY"]}

    from cxgov.form_tokens import new_token

    app.jinja_env.globals["new_form_token"] = new_token  # a creating form's one-time token


SQLITE_BUSY_TIMEOUT_MS = 5000


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Every SQLite connection's settings, in this one place.

    - foreign keys: SQLite enforces them only when asked, per connection;
    - WAL journal: readers read the last committed state while a writer works (a long import
      no longer blocks every page), and a commit does not wait for them (kept in the file:
      `-wal` and `-shm` files sit next to the database);
    - busy timeout: a writer waits this long for another's lock before giving up (then the
      request is answered 503 with Retry-After, see cxgov.errors)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
