"""`python -m bench`: every figure on SQLite and PostgreSQL, each as a ratio to its floor measured
in the same run. Sizes: BENCH_INITIATIVES (10000), BENCH_MEASUREMENTS (1000000); BENCH_QUICK=1
for 1000 / 50000. BENCH_DATABASES=sqlite,postgresql picks the databases, BENCH_PG_NAME names the
PostgreSQL ones (cxgov_bench). Every app figure is served by gunicorn as docs/scaling.md serves it
(bench.serve: BENCH_WORKER_CLASS, BENCH_WORKERS, BENCH_THREADS); the workload, upload-under-load
and scale-out tables (bench.loaded, bench.workload) and the worker models' (bench.workers:
BENCH_MODELS) run on BENCH_LOADED (postgresql). Every page against its API counterpart
(bench.pages) at demo size and at full size. BENCH_CACHE: where the generated databases are kept
(instance/bench)."""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

from bench import loaded, workers
from bench.common import INITIATIVES, JOURNEY_RUNS, MEASUREMENTS, PY, ROI_RUNS, ROOT, env_for, prepare
from bench.serve import describe

DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
DURATION = os.environ.get("BENCH_DURATION", "3s")
LOADED = os.environ.get("BENCH_LOADED", "postgresql").split(",")  # where the workload tables run


def step(url, *args, env=None):
    result = subprocess.run([PY, "-m", "bench.measure", *args], cwd=ROOT, env={**env_for(url), **(env or {})},
                            capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"bench.measure {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def load(port, path, token):
    """Requests per second from wrk (2 threads, 8 connections, a fixed duration) or, without wrk,
    a bounded Python load of 2000 requests over 8 threads."""
    header = f"Authorization: Bearer {token}"
    if shutil.which("wrk"):
        url = f"http://127.0.0.1:{port}{path}"
        subprocess.run(["wrk", "-t2", "-c8", "-d1s", "-H", header, url], capture_output=True)  # warm-up
        out = subprocess.run(["wrk", "-t2", "-c8", f"-d{DURATION}", "-H", header, url],
                             capture_output=True, text=True).stdout
        if "Non-2xx" in out:
            raise SystemExit(f"non-2xx answers from {url}:\n{out}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    def worker(n):
        connection = http.client.HTTPConnection("127.0.0.1", port)
        for _ in range(n):
            connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            response = connection.getresponse()
            response.read()
            assert response.status == 200
    worker(50)
    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(worker, [250] * 8))
    return 2000 / (time.perf_counter() - started)


ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5))


def same_answer(ports, path, token):
    """The floors answer what the app answers (JSON and ETag), checked before they are timed."""
    import http.client

    answers = {}
    for name, port in ports.items():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        answers[name] = (response.status, json.loads(response.read()), response.headers.get("ETag"))
        connection.close()
    assert answers["app"][0] == 200, answers["app"]
    for name, answer in answers.items():
        assert answer == answers["app"], (name, answer, answers["app"])


def throughput(url, rounds=ROUNDS):
    """Requests per second of the app and of the floors, each served by gunicorn (bench.serve: the
    documented command, the same worker model for all) at the same time on its own port; the load
    runs against them in turn, `rounds` times, and each figure is the median of its rounds, so a
    passing burst of load on the machine hits all alike."""
    from contextlib import ExitStack

    from bench.serve import Gunicorn

    token = step(url, "token")["token"]
    targets = {"app": "wsgi:app", "raw": "bench.raw_app:flask_app", "wsgi": "bench.raw_app:app"}
    with ExitStack() as stack:
        ports = {name: stack.enter_context(Gunicorn(url, target)).port for name, target in targets.items()}
        same_answer(ports, "/api/departments/1", token)
        rates = {name: [] for name in targets}
        for _ in range(rounds):
            for name, port in ports.items():
                rates[name].append(load(port, "/api/departments/1", token))
        return {name: statistics.median(values) for name, values in rates.items()}


PAGE_BYTES = 1_000_000  # the busiest journey's page and report stay under 1 MB


def journey_views(kind, url, summary):
    """The busiest journey's page and bounded report: bytes, statements, median time vs the floor."""
    views = step(url, "journey")
    journey_id = views["journey_id"]
    print(f"\n  busiest journey #{journey_id}: {views['points']} journey-level points over {views['metrics']} "
          f"metrics, {views['earlier']} earlier periods summarised, {views['deliveries']} deliveries "
          f"(at most {views['max_points']} periods a series)")
    print(f"  {'view':38} {'bytes':>10} {'stmts':>5} {'app':>9} {'floor':>9} {'ratio':>6}  goals")
    for name, path, view in (("page", f"/journeys/{journey_id}", views["page"]),
                             ("report", f"/api/reports/journeys/{journey_id}", views["report"])):
        ratio = view["seconds"] / view["floor"]
        small, fast = view["bytes"] < PAGE_BYTES, ratio <= 2.0
        print(f"  {'GET ' + path:38} {view['bytes']:>10,} {view['statements']:>5} {view['seconds'] * 1000:7.1f}ms "
              f"{view['floor'] * 1000:7.1f}ms {ratio:5.2f}x  < 1 MB {'ok' if small else 'MISSED'}, ≤ 2.0x "
              + ("ok" if fast else "MISSED"))
        summary.append((kind, f"journey {name} size", view["bytes"], small))
        summary.append((kind, f"journey {name} time", ratio, fast))
    report = views["report"]
    print(f"  {'  report floor: reads only, no before/after':60} {report['reads'] * 1000:7.1f}ms "
          f"{report['seconds'] / report['reads']:5.2f}x")
    page = views["page"]
    print(f"  {'  page on an empty chart cache (it draws nothing)':60} {page['cold_seconds'] * 1000:7.0f}ms")
    print(f"  {'  its ' + str(page['images']) + ' chart pictures, one after another: drawn':60} "
          f"{page['charts_cold_seconds'] * 1000:7.0f}ms")
    print(f"  {'    from the cache':60} {page['charts_seconds'] * 1000:7.0f}ms")
    print(f"  {'    revalidated (If-None-Match: 304)':60} {page['charts_304_seconds'] * 1000:7.0f}ms")
    print(f"  load average during the step: {' '.join(views['load'])}\n")


