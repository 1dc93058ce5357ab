"""Large imports run in the background: 202 with the job's Location; the job ends done with the
counts, or failed with the refusal (nothing written); only the uploader, CX leaders and admins
read it; the scheduler's run-imports runs queued jobs and takes over abandoned ones."""
import io
import json
import os
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.journeys import import_jobs
from cxgov.journeys.models import ImportJob, Measurement
from cxgov.notifications.jobs import run_job
from tests import factories
from tests.conftest import csrf_token
from tests.journeys.conftest import count_rows

HEADER = "metric,journey_id,period_start,period_end,value\n"
SYNC_ROWS = 10


@pytest.fixture(autouse=True)
def background(app, tmp_path):
    app.config.update(CXGOV_IMPORT_SYNC_ROWS=SYNC_ROWS, CXGOV_IMPORT_DIR=str(tmp_path / "imports"))
    yield tmp_path / "imports"
    import_jobs.join_worker()


def rows(journey_id, count, value="30", bad_line=None):
    lines = []
    for n in range(count):
        line = n + 2
        cell = "abc" if line == bad_line else value
        lines.append(f"nps,{journey_id},2026-01-{n % 28 + 1:02d},2026-01-{n % 28 + 1:02d},{cell}\n".replace(
            "2026-01", f"20{10 + n // 28}-01"))
    return HEADER + "".join(lines)


def upload(api, text):
    data = {"file": (io.BytesIO(text.encode()), "big.csv")}
    return api.post("/api/measurements/import", data=data, content_type="multipart/form-data")


def finished(api, location):
    import_jobs.join_worker()
    return api.get(location)


def test_a_large_import_answers_202_and_the_job_reports_what_it_wrote(app, journey_owner, background):
    response = upload(journey_owner, rows(journey_owner.journey_id, 30))
    assert response.status_code == 202
    location = response.headers["Location"]
    assert location == f"/api/imports/{response.json['id']}"
    assert response.json["lines"] == 30 and response.json["filename"] == "big.csv"
    job = finished(journey_owner, location)
    assert job.status_code == 200
    assert job.json["status"] == "done"
    assert job.json["counts"] == {"created": 30, "updated": 0, "unchanged": 0, "rows": 30}
    assert job.json["progress"] == {"phase": "done", "done": 30, "total": 30}
    assert job.json["problem"] is None
    assert count_rows(app, Measurement) == 30
    assert os.listdir(background) == []  # the stored upload is gone once imported

    again = finished(journey_owner, upload(journey_owner, rows(journey_owner.journey_id, 30, "40")).headers["Location"])
    assert again.json["counts"] == {"created": 0, "updated": 30, "unchanged": 0, "rows": 30}


def test_the_web_process_runs_its_imports_in_a_lower_priority_process(app, journey_owner, monkeypatch):
    # As deployed (CXGOV_IMPORT_NICE set): the queue is run by a new process made with this app's
    # settings, not by this process, which could not import anything here.
    app.config["CXGOV_IMPORT_NICE"] = 10
    monkeypatch.setattr(import_jobs, "run_queued", lambda: pytest.fail("imported in the web process"))
    response = upload(journey_owner, rows(journey_owner.journey_id, 30))
    assert response.status_code == 202
    job = finished(journey_owner, response.headers["Location"])
    assert job.json["status"] == "done"
    assert job.json["counts"] == {"created": 30, "updated": 0, "unchanged": 0, "rows": 30}
    assert count_rows(app, Measurement) == 30


