"""`python -m bench.token_cache`: what the cache of verified bearer tokens saves on an
authenticated GET (`/api/departments/1`), against looking the token up on every request (one
indexed query: token by its unique digest, joined with its user).

Two apps in one process on the same database, one trusting a token it verified in the last minute
(`CXGOV_TOKEN_CACHE_SECONDS=60`), one looking it up every time (`0`); the same requests go to
each in turn, BENCH_ROUNDS (7) rounds of BENCH_REQUESTS (500), and each figure is the median of
its rounds. BENCH_DATABASES=sqlite,postgresql picks the databases."""
import json
import os
import statistics
import subprocess
import sys
import time

from bench.common import PY, ROOT, env_for, prepare

DATABASES = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 7))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 500))
PATH = "/api/departments/1"


def measure():
    """In a process of its own (DATABASE_URL in the environment): µs per request of each app."""
    import gc

    from bench.measure import admin_token
    from cxgov import create_app

    url = os.environ["DATABASE_URL"]
    apps = {name: create_app({"SQLALCHEMY_DATABASE_URI": url, "CXGOV_TOKEN_CACHE_SECONDS": seconds})
            for name, seconds in (("cache", 60), ("lookup", 0))}
    gc.freeze()
    headers = {"Authorization": f"Bearer {admin_token(apps['cache'])}"}
    clients = {name: app.test_client() for name, app in apps.items()}
    for client in clients.values():  # warm-up: connections opened, statements compiled
        for _ in range(50):
            assert client.get(PATH, headers=headers).status_code == 200
    times = {name: [] for name in clients}
    cpu = {name: [] for name in clients}
    for _ in range(ROUNDS):
        for name, client in clients.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            for _ in range(REQUESTS):
                client.get(PATH, headers=headers)
            times[name].append((time.perf_counter() - started) / REQUESTS * 1e6)
            cpu[name].append((time.process_time() - started_cpu) / REQUESTS * 1e6)
    print(json.dumps({name: (statistics.median(times[name]), statistics.median(cpu[name])) for name in clients}))


def main():
    print(f"GET {PATH} with a bearer token, in-process (Flask test client): µs per request, medians of "
          f"{ROUNDS} rounds of {REQUESTS}")
    print("(wall clock, and this process's CPU time: the database server's is not in it)")
    print(f"  {'database':12} {'cache':>9} {'lookup':>9} {'lookup/cache':>13}   {'CPU cache':>9} {'lookup':>9} {'ratio':>6}")
    for kind in DATABASES:
        url, _ = prepare(kind, 1, 1)
        result = subprocess.run([PY, "-m", "bench.token_cache", "measure"], cwd=ROOT, env=env_for(url),
                                capture_output=True, text=True)
        if result.returncode:
            raise SystemExit(f"bench.token_cache measure failed:\n{result.stderr[-3000:]}")
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        (cache, cache_cpu), (lookup, lookup_cpu) = figures["cache"], figures["lookup"]
        print(f"  {kind:12} {cache:7.0f}µs {lookup:7.0f}µs {lookup / cache:12.2f}x   "
              f"{cache_cpu:7.0f}µs {lookup_cpu:7.0f}µs {lookup_cpu / cache_cpu:5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(measure() if sys.argv[1:] == ["measure"] else main())