def pages_table(kind, label, url, summary):
    """bench.pages on one database: its table, and a summary line for each goal missed."""
    print(f"\n  pages at {label} (bench.pages: every page vs its API counterpart, gunicorn {describe()})")
    result = subprocess.run([PY, "-m", "bench.pages"], cwd=ROOT, env=env_for(url), capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"bench.pages failed:\n{result.stderr[-3000:]}")
    *lines, last = result.stdout.rstrip().splitlines()
    print("\n".join(lines))
    rows = json.loads(last)["rows"]
    from bench.pages import GOAL_MS, GOAL_RATIO, goals

    slow = [row["page"] for row in rows if not goals(row)[2]]
    far = [row["page"] for row in rows if goals(row)[1] is False]
    summary.append((kind, f"pages at {label} ≤ {GOAL_MS:g} ms" + (f" ({', '.join(slow)})" if slow else ""),
                    len(slow), not slow))
    summary.append((kind, f"pages at {label} ≤ {GOAL_RATIO:g}x API" + (f" ({', '.join(far)})" if far else ""),
                    len(far), not far))


def main():
    started = time.perf_counter()
    print(f"cxgov bench: {INITIATIVES} initiatives, {MEASUREMENTS} measurements; databases: {', '.join(DATABASES)}")
    print(f"(medians after a warm-up: {ROI_RUNS} runs of the ROI report, {JOURNEY_RUNS} of the journey page and "
          "report, each taken in turn with its floor; ratio = app / floor, throughput ratio = app / floor)\n")
    summary = []
    for kind in DATABASES:
        print(f"== {kind}")
        url, _ = prepare(kind, INITIATIVES, MEASUREMENTS)
        small, _ = prepare(kind, 1, 1)
        medium, _ = prepare(kind, 1000, 1000)

        from bench.serve import Gunicorn

        with Gunicorn(url) as server:
            reports = step(url, "reports", env={"BENCH_APP_PORT": str(server.port)})
        print(f"  {'figure':38} {'app':>10} {'floor':>10} {'ratio':>7}  goal")
        for name, (app_s, floor_s, *info) in reports.items():
            goal = 2.0
            ratio = app_s / floor_s
            if info:  # the same app time against a narrower floor, for information
                print(f"  {name:38} {'':10} {floor_s * 1000:8.1f}ms {ratio:6.2f}x")
                continue
            print(f"  {name:38} {app_s * 1000:8.1f}ms {floor_s * 1000:8.1f}ms {ratio:6.2f}x  ≤ {goal}x "
                  + ("ok" if ratio <= goal else "MISSED"))
            summary.append((kind, name, ratio, ratio <= goal))

        journey_views(kind, url, summary)
        pages_table(kind, "demo size", small, summary)
        pages_table(kind, f"{INITIATIVES} initiatives / {MEASUREMENTS} measurements", url, summary)

        rates = throughput(url)
        ratio = rates["app"] / rates["raw"]
        print(f"  {'GET /api/departments/1 (gunicorn ' + describe() + ')':38} {rates['app']:7.0f}r/s "
              f"{rates['raw']:7.0f}r/s {ratio:6.2f}x  ≥ 0.45x " + ("ok" if ratio >= 0.45 else "MISSED"))
        print(f"  {'  floor: raw-driver Flask endpoint; the same as bare WSGI:':60} {rates['wsgi']:7.0f}r/s "
              f"{rates['app'] / rates['wsgi']:6.2f}x")
        summary.append((kind, "hot GET throughput", ratio, ratio >= 0.45))

        loaded.import_figure(kind, url, summary)

        few, many = step(small, "counts"), step(medium, "counts")
        print(f"\n  {'SQL queries per request':52} {'size 1':>7} {'size 1000':>9}")
        equal = True
        for path in few:
            same = few[path] == many.get(path)
            equal &= same
            print(f"  {path:52} {few[path]:>7} {many.get(path):>9}" + ("" if same else "  DIFFERENT"))
        summary.append((kind, "queries per request equal", None, equal))
        if kind in LOADED:
            loaded.loaded_tables(kind, url, summary)
            workers.models_table(kind, url, summary)
        else:
            print(f"\n  (workload, upload under load and scale-out: BENCH_LOADED={kind} to run them here)")
        print()
    missed = [s for s in summary if not s[3]]
    print(f"done in {time.perf_counter() - started:.0f} s; "
          + ("every goal met" if not missed else "missed: " + "; ".join(f"{k} {n}" for k, n, _, _ in missed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
