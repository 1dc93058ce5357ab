"""POST /api/measurements/import: all-or-nothing, line numbers, idempotency, survey exports."""
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from cxgov.extensions import db
from cxgov.journeys.models import Journey, Measurement
from tests import factories
from tests.journeys.conftest import WRITERS, count_rows
from tests.queries import recorded_statements


def upload(api, text, query=""):
    data = {"file": (io.BytesIO(text.encode() if isinstance(text, str) else text), "measurements.csv")}
    return api.post(f"/api/measurements/import{query}", data=data, content_type="multipart/form-data")


def good_csv(journey_id, stage_id, touchpoint_id):
    return (
        "metric,journey_id,period_start,period_end,value,stage_id,touchpoint_id,sample_size,source\n"
        f"nps,{journey_id},2026-01-01,2026-01-31,31.5,,,120,survey\n"
        f"nps,{journey_id},2026-02-01,2026-02-28,33,,,98,\n"
        f"csat,{journey_id},2026-01-01,2026-01-31,81.25,{stage_id},,,\n"
        f"ces,{journey_id},2026-01-01,2026-01-31,2.4,{stage_id},{touchpoint_id},40,crm\n"
    )


def stored(app):
    with app.app_context():
        return sorted((m.metric.code, m.period_start, m.stage_id, m.touchpoint_id, m.value, m.sample_size, m.source)
                      for m in db.session.scalars(select(Measurement)))


def test_import_creates_rows(app, journey_owner):
    text = good_csv(journey_owner.journey_id, journey_owner.stage_ids[0], journey_owner.touchpoint_id)
    response = upload(journey_owner, text)
    assert response.status_code == 200, response.json
    assert response.json == {"created": 4, "updated": 0, "unchanged": 0, "rows": 4}
    stage, tp = journey_owner.stage_ids[0], journey_owner.touchpoint_id
    assert stored(app) == [
        ("ces", date(2026, 1, 1), stage, tp, Decimal("2.4"), 40, "crm"),
        ("csat", date(2026, 1, 1), stage, None, Decimal("81.25"), None, "import"),
        ("nps", date(2026, 1, 1), None, None, Decimal("31.5"), 120, "survey"),
        ("nps", date(2026, 2, 1), None, None, Decimal("33"), 98, "import"),
    ]


def test_importing_twice_changes_nothing(app, journey_owner):
    text = good_csv(journey_owner.journey_id, journey_owner.stage_ids[0], journey_owner.touchpoint_id)
    assert upload(journey_owner, text).status_code == 200
    before = stored(app)
    with app.app_context():
        versions = sorted(db.session.scalars(select(Measurement.version)))
    again = upload(journey_owner, text)
    assert again.status_code == 200
    assert again.json == {"created": 0, "updated": 0, "unchanged": 4, "rows": 4}
    assert stored(app) == before
    with app.app_context():
        assert sorted(db.session.scalars(select(Measurement.version))) == versions


def test_a_changed_row_updates_the_stored_measurement(app, journey_owner):
    j = journey_owner.journey_id
    with app.app_context():
        factories.create_measurement(db.session.get(Journey, j), period_start=date(2026, 1, 1),
                                     period_end=date(2026, 1, 31), value=Decimal("10"))
    text = (f"metric,journey_id,period_start,period_end,value\nnps,{j},2026-01-01,2026-01-31,12\n"
            f"nps,{j},2026-02-01,2026-02-28,14\n")
    assert upload(journey_owner, text).json == {"created": 1, "updated": 1, "unchanged": 0, "rows": 2}
    assert [row[4] for row in stored(app)] == [Decimal("12"), Decimal("14")]
    assert count_rows(app, Measurement) == 2


