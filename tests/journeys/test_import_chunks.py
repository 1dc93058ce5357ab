"""The import of a large file, chunk by chunk (a small CXGOV_IMPORT_CHUNK_ROWS stands for 10,000
lines): refusals found in a later chunk still write nothing, updates and creations mix across
chunks, repeated keys are found across chunks, the listed bad lines are capped, and the results do
not depend on the chunk size."""
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, select

from cxgov.audit.models import AuditEntry
from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.journeys.imports import MAX_LISTED, import_measurements
from cxgov.journeys.models import Journey, Measurement
from cxgov.org.models import User
from cxgov.transaction import transactional
from tests import factories
from tests.journeys.conftest import count_rows
from tests.queries import recorded_statements

HEADER = "metric,journey_id,period_start,period_end,value,stage_id,touchpoint_id,sample_size,source\n"


def upload(api, text):
    data = {"file": (io.BytesIO(text.encode()), "measurements.csv")}
    return api.post("/api/measurements/import", data=data, content_type="multipart/form-data")


def month_rows(journey_id, months, value="10", metric="nps"):
    return "".join(f"{metric},{journey_id},2026-{m:02d}-01,2026-{m:02d}-28,{value},,,,\n" for m in months)


def stored(app):
    with app.app_context():
        return sorted(((m.metric.code, m.journey_id, m.period_start, m.stage_id, m.touchpoint_id, m.value,
                        m.sample_size, m.source, m.version) for m in db.session.scalars(select(Measurement))),
                      key=lambda row: [-1 if cell is None else cell for cell in row])


def audit_entities(app):
    with app.app_context():
        return sorted((e.action, e.entity) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.entity.in_(["measurement", "measurement_import"]))))


@pytest.fixture
def chunk(app):
    def _set(size):
        app.config["CXGOV_IMPORT_CHUNK_ROWS"] = size
    _set(3)
    return _set


def test_a_bad_line_in_the_last_chunk_refuses_the_whole_file(app, journey_owner, chunk):
    j = journey_owner.journey_id
    text = HEADER + month_rows(j, range(1, 11)) + f"nps,{j},2026-11-01,2026-11-30,abc,,,,\n"  # line 12
    response = upload(journey_owner, text)
    assert response.status_code == 422
    assert response.json["errors"] == {"line 12": ["value: 'abc' is not a number"]}
    assert response.json["bad_lines"] == 1
    assert count_rows(app, Measurement) == 0
    assert audit_entities(app) == []
    again = upload(journey_owner, text.replace("abc", "11"))  # the same session's next import works
    assert again.json == {"created": 11, "updated": 0, "unchanged": 0, "rows": 11}


def test_a_journey_refused_in_a_later_chunk_writes_nothing(app, journey_owner, chunk):
    j = journey_owner.journey_id
    with app.app_context():
        foreign = factories.create_journey().id
    text = HEADER + month_rows(j, range(1, 8)) + month_rows(foreign, [1]) + month_rows(j, [8, 9])
    response = upload(journey_owner, text)
    assert response.status_code == 403 and response.json["journeys"] == [foreign]
    assert count_rows(app, Measurement) == 0


def test_updates_and_creations_in_different_chunks(app, journey_owner, chunk):
    j = journey_owner.journey_id
    with app.app_context():
        journey = db.session.get(Journey, j)
        for month, value in ((3, "10"), (4, "99"), (7, "10")):
            factories.create_measurement(journey, period_start=date(2026, month, 1), period_end=date(2026, month, 28),
                                         value=Decimal(value), source="import")
    # Chunks of three lines: [1 2 3] [4 5 6] [7 8]: 3 and 7 unchanged, 4 updated, the others new.
    response = upload(journey_owner, HEADER + month_rows(j, range(1, 9)))
    assert response.json == {"created": 5, "updated": 1, "unchanged": 2, "rows": 8}
    rows = stored(app)
    assert [(row[2].month, row[5], row[8]) for row in rows] == [
        (1, Decimal("10"), 1), (2, Decimal("10"), 1), (3, Decimal("10"), 1), (4, Decimal("10"), 2),
        (5, Decimal("10"), 1), (6, Decimal("10"), 1), (7, Decimal("10"), 1), (8, Decimal("10"), 1)]
    assert audit_entities(app).count(("update", "measurement")) == 1
    assert audit_entities(app).count(("create", "measurement_import")) == 1
    assert upload(journey_owner, HEADER + month_rows(j, range(1, 9))).json == {
        "created": 0, "updated": 0, "unchanged": 8, "rows": 8}
    assert stored(app) == rows


