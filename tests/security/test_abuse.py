"""Oversized requests cost a worker nothing (ASVS V13.1.3): a real gunicorn worker on 127.0.0.1
receives bodies far beyond its limits — anonymous JSON to POST /api/auth/tokens, JSON to a write
endpoint signed in (with a Content-Length and chunked), a measurements upload, a huge sign-in
form — answers each with 413 (403 to a caller who may not upload at all), and its peak resident
memory (VmHWM) stays within 300 MB of what it held before. The bodies are streamed from
generators, so the test itself stays small."""
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cxgov.auth.services import issue_token
from cxgov.extensions import db
from tests import factories

ROOT = Path(__file__).resolve().parents[2]
MB = 1 << 20
BODY = 256 * MB  # each oversized body
UPLOAD_LIMIT = 8 * MB  # the server's CXGOV_MAX_UPLOAD_BYTES (the JSON limit keeps its default, 1 MB)
GROWTH = 300 * MB  # what the worker's peak may grow by over all of them

pytestmark = pytest.mark.xdist_group("abuse")  # one gunicorn at a time per worker


def _status_kb(pid, key):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise LookupError(key)


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            return [int(child) for child in children.read().split()]
    except FileNotFoundError:
        return []


def _filler(size, byte=b"a"):
    """`size` bytes of `byte`, one megabyte at a time."""
    chunk = byte * MB
    for _ in range(size // MB):
        yield chunk
    if size % MB:
        yield byte * (size % MB)


def _chunked(chunks):
    """The chunked transfer coding of `chunks`."""
    for chunk in chunks:
        yield b"%x\r\n%s\r\n" % (len(chunk), chunk)
    yield b"0\r\n\r\n"


def exchange(port, head, body, length=None):
    """Send a request whose body comes from the iterable `body` (its `length` in Content-Length,
    or chunked when None) and return the answer's status code. The body is sent from a thread
    while the answer is read, so a server that answers before reading the body is heard, and no
    more is sent once it has answered."""
    framing = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    if length is None:
        body = _chunked(body)
    conn = socket.create_connection(("127.0.0.1", port), timeout=120)
    conn.sendall(f"{head}\r\nHost: 127.0.0.1\r\nConnection: close\r\n{framing}\r\n\r\n".encode())
    answered = threading.Event()

    def pump():
        try:
            for chunk in body:
                if answered.is_set():
                    return
                conn.sendall(chunk)
        except OSError:  # the server answered and closed the connection
            pass

    sender = threading.Thread(target=pump, daemon=True)
    sender.start()
    answer = b""
    try:
        while b"\r\n" not in answer:
            data = conn.recv(65536)
            if not data:
                break
            answer += data
    finally:
        answered.set()
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sender.join(timeout=120)
        conn.close()
    assert answer.startswith(b"HTTP/1."), answer[:200]
    return int(answer.split()[1])


def small(port, head, body=b""):
    return exchange(port, head, [body], len(body))


@pytest.fixture
def server(app, database_url, tmp_path):
    """gunicorn with one worker serving the test's database; yields (port, master pid, worker pid, callers)."""
    with app.app_context():
        leader = factories.create_user(role="cx_leader")
        owner = factories.create_user(role="member")
        journey = factories.create_journey(owner=owner)
        executive = factories.create_user(role="executive")
        callers = {"leader": issue_token(leader)[0], "owner": issue_token(owner)[0],
                   "executive": issue_token(executive)[0], "member": issue_token(factories.create_user())[0],
                   "journey_id": journey.id, "email": leader.email}
        db.session.commit()
        db.engine.dispose()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    env = {**os.environ, "CXGOV_ENV": "testing", "DATABASE_URL": database_url,
           "CXGOV_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT)}
    env.pop("CXGOV_MAX_JSON_BYTES", None)
    log = open(tmp_path / "gunicorn.log", "wb")
    master = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--timeout", "300",
         "--bind", f"fd://{listener.fileno()}", "wsgi:app"],
        cwd=ROOT, env=env, pass_fds=(listener.fileno(),), stdout=log, stderr=subprocess.STDOUT)
    listener.close()
    try:
        worker = None
        for _ in range(600):  # up to a minute for the worker to boot
            workers = _children(master.pid)
            if workers and small(port, "GET /healthz HTTP/1.1") == 200:
                worker = workers[0]
                break
            assert master.poll() is None, (tmp_path / "gunicorn.log").read_text()
            time.sleep(0.1)
        assert worker is not None, "gunicorn did not start"
        yield port, master.pid, worker, callers
    finally:
        master.terminate()
        try:
            master.wait(timeout=30)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait()
        log.close()


