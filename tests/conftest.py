"""Fixtures in layers: database → app → client / runner / login_as.

Every test gets a fresh database built by the migrations: on SQLite a copy of a migrated
template file, on PostgreSQL (`CXGOV_TEST_DATABASE_URL`) a database cloned from a migrated
template database.
"""
import os
import re
import shutil
import uuid

import psycopg
import pytest
from sqlalchemy.engine import make_url

from cxgov import create_app
from cxgov.auth.services import issue_token
from cxgov.extensions import db
from tests import factories

PG_URL = os.environ.get("CXGOV_TEST_DATABASE_URL")


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
    worker = _worker(request)
    if PG_URL:
        base = re.sub(r"\W", "_", make_url(PG_URL).database or "cxgov_test")
        name = f"{base}_tpl_{worker}"
        with _pg_admin(PG_URL) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        _migrate(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
        yield {"kind": "postgresql", "name": name, "base": base}
        with _pg_admin(PG_URL) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path_factory.mktemp("template") / "template.sqlite"
        _migrate(f"sqlite:///{path}")
        yield {"kind": "sqlite", "path": path}


@pytest.fixture
def database_url(database_template, request, tmp_path):
    """A fresh, migrated database for one test."""
    if database_template["kind"] == "sqlite":
        path = tmp_path / "cxgov.sqlite"
        shutil.copyfile(database_template["path"], path)
        yield f"sqlite:///{path}"
        return
    name = f"{database_template['base']}_{_worker(request)}_{uuid.uuid4().hex[:8]}"
    with _pg_admin(PG_URL) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{database_template["name"]}"')
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with _pg_admin(PG_URL) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def app(database_url):
    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    with app.app_context():
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
        page_client = app.test_client()
        with page_client.session_transaction() as session:
            session["_user_id"] = str(user_id)
            session["_fresh"] = True
        page_client.user_id = user_id
        return page_client

    return _login


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path="/"):
    """The CSRF token of a page the client can see (every signed-in page carries one)."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_INPUT.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)
