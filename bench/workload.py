"""A mixed workload of simulated users over HTTP, loopback only: each user is a thread with its
own keep-alive connection, its own bearer token and its own signed-in browser session, and loops
for a fixed duration: one request drawn from the mix, then 1 s of think time (a closed loop, so
at most `users` requests per second). Mix: 70 % API reads, 20 % pages, 10 % writes (below).

`python -m bench.workload [users …]` runs it on its own against the bench's PostgreSQL database
(BENCH_QUICK sizes with BENCH_QUICK=1). Durations: BENCH_WORKLOAD_SECONDS (60; 15 with
BENCH_QUICK). A request counts as an error when it fails to connect or answer, or answers
another status than the one expected (5xx, 4xx); errors are counted, never retried. A connection
the server dropped under a request (http.client's RemoteDisconnected, a reset: a worker that died,
or a keep-alive closed at the same moment) is sent again once and counted as a reconnect."""
import http.client
import itertools
import json
import os
import random
import re
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from urllib.parse import urlencode

from bench.common import QUICK, driver_url, sqlite_path

DURATION = float(os.environ.get("BENCH_WORKLOAD_SECONDS", 15 if QUICK else 60))
THINK = float(os.environ.get("BENCH_THINK_SECONDS", 1.0))
USERS = tuple(int(n) for n in os.environ.get("BENCH_USERS", "20,50").split(","))
MIX = (("api", 0.70), ("page", 0.20), ("write", 0.10))
EMAIL, PASSWORD = "admin@demo.cxgov.example", "demo-password-1"
WRITE_TAG = "bench workload"  # the titles of the action items it writes, removed before each run
FIRST_DAY = date(1700, 1, 1)  # its measurements' periods: far before any real one, removed too
TIMEOUT = 60


def percentile(values, share):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


class Catalogue:
    """What the requests point at, read once from the database: departments, initiatives, a few
    small journeys (their pages' charts are drawn once per worker, in the warm-up), the admin."""

    def __init__(self, url):
        with _connect(url) as connection:
            execute = connection.execute
            self.departments = [r[0] for r in execute("SELECT id FROM departments ORDER BY id")]
            self.initiatives = [r[0] for r in execute("SELECT id FROM initiatives ORDER BY id LIMIT 2000")]
            # journeys with the fewest journey-level rows: their pages and reports are the common case
            self.journeys = [r[0] for r in execute(
                "SELECT j.id FROM journeys j LEFT JOIN measurements m ON m.journey_id = j.id AND m.stage_id IS NULL "
                "GROUP BY j.id ORDER BY count(m.id), j.id LIMIT 3")]
            self.admin = execute("SELECT id FROM users WHERE email = %s" if "postgresql" in url else
                                 "SELECT id FROM users WHERE email = ?", (EMAIL,)).fetchone()[0]
            self.metric = execute("SELECT id FROM metrics WHERE code = 'nps'").fetchone()[0]


def cleanup(url):
    """Remove what earlier runs of the workload wrote."""
    p = "%s" if "postgresql" in url else "?"
    with _connect(url) as connection:
        connection.execute(f"DELETE FROM action_items WHERE title LIKE {p}", (WRITE_TAG + "%",))
        removed = connection.execute(f"DELETE FROM measurements WHERE period_start < {p}",
                                     (date(1800, 1, 1).isoformat(),)).rowcount
        connection.commit()
    if removed > 10000 and "postgresql" in url:
        # An upload's million rows, deleted: until they are vacuumed every index scan of the table
        # steps over them (the next run's KPI queries took 150–400 ms instead of a few), and when
        # autovacuum comes is chance. Vacuumed now, so every run starts from the same table.
        import psycopg

        with psycopg.connect(driver_url(url), autocommit=True) as connection:
            connection.execute("VACUUM ANALYZE measurements")


def _connect(url):
    if url.startswith("postgresql"):
        import psycopg

        return psycopg.connect(driver_url(url))
    import sqlite3

    return sqlite3.connect(sqlite_path(url))


_write_serial = itertools.count()


