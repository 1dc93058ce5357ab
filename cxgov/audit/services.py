"""The audit trail is written by the session itself: every flushed create, update and delete
of a domain object becomes an audit entry in the same transaction, with the changed fields."""
import re
from datetime import date, datetime
from decimal import Decimal

from flask import has_request_context
from flask_login import current_user
from flask_sqlalchemy.session import Session
from sqlalchemy import event, insert, inspect

from cxgov.audit.models import AuditEntry
from cxgov.db import utcnow

NOT_AUDITED = {"audit_entries", "notifications", "api_tokens", "remember_tokens", "ended_sessions",
               "form_submissions", "meeting_packs"}  # a pack as sent is itself the record of a send
REDACTED = {"password_hash", "token_hash"}
SKIPPED = {"version", "created_at", "updated_at"}


def entity_name(obj):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(obj).__name__).lower()


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _actor_id(session):
    if "actor_id" in session.info:
        return session.info["actor_id"]
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id
    return None


def _column_changes(obj, action):
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in SKIPPED or key == "id":
            continue
        if action == "delete":
            # What the deleted row held (only loaded values: the row is gone, nothing to refresh).
            value = state.dict.get(key)
            if value is not None:
                changes[key] = "***" if key in REDACTED else _jsonable(value)
            continue
        if action == "create":
            value = getattr(obj, key)
            if value is not None:
                changes[key] = "***" if key in REDACTED else _jsonable(value)
            continue
        history = state.attrs[key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old == new:
                continue
            changes[key] = ["***", "***"] if key in REDACTED else [_jsonable(old), _jsonable(new)]
    return changes


def _record(session, flush_context):
    if session.info.get("audit") is False:
        return
    rows = []
    now = utcnow()
    actor = _actor_id(session)
    for action, objects in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            table = getattr(obj, "__tablename__", None)
            if table is None or table in NOT_AUDITED:
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _column_changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append({
                "actor_id": actor, "action": action, "entity": entity_name(obj),
                "entity_id": getattr(obj, "id", None),
                "changes": changes, "created_at": now,
            })
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def install():
    if not event.contains(Session, "after_flush", _record):
        event.listen(Session, "after_flush", _record)


def record_event(action, entity, entity_id, actor_id=None, **details):
    """An audit entry for something that is not a row change (a sign-in, a token issued or
    revoked, a failed sign-in). `details` never holds a password or a token."""
    from cxgov.extensions import db

    db.session.add(AuditEntry(actor_id=actor_id, action=action, entity=entity, entity_id=entity_id,
                              changes={key: _jsonable(value) for key, value in details.items()},
                              created_at=utcnow()))
