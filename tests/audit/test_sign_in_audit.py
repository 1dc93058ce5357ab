"""Sign-ins, failed sign-ins, tokens issued and revoked, and sign-outs are in the audit trail,
with the address; never a password or a token, nor what was typed for an unknown account."""
import json

from sqlalchemy import select

from cxgov.audit.models import AuditEntry
from cxgov.extensions import db
from tests import factories
from tests.conftest import csrf_token


def _events(app):
    with app.app_context():
        return [(e.action, e.entity, e.entity_id, e.actor_id, e.changes)
                for e in db.session.scalars(select(AuditEntry).where(AuditEntry.entity.in_(["user", "api_token"]),
                                                                     AuditEntry.action.not_in(["create", "update"]))
                                            .order_by(AuditEntry.id))]


def test_api_sign_in_token_revocation_and_failures_are_audited(app):
    with app.app_context():
        user = factories.create_user(email="lena@example.com")
        user_id = user.id
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert (
        client.post(
            "/api/auth/tokens", json={"email": "lena@example.com", "password": "Wr0ng-Secret-Guess"}
        ).status_code
        == 401
    )
    assert client.post("/api/auth/tokens", json={"email": "my-Secret-Passw0rd", "password": "x"}).status_code == 401
    raw = client.post("/api/auth/tokens", json={"email": "lena@example.com", "password": factories.PASSWORD}).json[
        "token"
    ]
    assert client.delete("/api/auth/tokens/current", headers={"Authorization": f"Bearer {raw}"}).status_code == 204

    events = _events(app)
    assert [(action, entity) for action, entity, *_ in events] == [
        ("sign_in_failed", "user"), ("sign_in_failed", "user"), ("sign_in", "user"), ("token_revoked", "api_token")]
    failed_known, failed_unknown, signed_in, revoked = events
    assert failed_known[2] == user_id and failed_known[3] is None
    assert failed_known[4] == {"via": "api", "address": "10.1.2.3", "account": "known"}
    assert failed_unknown[2] is None and failed_unknown[4]["account"] == "unknown"
    assert signed_in[2:4] == (user_id, user_id)
    assert signed_in[4]["via"] == "api" and signed_in[4]["address"] == "10.1.2.3"
    assert revoked[2] == signed_in[4]["token_id"] and revoked[3] == user_id
    written = json.dumps(events)
    for secret in ("Wr0ng-Secret-Guess", "my-Secret-Passw0rd", factories.PASSWORD, raw):
        assert secret not in written


def test_page_sign_in_failure_and_sign_out_are_audited(app):
    with app.app_context():
        user_id = factories.create_user(email="omar@example.com").id
    client = app.test_client()
    client.post("/login", data={"email": "omar@example.com", "password": "not my password",
                                "csrf_token": csrf_token(client, "/login")})
    client.post("/login", data={"email": "omar@example.com", "password": factories.PASSWORD,
                                "csrf_token": csrf_token(client, "/login"), "remember": "y"})
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    events = _events(app)
    assert [(action, changes.get("via")) for action, _, _, _, changes in events] == [
        ("sign_in_failed", "page"), ("sign_in", "page"), ("sign_out", None)]
    assert events[2][2:4] == (user_id, user_id) and events[2][4] == {"everywhere": False}
    written = json.dumps(events)
    assert "not my password" not in written and factories.PASSWORD not in written
    assert client.get_cookie("cxgov_remember") is None
