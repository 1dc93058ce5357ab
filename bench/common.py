"""Sizes, database URLs and the cached benchmark databases."""
import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("BENCH_CACHE", ROOT / "instance" / "bench"))  # the generated databases, kept
PY = sys.executable
QUICK = os.environ.get("BENCH_QUICK") == "1"
INITIATIVES = int(os.environ.get("BENCH_INITIATIVES", 1000 if QUICK else 10000))
MEASUREMENTS = int(os.environ.get("BENCH_MEASUREMENTS", 50000 if QUICK else 1000000))
PG_SERVER = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
PG_NAME = os.environ.get("BENCH_PG_NAME", "cxgov_bench")  # the databases' name (and prefix) on that server
RUNS = int(os.environ.get("BENCH_RUNS", 5))
ROI_RUNS = 3 * RUNS  # the app and its floor taken in turn, run after run
JOURNEY_RUNS = 10 * RUNS  # the journey report takes milliseconds: more runs steady its median


def driver_url(url):
    """The plain libpq URL of a SQLAlchemy PostgreSQL URL."""
    return url.replace("postgresql+psycopg://", "postgresql://")


def sqlite_path(url):
    return url.removeprefix("sqlite:///")


def db_url(kind, initiatives, measurements):
    if kind == "sqlite":
        return f"sqlite:///{CACHE / f'bench-{initiatives}-{measurements}.sqlite'}"
    name = PG_NAME if (initiatives, measurements) == (INITIATIVES, MEASUREMENTS) and not QUICK \
        else f"{PG_NAME}_{initiatives}_{measurements}"
    return f"{PG_SERVER}/{name}"


def env_for(url):
    return {**os.environ, "DATABASE_URL": url, "CXGOV_ENV": "development", "PYTHONWARNINGS": "ignore"}


def _counts(url):
    sql = "SELECT (SELECT count(*) FROM initiatives), (SELECT count(*) FROM measurements)"
    try:
        if url.startswith("sqlite"):
            import sqlite3

            if not Path(sqlite_path(url)).exists():
                return None
            with sqlite3.connect(sqlite_path(url)) as connection:
                return connection.execute(sql).fetchone()
        with psycopg.connect(driver_url(url), connect_timeout=5) as connection:
            return connection.execute(sql).fetchone()
    except Exception:
        return None


def _reset_pg(url):
    server, name = url.rsplit("/", 1)
    with psycopg.connect(driver_url(server) + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare(kind, initiatives, measurements, log=print):
    """A migrated database holding the demo plus the scale data, generated once and reused."""
    url = db_url(kind, initiatives, measurements)
    counts = _counts(url)
    if counts and counts[0] >= initiatives and counts[1] >= measurements and _complete(url):
        # A cached database gets the migrations written since it was generated.
        subprocess.run([PY, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env_for(url),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return url, 0.0
    import time

    started = time.perf_counter()
    CACHE.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        Path(sqlite_path(url)).unlink(missing_ok=True)
    else:
        _reset_pg(url)
    flask = [PY, "-m", "flask", "--app", "wsgi"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env_for(url), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([PY, "-m", "bench.scale", "--initiatives", str(initiatives), "--measurements", str(measurements)],
                   cwd=ROOT, env=env_for(url), check=True, stdout=subprocess.DEVNULL)
    _mark_complete(url)
    elapsed = time.perf_counter() - started
    log(f"  generated {kind} database with {initiatives} initiatives / {measurements} measurements "
        f"in {elapsed:.0f} s")
    return url, elapsed


def _marker(url):
    return CACHE / (url.rsplit("/", 1)[1] + ".complete")


def _complete(url):
    return _marker(url).exists()


def _mark_complete(url):
    _marker(url).write_text("ok\n")
