"""The bench's figures under gunicorn over HTTP with more than one request at a time: the
measurement import uploaded into a full table, the mixed workload (bench.workload), the workload
with a large upload under way, and the workload on one and on two instances.

Uploads: a CSV of the database's last BENCH_MEASUREMENTS generated rows (of stages and touchpoints
still active: a retired one takes no new measurements), each moved 400 years back
(the same weekdays and month ends), so every row is a new measurement in a table that already
holds them all; the upload is `POST /api/measurements/import` streamed over HTTP, answered 202,
followed at `GET /api/imports/{id}` (every 0.5 s) through its progress to `done`. The floor is the
same file through COPY into the same full table (bench.measure floor-import), rolled back. Every
upload's rows, and everything the workload wrote, are deleted before the next step."""
import csv
import http.client
import json
import os
import subprocess
import time
import uuid
from pathlib import Path

from bench import workload
from bench.common import CACHE, MEASUREMENTS, PY, ROOT, env_for
from bench.serve import Gunicorn, describe, redis_available

UPLOAD_TIMEOUT = float(os.environ.get("BENCH_UPLOAD_TIMEOUT", 3600))
SHIFT_YEARS = 400


def shifted_csv(url):
    """The upload's CSV, written once per database."""
    path = CACHE / f"upload-{Path(url).name}-{MEASUREMENTS}.csv"
    if path.exists():
        return path
    connection = workload._connect(url)
    cursor = connection.execute(
        "SELECT x.code, m.journey_id, m.period_start, m.period_end, m.value, m.stage_id, m.touchpoint_id, "
        "m.sample_size, m.source FROM measurements m JOIN metrics x ON x.id = m.metric_id "
        "LEFT JOIN stages s ON s.id = m.stage_id LEFT JOIN touchpoints t ON t.id = m.touchpoint_id "
        "WHERE m.period_start >= '1800-01-01' AND coalesce(s.status, 'active') = 'active' "
        f"AND coalesce(t.status, 'active') = 'active' ORDER BY m.id DESC LIMIT {MEASUREMENTS}")

    def back(day):
        day = str(day)
        return f"{int(day[:4]) - SHIFT_YEARS:04d}{day[4:]}"
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["metric", "journey_id", "period_start", "period_end", "value", "stage_id",
                         "touchpoint_id", "sample_size", "source"])
        while batch := cursor.fetchmany(10000):
            writer.writerows([[code, journey, back(start), back(end), value, "" if stage is None else stage,
                               "" if touchpoint is None else touchpoint, "" if size is None else size, source]
                              for code, journey, start, end, value, stage, touchpoint, size, source in batch])
    connection.close()
    temporary.rename(path)
    return path


def rows_in(url):
    with workload._connect(url) as connection:
        return connection.execute("SELECT count(*) FROM measurements").fetchone()[0]


def upload(port, token, path):
    """POST the file (multipart, streamed) and follow the job to its end: a dict of what happened."""
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"measurements.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body():
        yield head
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk
        yield tail
    headers = {"Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}",
               "Content-Length": str(len(head) + path.stat().st_size + len(tail))}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request("POST", "/api/measurements/import", body=body(), headers=headers)
    response = connection.getresponse()
    answer = response.read()
    answered = time.perf_counter() - started
    outcome = {"status": response.status, "answered_s": answered, "polls": 0, "poll_errors": 0, "phases": []}
    if response.status != 202:
        outcome["done_s"] = answered
        if response.status == 200:  # imported in the request (not past CXGOV_IMPORT_SYNC_ROWS)
            outcome.update(job="done", counts=json.loads(answer), phases=["in the request"])
        else:
            outcome.update(job="refused", problem=answer[:500].decode(errors="replace"))
        return outcome
    location = response.headers["Location"]
    deadline = time.monotonic() + UPLOAD_TIMEOUT
    while time.monotonic() < deadline:
        time.sleep(0.5)
        try:
            connection.request("GET", location, headers={"Authorization": f"Bearer {token}"})
            reply = connection.getresponse()
            data = reply.read()
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            outcome["poll_errors"] += 1
            continue
        outcome["polls"] += 1
        if reply.status != 200:
            outcome["poll_errors"] += 1
            continue
        job = json.loads(data)
        phase = job.get("progress", {}).get("phase")
        if not outcome["phases"] or outcome["phases"][-1] != phase:
            outcome["phases"].append(phase)
        if job["status"] in ("done", "failed"):
            outcome.update(job=job["status"], counts=job.get("counts"), problem=job.get("problem"))
            break
    else:
        outcome["job"] = "timed out"
    outcome["done_s"] = time.perf_counter() - started
    connection.close()
    return outcome


