"""`python -m bench.import_update`: the time of a 200,000-row update import through the API.

A fresh database (SQLite in instance/bench/, or PostgreSQL `cxgov_bench_import` on 127.0.0.1 with
BENCH_DATABASES=postgresql) is migrated; an admin uploads a CSV of BENCH_IMPORT_ROWS (200,000)
measurements of one journey, then the same keys with other values (every row an update). Each
upload goes through POST /api/measurements/import in the app's WSGI stack (Flask's test client,
no network): past CXGOV_IMPORT_SYNC_ROWS it is answered 202 and run by the web process's import
thread; the figure is from the POST until GET /api/imports/{id} says `done` (polled every 0.1 s),
and the time the POST itself took to answer. The same update once more in the request
(CXGOV_IMPORT_SYNC_ROWS raised), for comparison with a synchronous request.
"""
import io
import json
import os
import time
from datetime import date, timedelta

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 200_000))
DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")


def csv_bytes(journey_id, value):
    day = date(1800, 1, 1)
    lines = ["metric,journey_id,period_start,period_end,value\n"]
    for n in range(ROWS):
        period = (day + timedelta(days=n)).isoformat()
        lines.append(f"nps,{journey_id},{period},{period},{value}\n")
    return "".join(lines).encode()


def fresh_url(kind):
    from bench.common import ROOT

    if kind == "sqlite":
        path = ROOT / "instance" / "bench" / "import_update.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS cxgov_bench_import WITH (FORCE)")
        connection.execute("CREATE DATABASE cxgov_bench_import")
    return "postgresql+psycopg://postgres@127.0.0.1:5432/cxgov_bench_import"


def run(kind):
    import flask_migrate

    from cxgov import create_app
    from cxgov.auth.services import issue_token
    from cxgov.extensions import db
    from cxgov.journeys import import_jobs
    from tests import factories

    url = fresh_url(kind)
    app = create_app({"CXGOV_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                      "CXGOV_IMPORT_DIR": str(app_dir(kind))})
    with app.app_context():
        flask_migrate.upgrade()
        admin = factories.create_user("admin")
        journey_id = factories.create_journey(owner=admin).id
        token, _ = issue_token(admin)
        db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def upload(content):
        started = time.perf_counter()
        response = client.post("/api/measurements/import", content_type="multipart/form-data",
                               data={"file": (io.BytesIO(content), "measurements.csv")})
        answered = time.perf_counter() - started
        if response.status_code == 202:
            location = response.headers["Location"]
            while (job := client.get(location).json)["status"] in ("queued", "running"):
                time.sleep(0.1)
            assert job["status"] == "done", job
            counts = job["counts"]
        else:
            assert response.status_code == 200, response.get_data(as_text=True)[:500]
            counts = response.json
        return {"answered_s": round(answered, 2), "done_s": round(time.perf_counter() - started, 2),
                "status": response.status_code, "counts": counts}

    created = upload(csv_bytes(journey_id, "10"))
    updated = upload(csv_bytes(journey_id, "20"))
    app.config["CXGOV_IMPORT_SYNC_ROWS"] = 10 * ROWS
    in_request = upload(csv_bytes(journey_id, "30"))
    import_jobs.join_worker()
    with app.app_context():
        db.engine.dispose()
    return {"database": kind, "rows": ROWS, "create (background)": created, "update (background)": updated,
            "update (in the request)": in_request}


def app_dir(kind):
    from bench.common import ROOT

    return ROOT / "instance" / "bench" / f"imports-{kind}"


if __name__ == "__main__":
    for kind in DATABASES:
        print(json.dumps(run(kind)), flush=True)