def repeats_csv(j, stage, touchpoint):
    return HEADER + (
        f"nps,{j},2026-01-01,2026-01-31,1,,,,\n"                   # 2
        f"wow,{j},2026-01-01,2026-01-31,1,,,,\n"                   # 3 unknown metric
        f"nps,{j},2026-02-01,2026-02-28,1,,,,\n"                   # 4
        f"nps,{j},2026-01-01,2026-01-31,2,,,,\n"                   # 5 repeats 2 (next chunk)
        f"wow,{j},2026-01-01,2026-01-31,1,,,,\n"                   # 6 unknown metric, repeats 3
        f"nps,{j},2026-05-01,2026-05-31,7,,,,\n"                   # 7 matches a stored one, unchanged
        f"csat,{j},2026-01-01,2026-01-31,1,{stage},{touchpoint},,\n"  # 8
        f"nps,{j},2026-05-01,2026-05-31,7,,,,\n"                   # 9 repeats 7 (next chunk)
        f"csat,{j},2026-01-01,2026-01-31,1,{stage},{touchpoint},,\n"  # 10 repeats 8 (same chunk)
        f"nps,{j},2026-03-01,2026-03-31,1,,,,\n"                   # 11
    )


def test_repeated_keys_are_named_across_chunks(app, journey_owner, chunk):
    j, stage, touchpoint = journey_owner.journey_id, journey_owner.stage_ids[0], journey_owner.touchpoint_id
    with app.app_context():
        factories.create_measurement(db.session.get(Journey, j), period_start=date(2026, 5, 1),
                                     period_end=date(2026, 5, 31), value=Decimal("7"), source="import")
    same = "row: same metric, journey, stage, touchpoint and period as line"
    expected = {
        "line 3": ["metric: no metric with code 'wow'"],
        "line 5": [f"{same} 2"],
        "line 6": ["metric: no metric with code 'wow'", f"{same} 3"],
        "line 9": [f"{same} 7"],
        "line 10": [f"{same} 8"],
    }
    for size in (3, 2, 10_000):  # the straightforward way: the whole file in one chunk
        chunk(size)
        response = upload(journey_owner, repeats_csv(j, stage, touchpoint))
        assert response.status_code == 422
        assert response.json["errors"] == expected
        assert [entry["line"] for entry in response.json["lines"]] == [3, 5, 6, 9, 10]
        assert response.json["bad_lines"] == 5
        assert count_rows(app, Measurement) == 1


@pytest.mark.parametrize("lines, repeat, stored_value", [
    ((2, 3), 3, None),  # in one chunk
    ((2, 5), 5, None),  # in another chunk, the first line's measurement created
    ((3, 6), 6, "7"),  # in another chunk, the stored measurement unchanged
    ((3, 6), 6, "8"),  # in another chunk, the stored measurement updated
])
def test_a_repeated_key_alone_refuses_the_file(app, journey_owner, chunk, lines, repeat, stored_value):
    j = journey_owner.journey_id
    if stored_value:
        with app.app_context():
            factories.create_measurement(db.session.get(Journey, j), period_start=date(2026, 5, 1),
                                         period_end=date(2026, 5, 28), value=Decimal(stored_value), source="import")
    months = [1, 2, 3, 4, 6, 7]
    for line in lines:
        months.insert(line - 2, 5)
    response = upload(journey_owner, HEADER + month_rows(j, months[:8], value="7"))
    assert response.status_code == 422, response.json
    assert response.json["errors"] == {
        f"line {repeat}": [f"row: same metric, journey, stage, touchpoint and period as line {lines[0]}"]}
    assert [(row[2].month, row[5]) for row in stored(app)] == ([(5, Decimal(stored_value))] if stored_value else [])


