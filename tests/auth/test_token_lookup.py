"""A bearer token is looked up on every request: a change to it or to its user takes effect on
the next request, wherever it was made (this process, another worker, plain SQL)."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from cxgov.auth.models import ApiToken
from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.org.models import User
from tests import factories
from tests.queries import recorded_statements


def elsewhere(app, sql, **params):
    """A change another worker makes: plain SQL, not through this process's ORM."""
    with app.app_context():
        db.session.execute(text(sql), params)
        db.session.commit()


def test_every_request_looks_its_token_up_once(app, login_as):
    client = login_as("cx_leader")
    for _ in range(2):
        with recorded_statements(app) as seen:
            response = client.get("/api/users/me")
        assert response.status_code == 200 and response.json["role"] == "cx_leader"
        assert len([sql for sql in seen if "api_tokens" in sql]) == 1


@pytest.mark.parametrize("sql", [
    "UPDATE api_tokens SET revoked_at = :now",
    "UPDATE api_tokens SET expires_at = :now",
    "UPDATE users SET active = false",
    "UPDATE users SET credential_generation = credential_generation + 1",
])
def test_a_change_made_elsewhere_takes_effect_on_the_next_request(app, login_as, sql):
    client = login_as("member")
    assert client.get("/api/users/me").status_code == 200
    elsewhere(app, sql, **({"now": utcnow() - timedelta(seconds=1)} if ":now" in sql else {}))
    assert client.get("/api/users/me").status_code == 401


def test_changes_made_through_the_api_take_effect_at_once(app, login_as):
    client, admin = login_as("member"), login_as("admin")
    assert client.get("/api/users/me").json["role"] == "member"
    changed = admin.patch(f"/api/users/{client.user_id}", json={"role": "cx_leader"},
                          headers={"If-Match": admin.get(f"/api/users/{client.user_id}").headers["ETag"]})
    assert changed.status_code == 200
    # A role change ends the user's tokens (they sign in again under the new role).
    assert client.get("/api/users/me").status_code == 401


def test_the_signed_in_user_writes_and_keeps_its_password(app, login_as):
    client = login_as("member")
    me = client.get("/api/users/me")
    changed = client.patch("/api/users/me", json={"name": "Renamed"}, headers={"If-Match": me.headers["ETag"]})
    assert changed.status_code == 200, changed.json
    assert client.get("/api/users/me").json["name"] == "Renamed"
    with app.app_context():
        user = db.session.get(User, client.user_id)
        assert user.name == "Renamed" and user.password_hash


def test_signing_in_again_with_a_token_in_the_header(app, login_as):
    client = login_as("member", email="again@example.com")
    assert client.get("/api/users/me").status_code == 200
    again = client.post("/api/auth/tokens", json={"email": "again@example.com", "password": factories.PASSWORD})
    assert again.status_code == 201, again.json


@pytest.mark.parametrize("change", ["deactivate", "revoke"])
def test_a_change_counts_from_its_commit(app, login_as, change):
    """A request that looks the token up after another flushed a change but before it committed
    reads the rows as committed; after the commit the change holds."""
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