def test_one_bad_row_refuses_the_whole_file_with_every_error_by_line(app, journey_owner):
    j = journey_owner.journey_id
    with app.app_context():
        foreign_stage = factories.create_stage().id
    text = (
        "metric,journey_id,period_start,period_end,value,stage_id\n"   # line 1
        f"nps,{j},2026-01-01,2026-01-31,31.5,\n"                        # 2 fine
        f"nps,{j},2026-02-01,2026-02-28,abc,\n"                          # 3 value
        f"wow,{j},2026-01-01,2026-01-31,1,\n"                            # 4 metric
        f"nps,9999,2026-01-01,2026-01-31,1,\n"                           # 5 journey
        f"nps,{j},2026-03-31,2026-03-01,1,\n"                            # 6 period
        f"nps,{j},2026-13-01,2026-01-31,1,\n"                            # 7 date
        f"csat,{j},2026-01-01,2026-01-31,1,{foreign_stage}\n"            # 8 stage
        f"nps,{j},2026-01-01,2026-01-31,30,\n"                           # 9 duplicate of line 2
        f"nps,{j},2026-01-01\n"                                          # 10 short
        "\n"                                                            # 11 blank: skipped
        f"csat,{j},,2026-01-31,,\n"                                      # 12 required
    )
    response = upload(journey_owner, text)
    assert response.status_code == 422
    errors = response.json["errors"]
    expected = ["line 3", "line 4", "line 5", "line 6", "line 7", "line 8", "line 9", "line 10", "line 12"]
    assert set(errors) == set(expected)
    assert [f"line {entry['line']}" for entry in response.json["lines"]] == expected
    assert response.json["lines"][0] == {"line": 3, "errors": ["value: 'abc' is not a number"]}
    assert errors["line 3"] == ["value: 'abc' is not a number"]
    assert errors["line 4"] == ["metric: no metric with code 'wow'"]
    assert errors["line 5"] == ["journey_id: no journey 9999"]
    assert errors["line 6"] == ["period_end: before period_start"]
    assert errors["line 7"] == ["period_start: '2026-13-01' is not a date (YYYY-MM-DD)"]
    assert errors["line 8"] == [f"stage_id: stage {foreign_stage} is not a stage of journey {j}"]
    assert errors["line 9"] == ["row: same metric, journey, stage, touchpoint and period as line 2"]
    assert errors["line 10"] == ["row: 3 cells, the header has 6"]
    assert errors["line 12"] == ["period_start: required", "value: required"]
    assert count_rows(app, Measurement) == 0


def test_line_numbers_count_quoted_multiline_cells(app, journey_owner):
    j = journey_owner.journey_id
    text = (f'metric,journey_id,period_start,period_end,value,source\n'
            f'nps,{j},2026-01-01,2026-01-31,1,"sur\nvey"\n'
            f'nps,{j},2026-02-01,2026-02-28,x,\n')
    errors = upload(journey_owner, text).json["errors"]
    assert set(errors) == {"line 2", "line 4"}


@pytest.mark.parametrize("header, message", [
    ("metric,journey_id,period_start,period_end", "missing column(s): value"),
    ("metric,journey_id,period_start,period_end,value,colour", "unknown column(s): colour"),
    ("metric,journey_id,period_start,period_end,value,value", "repeated column(s): value"),
])
def test_header_problems(app, journey_owner, header, message):
    response = upload(journey_owner, header + f"\nnps,{journey_owner.journey_id},2026-01-01,2026-01-31,1,1\n")
    assert response.status_code == 422
    assert any(text.startswith(message) for text in response.json["errors"]["header"])
    assert count_rows(app, Measurement) == 0