def test_only_the_first_bad_lines_are_listed(app, journey_owner, chunk):
    """The first MAX_LISTED bad lines of the file are listed, whatever the order they are found in;
    every bad line is counted once, however many problems it has."""
    chunk(100)
    j = journey_owner.journey_id
    bad_values = "".join(f"nps,{j},2020-01-01,2020-01-31,x{n},,,,\n" for n in range(MAX_LISTED))  # 7..1006
    text = HEADER + (
        f"nps,{j},2026-01-01,2026-01-31,1,,,,\n"     # 2
        f"nps,{j},2026-02-01,2026-02-28,x,,,,\n"     # 3 bad value
        f"nps,{j},2026-13-01,2026-03-31,1,,,,\n"     # 4 bad date
        f"nps,{j},2026-04-01,2026-04-30,1,,,,\n"     # 5
        f"nps,{j},2026-01-01,2026-01-31,1,,,,\n"     # 6 repeats 2: found last, listed before 7 and on
    ) + bad_values + (
        f"nps,{j},2026-13-01,2026-07-31,z,,,,\n"     # 1007 bad date and value: counted once
        f"wow,{j},2026-08-01,2026-08-31,1,,,,\n"     # 1008 unknown metric
        f"wow,{j},2026-08-01,2026-08-31,1,,,,\n"     # 1009 unknown metric, repeats 1008: counted once
    )
    response = upload(journey_owner, text)
    assert response.status_code == 422
    listed = [entry["line"] for entry in response.json["lines"]]
    assert listed == [3, 4, 6, *range(7, 7 + MAX_LISTED - 3)]
    assert set(response.json["errors"]) == {f"line {line}" for line in listed}
    assert response.json["errors"]["line 6"] == ["row: same metric, journey, stage, touchpoint and period as line 2"]
    bad = 3 + MAX_LISTED + 3
    assert response.json["bad_lines"] == bad
    assert response.json["detail"].endswith(f"{bad} lines are bad; the first {MAX_LISTED} are listed.")
    assert count_rows(app, Measurement) == 0


def test_chunks_hold_at_most_chunk_lines(app, journey_owner, chunk):
    """What is in memory at a time: CXGOV_IMPORT_CHUNK_ROWS lines, good or bad, each chunk checked
    before the next is read (progress is told after each)."""
    chunk(4)
    checked = []
    j = journey_owner.journey_id
    text = HEADER + month_rows(j, range(1, 6)) + month_rows(j, range(6, 10), value="bad") + month_rows(j, [10, 11])
    with app.app_context(), pytest.raises(Invalid) as refused, transactional():
        import_measurements(db.session.get(User, journey_owner.user_id), text, {"format": "measurements"},
                            progress=lambda phase, done: checked.append((phase, done)))
    assert refused.value.extra["bad_lines"] == 4
    assert checked == [("checking", 4), ("checking", 8), ("checking", 11)]


def test_queries_grow_by_a_fixed_number_per_chunk(app, journey_owner, chunk):
    chunk(5)
    j, stage, tp = journey_owner.journey_id, journey_owner.stage_ids[0], journey_owner.touchpoint_id

    def rows(n, year):
        return HEADER + "".join(f"nps,{j},{year}-01-{day:02d},{year}-01-{day:02d},{day},{stage},{tp},,\n"
                                for day in range(1, n + 1))

    def statements(text):
        with recorded_statements(app) as seen:
            response = upload(journey_owner, text)
        assert response.status_code == 200, response.json
        return len(seen)

    one, two, four = statements(rows(5, 2020)), statements(rows(10, 2021)), statements(rows(20, 2022))
    assert two - one > 0 and four - two == 2 * (two - one)


def test_results_do_not_depend_on_the_chunk_size(app, journey_owner, chunk):
    j, stage, touchpoint = journey_owner.journey_id, journey_owner.stage_ids[0], journey_owner.touchpoint_id
    text = HEADER + "".join(
        f"{metric},{j},2026-{m:02d}-01,2026-{m:02d}-28,{m}.125{m},{stage if m % 2 else ''},"
        f"{touchpoint if m % 3 == 0 and m % 2 else ''},{m * 10 if m % 4 else ''},{'survey' if m % 5 else ''}\n"
        for m in range(1, 13) for metric in ("nps", "csat", "ces"))

    def run(size):
        with app.app_context():
            db.session.execute(delete(Measurement))
            journey = db.session.get(Journey, j)
            for month in (2, 4):
                factories.create_measurement(journey, period_start=date(2026, month, 1),
                                             period_end=date(2026, month, 28), value=Decimal("1"))
        chunk(size)
        counts = upload(journey_owner, text).json
        return counts, [row[:8] for row in stored(app)]

    small, whole = run(4), run(10_000)
    assert small == whole
    assert small[0] == {"created": 34, "updated": 2, "unchanged": 0, "rows": 36}