def test_the_import_process_lowers_its_priority_before_it_imports(app, monkeypatch):
    from cxgov import import_process

    seen = []
    monkeypatch.setattr(import_process.os, "nice", lambda step: seen.append(("nice", step)))
    monkeypatch.setattr(import_jobs, "run_queued", lambda: seen.append(("run", os.getpid())))
    settings = {"nice": 7, "config": {"CXGOV_ENV": "testing",
                                      "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}}
    monkeypatch.setattr(import_process.sys, "stdin", io.StringIO(json.dumps(settings)))
    import_process.main()
    assert seen == [("nice", 7), ("run", os.getpid())]


def test_small_imports_stay_synchronous(journey_owner):
    response = upload(journey_owner, rows(journey_owner.journey_id, SYNC_ROWS))
    assert response.status_code == 200
    assert response.json == {"created": SYNC_ROWS, "updated": 0, "unchanged": 0, "rows": SYNC_ROWS}


def test_a_refused_background_import_writes_nothing_and_keeps_the_errors(app, journey_owner, background):
    response = upload(journey_owner, rows(journey_owner.journey_id, 30, bad_line=27))
    assert response.status_code == 202
    job = finished(journey_owner, response.headers["Location"])
    assert job.json["status"] == "failed"
    problem = job.json["problem"]
    assert problem["status"] == 422
    assert problem["errors"] == {"line 27": ["value: 'abc' is not a number"]}
    assert problem["lines"] == [{"line": 27, "errors": ["value: 'abc' is not a number"]}]
    assert job.json["counts"] is None
    assert count_rows(app, Measurement) == 0
    assert os.listdir(background) == []


def test_a_background_import_of_a_journey_the_uploader_may_not_write_fails_403(app, login_as, journey_owner):
    # The owner of another journey may import (so the upload is taken), but not into this journey.
    other = login_as("member")
    with app.app_context():
        factories.create_journey(owner=db.session.get(factories.User, other.user_id), name="Renewal")
    response = upload(other, rows(journey_owner.journey_id, 30))
    assert response.status_code == 202
    job = finished(other, response.headers["Location"])
    assert job.json["status"] == "failed" and job.json["problem"]["status"] == 403
    assert count_rows(app, Measurement) == 0


def test_only_the_uploader_cx_leaders_and_admins_read_a_job(client, login_as, journey_owner):
    location = upload(journey_owner, rows(journey_owner.journey_id, 30)).headers["Location"]
    import_jobs.join_worker()
    assert journey_owner.get(location).status_code == 200
    assert login_as("cx_leader").get(location).status_code == 200
    assert login_as("admin").get(location).status_code == 200
    assert login_as("member").get(location).status_code == 403
    assert login_as("executive").get(location).status_code == 403
    assert client.get(location).status_code == 401
    assert journey_owner.get("/api/imports/999").status_code == 404


def test_without_the_worker_thread_the_scheduler_job_runs_queued_imports(app, journey_owner):
    app.config["CXGOV_IMPORT_WORKER"] = False
    location = upload(journey_owner, rows(journey_owner.journey_id, 30)).headers["Location"]
    assert journey_owner.get(location).json["status"] == "queued"
    assert journey_owner.get(location).json["progress"] == {"phase": "queued", "done": 0, "total": 30}
    with app.app_context():
        assert run_job("run-imports", utcnow()) == 1
        assert run_job("run-imports", utcnow()) == 0
    assert journey_owner.get(location).json["status"] == "done"
    assert count_rows(app, Measurement) == 30


def test_a_job_is_claimed_by_one_runner_only(app, journey_owner):
    app.config["CXGOV_IMPORT_WORKER"] = False
    job_id = upload(journey_owner, rows(journey_owner.journey_id, 30)).json["id"]
    with app.app_context():
        assert import_jobs.claim(job_id) is True
        assert import_jobs.claim(job_id) is False
        assert db.session.get(ImportJob, job_id).attempts == 1


def test_a_job_abandoned_by_a_dead_process_is_run_again(app, journey_owner):
    app.config["CXGOV_IMPORT_WORKER"] = False
    location = upload(journey_owner, rows(journey_owner.journey_id, 30)).headers["Location"]
    with app.app_context():
        job = db.session.scalars(select(ImportJob)).one()
        assert import_jobs.claim(job.id)  # a process took it, then died (its transaction with it)
        assert run_job("run-imports", utcnow()) == 0  # still fresh: it may be running elsewhere
        assert run_job("run-imports", utcnow() + import_jobs.STALE_AFTER + timedelta(minutes=1)) == 1
    assert journey_owner.get(location).json["status"] == "done"
    assert count_rows(app, Measurement) == 30


def test_the_upload_page_sends_a_large_file_to_its_progress_page(app, page_as):
    from tests import factories

    owner = page_as("member")
    with app.app_context():
        journey_id = factories.create_journey(owner=db.session.get(factories.User, owner.user_id)).id
    token = csrf_token(owner, "/journeys/upload")
    app.config["CXGOV_IMPORT_WORKER"] = False
    preview = owner.post("/journeys/upload", data={
        "csrf_token": token, "format": "measurements",
        "file": (io.BytesIO(rows(journey_id, 30).encode()), "big.csv")}, content_type="multipart/form-data")
    assert preview.status_code == 200 and "Large file: 30 lines" in preview.get_data(as_text=True)
    kept = re.search(r'name="upload" value="([^"]+)"', preview.get_data(as_text=True)).group(1)
    response = owner.post("/journeys/upload/confirm", data={"csrf_token": token, "upload": kept})
    assert response.status_code == 303
    page_url = response.headers["Location"]
    assert page_url.startswith("/imports/")
    waiting = owner.get(page_url).get_data(as_text=True)
    assert '<meta http-equiv="refresh"' in waiting and "Queued" in waiting and "0 of 30" in waiting
    with app.app_context():
        run_job("run-imports", utcnow())
    done = owner.get(page_url).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in done
    assert "<strong>30</strong> created" in done
