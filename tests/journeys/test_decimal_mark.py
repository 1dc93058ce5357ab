"""A measurements file written with a decimal comma (a Portuguese or Romanian spreadsheet's CSV,
`;`-separated): read with decimal=",", refused with a clear message without it — never guessed."""
import io
import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from cxgov.extensions import db
from cxgov.journeys.models import Journey, Measurement
from tests.conftest import csrf_token
from tests.journeys.conftest import count_rows
from tests.journeys.test_import import upload as api_upload
from tests.journeys.test_pages import claims, upload  # noqa: F401 (a fixture)

HEADER = "metric;journey_id;period_start;period_end;value;sample_size\n"


def comma_file(journey_id):
    return (HEADER + f"nps;{journey_id};2026-01-01;2026-01-31;4,5;120\n"
            f"csat;{journey_id};2026-01-01;2026-01-31;1.234,5;\n"
            f"ces;{journey_id};2026-01-01;2026-01-31;3;40\n")


def values(app):
    with app.app_context():
        return sorted((m.metric.code, m.value) for m in db.session.scalars(select(Measurement)))


def test_the_api_reads_a_decimal_comma_when_told(app, journey_owner):
    response = api_upload(journey_owner, comma_file(journey_owner.journey_id), "?decimal=,")
    assert response.status_code == 200, response.json
    assert response.json == {"created": 3, "updated": 0, "unchanged": 0, "rows": 3}
    assert values(app) == [("ces", Decimal("3")), ("csat", Decimal("1234.5")), ("nps", Decimal("4.5"))]
    again = api_upload(journey_owner, comma_file(journey_owner.journey_id), "?decimal=,")
    assert again.json == {"created": 0, "updated": 0, "unchanged": 3, "rows": 3}


def test_the_api_refuses_a_decimal_comma_it_was_not_told_of(app, journey_owner):
    response = api_upload(journey_owner, comma_file(journey_owner.journey_id))
    assert response.status_code == 422
    problem = response.json
    assert "decimal comma" in problem["detail"] and "line 2, column value" in problem["detail"]
    assert 'decimal=","' in problem["detail"]
    assert problem["errors"]["line 2"] == ["value: '4,5' is written with a decimal comma; choose the decimal "
                                           "mark “,” (decimal=\",\") to import this file"]
    assert problem["errors"]["line 3"][0].startswith("value: '1.234,5' is written with a decimal comma")
    assert "line 4" not in problem["errors"]  # "3" reads the same with either mark
    assert "Line 2, column value" in problem["errors"]["decimal"][0]
    assert count_rows(app, Measurement) == 0


def test_the_api_refuses_a_decimal_point_when_told_of_a_comma(app, journey_owner):
    text = ("metric,journey_id,period_start,period_end,value\n"
            f"nps,{journey_owner.journey_id},2026-01-01,2026-01-31,4.5\n")
    response = api_upload(journey_owner, text, "?decimal=,")
    assert response.status_code == 422
    assert response.json["errors"]["line 2"] == [
        "value: '4.5' is not a number written with a decimal comma (like 4,5 or 1.234,5)"]
    assert api_upload(journey_owner, text, "?decimal=;").status_code == 422  # only "." or ","
    assert api_upload(journey_owner, text).status_code == 200  # the default: the decimal point


def test_a_comma_separated_file_with_dot_decimals_still_reads(app, journey_owner):
    text = (f"metric,journey_id,period_start,period_end,value\n"
            f"nps,{journey_owner.journey_id},2026-01-01,2026-01-31,12.25\n")
    assert api_upload(journey_owner, text).status_code == 200
    assert values(app) == [("nps", Decimal("12.25"))]


def test_the_api_answers_the_refusal_in_the_requests_language(app, journey_owner):
    data = {"file": (io.BytesIO(comma_file(journey_owner.journey_id).encode()), "kpis.csv")}
    response = journey_owner.post("/api/measurements/import", data=data, content_type="multipart/form-data",
                                  headers={"Accept-Language": "pt-PT"})
    assert response.status_code == 422
    assert "vírgula decimal" in response.json["detail"] and "linha 2, coluna value" in response.json["detail"]
    assert "errors" in response.json and "line 2" in response.json["errors"]  # keys stay as they are


def test_the_openapi_schema_documents_the_decimal_option(login_as):
    spec = login_as("member").get("/api/openapi.json").json
    parameters = spec["paths"]["/api/measurements/import"]["post"]["parameters"]
    decimal = next(p for p in parameters if p["name"] == "decimal")
    assert decimal["in"] == "query" and decimal["schema"]["enum"] == [".", ","]
    assert "never guessed" in decimal["schema"].get("description", "") + decimal.get("description", "")


def _own(app, page, journey_id):
    with app.app_context():
        db.session.get(Journey, journey_id).owner_id = page.user_id
        db.session.commit()


def test_the_upload_page_reads_a_decimal_comma_when_told(app, page_as, claims):  # noqa: F811
    page = page_as("member")
    _own(app, page, claims[0])
    form = page.get("/journeys/upload").get_data(as_text=True)
    assert 'name="decimal" value=","' in form and 'name="decimal" value="."' in form
    response = upload(page, comma_file(claims[0]), decimal=",")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "<strong>2</strong> created, <strong>1</strong> updated" in response.get_data(as_text=True)
    assert ("csat", Decimal("1234.5")) in values(app) and ("nps", Decimal("4.5")) in values(app)


def test_the_upload_page_refuses_a_decimal_comma_it_was_not_told_of(app, page_as, claims):  # noqa: F811
    page = page_as("member")
    _own(app, page, claims[0])
    before = count_rows(app, Measurement)
    token = csrf_token(page, "/journeys/upload")
    response = page.post("/journeys/upload", data={"csrf_token": token, "file": (io.BytesIO(
        comma_file(claims[0]).encode()), "kpis.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nothing was imported" in html
    assert "Line 2, column value has &#39;4,5&#39;, a number with a decimal comma" in html  # by the field
    assert 'id="decimal-point"' in html and 'aria-invalid="true"' in html
    assert '<td class="num">2</td><td>value: &#39;4,5&#39; is written with a decimal comma' in html
    assert count_rows(app, Measurement) == before


@pytest.mark.parametrize("language, words", [("pt_PT", "vírgula decimal"), ("ro", "virgulă zecimală")])
def test_the_refusal_on_the_page_in_the_readers_language(app, page_as, claims, language, words):  # noqa: F811
    page = page_as("member", language=language)
    _own(app, page, claims[0])
    token = csrf_token(page, "/journeys/upload")
    response = page.post("/journeys/upload", data={"csrf_token": token, "file": (io.BytesIO(
        comma_file(claims[0]).encode()), "kpis.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert words in response.get_data(as_text=True)


def test_a_large_file_remembers_its_decimal_mark(app, journey_owner):
    """A background import keeps the arguments it was sent with (the job's `args`)."""
    from cxgov.journeys import import_jobs
    from cxgov.journeys.models import ImportJob
    with app.app_context():
        user = db.session.get(Journey, journey_owner.journey_id).owner
        job = import_jobs.queue_import(user, io.BytesIO(comma_file(journey_owner.journey_id).encode()),
                                       "kpis.csv", {"format": "measurements", "decimal": ","})
        db.session.commit()
        job_id = job.id
    with app.app_context():
        options = db.session.get(ImportJob, job_id).options
        assert (json.loads(options) if isinstance(options, str) else options)["decimal"] == ","
