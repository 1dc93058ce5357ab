"""Configuration for cxgov, read from the environment.

`CXGOV_ENV` picks the profile: `development` (the default, SQLite in `instance/`, a random
session key kept in `instance/secret_key`), `production` (refuses to start without a strong
`SECRET_KEY` and a `DATABASE_URL`) or `testing`.
"""
import os
import secrets
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _optional_int(name, default):
    """An integer setting that an empty value turns off (None)."""
    value = os.environ.get(name, str(default)).strip()
    return int(value) if value else None


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _days(name, default):
    """A comma-separated list of positive day counts from the environment; refuses to start otherwise."""
    text = os.environ.get(name, default)
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not all(part.isdigit() and int(part) > 0 for part in parts):
        raise RuntimeError(f"{name} holds positive numbers of days separated by commas, e.g. {default}; got {text!r}")
    return text


DEFAULT_DISCOUNT_RATE = "0.10"  # a year, when CXGOV_DISCOUNT_RATE is not set


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'cxgov.sqlite'}"
    SQLALCHEMY_ENGINE_OPTIONS = {}
    # A PostgreSQL connection idle this long is pinged before use (cxgov.pool); 0 pings every time.
    CXGOV_DB_PING_IDLE_SECONDS = float(os.environ.get("CXGOV_DB_PING_IDLE_SECONDS", "5"))

    CXGOV_CURRENCY = os.environ.get("CXGOV_CURRENCY", "EUR")
    CXGOV_DISCOUNT_RATE = Decimal(os.environ.get("CXGOV_DISCOUNT_RATE", DEFAULT_DISCOUNT_RATE))
    CXGOV_TIMEZONE = os.environ.get("CXGOV_TIMEZONE", "UTC")
    # The language a person reads before they choose one and their browser names none we speak
    # (en, pt_PT, pt_BR, ro: cxgov.i18n).
    CXGOV_LOCALE = os.environ.get("CXGOV_LOCALE", "en")
    CXGOV_TOKEN_TTL_HOURS = int(os.environ.get("CXGOV_TOKEN_TTL_HOURS", "168"))
    # How long a "set your password" link an admin hands out stays usable (it works once).
    CXGOV_PASSWORD_LINK_HOURS = int(os.environ.get("CXGOV_PASSWORD_LINK_HOURS", "72"))
    # Post-implementation reviews (SPEC §8.4): days after delivery, comma-separated ("30,60,90").
    CXGOV_REVIEW_DAYS = _days("CXGOV_REVIEW_DAYS", "30,60,90")

    # Measurement imports (SPEC §4): what one CSV upload may hold; beyond it the upload is refused
    # naming the line (413 for too many lines, 422 otherwise). A line is a CSV record.
    CXGOV_IMPORT_MAX_ROWS = int(os.environ.get("CXGOV_IMPORT_MAX_ROWS", "2000000"))
    CXGOV_IMPORT_MAX_LINE_CHARS = int(os.environ.get("CXGOV_IMPORT_MAX_LINE_CHARS", "1000000"))
    CXGOV_IMPORT_MAX_CELLS = int(os.environ.get("CXGOV_IMPORT_MAX_CELLS", "1000"))
    CXGOV_IMPORT_MAX_CELL_CHARS = int(os.environ.get("CXGOV_IMPORT_MAX_CELL_CHARS", "10000"))
    # Lines of an upload checked and staged at a time (1..30,000): what an import holds in memory.
    CXGOV_IMPORT_CHUNK_ROWS = int(os.environ.get("CXGOV_IMPORT_CHUNK_ROWS", "10000"))
    # Files of more lines are imported in the background (202 + /api/imports/{id}), their upload kept
    # in CXGOV_IMPORT_DIR (default instance/imports) until done; CXGOV_IMPORT_WORKER=0 leaves them to
    # the scheduler's run-imports job instead of a thread of the web process.
    CXGOV_IMPORT_SYNC_ROWS = int(os.environ.get("CXGOV_IMPORT_SYNC_ROWS", "50000"))
    # The journey report keeps at most this many periods per series, the most recent (SPEC §10).
    CXGOV_REPORT_MAX_POINTS = int(os.environ.get("CXGOV_REPORT_MAX_POINTS", "120"))
    CXGOV_IMPORT_DIR = os.environ.get("CXGOV_IMPORT_DIR")
    CXGOV_IMPORT_WORKER = _bool("CXGOV_IMPORT_WORKER", True)
    # The web process's import worker runs the queue in a child process at this niceness (0–19;
    # "" runs it in the web process's thread instead): a large import yields the cores to requests.
    CXGOV_IMPORT_NICE = _optional_int("CXGOV_IMPORT_NICE", 10)
    # While the machine's CPU is contended, a background import rests this many times as long as
    # each chunk took (cxgov.journeys.import_pace; 0: never rests).
    CXGOV_IMPORT_REST = float(os.environ.get("CXGOV_IMPORT_REST", "3"))

    # Request bodies: a JSON body or a form of more than CXGOV_MAX_JSON_BYTES, or a measurements
    # upload (POST /api/measurements/import, /journeys/upload) of more than CXGOV_MAX_UPLOAD_BYTES,
    # is refused with 413 before it is read. See cxgov.limit_request_bodies.
    CXGOV_MAX_JSON_BYTES = int(os.environ.get("CXGOV_MAX_JSON_BYTES", str(1024 * 1024)))
    CXGOV_MAX_UPLOAD_BYTES = int(os.environ.get("CXGOV_MAX_UPLOAD_BYTES", str(64 * 1024 * 1024)))
    MAX_CONTENT_LENGTH = CXGOV_MAX_JSON_BYTES

    # flask-smorest / OpenAPI
    API_TITLE = "cxgov"
    API_VERSION = "1.0"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"

    # Forms: CSRF is checked for every page form; the token API is exempt (bearer tokens).
    WTF_CSRF_CHECK_DEFAULT = False
    WTF_CSRF_TIME_LIMIT = None

    # Login throttling (Flask-Limiter). Use redis://… when several workers serve.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Every sign-in attempt per address, /login and the API together:
    CXGOV_LOGIN_LIMIT = os.environ.get("CXGOV_LOGIN_LIMIT", "10 per minute")
    # Failed sign-ins per account (the normalised email): from one address, and from all the
    # addresses it has not signed in from lately together (see cxgov.auth.throttle).
    CXGOV_LOGIN_ACCOUNT_LIMIT = os.environ.get("CXGOV_LOGIN_ACCOUNT_LIMIT", "10 per hour")
    CXGOV_LOGIN_ACCOUNT_TOTAL_LIMIT = os.environ.get("CXGOV_LOGIN_ACCOUNT_TOTAL_LIMIT", "50 per hour")
    CXGOV_LOGIN_FAMILIAR_DAYS = int(os.environ.get("CXGOV_LOGIN_FAMILIAR_DAYS", "30"))

    # Sessions (ASVS V7): a fresh session on every sign-in, ended after CXGOV_SESSION_IDLE_MINUTES
    # without a request and CXGOV_SESSION_MAX_HOURS after sign-in, whatever the activity.
    # Flask also refuses a session cookie signed longer ago than PERMANENT_SESSION_LIFETIME.
    CXGOV_SESSION_IDLE_MINUTES = int(os.environ.get("CXGOV_SESSION_IDLE_MINUTES", "30"))
    CXGOV_SESSION_MAX_HOURS = int(os.environ.get("CXGOV_SESSION_MAX_HOURS", "12"))
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=CXGOV_SESSION_IDLE_MINUTES)
    SESSION_REFRESH_EACH_REQUEST = True
    SESSION_PROTECTION = "strong"  # Flask-Login: a session moved to another address or browser ends
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    # "Keep me signed in" (cxgov.auth.sessions): a random token, one per sign-in, this long.
    REMEMBER_COOKIE_DURATION = timedelta(days=int(os.environ.get("CXGOV_REMEMBER_DAYS", "14")))
    REMEMBER_COOKIE_REFRESH_EACH_REQUEST = False

    # Reverse proxies in front of cxgov whose X-Forwarded-For/-Proto/-Host are believed (0: none,
    # the headers are ignored and dropped).
    CXGOV_TRUSTED_PROXIES = int(os.environ.get("CXGOV_TRUSTED_PROXIES", "0"))

    # Strict-Transport-Security: production only (served behind TLS).
    CXGOV_HSTS = False

    # Password hashing (argon2id); tests lower the cost.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536

    # Mail (SPEC §6): without MAIL_SERVER notifications stay in-app.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "cxgov@localhost")
    # Where cxgov is served, for the links in mails (e.g. https://cxgov.example.com); without it
    # mails carry no links.
    CXGOV_BASE_URL = os.environ.get("CXGOV_BASE_URL", "")

    TESTING = False
    DEBUG = False


