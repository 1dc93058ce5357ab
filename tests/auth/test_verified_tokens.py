"""VerifiedTokens: a worker trusts a bearer token it verified moments ago without looking it up
again; changes made through this process take effect at once, changes made elsewhere (another
worker, another instance, plain SQL) within CXGOV_TOKEN_CACHE_SECONDS."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from cxgov.auth.models import ApiToken
from cxgov.auth.services import VerifiedTokens, verified_tokens
from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.org.models import User
from tests import factories
from tests.queries import recorded_statements


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(VerifiedTokens, "clock", staticmethod(clock))
    return clock


def statements(app, call):
    with recorded_statements(app) as seen:
        response = call()
    return response, seen


def elsewhere(app, sql, **params):
    """A change another worker makes: plain SQL, not through this process's ORM."""
    with app.app_context():
        db.session.execute(text(sql), params)
        db.session.commit()


def test_a_token_verified_moments_ago_is_not_looked_up_again(app, login_as, clock):
    client = login_as("cx_leader")
    first, seen_first = statements(app, lambda: client.get("/api/users/me"))
    again, seen_again = statements(app, lambda: client.get("/api/users/me"))
    assert first.status_code == again.status_code == 200
    assert first.json == again.json and first.json["role"] == "cx_leader"
    assert any("api_tokens" in sql for sql in seen_first)
    assert not any("api_tokens" in sql for sql in seen_again)
    clock.now += app.config["CXGOV_TOKEN_CACHE_SECONDS"]
    _, seen_later = statements(app, lambda: client.get("/api/users/me"))
    assert any("api_tokens" in sql for sql in seen_later)


def test_a_change_made_elsewhere_takes_effect_within_the_delay(app, login_as, clock):
    client = login_as("member")
    assert client.get("/api/users/me").status_code == 200
    elsewhere(app, "UPDATE api_tokens SET revoked_at = :now", now=utcnow())
    assert client.get("/api/users/me").status_code == 200  # still trusted here…
    clock.now += app.config["CXGOV_TOKEN_CACHE_SECONDS"] - 0.01
    assert client.get("/api/users/me").status_code == 200
    clock.now += 0.02
    assert client.get("/api/users/me").status_code == 401  # …not past the delay


def test_changes_made_through_this_process_take_effect_at_once(app, login_as, clock):
    client, admin = login_as("member"), login_as("admin")
    assert client.get("/api/users/me").json["role"] == "member"
    changed = admin.patch(f"/api/users/{client.user_id}", json={"role": "cx_leader"},
                          headers={"If-Match": admin.get(f"/api/users/{client.user_id}").headers["ETag"]})
    assert changed.status_code == 200
    # A role change ends the user's tokens (they sign in again under the new role): at once here.
    assert client.get("/api/users/me").status_code == 401
    other = login_as("member")
    assert other.get("/api/users/me").status_code == 200
    with app.app_context():
        db.session.get(User, other.user_id).active = False
        db.session.commit()
    assert other.get("/api/users/me").status_code == 401


def test_never_past_the_tokens_expiry(app, login_as, clock, monkeypatch):
    client = login_as("member")
    assert client.get("/api/users/me").status_code == 200
    elsewhere(app, "UPDATE api_tokens SET expires_at = :soon", soon=utcnow() + timedelta(seconds=1))
    # The cache still holds the old expiry; after it (by the wall clock the app uses), no entry is trusted.
    entry = next(iter(verified_tokens(app).entries.values()))
    monkeypatch.setattr("cxgov.auth.services.utcnow", lambda: entry[3] + timedelta(seconds=1))
    assert client.get("/api/users/me").status_code == 401


def test_the_cached_user_writes_like_a_loaded_one(app, login_as, clock):
    client = login_as("member")
    assert client.get("/api/users/me").status_code == 200
    me = client.get("/api/users/me")  # served from the cache
    changed = client.patch("/api/users/me", json={"name": "Renamed From Cache"}, headers={"If-Match": me.headers["ETag"]})
    assert changed.status_code == 200, changed.json
    assert client.get("/api/users/me").json["name"] == "Renamed From Cache"
    with app.app_context():
        user = db.session.get(User, client.user_id)
        assert user.name == "Renamed From Cache" and user.password_hash  # the hash was never cached away


def test_zero_seconds_turns_it_off(app, login_as, clock):
    app.config["CXGOV_TOKEN_CACHE_SECONDS"] = 0
    app.extensions.pop("cxgov.verified_tokens", None)
    try:
        client = login_as("member")
        assert client.get("/api/users/me").status_code == 200
        elsewhere(app, "UPDATE api_tokens SET revoked_at = :now", now=utcnow())
        assert client.get("/api/users/me").status_code == 401
    finally:
        app.config["CXGOV_TOKEN_CACHE_SECONDS"] = 5
        app.extensions.pop("cxgov.verified_tokens", None)


def test_the_cache_keeps_no_password_hash(app, login_as, clock):
    client = login_as("member")
    client.get("/api/users/me")
    for _, values, _, _ in verified_tokens(app).entries.values():
        assert "password_hash" not in values


def test_signing_in_again_with_a_cached_token_in_the_header(app, login_as, clock):
    """POST /api/auth/tokens loads the user (last_login_at); the audit trail then asks who acts,
    which the cached token answers with the same user, not a second copy of it."""
    client = login_as("member", email="again@example.com")
    assert client.get("/api/users/me").status_code == 200  # the token is cached now
    again = client.post("/api/auth/tokens", json={"email": "again@example.com", "password": factories.PASSWORD})
    assert again.status_code == 201, again.json


@pytest.mark.parametrize("change", ["deactivate", "revoke"])
def test_a_lookup_between_a_changes_flush_and_its_commit_is_not_kept(app, login_as, clock, change):
    """A request of this process that verifies the token after another request flushed a change
    but before it committed reads the old rows; what it read must not outlive the commit."""
    client = login_as("member")
    user_id = client.user_id
    with app.app_context():
        if change == "deactivate":
            db.session.get(User, user_id).active = False
        else:
            for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)):
                token.revoked_at = utcnow()
        db.session.flush()
        during = []
        thread = threading.Thread(target=lambda: during.append(client.get("/api/users/me").status_code))
        thread.start()
        thread.join()
        db.session.commit()
    assert during == [200]  # the change was not committed yet
    assert client.get("/api/users/me").status_code == 401