def request_for(kind, rng, catalogue):
    """(label, method, path, json body or None, whether it needs the session, expected status)."""
    if kind == "api":
        choice = rng.random()
        if choice < 0.25:
            return "GET /api/departments/{id}", "GET", f"/api/departments/{rng.choice(catalogue.departments)}", \
                None, False, 200
        if choice < 0.45:
            return "GET /api/initiatives/{id}", "GET", f"/api/initiatives/{rng.choice(catalogue.initiatives)}", \
                None, False, 200
        if choice < 0.60:
            return "GET /api/initiatives?page=", "GET", f"/api/initiatives?page={rng.randint(1, 20)}", None, False, 200
        if choice < 0.70:
            return "GET /api/journeys", "GET", "/api/journeys", None, False, 200
        if choice < 0.85:
            query = urlencode({"journey_id": rng.choice(catalogue.journeys), "page_size": 50})
            return "GET /api/measurements?journey_id=", "GET", f"/api/measurements?{query}", None, False, 200
        if choice < 0.93:
            return "GET /api/notifications", "GET", "/api/notifications", None, False, 200
        return "GET /api/reports/journeys/{id}", "GET", f"/api/reports/journeys/{rng.choice(catalogue.journeys)}", \
            None, False, 200
    if kind == "page":
        choice = rng.random()
        if choice < 0.3:
            return "page /", "GET", "/", None, True, 200
        if choice < 0.55:
            return "page /initiatives", "GET", "/initiatives", None, True, 200
        if choice < 0.8:
            return "page /initiatives/{id}", "GET", f"/initiatives/{rng.choice(catalogue.initiatives)}", None, True, 200
        return "page /journeys/{id}", "GET", f"/journeys/{catalogue.journeys[0]}", None, True, 200
    serial = next(_write_serial)  # unique in this process (the runs' writes are removed between runs)
    if rng.random() < 0.5:
        body = {"title": f"{WRITE_TAG} {serial}", "owner_id": catalogue.admin,
                "due_on": (date.today() + timedelta(days=30)).isoformat()}
        return "POST /api/action-items", "POST", "/api/action-items", body, False, 201
    day = (FIRST_DAY + timedelta(days=serial % 36000)).isoformat()
    body = {"metric_id": catalogue.metric, "journey_id": rng.choice(catalogue.journeys), "period_start": day,
            "period_end": day, "value": round(rng.uniform(0, 50), 1), "source": "manual"}
    return "POST /api/measurements", "POST", "/api/measurements", body, False, 201


class Client:
    """One simulated person: a keep-alive connection per port, a token and a session cookie."""

    def __init__(self, ports):
        self.ports, self.turn = list(ports), 0
        self.connections = {}
        self.token = self.cookie = None
        self.reconnects = 0  # connections the server dropped under a request (a worker that died)

    def send(self, method, path, body=None, session=False, headers=None, port=None, raw=None):
        """(status, response headers, body bytes); one reconnect if a kept-alive connection was closed."""
        if port is None:  # the instances taken alternately
            port = self.ports[self.turn % len(self.ports)]
            self.turn += 1
        all_headers = dict(headers or {})
        if session:
            all_headers["Cookie"] = self.cookie
        elif self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            raw = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        for attempt in (0, 1):
            connection = self.connections.get(port)
            if connection is None:
                connection = self.connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
            try:
                connection.request(method, path, body=raw, headers=all_headers)
                response = connection.getresponse()
                data = response.read()
                if session and (cookie := _session_cookie(response)):
                    self.cookie = cookie
                return response.status, response, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                connection.close()
                self.connections.pop(port, None)
                self.reconnects += 1
                if attempt:
                    raise

    def sign_in(self):
        """A token from POST /api/auth/tokens and a session from the sign-in form, over HTTP."""
        status, _, data = self.send("POST", "/api/auth/tokens", {"email": EMAIL, "password": PASSWORD},
                                    port=self.ports[0])
        assert status == 201, (status, data[:300])
        self.token = json.loads(data)["token"]
        self.cookie = ""
        status, response, data = self.send("GET", "/login", session=True, port=self.ports[0])
        csrf = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', data).group(1).decode()
        form = urlencode({"csrf_token": csrf, "email": EMAIL, "password": PASSWORD}).encode()
        status, response, data = self.send("POST", "/login", session=True, port=self.ports[0], raw=form,
                                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, (status, data[:300])

    def close(self):
        for connection in self.connections.values():
            connection.close()


def _session_cookie(response):
    for name, value in response.getheaders():
        if name.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    return None


SESSIONS = 5  # browser sessions signed in through the form, shared by the simulated users in turn


def issue_tokens(url, count):
    """`count` bearer tokens of the demo admin, issued in a subprocess with the app's own
    `issue_token` (an API sign-in each would cost an argon2 hash and race on the user's row)."""
    import subprocess

    from bench.common import PY, ROOT, env_for

    result = subprocess.run([PY, "-m", "bench.workload", "tokens", str(count)], cwd=ROOT, env=env_for(url),
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def _tokens(count):
    from sqlalchemy import select

    from cxgov import create_app
    from cxgov.auth.services import issue_token
    from cxgov.extensions import db
    from cxgov.models import User

    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.email == EMAIL))
        tokens = [issue_token(admin)[0] for _ in range(count)]
        db.session.commit()
    print(json.dumps(tokens))


def sign_in_all(url, ports, count):
    """`count` simulated users: each its own token; SESSIONS browser sessions signed in over HTTP
    (the sign-in form, one after another: concurrent sign-ins of one account answer 412), shared."""
    clients = [Client(ports) for _ in range(count)]
    for client in clients[:SESSIONS]:
        client.sign_in()
    for n, (client, token) in enumerate(zip(clients, issue_tokens(url, count), strict=True)):
        client.token = token
        client.cookie = clients[n % SESSIONS].cookie
    return clients


