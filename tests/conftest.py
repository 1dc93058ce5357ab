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


# The longest tests first: pytest-xdist hands out the tests in this order (after the groups of
# several tests), and one of these started last would keep one worker busy minutes after the
# other ran out of work.
SLOW_FIRST = ("tests/test_figures_match_api.py", "tests/test_malformed_requests.py", "tests/scale/",
              "tests/notifications/test_query_counts.py", "tests/test_openapi_fuzz.py", "tests/test_demo.py")


def pytest_collection_modifyitems(items):
    def rank(item):
        return next((i for i, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)), len(SLOW_FIRST))

    items.sort(key=rank)


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
            # What the migrations seeded continues after its highest id.
            for table in tables:
                if conn.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0] and conn.execute(
                        "SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' "
                        "AND table_name = %s AND column_name = 'id'", (table,)).fetchone():
                    conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f'(SELECT max(id) FROM "{table}"))')
        template = {"kind": "postgresql", "url": url, "name": name, "tables": tables}
        template.update(pg_snapshot(template))
        yield template
        _close_pg(url)
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


# -- PostgreSQL snapshots ---------------------------------------------------------------------------
#
# A snapshot is every table's rows (COPY's text, which gives back exactly what it took) and every
# sequence's state. Restoring one puts back only what differs from it, found in one query: a table
# that should be empty and has a row, a table whose rows' count or newest row version (`xmin`: an
# insert or update writes a row version of a later transaction) moved since it was restored, a
# sequence that moved. Those tables are emptied with DELETE (TRUNCATE costs ~10 ms a table, even
# empty: it makes new files) and refilled; foreign keys are not checked while they are.

_PG_CONNECTIONS = {}  # url -> this worker's connection for restoring
_PG_RESTORED = {}  # url -> (the snapshot last restored, {table: (count, newest xmin) after it})
_VACUUM_ABOVE = 512 * 1024  # bytes: a table emptied with DELETE keeps its pages until vacuumed


def _pg_connection(url):
    conn = _PG_CONNECTIONS.get(url)
    if conn is None or conn.closed or conn.broken:
        conn = _PG_CONNECTIONS[url] = _pg_connect(url)
    return conn


def _close_pg(url):
    conn = _PG_CONNECTIONS.pop(url, None)
    _PG_RESTORED.pop(url, None)
    if conn is not None:
        conn.close()


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def pg_snapshot(template):
    """Every table's rows and every sequence's state of the database at `template["url"]` now."""
    conn = _pg_connection(template["url"])
    rows = {}
    with conn.cursor() as cursor:
        for table in template["tables"]:
            with cursor.copy(f"COPY {_quote(table)} TO STDOUT") as copy:
                data = b"".join(bytes(chunk) for chunk in copy)
            if data:
                rows[table] = data
    sequences = {name: (last, called) for name, last, called in conn.execute(
        "SELECT sequencename, COALESCE(last_value, start_value), last_value IS NOT NULL FROM pg_sequences "
        "WHERE schemaname = 'public'")}
    _PG_RESTORED.pop(template["url"], None)  # what the database holds now is no snapshot's restore
    return {"rows": rows, "sequences": sequences}


def _dirty(conn, snapshot, counted):
    """The tables (with their size) and the sequences that differ from `snapshot`."""
    checks = []
    for index, table in enumerate(snapshot["tables"]):
        quoted = _quote(table)
        if table not in snapshot["rows"]:
            where = f"EXISTS (SELECT 1 FROM {quoted})"
        elif table in counted:
            n, xmin = counted[table]
            where = (f"(SELECT (count(*), max(xmin::text::bigint)) FROM {quoted}) "
                     f"IS DISTINCT FROM ({n}::bigint, {xmin}::bigint)")
        else:
            where = "true"
        checks.append(f"SELECT 't', {index}, pg_relation_size('{quoted}') WHERE {where}")
    names = list(snapshot["sequences"])
    for index, name in enumerate(names):
        last, called = snapshot["sequences"][name]
        checks.append(f"SELECT 's', {index}, 0 WHERE EXISTS (SELECT 1 FROM {_quote(name)} "
                      f"WHERE (last_value, is_called) IS DISTINCT FROM ({last}::bigint, {called}))")
    tables, sequences = {}, []
    for kind, index, size in conn.execute(" UNION ALL ".join(checks)):
        if kind == "t":
            tables[snapshot["tables"][index]] = size
        else:
            sequences.append(names[index])
    return tables, sequences


