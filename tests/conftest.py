"""Fixtures in layers: database → app → client / runner / login_as.

Every test gets a fresh database built by the migrations: each worker migrates one database
once; before every test it is restored to that state (on SQLite by copying the migrated file
back, on PostgreSQL (`CXGOV_TEST_DATABASE_URL`) by emptying the tables and re-inserting what
the migrations seeded).
"""
import os
import re
import shutil

import psycopg
import pytest
from sqlalchemy.engine import make_url

from cxgov import create_app
from cxgov.auth.services import issue_token
from cxgov.auth.sessions import GENERATION, SEEN_AT, SESSION_ID, SIGNED_IN_AT
from cxgov.db import utcnow
from cxgov.extensions import db, login_manager
from tests import factories

PG_URL = os.environ.get("CXGOV_TEST_DATABASE_URL")


def pytest_configure(config):
    """Compile the catalogues whose .po changed since their .mo (once, before any worker starts),
    so that the suite reads the translations in the tree, as `make install` does."""
    if hasattr(config, "workerinput"):
        return
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from cxgov import ROOT as APP_ROOT

    for po in (APP_ROOT / "cxgov" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with open(po, "rb") as source:
                catalogue = read_po(source)
            with open(mo, "wb") as target:
                write_mo(target, catalogue)


def _worker(request):
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


def _migrate(url):
    import flask_migrate

    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()


def _pg_admin(url):
    u = make_url(url)
    return psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                           password=u.password, dbname="postgres", autocommit=True)


@pytest.fixture(scope="session")
def database_template(request, tmp_path_factory):
    """A database migrated once per worker, from which every test's database is restored."""
    worker = _worker(request)
    if PG_URL:
        base = re.sub(r"\W", "_", make_url(PG_URL).database or "cxgov_test")
        name = f"{base}_{worker}"
        with _pg_admin(PG_URL) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        _migrate(url)
        with _pg_connect(url) as conn:
            tables = [row[0] for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")]
            seeded = {table: conn.execute(f'SELECT * FROM "{table}"').fetchall() for table in tables}
            columns = {table: [c.name for c in conn.execute(f'SELECT * FROM "{table}" LIMIT 0').description]
                       for table in tables}
        yield {"kind": "postgresql", "url": url, "name": name, "tables": tables,
               "seeded": {t: rows for t, rows in seeded.items() if rows}, "columns": columns}
        with _pg_admin(PG_URL) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        directory = tmp_path_factory.mktemp("database")
        template = directory / "template.sqlite"
        _migrate(f"sqlite:///{template}")
        yield {"kind": "sqlite", "template": template, "path": directory / "test.sqlite"}


def _pg_connect(url):
    u = make_url(url)
    return psycopg.connect(host=u.host or "127.0.0.1", port=u.port or 5432, user=u.username or "postgres",
                           password=u.password, dbname=u.database, autocommit=True)


def _restore_postgresql(template):
    """Empty every table and put back what the migrations seeded (the built-in metrics)."""
    tables = ", ".join(f'"{t}"' for t in template["tables"])
    with _pg_connect(template["url"]) as conn:
        conn.execute("SET lock_timeout = '10s'")
        conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        for table, rows in template["seeded"].items():
            names = template["columns"][table]
            placeholders = ", ".join(["%s"] * len(names))
            quoted = ", ".join(f'"{n}"' for n in names)
            with conn.cursor() as cursor:
                cursor.executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({placeholders})', rows)
            if "id" in names:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM \"{table}\"))"
                )


@pytest.fixture
def database_url(database_template):
    """The worker's database, restored to its freshly migrated state for this test."""
    if database_template["kind"] == "sqlite":
        path = database_template["path"]
        for journal in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            journal.unlink(missing_ok=True)  # WAL files of the last test's database belong to it
        shutil.copyfile(database_template["template"], path)
        return f"sqlite:///{database_template['path']}"
    _restore_postgresql(database_template)
    return database_template["url"]


@pytest.fixture(scope="session")
def _shared_app(database_template):
    url = (f"sqlite:///{database_template['path']}" if database_template["kind"] == "sqlite"
           else database_template["url"])
    return create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})


@pytest.fixture
def app(_shared_app, database_url):
    """The app on a fresh database. Building the app (and its OpenAPI description) once per
    worker keeps the suite fast; its configuration is restored after every test."""
    saved = dict(_shared_app.config)
    with _shared_app.app_context():
        db.engine.dispose()
    yield _shared_app
    _shared_app.config.clear()
    _shared_app.config.update(saved)
    with _shared_app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login_as(app):
    """`login_as("cx_leader")` → an API client signed with a bearer token of a new user of that
    role; `client.user_id` is that user. Extra keyword arguments go to the user factory."""

    def _login(role="member", **user_fields):
        with app.app_context():
            user = factories.create_user(role=role, **user_fields)
            raw, _ = issue_token(user)
            db.session.commit()
            user_id = user.id
        api_client = app.test_client()
        api_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        api_client.user_id = user_id
        return api_client

    return _login


@pytest.fixture
def page_as(app):
    """`page_as("member")` → a browser-like client signed in through the session."""

    def _login(role="member", **user_fields):
        with app.app_context():
            user = factories.create_user(role=role, **user_fields)
            db.session.commit()
            user_id = user.id
        page_client = sign_in_session(app, app.test_client(), user_id)
        page_client.user_id = user_id
        return page_client

    return _login


def sign_in_session(app, page_client, user_id):
    """Put in `page_client`'s session cookie what a sign-in on /login puts there."""
    from cxgov.org.models import User

    with app.test_request_context(environ_base=page_client.environ_base):
        # What Flask-Login's strong session protection expects: this client's address and browser.
        identifier = login_manager._session_identifier_generator()
        generation = db.session.get(User, user_id).credential_generation
        db.session.remove()
    now = int(utcnow().timestamp())
    with page_client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
        session["_id"] = identifier
        session[SIGNED_IN_AT] = session[SEEN_AT] = now
        session[SESSION_ID] = f"test-session-{user_id}-{now}-{id(page_client)}"
        session[GENERATION] = generation
    return page_client


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path="/"):
    """The CSRF token of a page the client can see (every signed-in page carries one)."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_INPUT.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)