def test_unreadable_files(app, journey_owner):
    assert "file" in upload(journey_owner, b"\xff\xfe\x00bad").json["errors"]
    assert "file" in upload(journey_owner, "").json["errors"]
    assert "file" in upload(journey_owner, "metric,journey_id,period_start,period_end,value\n").json["errors"]
    missing = journey_owner.post("/api/measurements/import", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.json["errors"]
    assert count_rows(app, Measurement) == 0


def test_header_is_case_insensitive_and_bom_tolerated(app, journey_owner):
    text = "\ufeffMetric,Journey_ID,period_start,period_end,Value\n" \
           f"nps,{journey_owner.journey_id},2026-01-01,2026-01-31,5\n"
    assert upload(journey_owner, text).json["created"] == 1


@pytest.mark.parametrize("caller", WRITERS)
def test_import_by_role(app, caller, as_caller, journey_owner):
    text = good_csv(journey_owner.journey_id, journey_owner.stage_ids[0], journey_owner.touchpoint_id)
    response = upload(as_caller(caller), text)
    assert response.status_code == (WRITERS[caller] or 200)
    assert count_rows(app, Measurement) == (0 if WRITERS[caller] else 4)


def test_a_journey_the_caller_may_not_write_refuses_the_file(app, journey_owner):
    with app.app_context():
        foreign = factories.create_journey().id
    text = (f"metric,journey_id,period_start,period_end,value\nnps,{journey_owner.journey_id},2026-01-01,2026-01-31,1\n"
            f"nps,{foreign},2026-01-01,2026-01-31,1\n")
    response = upload(journey_owner, text)
    assert response.status_code == 403 and response.json["journeys"] == [foreign]
    assert count_rows(app, Measurement) == 0


def test_validation_takes_a_bounded_number_of_queries(app, journey_owner):
    j, stage, tp = journey_owner.journey_id, journey_owner.stage_ids[0], journey_owner.touchpoint_id
    header = "metric,journey_id,period_start,period_end,value,stage_id,touchpoint_id\n"

    def rows(n):
        return header + "".join(f"nps,{j},2026-01-{day:02d},2026-01-{day:02d},{day},{stage},{tp}\n"
                                for day in range(1, n + 1))

    def statements(text):
        with recorded_statements(app) as seen:
            response = upload(journey_owner, text)
        assert response.status_code == 200, response.json
        return len([s for s in seen if s.lstrip().upper().startswith("SELECT")])

    assert statements(rows(2)) == statements(rows(25).replace("2026-01", "2026-03"))


# -- survey exports -------------------------------------------------------------------------------------

def test_scores_export_grouped_by_journey_and_period(app, journey_owner):
    j = journey_owner.journey_id
    text = ("respondent,journey_id,period_start,period_end,NPS_Score,comment\n"
            f"r1,{j},2026-01-01,2026-01-31,10,great\n"
            f"r2,{j},2026-01-01,2026-01-31,9,\n"
            f"r3,{j},2026-01-01,2026-01-31,3,slow\n"
            f"r4,{j},2026-01-01,2026-01-31,,skipped the question\n"
            f"r5,{j},2026-02-01,2026-02-28,7,\n")
    response = upload(journey_owner, text, "?format=scores&metric=nps")
    assert response.status_code == 200, response.json
    assert response.json == {"created": 2, "updated": 0, "unchanged": 0, "rows": 4}
    assert [(r[0], r[1], r[4], r[5], r[6]) for r in stored(app)] == [
        ("nps", date(2026, 1, 1), Decimal("33.3333"), 3, "survey"),
        ("nps", date(2026, 2, 1), Decimal("0"), 1, "survey"),
    ]
    assert upload(journey_owner, text, "?format=scores&metric=nps").json["unchanged"] == 2


def test_qualtrics_export_with_key_in_the_query(app, journey_owner):
    text = ('StartDate,EndDate,ResponseId,Q1\n'
            '"Start Date","End Date","Response ID","How likely are you to recommend us?"\n'
            '"{""ImportId"":""startDate""}","{""ImportId"":""endDate""}","{""ImportId"":""_recordId""}",'
            '"{""ImportId"":""QID1""}"\n'
            '2026-01-03,2026-01-03,R_1,5\n'
            '2026-01-04,2026-01-04,R_2,4\n'
            '2026-01-05,2026-01-05,R_3,2\n')
    query = (f"?format=scores&metric=csat&column=Q1&journey_id={journey_owner.journey_id}"
             f"&stage_id={journey_owner.stage_ids[0]}&period_start=2026-01-01&period_end=2026-01-31")
    response = upload(journey_owner, text, query)
    assert response.status_code == 200, response.json
    assert [(r[0], r[2], r[4], r[5]) for r in stored(app)] == [
        ("csat", journey_owner.stage_ids[0], Decimal("66.6667"), 3)]


def test_scores_export_errors_by_line(app, journey_owner):
    j = journey_owner.journey_id
    text = f"journey_id,score\n{j},9\n{j},11\n{j},x\n"
    response = upload(journey_owner, text, "?format=scores&metric=nps&period_start=2026-01-01&period_end=2026-01-31")
    assert response.status_code == 422
    assert response.json["errors"] == {"line 3": ["score: 11 is outside 0..10"],
                                       "line 4": ["score: 'x' is not a whole number"]}
    missing = upload(journey_owner, "score\n9\n", "?format=scores&metric=nps")
    assert set(missing.json["errors"]) == {"journey_id", "period_start", "period_end"}
    no_metric = upload(journey_owner, "score\n9\n", "?format=scores")
    assert "metric" in no_metric.json["errors"]
    no_column = upload(journey_owner, "rating\n9\n", f"?format=scores&metric=nps&journey_id={j}"
                                                      "&period_start=2026-01-01&period_end=2026-01-31")
    assert "header" in no_column.json["errors"]
    wrong_journey = upload(journey_owner, "score\n9\n", "?format=scores&metric=nps&journey_id=999"
                                                        "&period_start=2026-01-01&period_end=2026-01-31")
    assert wrong_journey.status_code == 422 and "journey_id" in wrong_journey.json["errors"]
    assert count_rows(app, Measurement) == 0
