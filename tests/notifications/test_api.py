"""/api/notifications: the caller's own inbox, for every role."""
from datetime import datetime, timedelta, timezone

import pytest

from cxgov.extensions import db
from tests import factories as f
from tests.notifications.conftest import notifications

UTC = timezone.utc
ROLES = ("member", "executive", "cx_leader", "admin")


def _seed(app, user_id, count=3):
    with app.app_context():
        user = db.session.get(f.User, user_id)
        base = datetime(2026, 3, 1, tzinfo=UTC)
        ids = [f.create_notification(user, subject=f"Mine {n}", created_at=base + timedelta(hours=n)).id
               for n in range(count)]
        other = f.create_notification(subject="Someone else's").id
        return ids, other


def test_anonymous_gets_401(client):
    assert client.get("/api/notifications").status_code == 401
    assert client.post("/api/notifications/1/read").status_code == 401
    assert client.post("/api/notifications/read-all").status_code == 401
    assert client.get("/api/notifications").content_type == "application/problem+json"


@pytest.mark.parametrize("role", ROLES)
def test_everyone_lists_only_their_own_newest_first(app, login_as, role):
    api = login_as(role)
    ids, other = _seed(app, api.user_id)
    response = api.get("/api/notifications")
    assert response.status_code == 200
    body = response.json
    assert body["total"] == 3 and body["page"] == 1 and body["page_size"] == 50
    assert [item["id"] for item in body["items"]] == list(reversed(ids))
    assert other not in [item["id"] for item in body["items"]]
    item = body["items"][0]
    assert set(item) == {"id", "kind", "subject", "body", "entity", "entity_id", "dedupe_key",
                         "created_at", "sent_at", "read_at"}
    assert item["created_at"] == "2026-03-01T02:00:00+00:00"
    assert item["read_at"] is None


def test_pagination_and_unread_filter(app, login_as):
    api = login_as("member")
    ids, _ = _seed(app, api.user_id, count=5)
    page = api.get("/api/notifications?page=2&page_size=2").json
    assert [item["id"] for item in page["items"]] == [ids[2], ids[1]]
    assert page["total"] == 5
    assert api.post(f"/api/notifications/{ids[0]}/read").status_code == 200
    unread = api.get("/api/notifications?unread=true").json
    assert unread["total"] == 4 and ids[0] not in [i["id"] for i in unread["items"]]
    read = api.get("/api/notifications?unread=false").json
    assert [i["id"] for i in read["items"]] == [ids[0]]


def test_bad_query_is_422_naming_the_field(login_as):
    api = login_as("member")
    response = api.get("/api/notifications?page_size=500&unread=perhaps")
    assert response.status_code == 422
    assert set(response.json["errors"]) >= {"page_size", "unread"}, response.json


@pytest.mark.parametrize("role", ROLES)
def test_mark_own_read_others_is_404_and_untouched(app, login_as, role):
    api = login_as(role)
    ids, other = _seed(app, api.user_id)
    response = api.post(f"/api/notifications/{ids[1]}/read")
    assert response.status_code == 200
    assert response.json["id"] == ids[1] and response.json["read_at"] is not None
    first_read = response.json["read_at"]
    again = api.post(f"/api/notifications/{ids[1]}/read")
    assert again.status_code == 200 and again.json["read_at"] == first_read  # idempotent

    refused = api.post(f"/api/notifications/{other}/read")
    assert refused.status_code == 404
    assert refused.content_type == "application/problem+json"
    assert api.post("/api/notifications/999999/read").status_code == 404
    with app.app_context():
        assert [n.read_at for n in notifications(id=other)] == [None]


def test_read_all_marks_only_mine(app, login_as):
    api = login_as("member")
    ids, other = _seed(app, api.user_id)
    response = api.post("/api/notifications/read-all")
    assert response.status_code == 200 and response.json == {"updated": 3}
    assert api.post("/api/notifications/read-all").json == {"updated": 0}
    with app.app_context():
        assert all(n.read_at is not None for n in notifications(user_id=api.user_id))
        assert [n.read_at for n in notifications(id=other)] == [None]


def test_openapi_documents_the_inbox(client, login_as):
    spec = login_as("member").get("/api/openapi.json").json
    assert "/api/notifications" in spec["paths"]
    assert "/api/notifications/{notification_id}/read" in spec["paths"]
    operation = spec["paths"]["/api/notifications/{notification_id}/read"]["post"]
    assert {"401", "404"} <= set(operation["responses"])
