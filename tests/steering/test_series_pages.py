"""The series page (next meetings, move, cancel, a new rule) and the quorum on the pages (SPEC §9)."""
import html as html_lib
from datetime import datetime, timezone

from sqlalchemy import func, select

from cxgov.extensions import db
from cxgov.steering.models import Committee, Meeting, MeetingSeries
from tests.conftest import csrf_token, sign_in_session
from tests.steering.helpers import PAST, client_for, governance_world

SERIES = {"title": "Weekly CX steering", "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=4",
          "first_starts_at": "2099-01-06T09:00:00+00:00", "duration_minutes": 60, "location": "Board room"}


def _text(response):
    return html_lib.unescape(response.get_data(as_text=True))


def _planned(app, ids, body=SERIES):
    created = client_for(app, ids["chair"]).post(f"/api/committees/{ids['committee']}/series", json=body)
    assert created.status_code == 201, created.json
    return created.json


def _version(app, series_id):
    with app.app_context():
        return db.session.get(MeetingSeries, series_id).version


def test_the_series_page_lists_the_next_meetings_and_offers_move_and_cancel(app):
    ids = governance_world(app, starts_at=PAST)
    created = _planned(app, ids)
    leader = sign_in_session(app, app.test_client(), ids["chair"])
    page = f"/series/{created['id']}"
    html = _text(leader.get(page))
    next_section = html.split('id="series-next"')[1].split("</section>")[0]
    assert next_section.count("<li>") == 3  # the next three of four
    first = created["meetings"][0]["id"]
    assert f'href="/meetings/{first}/edit"' in html  # move: the meeting's own form
    assert f'action="/meetings/{first}/status"' in html and 'name="back" value="series"' in html
    # a member sees the next meetings, not the buttons
    member = sign_in_session(app, app.test_client(), ids["member"])
    member_html = _text(member.get(page))
    assert member_html.count("<li>") >= 3 and "/edit" not in member_html and 'id="series-rule"' not in member_html


def test_cancelling_one_meeting_from_the_series_page_asks_then_returns_there(app):
    ids = governance_world(app, starts_at=PAST)
    created = _planned(app, ids)
    second = created["meetings"][1]["id"]
    leader = sign_in_session(app, app.test_client(), ids["chair"])
    page = f"/series/{created['id']}"
    token = csrf_token(leader, page)
    asked = leader.post(f"/meetings/{second}/status",
                        data={"status": "cancelled", "back": "series", "csrf_token": token})
    assert asked.status_code == 200 and "Cancel the meeting" in _text(asked)
    assert 'name="back" value="series"' in _text(asked)  # the answer returns to the series page
    done = leader.post(f"/meetings/{second}/status", data={"status": "cancelled", "back": "series", "confirm": "yes",
                                                           "csrf_token": token})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"{page}#series-meetings")
    api = client_for(app, ids["chair"]).get(f"/api/series/{created['id']}").json
    row = next(m for m in api["meetings"] if m["id"] == second)
    assert row["status"] == "cancelled" and row["series_detached"] is True
    html = _text(leader.get(page))
    assert html.split('id="series-next"')[1].split("</section>")[0].count("<li>") == 3  # the fourth comes up
    assert f'href="/meetings/{second}/edit"' not in html


def test_a_new_rule_from_the_series_page(app):
    ids = governance_world(app, starts_at=PAST)
    created = _planned(app, ids)
    leader = sign_in_session(app, app.test_client(), ids["chair"])
    page = f"/series/{created['id']}"
    token = csrf_token(leader, page)
    refused = leader.post(f"{page}/rule", data={"rrule": "FREQ=WEEKLY", "version": _version(app, created["id"]),
                                                "csrf_token": token})
    assert refused.status_code == 422 and "unbounded" in _text(refused) and 'aria-invalid="true"' in _text(refused)
    stale = leader.post(f"{page}/rule", data={"rrule": "FREQ=WEEKLY;COUNT=2", "version": "0", "csrf_token": token})
    assert stale.status_code == 409 and "Someone else changed this series" in _text(stale)
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id)).where(Meeting.series_id == created["id"])) == 4
    done = leader.post(f"{page}/rule", data={"rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=6",
                                             "version": _version(app, created["id"]), "csrf_token": token})
    assert done.status_code == 302
    html = _text(leader.get(page))
    assert "2 meetings added (members invited), 0 removed, 0 cancelled" in html
    with app.app_context():
        row = db.session.get(MeetingSeries, created["id"])
        assert row.rrule == "FREQ=WEEKLY;BYDAY=TU;COUNT=6" and row.ics_sequence == 1
        assert db.session.scalar(select(func.count(Meeting.id)).where(Meeting.series_id == created["id"])) == 6


