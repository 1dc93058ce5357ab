"""Action items: governance writes; owners update the status of their own, nothing else."""
from cxgov.steering.models import ActionItem
from tests import factories
from tests.steering.helpers import client_for, count, get


def test_create_filter_and_complete(login_as, app):
    leader = login_as("cx_leader")
    with app.app_context():
        owner = factories.create_user()
        department = factories.create_department()
        meeting = factories.create_meeting()
        owner_id, department_id, meeting_id = owner.id, department.id, meeting.id
    created = leader.post("/api/action-items", json={"title": "Call the vendor", "owner_id": owner_id,
                                                     "due_on": "2026-12-20", "meeting_id": meeting_id,
                                                     "department_id": department_id})
    assert created.status_code == 201 and created.json["completed_at"] is None
    leader.post("/api/action-items", json={"title": "Later", "owner_id": leader.user_id, "due_on": "2027-02-01"})
    api = login_as("executive")
    assert api.get(f"/api/action-items?owner_id={owner_id}").json["total"] == 1
    assert api.get(f"/api/action-items?meeting_id={meeting_id}").json["total"] == 1
    assert api.get(f"/api/action-items?department_id={department_id}").json["total"] == 1
    assert api.get("/api/action-items?due_before=2026-12-31").json["total"] == 1
    assert api.get("/api/action-items?due_after=2027-01-01").json["total"] == 1
    assert api.get("/api/action-items?status=open").json["total"] == 2
    assert api.get("/api/action-items?due_after=2027-01-01&due_before=2026-01-01").status_code == 422
    url = f"/api/action-items/{created.json['id']}"
    done = client_for(app, owner_id).patch(url, json={"status": "done"})
    assert done.status_code == 200 and done.json["completed_at"]
    assert api.get("/api/action-items?status=done").json["total"] == 1
    reopened = client_for(app, owner_id).patch(url, json={"status": "open"})
    assert reopened.json["completed_at"] is None
    assert leader.patch(url, json={"status": "done", "title": "Called the vendor"}).json["completed_at"]


def test_owner_may_change_only_the_status(app, login_as):
    with app.app_context():
        owner = factories.create_user()
        item = factories.create_action_item(owner=owner)
        owner_id, item_id = owner.id, item.id
    url = f"/api/action-items/{item_id}"
    owner_client = client_for(app, owner_id)
    response = owner_client.patch(url, json={"status": "done", "due_on": "2030-01-01"})
    assert response.status_code == 403
    assert owner_client.patch(url, json={"title": "Mine now"}).status_code == 403
    assert owner_client.delete(url).status_code == 403
    stored = get(app, ActionItem, item_id)
    assert (stored.status, stored.completed_at) == ("open", None)
    assert login_as("member").patch(url, json={"status": "done"}).status_code == 403
    assert login_as("executive").patch(url, json={"status": "done"}).status_code == 403
    assert get(app, ActionItem, item_id).status == "open"
    assert owner_client.patch(url, json={"status": "cancelled"}).status_code == 200


def test_action_item_bad_input(login_as, app):
    leader = login_as("admin")
    response = leader.post("/api/action-items", json={"title": "", "owner_id": 1, "due_on": "someday", "status": "wip"})
    assert response.status_code == 422 and set(response.json["errors"]) == {"title", "due_on", "status"}
    response = leader.post("/api/action-items", json={"title": "T", "owner_id": 999, "due_on": "2026-12-01"})
    assert response.status_code == 422 and set(response.json["errors"]) == {"owner_id"}
    response = leader.post("/api/action-items", json={"title": "T", "owner_id": leader.user_id, "due_on": "2026-12-01",
                                                      "meeting_id": 999})
    assert response.status_code == 422 and set(response.json["errors"]) == {"meeting_id"}
    response = leader.post("/api/action-items", json={"title": "T", "due_on": "2026-12-01", "completed_at": "x"})
    assert response.status_code == 422 and set(response.json["errors"]) == {"owner_id", "completed_at"}
    assert count(app, ActionItem) == 0


def test_created_done_is_completed(login_as):
    leader = login_as("cx_leader")
    body = leader.post("/api/action-items", json={"title": "T", "owner_id": leader.user_id, "due_on": "2026-12-01",
                                                  "status": "done"}).json
    assert body["status"] == "done" and body["completed_at"]
