"""The worker model, chosen by measurement: the mixed workload (bench.workload) on gunicorn with
each model in BENCH_MODELS, run after run, and each model's saturated throughput.

A model is `class:workers[:threads]`, e.g. `sync:2,sync:4,gthread:2:4` (the default). For each:
- the workload at the heaviest user count (BENCH_USERS, 50), `BENCH_WORKER_RUNS` (3) runs of
  BENCH_WORKLOAD_SECONDS each, the models taken in turn run after run (a passing burst of load on
  the machine hits them alike); the median p95 and its spread (min–max) over the runs;
- the worst ratio of a request's p95 in those runs to its own unloaded median (`loaded.under_load`,
  goal 5x): a small GET waiting behind pages shows here, not in the mix's p95;
- the saturated throughput: `SATURATE_USERS` (8) users with no think time for a third of a run,
  and the CPU seconds the server's processes spent per request in it (user + system, from
  /proc), which is what bounds throughput on a machine with `os.cpu_count()` cores.
The model chosen: no errors, each request within 5x, then the lowest p95.

`python -m bench.workers` runs it on its own against the bench's PostgreSQL database."""
import os
import statistics
import time
from contextlib import ExitStack
from pathlib import Path

from bench import loaded, workload
from bench.serve import Gunicorn, redis_available

MODELS = os.environ.get("BENCH_MODELS", "sync:2,sync:4,gthread:2:4").split(",")
RUNS = int(os.environ.get("BENCH_WORKER_RUNS", 3))
SATURATE_USERS = 8
TICKS = os.sysconf("SC_CLK_TCK")


def parse(model):
    worker_class, workers, *threads = model.split(":")
    return worker_class, int(workers), int(threads[0]) if threads else None


def cpu_seconds(pid):
    """User + system CPU seconds of a process and its children still running (the gunicorn
    master and its workers)."""
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def models_table(kind, url, summary, print=print):
    """The table of worker models; returns {model: median p95}."""
    redis = redis_available()
    catalogue = workload.Catalogue(url)
    workload.cleanup(url)
    heaviest = max(workload.USERS)
    print(f"\n  worker model: {heaviest} users, {RUNS} runs of {workload.DURATION:.0f} s each, models in turn; "
          f"saturated: {SATURATE_USERS} users, no think time, {workload.DURATION / 3:.0f} s; {os.cpu_count()} cores")
    print(f"  {'gunicorn':18} {'p95 ms (min–max)':>22} {'p99ms':>7} {'errors':>6} {'worst/p50₀':>10} {'sat r/s':>8} "
          f"{'CPU ms/req':>10}  load average")
    results = {}
    with ExitStack() as stack:
        servers = {}
        for model in MODELS:
            worker_class, workers, threads = parse(model)
            servers[model] = stack.enter_context(
                Gunicorn(url, worker_class=worker_class, workers=workers, threads=threads, redis=redis))
        clients, alone = {}, {}
        for model, server in servers.items():
            clients[model] = workload.sign_in_all(url, [server.port], heaviest)
            workload.warm_up(clients[model], catalogue)
            alone[model] = workload.unloaded(clients[model][0], catalogue)
        runs = {model: [] for model in MODELS}
        for run in range(RUNS):
            for model in MODELS:
                runs[model].append(workload.run(clients[model], catalogue, heaviest, seed=20 + run))
                workload.cleanup(url)
        for model, server in servers.items():
            before, started = cpu_seconds(server.process.pid), time.perf_counter()
            saturated = workload.run(clients[model], catalogue, SATURATE_USERS, duration=workload.DURATION / 3,
                                     think=0.0, seed=99)
            cpu = cpu_seconds(server.process.pid) - before
            workload.cleanup(url)
            p95s = sorted(r["p95"] for r in runs[model])
            median = statistics.median(p95s)
            errors = sum(r["errors"] for r in runs[model]) + saturated["errors"]
            p99 = statistics.median(r["p99"] for r in runs[model])
            worst = statistics.median(loaded.under_load(alone[model], r)[0][3] for r in runs[model])
            results[model] = {"p95": median, "p99": p99, "errors": errors, "worst": worst,
                              "saturated_rps": saturated["rps"],
                              "cpu_ms": 1000 * cpu / max(saturated["requests"], 1),
                              "wall": time.perf_counter() - started}
            resent = sum(r.get("reconnects", 0) for r in runs[model]) + saturated.get("reconnects", 0)
            print(f"  {server.label:18} {median * 1000:8.0f} ({p95s[0] * 1000:5.0f}–{p95s[-1] * 1000:5.0f}) "
                  f"{p99 * 1000:7.0f} {errors:6} {worst:9.1f}x {saturated['rps']:8.1f} "
                  f"{results[model]['cpu_ms']:10.1f}  "
                  + " ".join(runs[model][-1]["load"])
                  + (f"  ({resent} requests sent again on a dropped connection)" if resent else ""))
        for group in clients.values():
            for client in group:
                client.close()
    best = min(results, key=lambda m: (results[m]["errors"], results[m]["worst"] > loaded.GOAL_UNDER_LOAD,
                                       results[m]["p95"]))
    print(f"  chosen (no errors, each request ≤ {loaded.GOAL_UNDER_LOAD:g}x its p50₀, then the lowest p95): {best}; "
          f"the ceiling: {os.cpu_count()} cores ÷ CPU per request")
    summary.append((kind, f"worker model ({best} best)", results[best]["p95"], not results[best]["errors"]))
    return results


def main():
    from bench.common import INITIATIVES, MEASUREMENTS, prepare

    url, _ = prepare("postgresql", INITIATIVES, MEASUREMENTS)
    summary = []
    models_table("postgresql", url, summary)


if __name__ == "__main__":
    main()