def test_the_careful_reading_gives_what_the_plain_one_does(app, journey_owner, chunk):
    """Cells with spaces, blank optional cells, upper-case header: every line read cell by cell."""
    j, stage = journey_owner.journey_id, journey_owner.stage_ids[0]
    plain = HEADER + f"nps,{j},2026-01-01,2026-01-31,1.5,{stage},,12,survey\n" + month_rows(j, [2, 3])
    spaced = HEADER.upper() + (f" nps , {j} ,2026-01-01 , 2026-01-31, 1.5 ,{stage} , , 12 , survey\n"
                               f"nps ,{j},2026-02-01,2026-02-28,10, , , ,\n"
                               f"nps,{j},2026-03-01 ,2026-03-28,10,,,, \n")
    assert upload(journey_owner, plain).json["created"] == 3
    first = stored(app)
    with app.app_context():
        db.session.execute(delete(Measurement))
        db.session.commit()
    assert upload(journey_owner, spaced).json["created"] == 3
    assert stored(app) == first


def test_a_refusal_rolls_back_what_earlier_chunks_wrote(app, chunk):
    """Called as a service: a file refused once rows are written (a key repeating an earlier chunk's)
    raises, and the caller's transactional() boundary rolls the writes back."""
    chunk(3)
    with app.app_context():
        journey = factories.create_journey()
        admin = factories.create_user(role="admin")
        text = "metric,journey_id,period_start,period_end,value\n" + "".join(
            f"nps,{journey.id},2025-{month:02d}-01,2025-{month:02d}-28,{month}\n" for month in range(1, 13))
        with pytest.raises(Invalid) as refused, transactional():
            import_measurements(db.session.get(User, admin.id), text + f"nps,{journey.id},2025-01-01,2025-01-28,5\n",
                                {"format": "measurements"})
        assert refused.value.errors == {
            "line 14": ["row: same metric, journey, stage, touchpoint and period as line 2"]}
        assert db.session.scalars(select(Measurement)).all() == []
        with transactional():
            counts = import_measurements(db.session.get(User, admin.id), text.encode(), {"format": "measurements"})
        assert counts == {"created": 12, "updated": 0, "unchanged": 0, "rows": 12}
        assert len(db.session.scalars(select(Measurement)).all()) == 12


def test_the_import_leaves_committing_to_its_caller(app, chunk):
    """The import flushes, never commits: a caller who rolls back keeps nothing of it, audit included;
    a refusal leaves the session's connection as it found it (SQLite: in its transactions again)."""
    chunk(3)
    with app.app_context():
        journey = factories.create_journey()
        admin = factories.create_user(role="admin")
        db.session.commit()
        text = "metric,journey_id,period_start,period_end,value\n" + "".join(
            f"nps,{journey.id},2025-{month:02d}-01,2025-{month:02d}-28,{month}\n" for month in range(1, 8))
        counts = import_measurements(db.session.get(User, admin.id), text, {"format": "measurements"})
        assert counts["created"] == 7
        db.session.rollback()
        assert db.session.scalars(select(Measurement)).all() == []
        with pytest.raises(Invalid), transactional():
            import_measurements(db.session.get(User, admin.id), text + "nps,x,,,\n", {"format": "measurements"})
        db.session.add(Measurement(metric_id=factories.metric("nps").id, journey_id=journey.id, value=Decimal(1),
                                   period_start=date(2024, 1, 1), period_end=date(2024, 1, 31), source="manual"))
        db.session.flush()
        db.session.rollback()
        assert db.session.scalars(select(Measurement)).all() == []
    assert audit_entities(app) == []
