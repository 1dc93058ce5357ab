"""The meeting page's editing jobs: the meeting's title, time and place (guarded by its version),
agenda items changed, removed and reordered, suggestions added one by one, action items given to
a chosen owner, and "My action items" with the recently done ones to reopen."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.steering.models import ActionItem, AgendaItem, Meeting
from tests import factories
from tests.conftest import csrf_token, sign_in_session
from tests.queries import count_statements
from tests.steering.helpers import client_for, count, get, governance_world


def _post(client, path, data, page):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def _agenda(app, meeting_id):
    with app.app_context():
        return list(db.session.scalars(select(AgendaItem.title).where(AgendaItem.meeting_id == meeting_id)
                                       .order_by(AgendaItem.position)))


def _positions(app, meeting_id):
    with app.app_context():
        return list(db.session.scalars(select(AgendaItem.position).where(AgendaItem.meeting_id == meeting_id)
                                       .order_by(AgendaItem.position)))


def _edit(meeting, **changes):
    return {"title": meeting.title, "starts_at": "2026-12-01T09:00", "duration_minutes": "90",
            "location": meeting.location or "", "version": str(meeting.version), **changes}


# -- the meeting ---------------------------------------------------------------------------------

def test_a_leader_moves_the_meeting_and_the_invite_is_reissued(page_as, app):
    ids = governance_world(app)
    client = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"
    assert "Change title, time or place" in client.get(page).get_data(as_text=True)
    form = client.get(f"{page}/edit").get_data(as_text=True)
    assert 'value="2026-12-01T09:00"' in form and 'value="Board room"' in form
    before = get(app, Meeting, ids["meeting"])
    response = _post(client, f"{page}/edit", _edit(before, starts_at="2026-12-03T14:30", location="Room 4.12"), page)
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    assert "The calendar invite is re-issued" in client.get(page).get_data(as_text=True)
    meeting = client_for(app, ids["chair"]).get(f"/api/meetings/{ids['meeting']}").get_json()
    assert meeting["starts_at"] == "2026-12-03T14:30:00+00:00" and meeting["location"] == "Room 4.12"
    assert meeting["ics_sequence"] == before.ics_sequence + 1
    invite = client.get(f"{page}/invite.ics").get_data(as_text=True)
    assert "LOCATION:Room 4.12" in invite and f"SEQUENCE:{before.ics_sequence + 1}" in invite

    # A new title alone does not re-issue the invite.
    after = get(app, Meeting, ids["meeting"])
    _post(client, f"{page}/edit", _edit(after, title="December steering", starts_at="2026-12-03T14:30",
                                        location="Room 4.12"), page)
    now = get(app, Meeting, ids["meeting"])
    assert now.title == "December steering" and now.ics_sequence == after.ics_sequence


def test_a_stale_meeting_form_is_refused_in_plain_words(page_as, app):
    ids = governance_world(app)
    client = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"
    read = get(app, Meeting, ids["meeting"])
    # Someone else moves the meeting through the API in the meantime.
    api = client_for(app, ids["chair"])
    assert api.patch(f"/api/meetings/{ids['meeting']}", json={"location": "Room 9"}).status_code == 200
    response = _post(client, f"{page}/edit", _edit(read, location="Room 4.12", title="Mine"), page)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else changed this meeting after you opened the form, so your changes were not saved." in html
    assert "Room 9" in html and 'value="Mine"' in html  # what is stored now, and what was typed, kept
    stored = get(app, Meeting, ids["meeting"])
    assert stored.location == "Room 9" and stored.title == read.title
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert f'name="version" value="{stored.version}"' in html
    again = _post(client, f"{page}/edit", _edit(stored, location="Room 4.12", title="Mine"), page)
    assert again.status_code == 302 and get(app, Meeting, ids["meeting"]).location == "Room 4.12"


def test_bad_meeting_input_comes_back_by_its_fields(page_as, app):
    ids = governance_world(app)
    client = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"
    meeting = get(app, Meeting, ids["meeting"])
    response = _post(client, f"{page}/edit", _edit(meeting, title="", starts_at="soon", duration_minutes="0"), page)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<a href="#meeting-title">Enter the title of the meeting.</a>' in html
    assert '<a href="#meeting-starts">Enter when the meeting starts as a date and a time.</a>' in html
    assert '<a href="#meeting-duration">Enter a whole number from 1 to 1,440 for the duration.</a>' in html
    assert 'value="soon"' in html
    assert get(app, Meeting, ids["meeting"]).version == meeting.version


def test_held_too_early_is_refused_and_published_meetings_do_not_change(page_as, app):
    ids = governance_world(app)
    client = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"
    with app.app_context():
        meeting = db.session.get(Meeting, ids["meeting"])
        meeting.status, meeting.minutes, meeting.minutes_published_at = "held", "Met.", utcnow()
        meeting.starts_at = utcnow() - timedelta(days=1)
        db.session.commit()
    assert "Change title, time or place" not in client.get(page).get_data(as_text=True)
    response = client.get(f"{page}/edit")
    assert response.status_code == 302
    assert "can no longer change" in client.get(page).get_data(as_text=True)
    with app.app_context():
        item_id = db.session.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == ids["meeting"]))
    assert client.get(f"{page}/agenda/{item_id}/edit").status_code == 302


@pytest.mark.parametrize("role", ["member", "executive"])
def test_others_see_no_editing_controls_and_are_refused(page_as, app, role):
    ids = governance_world(app)
    client = page_as(role)
    page = f"/meetings/{ids['meeting']}"
    html = client.get(page).get_data(as_text=True)
    for control in ("Change title, time or place", "Remove…", "Add the ticked suggestions", "Move up"):
        assert control not in html
    assert client.get(f"{page}/edit").status_code == 403
    meeting = get(app, Meeting, ids["meeting"])
    token = csrf_token(client, "/my/action-items")
    assert client.post(f"{page}/edit", data={"csrf_token": token, **_edit(meeting, title="x")}).status_code == 403
    assert client.post(f"{page}/agenda/{ids['item']}/remove",
                       data={"csrf_token": token, "confirm": "yes"}).status_code == 403
    assert get(app, Meeting, ids["meeting"]).title == meeting.title and count(app, AgendaItem) == 1


# -- the agenda ----------------------------------------------------------------------------------

def _three_items(app, ids):
    with app.app_context():
        meeting = db.session.get(Meeting, ids["meeting"])
        return [factories.add_agenda_item(meeting, title=title).id for title in ("Numbers", "Pilot", "Any other")]


def test_reorder_edit_and_remove_agenda_items(page_as, app):
    ids = governance_world(app)
    numbers, pilot, other = _three_items(app, ids)
    client = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"
    html = client.get(page).get_data(as_text=True)
    assert 'aria-label="Remove: Pilot"' in html and 'aria-label="Edit: Pilot"' in html
    _post(client, f"{page}/agenda/{pilot}/move", {"direction": "up"}, page)
    _post(client, f"{page}/agenda/{other}/move", {"direction": "up"}, page)
    assert _agenda(app, ids["meeting"]) == ["Welcome", "Pilot", "Any other", "Numbers"]
    _post(client, f"{page}/agenda/{ids['item']}/move", {"direction": "up"}, page)  # the first stays first
    assert _agenda(app, ids["meeting"])[0] == "Welcome"

    item = get(app, AgendaItem, pilot)
    form = client.get(f"{page}/agenda/{pilot}/edit").get_data(as_text=True)
    assert 'value="Pilot"' in form and f'name="version" value="{item.version}"' in form
    response = _post(client, f"{page}/agenda/{pilot}/edit", {
        "title": "Pilot results", "kind": "decision", "initiative_id": str(ids["initiative"]),
        "duration_minutes": "20", "notes": "Bring the numbers.", "version": str(item.version)}, page)
    assert response.status_code == 302 and response.headers["Location"].endswith("#agenda")
    api = client_for(app, ids["chair"])
    saved = api.get(f"/api/meetings/{ids['meeting']}/agenda-items/{pilot}").get_json()
    assert (saved["title"], saved["kind"], saved["initiative_id"], saved["duration_minutes"], saved["notes"]) == \
        ("Pilot results", "decision", ids["initiative"], 20, "Bring the numbers.")
    assert saved["position"] == 1

    # A stale form is refused; a bad one comes back by its fields.
    stale = _post(client, f"{page}/agenda/{pilot}/edit", {"title": "Late", "kind": "information",
                                                           "version": str(item.version)}, page)
    assert stale.status_code == 409 and "Someone else changed this agenda item" in stale.get_data(as_text=True)
    fresh = get(app, AgendaItem, pilot)
    bad = _post(client, f"{page}/agenda/{pilot}/edit", {"title": "", "kind": "party", "duration_minutes": "x",
                                                         "version": str(fresh.version)}, page)
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert '<a href="#agenda-title">Enter the title of the agenda item.</a>' in html
    assert '<a href="#agenda-kind">Choose the kind of agenda item from the list.</a>' in html
    assert get(app, AgendaItem, pilot).title == "Pilot results"

    asked = _post(client, f"{page}/agenda/{pilot}/remove", {}, page)
    assert asked.status_code == 200 and "Remove “Pilot results” from the agenda" in asked.get_data(as_text=True)
    assert count(app, AgendaItem) == 4
    done = _post(client, f"{page}/agenda/{pilot}/remove", {"confirm": "yes"}, page)
    assert done.status_code == 302
    titles = [i["title"] for i in api.get(f"/api/meetings/{ids['meeting']}/agenda-items").get_json()["items"]]
    assert titles == ["Welcome", "Any other", "Numbers"]
    assert _positions(app, ids["meeting"]) == [0, 1, 2]
    assert client.get(f"{page}/agenda/{numbers}/edit").status_code == 200
    assert client.get(f"/meetings/{ids['meeting'] + 99}/agenda/{numbers}/edit").status_code == 404


# -- suggestions -------------------------------------------------------------------------------

def test_only_the_ticked_suggestions_are_added(page_as, app):
    ids = governance_world(app)
    with app.app_context():
        extra = [factories.create_initiative(title=f"Idea {n}").id for n in (1, 2)]
    client = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"
    html = client.get(page).get_data(as_text=True)
    keys = [f"initiative:{i}:decision" for i in (ids["initiative"], *extra)]
    for key in keys:
        assert f'name="source_key" value="{key}"' in html
    assert "Proposed initiative awaiting a decision." in html
    response = _post(client, f"{page}/agenda/suggested", {"source_key": [keys[0], keys[2]]}, page)
    assert response.status_code == 302
    assert "2 suggested items added to the agenda." in client.get(page).get_data(as_text=True)
    api = client_for(app, ids["chair"])
    agenda = api.get(f"/api/meetings/{ids['meeting']}/agenda-items").get_json()["items"]
    assert [i["source_key"] for i in agenda] == [None, keys[0], keys[2]]
    left = api.get(f"/api/meetings/{ids['meeting']}/agenda-items/suggested").get_json()
    assert [s["source_key"] for s in left] == [keys[1]]

    # Nothing ticked: said, nothing added; a key already added adds nothing again.
    _post(client, f"{page}/agenda/suggested", {}, page)
    assert "Tick at least one suggestion." in client.get(page).get_data(as_text=True)
    _post(client, f"{page}/agenda/suggested", {"source_key": [keys[0]]}, page)
    assert "0 suggested items added" in client.get(page).get_data(as_text=True)
    assert count(app, AgendaItem) == 3

    # The API still adds every suggestion left.
    added = api.post(f"/api/meetings/{ids['meeting']}/agenda-items/suggested").get_json()
    assert [i["source_key"] for i in added] == [keys[1]]


# -- action items --------------------------------------------------------------------------------

def test_an_action_item_goes_to_the_chosen_owner_and_department(page_as, app):
    ids = governance_world(app)
    with app.app_context():
        department = factories.create_department(name="Claims")
        department_id = department.id
    client = page_as("cx_leader", name="Aaron Admin-first")
    page = f"/meetings/{ids['meeting']}"
    html = client.get(page).get_data(as_text=True)
    owner_select = html.split('id="action-owner"')[1].split("</select>")[0]
    assert '<option value="">Choose who owns it</option>' in owner_select
    assert "selected" not in owner_select  # nobody by default
    members, others = owner_select.split('<optgroup label="Everyone else">')
    assert "Member Person" in members and "Secretary Person" in members and "Aaron Admin-first" in others
    assert ">Claims</option>" in html

    refused = _post(client, f"{page}/action-items", {"title": "Call the vendor", "due_on": "2026-12-20"}, page)
    assert refused.status_code == 422
    assert '<a href="#action-owner">Choose who owns it.</a>' in refused.get_data(as_text=True)
    assert count(app, ActionItem) == 1
    _post(client, f"{page}/action-items", {"title": "Call the vendor", "owner_id": str(ids["member"]),
                                           "department_id": str(department_id), "due_on": "2026-12-20"}, page)
    items = client_for(app, ids["chair"]).get("/api/action-items?owner_id=" + str(ids["member"])).get_json()["items"]
    created = [i for i in items if i["title"] == "Call the vendor"]
    assert len(created) == 1
    assert (created[0]["department_id"], created[0]["meeting_id"], created[0]["status"]) == \
        (department_id, ids["meeting"], "open")


def test_my_action_items_lists_recent_done_ones_to_reopen(app, page_as):
    ids = governance_world(app)
    with app.app_context():
        now = utcnow()
        member = db.session.get(ActionItem, ids["action"]).owner
        done = factories.create_action_item(owner=member, title="Send the survey", status="done",
                                            completed_at=now - timedelta(days=3))
        old = factories.create_action_item(owner=member, title="Old work", status="done",
                                           completed_at=now - timedelta(days=45))
        done_id, old_id = done.id, old.id
    client = sign_in_session(app, app.test_client(), ids["member"])
    html = client.get("/my/action-items").get_data(as_text=True)
    assert "Mark done" in html and "Send the survey" in html and "Old work" not in html
    assert 'aria-label="Reopen: Send the survey"' in html
    response = _post(client, f"/action-items/{done_id}/status", {"status": "open"}, "/my/action-items")
    assert response.status_code == 302
    html = client.get("/my/action-items").get_data(as_text=True)
    assert "“Send the survey” is open again." in html and 'aria-label="Mark done: Send the survey"' in html
    item = client_for(app, ids["member"]).get(f"/api/action-items/{done_id}").get_json()
    assert item["status"] == "open" and item["completed_at"] is None
    # Someone else's item is not theirs to reopen.
    other = page_as("member")
    refused = _post(other, f"/action-items/{old_id}/status", {"status": "open"}, "/my/action-items")
    assert refused.status_code == 403 and get(app, ActionItem, old_id).status == "done"


def test_my_action_items_queries_do_not_grow(app):
    ids = governance_world(app)
    client = sign_in_session(app, app.test_client(), ids["member"])

    def queries():
        return count_statements(app, lambda: client.get("/my/action-items"))

    small = queries()
    with app.app_context():
        member = db.session.get(ActionItem, ids["action"]).owner
        meeting = db.session.get(Meeting, ids["meeting"])
        for n in range(5):
            factories.create_action_item(owner=member, meeting_id=meeting.id)
            factories.create_action_item(owner=member, status="done", completed_at=utcnow() - timedelta(days=n))
    assert queries() == small
