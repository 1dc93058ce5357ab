"""Uploads are read as a stream with bounded memory: caps on characters per line, cells per line,
characters per cell and lines per file, each refusal naming the line; numbers that the database
columns cannot hold are refused by line; bad survey scores are summarised (the first ones listed,
the rest counted), not echoed one by one."""
import io

import pytest

from cxgov.errors import Invalid
from cxgov.extensions import db
from cxgov.journeys.imports import import_measurements
from cxgov.journeys.models import Measurement
from cxgov.org.models import User
from tests.journeys.conftest import count_rows

HEADER = "metric,journey_id,period_start,period_end,value\n"


def upload(api, text, query=""):
    data = {"file": (io.BytesIO(text.encode()), "measurements.csv")}
    return api.post(f"/api/measurements/import{query}", data=data, content_type="multipart/form-data")


class EndlessLine(io.RawIOBase):
    """A header, then one line of `size` bytes of "1,1,1,…" (a crafted upload); counts what is read."""

    def __init__(self, size):
        self.parts = iter([HEADER.encode(), *[b"1," * 32_768] * (size // 65_536), b"\n"])
        self.read_bytes = 0
        self.rest = b""

    def readable(self):
        return True

    def readinto(self, buffer):
        if not self.rest:
            self.rest = next(self.parts, b"")
        chunk, self.rest = self.rest[:len(buffer)], self.rest[len(buffer):]
        buffer[:len(chunk)] = chunk
        self.read_bytes += len(chunk)
        return len(chunk)


def test_a_line_over_the_cap_is_refused_without_reading_the_rest_of_it(app, journey_owner):
    app.config["CXGOV_IMPORT_MAX_LINE_CHARS"] = 100_000
    stream = EndlessLine(40_000_000)
    with app.app_context():
        actor = db.session.get(User, journey_owner.user_id)
        with pytest.raises(Invalid) as refused:
            import_measurements(actor, io.BufferedReader(stream), {"format": "measurements"})
    assert list(refused.value.errors) == ["line 2"]
    assert "more than 100000 characters" in refused.value.errors["line 2"][0]
    assert stream.read_bytes < 1_000_000  # read up to the cap, not the 40 MB line


def test_a_line_with_too_many_cells_is_refused_naming_the_line(app, journey_owner):
    app.config["CXGOV_IMPORT_MAX_CELLS"] = 20
    j = journey_owner.journey_id
    text = HEADER + f"nps,{j},2026-01-01,2026-01-31,30\n" + ",".join(["1"] * 50) + "\n"
    response = upload(journey_owner, text)
    assert response.status_code == 422
    assert response.json["errors"] == {"line 3": ["row: more than 20 cells; a line may have at most 20"]}
    assert count_rows(app, Measurement) == 0


def test_a_cell_over_the_cap_is_refused_naming_the_line_without_echoing_it(app, journey_owner):
    app.config["CXGOV_IMPORT_MAX_CELL_CHARS"] = 50
    j = journey_owner.journey_id
    text = HEADER + f"nps,{j},2026-01-01,2026-01-31,{'9' * 500}\n"
    response = upload(journey_owner, text)
    assert response.status_code == 422
    assert response.json["errors"] == {"line 2": ["cell 5: more than 50 characters"]}


def test_a_file_over_the_line_cap_is_refused_with_413_naming_the_line(app, journey_owner):
    app.config["CXGOV_IMPORT_MAX_ROWS"] = 5
    j = journey_owner.journey_id
    text = HEADER + "".join(f"nps,{j},2026-{m:02d}-01,2026-{m:02d}-28,30\n" for m in range(1, 8))
    response = upload(journey_owner, text)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"] == {"line 7": ["file: more than 5 data lines; split the file"]}
    assert count_rows(app, Measurement) == 0


@pytest.mark.parametrize("column, cell, message", [
    ("sample_size", "100000000000000000000", "sample_size: 100000000000000000000 is too large"),
    ("journey_id", "99999999999", "journey_id: 99999999999 is too large"),
    ("value", "12345678901", "value: '12345678901' is not a usable number"),
])
def test_numbers_the_columns_cannot_hold_are_refused_by_line(app, journey_owner, column, cell, message):
    j = journey_owner.journey_id
    cells = {"metric": "nps", "journey_id": str(j), "period_start": "2026-01-01", "period_end": "2026-01-31",
             "value": "30", "sample_size": "10"}
    cells[column] = cell
    text = ",".join(cells) + "\n" + f"nps,{j},2026-02-01,2026-02-28,30,10\n" + ",".join(cells.values()) + "\n"
    response = upload(journey_owner, text)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert message in response.json["errors"]["line 3"][0]
    assert count_rows(app, Measurement) == 0


def test_bad_survey_scores_in_a_file_are_summarised(app, journey_owner):
    j = journey_owner.journey_id
    text = "score\n" + "11\n" * 500 + "9\n"
    response = upload(journey_owner, text, f"?format=scores&metric=nps&journey_id={j}"
                                           "&period_start=2026-01-01&period_end=2026-01-31")
    assert response.status_code == 422
    body = response.json
    assert [entry["line"] for entry in body["lines"]] == list(range(2, 22))  # the first 20
    assert body["bad_lines"] == 500
    assert "500 lines are bad; the first 20 are listed" in body["detail"]
    assert len(response.get_data()) < 10_000


def test_bad_scores_sent_as_json_are_summarised(journey_owner):
    scores = [11] * 5000 + [9, 8.5]
    response = journey_owner.post("/api/measurements/from-scores", json={
        "metric": "nps", "journey_id": journey_owner.journey_id, "period_start": "2026-01-01",
        "period_end": "2026-01-31", "scores": scores})
    assert response.status_code == 422
    messages = response.json["errors"]["scores"]
    assert messages[:2] == ["index 0: 11 is outside 0..10.", "index 1: 11 is outside 0..10."]
    assert len(messages) == 21
    assert messages[-1] == "… and 4981 more bad scores (5001 in all)."
    assert response.json["bad_scores"] == 5001
