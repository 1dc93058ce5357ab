"""SQLite under a long write (a large import holds the write lock for many seconds): readers go
on reading (WAL), and a writer that cannot get the lock within the busy timeout is told 503 with
Retry-After, not 500."""
import sqlite3

import pytest
from sqlalchemy.engine import make_url

from cxgov.extensions import db
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's single writer")


@pytest.fixture
def long_writer(app):
    """Another connection in the middle of a big write: it holds SQLite's exclusive lock."""
    with app.app_context():
        path = make_url(str(db.engine.url)).database
    other = sqlite3.connect(path, timeout=0, isolation_level=None)

    def start():
        other.execute("BEGIN EXCLUSIVE")
        other.execute("UPDATE metrics SET name = 'Net Promoter (being rewritten)'")

    yield start
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


def test_the_database_runs_in_wal_mode(app):
    with app.app_context():
        assert db.session.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_readers_are_not_blocked_by_a_long_write(login_as, long_writer):
    leader = login_as("cx_leader")
    long_writer()
    response = leader.get("/api/metrics")
    assert response.status_code == 200
    assert "being rewritten" not in response.get_data(as_text=True)  # the uncommitted change is not seen


def test_a_writer_that_cannot_get_the_lock_is_told_to_retry(login_as, long_writer):
    admin = login_as("admin")
    long_writer()
    response = admin.post("/api/departments", json={"name": "Sales", "code": "SAL"})
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.mimetype == "application/problem+json"
    assert "busy" in response.get_json()["detail"]