def restore_postgresql(snapshot):
    """Put the database back in the state of `snapshot` (the template's or one of `pg_snapshot`)."""
    url = snapshot["url"]
    conn = _pg_connection(url)
    last, counted = _PG_RESTORED.get(url, (None, {}))
    tables, sequences = _dirty(conn, snapshot, counted if last is snapshot else {})
    if tables or sequences:
        with conn.transaction():
            conn.execute("SET LOCAL lock_timeout = '10s'")
            conn.execute("SET LOCAL session_replication_role = replica")
            conn.execute("SET LOCAL synchronous_commit = off")  # a test database: no need to wait for the disk
            if tables:
                conn.execute("; ".join(f"DELETE FROM {_quote(t)}" for t in tables).encode())
            with conn.cursor() as cursor:
                for table in tables:
                    if table in snapshot["rows"]:
                        with cursor.copy(f"COPY {_quote(table)} FROM STDIN") as copy:
                            copy.write(snapshot["rows"][table])
            if sequences:
                conn.execute("SELECT " + ", ".join(
                    f"setval('{_quote(name)}', {snapshot['sequences'][name][0]}, {snapshot['sequences'][name][1]})"
                    for name in sequences))
        for table, size in tables.items():
            if size > _VACUUM_ABOVE:
                conn.execute(f"VACUUM {_quote(table)}")
    if last is not snapshot:
        counted = {}
    refilled = [t for t in snapshot["rows"] if t in tables or t not in counted]
    if refilled:
        counts = conn.execute(" UNION ALL ".join(
            f"SELECT {i}, count(*), max(xmin::text::bigint) FROM {_quote(t)}" for i, t in enumerate(refilled)))
        counted = {**counted, **{refilled[i]: (n, xmin) for i, n, xmin in counts}}
    _PG_RESTORED[url] = (snapshot, counted)


def _restore_postgresql(template):
    """Empty every table and put back what the migrations seeded (the built-in metrics)."""
    restore_postgresql(template)


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


@pytest.fixture(scope="session")
def _demo_copy():
    return {}


@pytest.fixture
def demo_seeded(app, runner, database_template, _demo_copy):
    """`cxgov seed-demo` run on this test's fresh database: its result (exit code, output).

    The demo takes seconds to seed: each worker seeds it once a day (it is dated from today) and
    then restores a copy of that database, as the migrated template is restored."""
    from cxgov.db import today

    if _demo_copy.get("day") != today():
        result = runner.invoke(args=["cxgov", "seed-demo"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if database_template["kind"] == "sqlite":
            path = database_template["path"]
            copy = path.with_name("demo.sqlite")
            copy.with_name(copy.name + "-wal").unlink(missing_ok=True)
            for suffix in ("", "-wal"):
                if path.with_name(path.name + suffix).exists():
                    shutil.copyfile(path.with_name(path.name + suffix), copy.with_name(copy.name + suffix))
            _demo_copy.update(path=copy)
        else:
            _demo_copy.update(snapshot=dict(database_template, **pg_snapshot(database_template)))
        _demo_copy.update(day=today(), result=result)
        return result
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if database_template["kind"] == "sqlite":
        path, copy = database_template["path"], _demo_copy["path"]
        for suffix in ("-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        for suffix in ("", "-wal"):
            if copy.with_name(copy.name + suffix).exists():
                shutil.copyfile(copy.with_name(copy.name + suffix), path.with_name(path.name + suffix))
    else:
        restore_postgresql(_demo_copy["snapshot"])
    return _demo_copy["result"]


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
