"""SQLite (WAL): others keep writing while a large file is being checked; its writes then wait for
the write lock and succeed, instead of failing with "database is locked" because the database
changed under the snapshot the checking had read."""
import pytest
from sqlalchemy import text

from cxgov.extensions import db
from cxgov.journeys.imports import import_measurements
from cxgov.journeys.models import Measurement
from cxgov.org.models import User
from cxgov.transaction import transactional
from tests import factories
from tests.conftest import PG_URL
from tests.journeys.conftest import count_rows

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's snapshots")


def test_writes_committed_by_others_while_a_file_is_checked_do_not_fail_the_import(app, login_as):
    app.config["CXGOV_IMPORT_CHUNK_ROWS"] = 5
    leader = login_as("cx_leader")
    with app.app_context():
        journeys = [factories.create_journey().id for _ in range(3)]
    # Each chunk names a journey the earlier ones did not: checking it reads the stored tables.
    text_csv = "metric,journey_id,period_start,period_end,value\n" + "".join(
        f"nps,{journeys[(m - 1) // 5]},2026-{m:02d}-01,2026-{m:02d}-28,{m}\n" for m in range(1, 13))

    with app.app_context():
        writer = db.engine.connect()

        def someone_else_writes(phase, done):
            if phase == "checking":
                writer.execute(text("UPDATE metrics SET name = name || '.' WHERE code = 'csat'"))
                writer.commit()

        actor = db.session.get(User, leader.user_id)
        with transactional():
            counts = import_measurements(actor, text_csv.encode(), {"format": "measurements"},
                                         progress=someone_else_writes)
        writer.close()
    assert counts == {"created": 12, "updated": 0, "unchanged": 0, "rows": 12}
    assert count_rows(app, Measurement) == 12