class DevelopmentConfig(Config):
    # Without SECRET_KEY, create_app takes the key from instance/secret_key (made once, random).
    SECRET_KEY = os.environ.get("SECRET_KEY")
    CXGOV_BASE_URL = os.environ.get("CXGOV_BASE_URL", "http://127.0.0.1:5000")
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False


class TestingConfig(DevelopmentConfig):
    TESTING = True
    SECRET_KEY = "testing"
    RATELIMIT_ENABLED = False
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    MAIL_SERVER = None
    CXGOV_IMPORT_NICE = None  # the tests' imports run in the web process's thread (one test runs the process)


class ProductionConfig(Config):
    CXGOV_HSTS = True

    @classmethod
    def validate(cls):
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(f"cxgov refuses to start in production without {', '.join(missing)}")
        problem = weak_secret_key(os.environ["SECRET_KEY"])
        if problem:
            raise RuntimeError(f"cxgov refuses to start in production: SECRET_KEY {problem}. "
                               "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'")


MIN_SECRET_KEY_BYTES = 32
# Keys that were published (the old development key) or that anyone would try first.
KNOWN_SECRET_KEYS = frozenset({
    "dev-only-not-secret", "testing", "changeme", "change-me", "change_me", "secret", "secret-key",
    "secret_key", "secretkey", "mysecret", "password", "default", "development", "production", "x",
    "your-secret-key", "your_secret_key", "replace-me", "insecure", "cxgov",
})


def weak_secret_key(key):
    """Why `key` may not sign production sessions, or None when it is acceptable: shorter than
    32 bytes, a known key, or one character repeated."""
    if key.strip().lower() in KNOWN_SECRET_KEYS:
        return "is a published or well-known key"
    if len(key.encode()) < MIN_SECRET_KEY_BYTES:
        return f"is shorter than {MIN_SECRET_KEY_BYTES} bytes"
    if len(set(key)) < 8:
        return "has too few distinct characters"
    return None


def development_secret_key(instance_dir):
    """The development session key: random, made on first use and kept in `instance/secret_key`
    (outside the repository, readable by its owner only) so sessions survive a restart."""
    path = Path(instance_dir) / "secret_key"
    try:
        key = path.read_text().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


PROFILES = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def profile_name(profile=None):
    return profile or os.environ.get("CXGOV_ENV", "development")


def load(profile=None):
    name = profile_name(profile)
    try:
        config = PROFILES[name]
    except KeyError:
        raise RuntimeError(f"unknown CXGOV_ENV {name!r}; use one of {', '.join(PROFILES)}") from None
    if hasattr(config, "validate"):
        config.validate()
    return config
