"""The session signing key: random per development machine, strong in production, and a loud
warning when gunicorn serves anything but production."""
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from flask.sessions import SecureCookieSessionInterface

import config
import cxgov
from cxgov import create_app
from cxgov.extensions import db
from tests import factories

PUBLISHED_KEY = "dev-only-not-secret"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def development_app(database_url, tmp_path, monkeypatch):
    """The app as `flask run` or a bare `gunicorn wsgi:app` builds it: no CXGOV_ENV, no SECRET_KEY."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("CXGOV_ENV", raising=False)
    monkeypatch.setattr(cxgov, "INSTANCE_DIR", tmp_path / "instance", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    with app.app_context():
        db.engine.dispose()


def _forged_session(key, values):
    forger = type("Forger", (), {"secret_key": key, "config": {"SECRET_KEY_FALLBACKS": None}})()
    return SecureCookieSessionInterface().get_signing_serializer(forger).dumps(values)


def test_development_makes_its_own_key_and_keeps_it_private(development_app, tmp_path):
    key = development_app.secret_key
    assert key != PUBLISHED_KEY and len(key) >= 32
    stored = tmp_path / "instance" / "secret_key"
    assert stored.read_text().strip() == key
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    # The same machine keeps its key across restarts; another machine has another one.
    assert config.development_secret_key(tmp_path / "instance") == key
    assert config.development_secret_key(tmp_path / "elsewhere") != key


def test_the_key_file_is_not_in_the_repository():
    tracked = subprocess.run(["git", "ls-files", "instance"], cwd=ROOT, capture_output=True, text=True).stdout
    assert tracked.strip() == ""
    assert "instance" in (ROOT / ".gitignore").read_text().split()


def test_a_session_forged_with_the_published_key_opens_nothing(development_app):
    with development_app.app_context():
        admin = factories.create_user("admin")
        admin_id = admin.id
    client = development_app.test_client()
    with development_app.test_request_context(environ_base=client.environ_base):
        identifier = development_app.login_manager._session_identifier_generator()
    from cxgov.auth.sessions import _now

    now = _now()
    forged = _forged_session(PUBLISHED_KEY, {
        "_user_id": str(admin_id), "_fresh": True, "_id": identifier, "signed_in_at": now, "seen_at": now,
        "session_id": "forged", "credential_generation": 0})
    client.set_cookie("session", forged)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_remember_cookie_forged_with_the_published_key_opens_nothing(development_app):
    import hashlib
    import hmac

    with development_app.app_context():
        admin_id = factories.create_user("admin").id
    digest = hmac.new(PUBLISHED_KEY.encode(), str(admin_id).encode(), hashlib.sha512).hexdigest()
    client = development_app.test_client()
    for name in ("remember_token", "cxgov_remember"):
        client.set_cookie(name, f"{admin_id}|{digest}")
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("key", [
    "x", "secret", "changeme", PUBLISHED_KEY, "s3cret", "a-key-of-31-bytes-is-too-short!",
    "a" * 40, "abababababababababababababababababab",
])
def test_production_refuses_a_weak_or_published_key(monkeypatch, key):
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://cxgov@db/cxgov")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.load("production")


def test_production_takes_a_strong_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "Zq3v8RkT1mWx6Ny0Pb4Hs9Lc2Fd7Ga5Ju-Ke_Uo")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://cxgov@db/cxgov")
    assert config.load("production") is config.ProductionConfig


def test_the_testing_profile_keeps_a_fixed_key():
    assert config.TestingConfig.SECRET_KEY == "testing"


def _gunicorn(env, *args):
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("CXGOV_ENV", "SECRET_KEY", "DATABASE_URL", "RATELIMIT_STORAGE_URI")}
    environment.update(env)
    result = subprocess.run([sys.executable, "-m", "gunicorn", "--check-config", *args, "wsgi:app"], cwd=ROOT,
                            env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stderr + result.stdout


def test_gunicorn_without_production_warns_loudly():
    output = _gunicorn({"SECRET_KEY": "Zq3v8RkT1mWx6Ny0Pb4Hs9Lc2Fd7Ga5Ju-Ke_Uo"})
    assert "WARNING" in output and "CXGOV_ENV='development'" in output


def test_several_gunicorn_workers_counting_in_memory_are_warned_about():
    output = _gunicorn({"SECRET_KEY": "Zq3v8RkT1mWx6Ny0Pb4Hs9Lc2Fd7Ga5Ju-Ke_Uo"}, "--workers", "2")
    assert "2 gunicorn workers count sign-in attempts in memory://" in output


def test_gunicorn_in_production_with_shared_counters_is_quiet():
    output = _gunicorn({"CXGOV_ENV": "production", "SECRET_KEY": "Zq3v8RkT1mWx6Ny0Pb4Hs9Lc2Fd7Ga5Ju-Ke_Uo",
                        "DATABASE_URL": "postgresql+psycopg://cxgov@127.0.0.1:1/none"}, "--workers", "1")
    assert "WARNING" not in output
