"""Out-of-range cells in a measurements import are 422 naming the line and the column, never a
database error (PostgreSQL's integer and numeric(14,4) overflow; SQLite's 64-bit integers)."""
import io

import pytest

from cxgov.journeys.models import Measurement
from tests.journeys.conftest import count_rows

HEADER = "metric,journey_id,period_start,period_end,value,stage_id,touchpoint_id,sample_size,source\n"


def upload(api, text, query=""):
    data = {"file": (io.BytesIO(text.encode()), "measurements.csv")}
    return api.post(f"/api/measurements/import{query}", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("row, column", [
    ("nps,{j},2026-01-01,2026-01-31,1e20,,,,", "value"),
    ("nps,{j},2026-01-01,2026-01-31,9999999999.99999,,,,", "value"),  # 1e10 once rounded to 4 places
    ("nps,{j},2026-01-01,2026-01-31,1,,,99999999999,", "sample_size"),
    ("nps,{j},2026-01-01,2026-01-31,1,,,99999999999999999999,", "sample_size"),
    ("nps,99999999999999999999,2026-01-01,2026-01-31,1,,,,", "journey_id"),
    ("nps,{j},2026-01-01,2026-01-31,1,99999999999,,,", "stage_id"),
    ("nps,{j},2026-01-01,2026-01-31,1,,99999999999999999999,,", "touchpoint_id"),
])
def test_an_out_of_range_cell_is_422_naming_its_line_and_column(app, journey_owner, row, column):
    response = upload(journey_owner, HEADER + row.format(j=journey_owner.journey_id) + "\n")
    assert response.status_code == 422, response.get_data(as_text=True)
    [message] = response.json["errors"]["line 2"]
    assert message.startswith(f"{column}:")
    assert count_rows(app, Measurement) == 0