def _draw(rng):
    roll, total = rng.random(), 0.0
    for kind, share in MIX:
        total += share
        if roll < total:
            return kind
    return MIX[-1][0]


def warm_up(clients, catalogue, rounds=3):
    """Every page and report once per worker, roughly (each path several times at once), so the
    timed runs do not draw the journeys' charts; not timed."""
    paths = [("/", True), ("/initiatives", True)] + [(f"/journeys/{catalogue.journeys[0]}", True)] + \
        [(f"/api/reports/journeys/{j}", False) for j in catalogue.journeys]

    def visit(client):  # one thread per client: a connection carries one request at a time
        for _ in range(rounds):
            for path, session in paths:
                client.send("GET", path, session=session)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(visit, clients[:4]))


def unloaded(client, catalogue, count=100, seed=1):
    """The median time of each request taken one at a time (no other load), and of the mix: `count`
    requests in the mix's proportions."""
    rng, times, labels = random.Random(seed), {}, {}
    for kind, share in MIX:
        for _ in range(round(count * share)):
            label, method, path, body, session, expected = request_for(kind, rng, catalogue)
            started = time.perf_counter()
            status, _, data = client.send(method, path, body, session)
            elapsed = time.perf_counter() - started
            assert status == expected, (label, path, status, data[:300])
            times.setdefault(label, []).append(elapsed)
            labels.setdefault(kind, []).append(elapsed)
    mix = [t for kind, share in MIX for t in labels[kind]]
    return {"p50_by_request": {label: statistics.median(values) for label, values in times.items()},
            "p50": statistics.median(mix)}


def run(clients, catalogue, users, duration=DURATION, think=THINK, seed=7, during=None):
    """`users` simulated people for `duration` seconds: {requests, rps, p50, p95, p99, errors, …}.
    `during`, if given, is called in its own thread when the load starts (the upload under load)
    and its result returned as `during`; the load then goes on until it has returned too."""
    assert users <= len(clients)
    results, errors, lock = [], [], threading.Lock()
    stop_at = time.monotonic() + duration
    started_at = time.monotonic()

    def person(index):
        client, rng = clients[index], random.Random(seed * 1000 + index)
        time.sleep(rng.uniform(0, think))  # arrivals spread over the first second
        while time.monotonic() < stop_at or (side is not None and side.is_alive()):
            label, method, path, body, session, expected = request_for(_draw(rng), rng, catalogue)
            began = time.perf_counter()
            try:
                status, _, data = client.send(method, path, body, session)
                problem = None if status == expected else f"{status} {label}: {data[:120]!r}"
            except OSError as error:
                status, problem = None, f"{type(error).__name__} {label}"
            elapsed = time.perf_counter() - began
            with lock:
                results.append((label, elapsed, status))
                if problem:
                    errors.append(problem)
            time.sleep(think)

    outcome, side = {}, None
    dropped = sum(client.reconnects for client in clients[:users])
    threads = [threading.Thread(target=person, args=(i,), daemon=True) for i in range(users)]
    if during:
        side = threading.Thread(target=lambda: outcome.update(during=during()), daemon=True)
        side.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started_at
    if side is not None:
        side.join()
    times = [t for _, t, _ in results]
    by_label = {}
    for label, t, _ in results:
        by_label.setdefault(label, []).append(t)
    return {"users": users, "seconds": elapsed, "requests": len(results), "rps": len(results) / elapsed,
            "p50": percentile(times, 0.50), "p95": percentile(times, 0.95), "p99": percentile(times, 0.99),
            "max": max(times, default=float("nan")), "errors": len(errors), "error_samples": errors[:5],
            "reconnects": sum(client.reconnects for client in clients[:users]) - dropped,
            "p95_by_request": {label: percentile(v, 0.95) for label, v in sorted(by_label.items())},
            "load": open("/proc/loadavg").read().split()[:3], **outcome}


def main():
    """Standalone: the workload at each number of users against one gunicorn (PostgreSQL)."""
    from bench.common import INITIATIVES, MEASUREMENTS, prepare
    from bench.serve import Gunicorn, redis_available

    url, _ = prepare("postgresql", INITIATIVES, MEASUREMENTS)
    users = [int(n) for n in sys.argv[1:]] or list(USERS)
    catalogue = Catalogue(url)
    cleanup(url)
    with Gunicorn(url, redis=redis_available()) as server:
        began = time.monotonic()
        clients = sign_in_all(url, [server.port], max(users))
        print(f"signed in {len(clients)} in {time.monotonic() - began:.0f} s", file=sys.stderr)
        warm_up(clients, catalogue)
        print(f"warm at {time.monotonic() - began:.0f} s", file=sys.stderr)
        base = unloaded(clients[0], catalogue)
        print(json.dumps({"server": server.label, "unloaded_p50": base["p50"]}))
        for count in users:
            print(json.dumps(run(clients, catalogue, count)), flush=True)
    cleanup(url)


if __name__ == "__main__":
    if sys.argv[1:2] == ["tokens"]:
        _tokens(int(sys.argv[2]))
    else:
        main()
