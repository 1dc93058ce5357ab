"""Serving under test: gunicorn as docs/scaling.md serves cxgov, on a loopback port.

`gunicorn --worker-class K --workers W [--threads T] --preload --bind 127.0.0.1:PORT wsgi:app`,
with CXGOV_ENV=production and a SECRET_KEY made for the run (the documented production settings).
The worker model is chosen by measurement: BENCH_WORKER_CLASS (sync or gthread, default sync, as
documented), BENCH_WORKERS (2 × cores, as docs/scaling.md serves it: 4 here; every figure before
the stop that made it the default took 2, one a core) and BENCH_THREADS (4, gthread only).

Two settings differ from a deployment, both because every simulated user comes from 127.0.0.1:
the sign-in limit per address is raised (CXGOV_LOGIN_LIMIT), and the rate-limit store is Redis on
127.0.0.1:6379 when redis-server answers there, else memory://.
With BENCH_QUICK, CXGOV_IMPORT_SYNC_ROWS is 10,000, so that its 50,000-row upload is imported in
the background as a full run's 1,000,000 rows are."""
import functools
import http.client
import os
import secrets
import socket
import subprocess
import time

from bench.common import CACHE, PY, QUICK, ROOT, env_for

WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
WORKERS = int(os.environ.get("BENCH_WORKERS", 2 * (os.cpu_count() or 1)))
THREADS = int(os.environ.get("BENCH_THREADS", 4))
REDIS_URI = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
SECRET_KEY = secrets.token_urlsafe(48)  # one for every server of the run: their cookies are interchangeable


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@functools.cache
def redis_available():
    """The Redis server answering on loopback."""
    env = dict(os.environ)
    probe = ("import redis, sys; sys.exit(0 if redis.Redis.from_url(sys.argv[1], socket_timeout=2).ping() else 1)")
    try:
        return subprocess.run([PY, "-c", probe, REDIS_URI], env=env, capture_output=True, timeout=20).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def describe(worker_class=None, workers=None, threads=None):
    worker_class, workers, threads = worker_class or WORKER_CLASS, workers or WORKERS, threads or THREADS
    return f"{workers}×{worker_class}" + (f"×{threads}t" if worker_class == "gthread" else "")


class Gunicorn:
    """One gunicorn serving `target` on its own loopback port (a context manager)."""

    def __init__(self, url, target="wsgi:app", worker_class=None, workers=None, threads=None, redis=None,
                 extra_env=None):
        self.url, self.target = url, target
        self.redis = redis_available() if redis is None else redis
        self.worker_class, self.workers = worker_class or WORKER_CLASS, workers or WORKERS
        self.threads = threads or THREADS
        self.port = free_port()
        self.extra_env = extra_env or {}
        self.process = None

    @property
    def label(self):
        return describe(self.worker_class, self.workers, self.threads)

    def command(self):
        command = [PY, "-m", "gunicorn", "--worker-class", self.worker_class, "--workers", str(self.workers)]
        if self.worker_class == "gthread":
            command += ["--threads", str(self.threads)]
        return command + ["--preload", "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", self.target]

    def env(self):
        env = {**env_for(self.url), "CXGOV_ENV": "production", "SECRET_KEY": SECRET_KEY,
               "CXGOV_LOGIN_LIMIT": "100000 per minute", "CXGOV_LOGIN_ACCOUNT_LIMIT": "100000 per hour",
               "CXGOV_LOGIN_ACCOUNT_TOTAL_LIMIT": "100000 per hour",
               "CXGOV_IMPORT_DIR": str(CACHE / "imports"), **self.extra_env}
        if QUICK:  # the quick sizes' upload (50,000 rows) goes through the background import too
            env.setdefault("CXGOV_IMPORT_SYNC_ROWS", "10000")
        if self.redis:
            env["RATELIMIT_STORAGE_URI"] = REDIS_URI
        return env

    def __enter__(self):
        self.process = subprocess.Popen(self.command(), cwd=ROOT, env=self.env())
        self.wait_ready()
        return self

    def wait_ready(self, timeout=120):
        """Until the workers answer: 10 answers in a row to /healthz."""
        deadline, ok = time.monotonic() + timeout, 0
        while time.monotonic() < deadline and ok < 10:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn {self.target} exited ({self.process.returncode})")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz" if self.target == "wsgi:app" else "/api/departments/1")
                status = connection.getresponse().status
                connection.close()
                ok = ok + 1 if status in (200, 401) else 0
            except OSError:
                ok = 0
                time.sleep(0.3)
        if ok < 10:
            raise SystemExit(f"no answer from gunicorn {self.target} on 127.0.0.1:{self.port}")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