def floor_import(url, path):
    """bench.measure floor-import --keep, in its own process."""
    result = subprocess.run([PY, "-m", "bench.measure", "floor-import", str(path), "--keep"], cwd=ROOT,
                            env=env_for(url), capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"bench.measure floor-import failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def import_figure(kind, url, summary):
    """The measurement import over HTTP into the full table vs the floor into the same table."""
    path = shifted_csv(url)
    workload.cleanup(url)
    before = rows_in(url)
    with Gunicorn(url) as server:
        token = workload.issue_tokens(url, 1)[0]
        outcome = upload(server.port, token, path)
    after = rows_in(url)
    workload.cleanup(url)
    floor = floor_import(url, path)
    ok = outcome.get("job") == "done" and after - before == outcome["counts"]["created"]
    ratio = outcome["done_s"] / floor["seconds"] if ok else float("inf")
    floor_name = "COPY" if kind == "postgresql" else "executemany"
    rows = (outcome.get("counts") or {}).get("rows", "?")
    print(f"  {'CSV import (HTTP) ' + str(rows) + ' rows vs ' + floor_name:38} {outcome['done_s']:9.1f}s "
          f"{floor['seconds']:9.1f}s {ratio:6.2f}x  ≤ 1.5x " + ("ok" if ratio <= 1.5 else "MISSED"))
    print(f"    into {before:,} rows ({describe()} gunicorn): answered {outcome['status']} in "
          f"{outcome['answered_s']:.1f}s, phases {' → '.join(map(str, outcome['phases']))}, job "
          f"{outcome.get('job')} {str(outcome.get('counts') or outcome.get('problem'))[:300]}")
    summary.append((kind, "CSV import over HTTP", ratio, ratio <= 1.5))


GOAL_P95, GOAL_P99 = 0.250, 0.500
GOAL_UNDER_LOAD = 5.0  # each request's p95 under load against its own unloaded p50


def under_load(base, result):
    """(label, unloaded p50, p95 under load, ratio) of each request of the mix, the largest ratio
    first: how much waiting the load adds to each request, measured against the same request alone
    (the mix's own p95 ÷ p50₀ also counts that its pages take longer than its small GETs)."""
    alone = base["p50_by_request"]
    rows = [(label, alone[label], p95, p95 / alone[label])
            for label, p95 in result["p95_by_request"].items() if label in alone]
    return sorted(rows, key=lambda row: row[3], reverse=True)


def print_under_load(users, rows):
    worst = rows[0][3] if rows else float("nan")
    print(f"\n  each request at {users} users: its p95 against its own unloaded p50 "
          f"(≤ {GOAL_UNDER_LOAD:g}x " + ("ok" if worst <= GOAL_UNDER_LOAD else "MISSED") + ")")
    print(f"  {'request':38} {'p50₀ ms':>8} {'p95 ms':>8} {'ratio':>7}")
    for label, alone, p95, ratio in rows:
        print(f"  {label:38} {alone * 1000:8.1f} {p95 * 1000:8.1f} {ratio:6.1f}x")
    return worst


def _row(name, result, base_p50, goal=None):
    ratio = result["p95"] / base_p50
    line = (f"  {name:34} {result['rps']:6.1f} {result['p50'] * 1000:7.0f} {result['p95'] * 1000:7.0f} "
            f"{result['p99'] * 1000:7.0f} {result['errors']:6} {ratio:8.1f}x  {' '.join(result['load'])}")
    if result.get("reconnects"):
        line += f"  ({result['reconnects']} requests sent again on a dropped connection)"
    print(line + (f"  {goal}" if goal else ""))
    for sample in result["error_samples"]:
        print(f"      error: {sample}")


def loaded_tables(kind, url, summary):
    """The workload, upload-under-load and scale-out tables."""
    redis = redis_available()
    catalogue = workload.Catalogue(url)
    workload.cleanup(url)
    users = workload.USERS
    heaviest = max(users)
    print(f"\n  workload: {workload.DURATION:.0f} s a run, {workload.THINK:g} s think time, 70 % API reads / "
          f"20 % pages / 10 % writes; gunicorn {describe()}, rate limits in "
          + ("Redis" if redis else "memory:// (no Redis client: see docs/scaling.md)"))
    header = (f"  {'':34} {'r/s':>6} {'p50ms':>7} {'p95ms':>7} {'p99ms':>7} {'errors':>6} "
              f"{'p95/p50₀':>9}  load average")
    print(header)
    with Gunicorn(url, redis=redis) as server:
        clients = workload.sign_in_all(url, [server.port], heaviest)
        workload.warm_up(clients, catalogue)
        base = workload.unloaded(clients[0], catalogue)
        print(f"  {'unloaded (one request at a time)':34} {'':6} {base['p50'] * 1000:7.0f}  "
              "(p50₀: the same mix, no other load)")
        results = {}
        for count in users:
            results[count] = result = workload.run(clients, catalogue, count)
            met = result["p95"] <= GOAL_P95 and result["p99"] <= GOAL_P99 and not result["errors"]
            goal = "p95 ≤ 250, p99 ≤ 500 ms, 0 errors " + ("ok" if met else "MISSED") if count == heaviest else None
            _row(f"{count} users", result, base["p50"], goal)
            if count == heaviest:
                summary.append((kind, f"workload {count} users", result["p95"], met))
        worst = print_under_load(heaviest, under_load(base, results[heaviest]))
        summary.append((kind, f"each request's p95 at {heaviest} users ≤ {GOAL_UNDER_LOAD:g}x its p50₀", worst,
                        worst <= GOAL_UNDER_LOAD))
        workload.cleanup(url)

        # -- the same heaviest workload with an upload under way ------------------------------------------
        path = shifted_csv(url)
        token = clients[0].token
        loaded = workload.run(clients, catalogue, heaviest, during=lambda: upload(server.port, token, path))
        outcome = loaded["during"]
        ratio = loaded["p95"] / results[heaviest]["p95"]
        met = outcome.get("job") == "done" and not loaded["errors"] and outcome["poll_errors"] == 0 and ratio <= 1.5
        rows = (outcome.get("counts") or {}).get("rows", "?")
        print(f"\n  upload under load: {heaviest} users while {rows} rows are "
              f"uploaded over HTTP (answered {outcome['status']} in {outcome['answered_s']:.1f}s, job "
              f"{outcome.get('job')} after {outcome.get('done_s', 0):.0f}s, {outcome['poll_errors']} failed polls)")
        print(header)
        _row(f"{heaviest} users, no upload", results[heaviest], base["p50"])
        _row(f"{heaviest} users, upload under way", loaded, base["p50"],
             f"p95 {ratio:.2f}x without, ≤ 1.5x, no 500s, job done " + ("ok" if met else "MISSED"))
        summary.append((kind, "upload under load", ratio, met))
        workload.cleanup(url)

        # -- scale-out: the same workload on one instance, then on two ------------------------------------
        single = workload.run(clients, catalogue, heaviest, seed=11)
        workload.cleanup(url)
        single_saturated, single_busy = saturated(clients, catalogue)
    with Gunicorn(url, redis=redis) as first, Gunicorn(url, redis=redis) as second:
        for client in clients:
            client.close()
            client.ports = [first.port, second.port]
            client.connections = {}
        workload.warm_up(clients, catalogue)
        double = workload.run(clients, catalogue, heaviest, seed=11)
        workload.cleanup(url)
        double_saturated, double_busy = saturated(clients, catalogue)
    workload.cleanup(url)
    ratio = double["rps"] / single["rps"]
    saturated_ratio = double_saturated["rps"] / single_saturated["rps"]
    print(f"\n  scale-out: {heaviest} users on one gunicorn ({describe()}) and on two (ports {first.port}, "
          f"{second.port}, taken alternately), one PostgreSQL, rate limits in {'Redis' if redis else 'memory://'}")
    print(header)
    _row("1 instance", single, base["p50"])
    _row("2 instances", double, base["p50"],
         f"throughput {ratio:.2f}x one instance (closed loop: capped at {heaviest / workload.THINK:.0f} r/s)")
    _row(f"1 instance, saturated ({SATURATE} users)", single_saturated, base["p50"],
         f"machine {single_busy:.0%} busy")
    _row(f"2 instances, saturated ({SATURATE} users)", double_saturated, base["p50"],
         f"machine {double_busy:.0%} busy; {saturated_ratio:.2f}x one instance, ≥ 1.6x "
         + ("ok" if saturated_ratio >= 1.6 else f"MISSED: {os.cpu_count()} cores, busy before the second instance"))
    summary.append((kind, "scale-out errors", double["errors"], not double["errors"]))
    summary.append((kind, "scale-out saturated throughput", saturated_ratio, saturated_ratio >= 1.6))


SATURATE = 8  # users with no think time: the most the instances can answer


def cpu_times():
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def saturated(clients, catalogue):
    """The workload with no think time (SATURATE users, a third of a run), and how busy the machine's
    cores were meanwhile (server, database and this load generator together)."""
    busy, total = cpu_times()
    result = workload.run(clients, catalogue, SATURATE, duration=workload.DURATION / 3, think=0.0, seed=13)
    busy_after, total_after = cpu_times()
    return result, (busy_after - busy) / max(total_after - total, 1)