def test_only_governance_changes_the_rule_on_the_page(app):
    ids = governance_world(app, starts_at=PAST)
    created = _planned(app, ids)
    member = sign_in_session(app, app.test_client(), ids["member"])
    page = f"/series/{created['id']}"
    refused = member.post(f"{page}/rule", data={"rrule": "FREQ=WEEKLY;COUNT=1", "version": _version(app, created["id"]),
                                                "csrf_token": csrf_token(member, page)})
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.get(MeetingSeries, created["id"]).rrule == SERIES["rrule"]


# -- quorum on the pages ------------------------------------------------------------------------------

def test_governance_sets_the_quorum_on_the_committees_page(app):
    ids = governance_world(app, starts_at=PAST)
    leader = sign_in_session(app, app.test_client(), ids["chair"])
    token = csrf_token(leader, "/committees")
    html = _text(leader.get("/committees"))
    assert "Quorum: 2 members (more than half the 3 members)" in html
    url = f"/committees/{ids['committee']}/quorum"
    assert leader.post(url, data={"quorum": "3", "csrf_token": token}).status_code == 302
    html = _text(leader.get("/committees"))
    assert "The quorum of" in html and "is 3 members." in html and "Quorum: 3 members</p>" in html
    assert client_for(app, ids["chair"]).get(f"/api/committees/{ids['committee']}").json["effective_quorum"] == 3
    refused = leader.post(url, data={"quorum": "0", "csrf_token": token})
    assert refused.status_code == 422 and "the quorum" in _text(refused)
    assert leader.post(url, data={"quorum": "", "csrf_token": token}).status_code == 302  # blank: the default
    with app.app_context():
        assert db.session.get(Committee, ids["committee"]).quorum is None
    assert "more than half the members (2 now)" in _text(leader.get("/committees"))
    member = sign_in_session(app, app.test_client(), ids["member"])
    assert member.post(url, data={"quorum": "1", "csrf_token": csrf_token(member, "/committees")}).status_code == 403
    assert 'name="quorum"' not in _text(member.get("/committees"))


def test_marking_held_below_quorum_on_the_page_says_the_note_is_needed(app):
    ids = governance_world(app, starts_at=PAST)
    client_for(app, ids["chair"]).put(f"/api/meetings/{ids['meeting']}/attendance/{ids['member']}",
                                      json={"status": "attended"})
    leader = sign_in_session(app, app.test_client(), ids["chair"])
    page = f"/meetings/{ids['meeting']}"
    html = _text(leader.get(page))
    assert "quorum 2" in html and "Present: <strong>1</strong>" in html
    refused = leader.post(f"{page}/status", data={"status": "held", "csrf_token": csrf_token(leader, page)},
                          follow_redirects=True)
    html = _text(refused)
    assert "Only 1 of the 2 members the quorum needs attended" in html and "Quorum note" in html
    assert 'id="quorum-note"' in html
    with app.app_context():
        assert db.session.get(Meeting, ids["meeting"]).status == "scheduled"


def test_the_next_meetings_leave_out_those_past(app):
    ids = governance_world(app, starts_at=PAST)
    created = _planned(app, ids, {**SERIES, "first_starts_at": "2026-01-06T09:00:00+00:00",
                                  "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=2"})
    leader = sign_in_session(app, app.test_client(), ids["chair"])
    html = _text(leader.get(f"/series/{created['id']}"))
    assert "No meeting of this series is still to come." in html
    assert datetime.fromisoformat(created["meetings"][-1]["starts_at"]) < datetime.now(timezone.utc)
