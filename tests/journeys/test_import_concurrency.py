"""Two imports of the same journeys at once (PostgreSQL, two threads, the rows in opposite orders,
different values): no error, the stored state is the file applied last, and each import's answer
says what it wrote. SQLite has one writer: there the imports run one after the other anyway."""
import io
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cxgov.extensions import db
from cxgov.journeys.models import Measurement
from tests import factories
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="concurrent writers need PostgreSQL")

ROWS = 4_000
HEADER = "metric,journey_id,period_start,period_end,value\n"


def csv_text(journey_ids, value, reverse):
    day = date(2020, 1, 1)
    lines = [f"nps,{j},{day + timedelta(days=n)},{day + timedelta(days=n)},{value}\n"
             for j in journey_ids for n in range(ROWS // len(journey_ids))]
    return HEADER + "".join(reversed(lines) if reverse else lines)


def upload(api, text):
    data = {"file": (io.BytesIO(text.encode()), "measurements.csv")}
    return api.post("/api/measurements/import", data=data, content_type="multipart/form-data")


def race(clients_and_files):
    barrier = threading.Barrier(len(clients_and_files))
    results, errors = {}, []

    def run(index, client, text):
        try:
            barrier.wait(timeout=30)
            results[index] = upload(client, text)
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, c, t)) for i, (c, t) in enumerate(clients_and_files)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    return [results[i] for i in range(len(clients_and_files))]


def stored_values(app):
    with app.app_context():
        return sorted({str(m.value) for m in db.session.scalars(select(Measurement))}), \
            len(db.session.scalars(select(Measurement.id)).all())


def test_two_imports_in_opposite_orders_serialise_and_tell_the_truth(app, login_as):
    first, second = login_as("cx_leader"), login_as("admin")
    with app.app_context():
        journeys = [factories.create_journey().id for _ in range(2)]
    responses = race([(first, csv_text(journeys, "10", reverse=False)),
                      (second, csv_text(journeys, "20", reverse=True))])
    assert [r.status_code for r in responses] == [200, 200], [r.get_data(as_text=True)[:300] for r in responses]
    answers = [r.json for r in responses]
    # One of them ran first and created every row; the other found them all and updated them.
    earlier, later = sorted((0, 1), key=lambda i: -answers[i]["created"])
    assert answers[earlier] == {"created": ROWS, "updated": 0, "unchanged": 0, "rows": ROWS}
    assert answers[later] == {"created": 0, "updated": ROWS, "unchanged": 0, "rows": ROWS}
    values, count = stored_values(app)
    assert count == ROWS
    assert values == [("10.0000" if later == 0 else "20.0000")]


def test_two_updating_imports_in_opposite_orders_serialise(app, login_as):
    first, second = login_as("cx_leader"), login_as("admin")
    with app.app_context():
        journeys = [factories.create_journey().id for _ in range(2)]
    assert upload(first, csv_text(journeys, "5", reverse=False)).json["created"] == ROWS
    responses = race([(first, csv_text(journeys, "10", reverse=False)),
                      (second, csv_text(journeys, "20", reverse=True))])
    assert [r.status_code for r in responses] == [200, 200], [r.get_data(as_text=True)[:300] for r in responses]
    for response in responses:
        assert response.json == {"created": 0, "updated": ROWS, "unchanged": 0, "rows": ROWS}
    values, count = stored_values(app)
    assert count == ROWS and len(values) == 1
