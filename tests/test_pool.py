"""PostgreSQL connections are pinged only after idling (cxgov.pool). A connection the server
dropped while it was idle is replaced before a request uses it. One dropped just after use fails
one request with 503 and Retry-After, never a 500, and the next request is served."""
import psycopg
import pytest
from sqlalchemy import make_url

from cxgov import pool
from cxgov.extensions import db
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="a server that drops connections: PostgreSQL")


@pytest.fixture
def clock(monkeypatch):
    """The pool's clock, moved forward by the test."""
    now = [1000.0]
    monkeypatch.setattr(pool, "clock", lambda: now[0])
    return now


@pytest.fixture
def pings(app, monkeypatch):
    """The pings sent to the server (the dialect's `SELECT 1` on the driver's connection)."""
    with app.app_context():
        dialect = db.engine.dialect
    sent, ping = [], dialect.do_ping

    def counted(dbapi_connection):
        sent.append(dbapi_connection)
        return ping(dbapi_connection)
    monkeypatch.setattr(dialect, "do_ping", counted)
    return sent


def _drop_the_pooled_connection(app):
    """Terminate, from outside, the one connection the app's pool holds."""
    with app.app_context():
        with db.engine.connect() as connection:
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username, dbname=url.database,
                         autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
    return pid


def test_a_connection_in_use_a_moment_ago_is_not_pinged(app, login_as, clock, pings):
    client = login_as("member")
    assert client.get("/api/departments").status_code == 200
    clock[0] += 1  # one second later
    assert client.get("/api/departments").status_code == 200
    assert pings == []
    clock[0] += app.config["CXGOV_DB_PING_IDLE_SECONDS"]  # idle long enough: pinged once
    assert client.get("/api/departments").status_code == 200
    assert len(pings) == 1


def test_a_connection_dropped_while_idle_is_replaced_before_the_request_uses_it(app, login_as, clock, pings):
    client = login_as("member")
    assert client.get("/api/departments").status_code == 200
    clock[0] += 1
    _drop_the_pooled_connection(app)
    clock[0] += app.config["CXGOV_DB_PING_IDLE_SECONDS"]  # idle long enough to be pinged
    response = client.get("/api/departments")
    assert response.status_code == 200, response.json
    assert len(pings) == 1  # the ping found the dropped connection; a new one served the request


def test_a_connection_dropped_just_after_use_fails_one_request_with_503(app, login_as, clock):
    client = login_as("member")
    assert client.get("/api/departments").status_code == 200
    _drop_the_pooled_connection(app)
    response = client.get("/api/departments")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.mimetype == "application/problem+json"
    assert "connection to the database was lost" in response.json["detail"]
    assert client.get("/api/departments").status_code == 200  # the pool connected again