def _body(prefix, suffix, size, byte=b"a"):
    """A body of `size` bytes: `prefix`, then `byte` repeated, then `suffix`."""
    yield prefix
    yield from _filler(size - len(prefix) - len(suffix), byte)
    yield suffix


BOUNDARY = "cxgovboundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def _upload(journey_id, size):
    """A multipart upload of `size` bytes: a measurements CSV of a header and one long line."""
    prefix = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.csv\"\r\n"
              f"Content-Type: text/csv\r\n\r\nmetric,journey_id,period_start,period_end,value\r\n"
              f"nps,{journey_id},2026-01-01,2026-01-31,").encode()
    return _body(prefix, f"\r\n--{BOUNDARY}--\r\n".encode(), size, b"1")


def test_oversized_bodies_are_refused_and_cost_the_worker_no_memory(server):
    port, master, worker, callers = server
    bearer = {role: f"Authorization: Bearer {callers[role]}" for role in ("leader", "owner", "executive", "member")}
    journey_id = callers["journey_id"]

    # Warm up: what a worker holds after serving the same endpoints with ordinary bodies.
    sign_in = f'{{"email": "{callers["email"]}", "password": "{factories.PASSWORD}"}}'.encode()
    assert small(port, "POST /api/auth/tokens HTTP/1.1\r\nContent-Type: application/json", sign_in) == 201
    upload = b"".join(_upload(journey_id, 300))
    assert small(port, f"POST /api/measurements/import HTTP/1.1\r\n{bearer['owner']}\r\n"
                       f"Content-Type: {MULTIPART}", upload) == 422  # value 1111…: out of range
    assert small(port, "POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded",
                 b"email=a%40b.example&password=x") == 400  # no CSRF token
    baseline = _status_kb(worker, "VmHWM")

    json_body = (b'{"email": "', b'", "password": "x"}')
    answers = {
        "anonymous JSON sign-in": exchange(
            port, "POST /api/auth/tokens HTTP/1.1\r\nContent-Type: application/json",
            _body(*json_body, BODY), BODY),
        "signed-in JSON write": exchange(
            port, f"POST /api/journeys HTTP/1.1\r\n{bearer['leader']}\r\nContent-Type: application/json",
            _body(b'{"name": "', b'", "owner_id": 1}', BODY), BODY),
        "signed-in JSON write, chunked": exchange(
            port, f"POST /api/journeys HTTP/1.1\r\n{bearer['leader']}\r\nContent-Type: application/json",
            _body(b'{"name": "', b'", "owner_id": 1}', BODY)),
        "measurements upload": exchange(
            port, f"POST /api/measurements/import HTTP/1.1\r\n{bearer['owner']}\r\nContent-Type: {MULTIPART}",
            _upload(journey_id, BODY), BODY),
        "measurements upload, chunked": exchange(
            port, f"POST /api/measurements/import HTTP/1.1\r\n{bearer['owner']}\r\nContent-Type: {MULTIPART}",
            _upload(journey_id, BODY)),
        "sign-in form": exchange(
            port, "POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded",
            _body(b"email=", b"&password=x", BODY), BODY),
    }
    assert answers == dict.fromkeys(answers, 413)
    # A caller who may not write measurements is refused before the upload is read.
    for role in ("executive", "member"):
        status = exchange(port, f"POST /api/measurements/import HTTP/1.1\r\n{bearer[role]}\r\n"
                                f"Content-Type: {MULTIPART}", _upload(journey_id, BODY), BODY)
        assert status == 403, role

    assert _children(master) == [worker]  # the same worker served them all
    growth = _status_kb(worker, "VmHWM") - baseline
    assert growth < GROWTH, f"the worker's peak grew by {growth // MB} MB"
    assert small(port, "GET /healthz HTTP/1.1") == 200

