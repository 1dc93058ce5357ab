"""The floor for a hot single-resource GET: a plain WSGI function that authenticates the bearer
token and reads a department with the bare driver (psycopg or sqlite3), answering the same JSON
and ETag as `GET /api/departments/{id}`. Run with gunicorn: `gunicorn bench.raw_app:app`."""
import hashlib
import json
import os
import sqlite3
from datetime import datetime, timezone

URL = os.environ["DATABASE_URL"]
PG = URL.startswith("postgresql")
TOKEN_SQL = ("SELECT u.id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = {p} "
             "AND t.revoked_at IS NULL AND t.expires_at > {p} AND u.active")
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


def app(environ, start_response):
    p = "%s" if PG else "?"
    parts = environ.get("PATH_INFO", "").rstrip("/").split("/")
    header = environ.get("HTTP_AUTHORIZATION", "")
    db = connection()
    now = datetime.now(timezone.utc) if PG else datetime.now(timezone.utc).replace(tzinfo=None).isoformat(" ")
    digest = hashlib.sha256(header.removeprefix("Bearer ").encode()).hexdigest()
    if not header.startswith("Bearer ") or db.execute(TOKEN_SQL.format(p=p), (digest, now)).fetchone() is None:
        start_response("401 UNAUTHORIZED", [("Content-Type", "application/problem+json")])
        return [b'{"status": 401}']
    row = db.execute(DEPARTMENT_SQL.format(p=p), (int(parts[-1]),)).fetchone()
    if row is None:
        start_response("404 NOT FOUND", [("Content-Type", "application/problem+json")])
        return [b'{"status": 404}']
    body = json.dumps({"code": row[2], "created_at": _instant(row[3]), "id": row[0], "name": row[1],
                       "updated_at": _instant(row[4])}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
                              ("ETag", f'"departments-{row[0]}-v{row[5]}"')])
    return [body]
