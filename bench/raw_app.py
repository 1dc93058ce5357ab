"""The floors for a hot single-resource GET: endpoints that authenticate the bearer token and read
a department with the bare driver (psycopg or sqlite3), answering the same JSON and ETag as
`GET /api/departments/{id}`, without ORM, schemas or extensions.

- `flask_app`: the raw-driver endpoint as a Flask view (the goal's floor: the same framework,
  the raw driver instead of the ORM, as "raw" variants of web-framework benchmarks do);
- `app`: the same as a bare WSGI function, no framework at all (shown for information).

Run with gunicorn: `gunicorn bench.raw_app:flask_app` or `gunicorn bench.raw_app:app`."""
import hashlib
import json
import os
import sqlite3
from datetime import datetime, timezone

URL = os.environ["DATABASE_URL"]
PG = URL.startswith("postgresql")
# The app's token check (cxgov.auth.services.user_for_token): one indexed query a request, no
# cache (the app keeps none), the same conditions: live, unrevoked, its user active and not
# signed out everywhere since (the credential generation).
TOKEN_SQL = ("SELECT u.id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = {p} "
             "AND t.revoked_at IS NULL AND t.expires_at > {p} AND t.generation = u.credential_generation "
             "AND u.active")
DEPARTMENT_SQL = "SELECT id, name, code, created_at, updated_at, version FROM departments WHERE id = {p}"
_connection = None


def connection():
    global _connection
    if _connection is None:
        if PG:
            import psycopg

            _connection = psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        else:
            _connection = sqlite3.connect(URL.removeprefix("sqlite:///"), check_same_thread=False)
    return _connection


def _instant(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()


def read_department(header, department_id):
    """(status, body, etag) of the authenticated read, with the bare driver."""
    p = "%s" if PG else "?"
    db = connection()
    now = datetime.now(timezone.utc) if PG else datetime.now(timezone.utc).replace(tzinfo=None).isoformat(" ")
    digest = hashlib.sha256(header.removeprefix("Bearer ").encode()).hexdigest()
    if not header.startswith("Bearer ") or db.execute(TOKEN_SQL.format(p=p), (digest, now)).fetchone() is None:
        return 401, b'{"status": 401}', None
    row = db.execute(DEPARTMENT_SQL.format(p=p), (department_id,)).fetchone()
    if row is None:
        return 404, b'{"status": 404}', None
    body = json.dumps({"code": row[2], "created_at": _instant(row[3]), "id": row[0], "name": row[1],
                       "updated_at": _instant(row[4])}).encode()
    return 200, body, f'"departments-{row[0]}-v{row[5]}"'


STATUS = {200: "200 OK", 401: "401 UNAUTHORIZED", 404: "404 NOT FOUND"}


def app(environ, start_response):
    department_id = int(environ.get("PATH_INFO", "").rstrip("/").split("/")[-1])
    status, body, etag = read_department(environ.get("HTTP_AUTHORIZATION", ""), department_id)
    headers = [("Content-Type", "application/json" if etag else "application/problem+json"),
               ("Content-Length", str(len(body)))]
    if etag:
        headers.append(("ETag", etag))
    start_response(STATUS[status], headers)
    return [body]


def _flask_app():
    from flask import Flask, request

    flask_app = Flask(__name__)

    @flask_app.get("/api/departments/<int:department_id>")
    def department(department_id):
        status, body, etag = read_department(request.headers.get("Authorization", ""), department_id)
        headers = {"Content-Type": "application/json" if etag else "application/problem+json"}
        if etag:
            headers["ETag"] = etag
        return body, status, headers

    return flask_app


flask_app = _flask_app()
