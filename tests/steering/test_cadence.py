"""Steering cadence (SPEC §9): members answer invitations, quorum, outcomes per agenda item."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from cxgov.extensions import db
from cxgov.steering.models import Attendance, Meeting
from tests.conftest import csrf_token, sign_in_session
from tests.steering.helpers import PAST, client_for, count, governance_world

FUTURE = datetime(2099, 3, 1, 9, 0, tzinfo=timezone.utc)


def _status(app, meeting_id, user_id):
    with app.app_context():
        return db.session.scalar(select(Attendance.status).where(Attendance.meeting_id == meeting_id,
                                                                 Attendance.user_id == user_id))


# -- answering an invitation ------------------------------------------------------------------

def test_a_member_accepts_then_declines_their_invitation(app):
    ids = governance_world(app, starts_at=FUTURE)
    member = client_for(app, ids["member"])
    url = f"/api/meetings/{ids['meeting']}/attendance/me"
    accepted = member.put(url, json={"status": "accepted"})
    assert accepted.status_code == 200 and accepted.json["status"] == "accepted"
    assert accepted.json["user_id"] == ids["member"] and accepted.headers["ETag"]
    assert _status(app, ids["meeting"], ids["member"]) == "accepted"
    assert member.put(url, json={"status": "declined"}).json["status"] == "declined"
    assert _status(app, ids["meeting"], ids["member"]) == "declined"
    assert count(app, Attendance) == 1  # one row for the member, changed in place


def test_only_members_answer_and_only_accept_or_decline(app, login_as):
    ids = governance_world(app, starts_at=FUTURE)
    url = f"/api/meetings/{ids['meeting']}/attendance/me"
    for outsider in (login_as("cx_leader"), login_as("admin"), login_as("member")):
        refused = outsider.put(url, json={"status": "accepted"})
        assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert count(app, Attendance) == 0
    member = client_for(app, ids["member"])
    for status in ("attended", "absent", "invited", "maybe"):
        refused = member.put(url, json={"status": status})
        assert refused.status_code == 422 and "status" in refused.json["errors"]
    assert member.put(url, json={"status": "accepted", "note": "x"}).status_code == 422
    assert member.put("/api/meetings/999999/attendance/me", json={"status": "accepted"}).status_code == 404
    assert count(app, Attendance) == 0


def test_a_held_or_cancelled_meeting_takes_no_answer(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    leader.patch(f"/api/meetings/{ids['meeting']}", json={"status": "cancelled"})
    refused = client_for(app, ids["member"]).put(f"/api/meetings/{ids['meeting']}/attendance/me",
                                                 json={"status": "accepted"})
    assert refused.status_code == 409
    assert _status(app, ids["meeting"], ids["member"]) is None


def test_a_member_answers_on_the_meeting_page(app):
    ids = governance_world(app, starts_at=FUTURE)
    client = sign_in_session(app, app.test_client(), ids["member"])
    page = f"/meetings/{ids['meeting']}"
    html = client.get(page).get_data(as_text=True)
    assert "Your answer" in html and ">Accept<" in html and ">Decline<" in html
    response = client.post(f"{page}/attendance/me", data={"status": "accepted", "csrf_token": csrf_token(client, page)})
    assert response.status_code == 302
    assert _status(app, ids["meeting"], ids["member"]) == "accepted"
    assert "You accepted the invitation" in client.get(page).get_data(as_text=True)


def test_the_answer_form_is_only_for_members(app, page_as):
    ids = governance_world(app, starts_at=FUTURE)
    leader = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"
    assert "Your answer" not in leader.get(page).get_data(as_text=True)
    response = leader.post(f"{page}/attendance/me", data={"status": "accepted", "csrf_token": csrf_token(leader, page)})
    assert response.status_code == 403
    assert count(app, Attendance) == 0


# -- quorum -------------------------------------------------------------------------------------

def _attend(app, meeting_id, *user_ids, status="attended"):
    with app.app_context():
        for user_id in user_ids:
            db.session.add(Attendance(meeting_id=meeting_id, user_id=user_id, status=status))
        db.session.commit()


def test_the_default_quorum_is_more_than_half_the_members(app):
    ids = governance_world(app, starts_at=PAST)  # three members: the quorum is two
    leader = client_for(app, ids["chair"])
    committee = leader.get(f"/api/committees/{ids['committee']}").json
    assert (committee["quorum"], committee["effective_quorum"]) == (None, 2)
    url = f"/api/meetings/{ids['meeting']}"
    _attend(app, ids["meeting"], ids["member"])
    refused = leader.patch(url, json={"status": "held"})
    assert refused.status_code == 409 and "quorum_note" in refused.json["errors"]
    assert "Only 1 of the 2 members" in refused.json["detail"]
    assert leader.get(url).json["status"] == "scheduled"
    _attend(app, ids["meeting"], ids["secretary"])
    held = leader.patch(url, json={"status": "held"})
    assert held.status_code == 200 and held.json["status"] == "held" and held.json["quorum_note"] is None


def test_below_quorum_a_note_lets_the_meeting_be_held_and_is_kept(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    url = f"/api/meetings/{ids['meeting']}"
    # a guest who attended does not count, nor does a member who was absent
    with app.app_context():
        from tests import factories
        guest = factories.create_user(name="Guest").id
        db.session.commit()
    _attend(app, ids["meeting"], guest, ids["chair"])
    _attend(app, ids["meeting"], ids["member"], status="absent")
    assert leader.patch(url, json={"status": "held", "quorum_note": "   "}).status_code == 409
    held = leader.patch(url, json={"status": "held", "quorum_note": " Budget vote deferred to email. "})
    assert held.status_code == 200 and held.json["quorum_note"] == "Budget vote deferred to email."
    assert leader.get(url).json["quorum_note"] == "Budget vote deferred to email."


def test_a_committee_sets_its_own_quorum(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    committee_url = f"/api/committees/{ids['committee']}"
    for bad in (0, -1, "two", 1.5, 10**6):
        refused = leader.patch(committee_url, json={"quorum": bad})
        assert refused.status_code == 422 and "quorum" in refused.json["errors"], bad
    assert leader.patch(committee_url, json={"quorum": 1}).json["effective_quorum"] == 1
    _attend(app, ids["meeting"], ids["member"])
    assert leader.patch(f"/api/meetings/{ids['meeting']}", json={"status": "held"}).status_code == 200
    assert leader.patch(committee_url, json={"quorum": None}).json["effective_quorum"] == 2


def test_a_meeting_to_come_is_not_offered_to_be_marked_held(app):
    """The service refuses `held` before the meeting begins: the page does not offer it, nor a
    quorum warning, and says when it will; cancelling stays possible."""
    ids = governance_world(app, starts_at=FUTURE)
    client = sign_in_session(app, app.test_client(), ids["chair"])
    html = client.get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
    assert 'value="held"' not in html and "Below quorum" not in html
    assert "Once the meeting has begun, you can mark it held here." in html
    assert 'value="cancelled"' in html


def test_the_meeting_page_shows_present_against_quorum_and_takes_a_note(app):
    ids = governance_world(app, starts_at=PAST)
    _attend(app, ids["meeting"], ids["member"])
    client = sign_in_session(app, app.test_client(), ids["chair"])
    page = f"/meetings/{ids['meeting']}"
    html = client.get(page).get_data(as_text=True)
    assert "Present: <strong>1</strong> of 3 members · quorum 2" in html
    assert 'name="quorum_note"' in html and "Below quorum" in html
    client.post(f"{page}/status", data={"status": "held", "csrf_token": csrf_token(client, page)})
    html = client.get(page).get_data(as_text=True)
    assert "quorum_note" in html or "say why" in html
    assert client_for(app, ids["chair"]).get(f"/api/meetings/{ids['meeting']}").json["status"] == "scheduled"
    client.post(f"{page}/status", data={"status": "held", "quorum_note": "Two members were ill.",
                                        "csrf_token": csrf_token(client, page)})
    html = client.get(page).get_data(as_text=True)
    assert "Held below quorum: Two members were ill." in html


# -- outcomes per agenda item -------------------------------------------------------------------

def _other_meeting_item(app, ids):
    with app.app_context():
        from tests import factories
        meeting = factories.create_meeting(db.session.get(Meeting, ids["meeting"]).committee, starts_at=PAST)
        item = factories.add_agenda_item(meeting, title="Elsewhere")
        db.session.commit()
        return item.id


def test_decisions_and_action_items_name_an_agenda_item_of_their_meeting(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    base = f"/api/meetings/{ids['meeting']}"
    elsewhere = _other_meeting_item(app, ids)
    decision = leader.post(f"{base}/decisions", json={"text": "Go on", "agenda_item_id": ids["item"]})
    assert decision.status_code == 201 and decision.json["agenda_item_id"] == ids["item"]
    for bad in (elsewhere, 999999):
        refused = leader.post(f"{base}/decisions", json={"text": "Go on", "agenda_item_id": bad})
        assert refused.status_code == 422 and set(refused.json["errors"]) == {"agenda_item_id"}
        refused = leader.patch(f"{base}/decisions/{decision.json['id']}", json={"agenda_item_id": bad})
        assert refused.status_code == 422 and set(refused.json["errors"]) == {"agenda_item_id"}
    assert leader.patch(f"{base}/decisions/{decision.json['id']}", json={"agenda_item_id": None}).json[
        "agenda_item_id"] is None

    action = {"title": "Brief the desk", "owner_id": ids["member"], "due_on": "2026-12-20"}
    created = leader.post("/api/action-items", json={**action, "meeting_id": ids["meeting"],
                                                     "agenda_item_id": ids["item"]})
    assert created.status_code == 201 and created.json["agenda_item_id"] == ids["item"]
    # without a meeting, the item's meeting is taken
    inferred = leader.post("/api/action-items", json={**action, "agenda_item_id": ids["item"]})
    assert inferred.status_code == 201 and inferred.json["meeting_id"] == ids["meeting"]
    refused = leader.post("/api/action-items", json={**action, "meeting_id": ids["meeting"],
                                                     "agenda_item_id": elsewhere})
    assert refused.status_code == 422 and set(refused.json["errors"]) == {"agenda_item_id"}
    refused = leader.patch(f"/api/action-items/{created.json['id']}", json={"agenda_item_id": elsewhere})
    assert refused.status_code == 422
    listed = leader.get(f"/api/action-items?agenda_item_id={ids['item']}").json
    assert {row["id"] for row in listed["items"]} == {created.json["id"], inferred.json["id"]}


def test_the_meeting_page_and_the_minutes_list_outcomes_under_their_item(app):
    ids = governance_world(app, starts_at=PAST)
    client = sign_in_session(app, app.test_client(), ids["chair"])
    page = f"/meetings/{ids['meeting']}"
    client.post(f"{page}/decisions", data={"kind": "other", "text": "Pilot in two stores", "agenda_item_id":
                                           ids["item"], "csrf_token": csrf_token(client, page)})
    client.post(f"{page}/action-items", data={"title": "Pick the stores", "owner_id": ids["member"],
                                              "due_on": "2026-12-20", "agenda_item_id": ids["item"],
                                              "csrf_token": csrf_token(client, page)})
    for url in (page, f"{page}/minutes"):
        html = client.get(url).get_data(as_text=True)
        start = html.index(f'id="outcomes-{ids["item"]}"')
        block = html[start:html.index("</ul>", start)]
        assert "Pilot in two stores" in block and "Pick the stores" in block, url
        assert "Approved the pilot" not in block  # the world's decision names no item


# -- meeting series -------------------------------------------------------------------------------

SERIES = {"title": "Monthly CX steering", "rrule": "FREQ=MONTHLY;BYDAY=1TU;COUNT=12",
          "first_starts_at": "2027-01-05T09:00:00+01:00", "duration_minutes": 90, "location": "Board room"}


def _ics_instants(body):
    """The meetings an independent reading of the invite gives: icalendar parses it, dateutil
    expands its RRULE from its DTSTART less its EXDATEs, overrides (RECURRENCE-ID) replace their
    occurrence."""
    from dateutil.rrule import rrulestr
    from icalendar import Calendar

    events = Calendar.from_ical(body).walk("VEVENT")
    main = next(e for e in events if "RECURRENCE-ID" not in e)
    start = main.decoded("DTSTART")
    rule = rrulestr(main["RRULE"].to_ical().decode(), dtstart=start)
    exdates = main.get("EXDATE")
    exdates = exdates if isinstance(exdates, list) else [exdates] if exdates else []
    excluded = {dt.dt for ex in exdates for dt in ex.dts}
    instants = {instant: (instant, "CONFIRMED") for instant in rule if instant not in excluded}
    for override in (e for e in events if "RECURRENCE-ID" in e):
        instants[override.decoded("RECURRENCE-ID")] = (override.decoded("DTSTART"), str(override["STATUS"]))
    return sorted(instants.values())


def test_a_series_of_twelve_monthly_meetings_on_the_first_tuesday(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    created = leader.post(f"/api/committees/{ids['committee']}/series", json=SERIES)
    assert created.status_code == 201, created.json
    meetings = created.json["meetings"]
    assert len(meetings) == 12 and {m["series_id"] for m in meetings} == {created.json["id"]}
    starts = [datetime.fromisoformat(m["starts_at"]) for m in meetings]
    assert all(s.weekday() == 1 and s.day <= 7 for s in starts)  # the first Tuesday of each month
    # 09:00 in the organisation's time zone, summer and winter alike
    from cxgov.formatting import local_zone
    with app.app_context():
        first = datetime.fromisoformat(SERIES["first_starts_at"]).astimezone(local_zone())
        assert {(s.astimezone(local_zone()).hour, s.astimezone(local_zone()).minute) for s in starts} == {
            (first.hour, first.minute)}
    assert leader.get(f"/api/series/{created.json['id']}").json["meetings"] == meetings
    with app.app_context():
        assert db.session.scalar(select(func.count(Attendance.id)).where(
            Attendance.meeting_id == meetings[0]["id"])) == 3  # every member invited


def test_unbounded_or_malformed_rules_are_refused_naming_rrule(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    url = f"/api/committees/{ids['committee']}/series"
    for rule in ("FREQ=MONTHLY;BYDAY=1TU", "FREQ=DAILY;COUNT=61", "FREQ=DAILY;UNTIL=20990101T000000Z",
                 "FREQ=SOMETIMES;COUNT=2", "FREQ=MONTHLY;BYDAY=9XX;COUNT=2", "hello", ""):
        refused = leader.post(url, json={**SERIES, "rrule": rule})
        assert refused.status_code == 422 and set(refused.json["errors"]) == {"rrule"}, rule
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id))) == 1  # the world's own
    assert leader.post(url, json={**SERIES, "rrule": "FREQ=WEEKLY;COUNT=60"}).status_code == 201
    assert client_for(app, ids["member"]).post(url, json=SERIES).status_code == 403


def test_changing_the_series_changes_its_unheld_meetings_but_not_those_changed_on_their_own(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    created = leader.post(f"/api/committees/{ids['committee']}/series",
                          json={**SERIES, "first_starts_at": "2026-10-06T09:00:00+02:00", "rrule":
                                "FREQ=MONTHLY;BYDAY=1TU;COUNT=6"}).json
    first, second, third = (m["id"] for m in created["meetings"][:3])
    with app.app_context():  # the first was held
        db.session.get(Meeting, first).status = "held"
        db.session.commit()
    moved = leader.patch(f"/api/meetings/{second}", json={"starts_at": "2026-11-04T14:00:00+01:00"}).json
    assert moved["series_detached"] is True
    url = f"/api/series/{created['id']}"
    etag = leader.get(url).headers["ETag"]
    assert leader.patch(url, json={"location": "Room 7"}, headers={"If-Match": '"stale-0-v0"'}).status_code == 412
    changed = leader.patch(url, json={"location": "Room 7", "title": "CX board"}, headers={"If-Match": etag})
    assert changed.status_code == 200
    by_id = {m["id"]: m for m in changed.json["meetings"]}
    assert (by_id[first]["location"], by_id[first]["title"]) == ("Board room", "Monthly CX steering")  # held
    assert by_id[second]["location"] == "Board room" and by_id[second]["starts_at"] == moved["starts_at"]
    assert (by_id[third]["location"], by_id[third]["title"]) == ("Room 7", "CX board")
    shifted = leader.patch(url, json={"first_starts_at": "2026-10-06T10:00:00+02:00"}).json
    by_id = {m["id"]: m for m in shifted["meetings"]}
    assert datetime.fromisoformat(by_id[third]["starts_at"]) - datetime.fromisoformat(
        created["meetings"][2]["starts_at"]) == timedelta(hours=1)
    assert by_id[second]["starts_at"] == moved["starts_at"]
    for bad in ({"title": ""}, {"duration_minutes": 0}, {"rrule": "FREQ=DAILY"}, {"rrule": "FREQ=DAILY;COUNT=61"}):
        assert leader.patch(url, json=bad).status_code == 422


def test_the_series_invite_carries_the_rule_and_the_moved_meeting(app):
    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    created = leader.post(f"/api/committees/{ids['committee']}/series", json=SERIES).json
    fourth = created["meetings"][3]
    leader.patch(f"/api/meetings/{fourth['id']}", json={"starts_at": "2027-04-08T15:00:00+02:00"})
    leader.patch(f"/api/meetings/{created['meetings'][5]['id']}", json={"status": "cancelled"})
    response = leader.get(f"/api/series/{created['id']}/invite.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert b"RRULE:FREQ=MONTHLY;COUNT=12;BYDAY=1TU" in response.data or b"RRULE:FREQ=MONTHLY" in response.data
    got = _ics_instants(response.data)
    expected = [(datetime.fromisoformat(m["starts_at"]), "CONFIRMED") for m in created["meetings"]]
    expected[3] = (datetime(2027, 4, 8, 13, tzinfo=timezone.utc), "CONFIRMED")
    del expected[5]  # the cancelled one is left out (EXDATE)
    assert [(start.astimezone(timezone.utc), status) for start, status in got] == sorted(expected)


def test_a_series_reads_in_a_constant_number_of_queries(app):
    from tests.queries import count_statements

    ids = governance_world(app, starts_at=PAST)
    leader = client_for(app, ids["chair"])
    page = sign_in_session(app, app.test_client(), ids["chair"])
    small = leader.post(f"/api/committees/{ids['committee']}/series", json={**SERIES, "rrule": "FREQ=WEEKLY;COUNT=2"})
    large = leader.post(f"/api/committees/{ids['committee']}/series", json={**SERIES, "rrule": "FREQ=WEEKLY;COUNT=40"})
    def queries(client, url):
        return count_statements(app, lambda: client.get(url))

    for client, url in ((leader, "/api/series/{}"), (leader, "/api/series/{}/invite.ics"), (page, "/series/{}")):
        counts = [queries(client, url.format(s.json["id"])) for s in (small, large)]
        assert counts[0] == counts[1], url


# -- the pre-read pack ----------------------------------------------------------------------------

def _pack_world(app, ids, count=2):
    with app.app_context():
        from tests import factories
        meeting = db.session.get(Meeting, ids["meeting"])
        initiative_ids = []
        for n in range(count):
            initiative = factories.complete_plan(factories.create_initiative(title=f"Pack initiative {n}"))
            factories.add_cash_flow(initiative, kind="benefit", year=2, amount="7000", risk_adjustment="0.2")
            factories.add_agenda_item(meeting, title=f"Decide {n}", kind="decision", initiative_id=initiative.id)
            initiative_ids.append(initiative.id)
        db.session.commit()
        return initiative_ids


def test_the_pack_figures_are_those_of_the_roi_endpoint(app):
    from tests.test_figures_match_api import pdf_text

    ids = governance_world(app, starts_at=PAST)
    initiative_ids = _pack_world(app, ids)
    leader = client_for(app, ids["chair"])
    body = leader.get(f"/api/meetings/{ids['meeting']}/pack")
    assert body.status_code == 200, body.json
    pack = body.json
    assert [e["initiative"]["id"] for e in pack["initiatives"]] == initiative_ids
    assert [a["title"] for a in pack["agenda"]] == ["Welcome", "Decide 0", "Decide 1"]
    for entry in pack["initiatives"]:
        assert entry["roi"] == leader.get(f"/api/initiatives/{entry['initiative']['id']}/roi").json
        readiness = leader.get(f"/api/initiatives/{entry['initiative']['id']}/readiness").json
        assert entry["readiness"]["ready"] == readiness["ready"]
        assert [c["name"] for c in entry["readiness"]["checks"]] == [c["name"] for c in readiness["checks"]]
        assert len(entry["impacts"]) == 1 and entry["impacts"][0]["actual_value"] is None
    page = sign_in_session(app, app.test_client(), ids["chair"])
    response = page.get(f"/meetings/{ids['meeting']}/pack.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    with app.app_context():
        from decimal import Decimal

        from cxgov.formatting import money
        for entry in pack["initiatives"]:
            assert entry["initiative"]["title"] in text
            for name in ("pv_costs", "pv_benefits", "npv"):
                assert money(Decimal(entry["roi"][name]), True) in text, (name, text[:500])


def test_the_pack_hides_roi_from_who_may_not_read_it_and_costs_constant_queries(app, login_as):
    from tests.queries import count_statements

    ids = governance_world(app, starts_at=PAST)
    _pack_world(app, ids, 1)
    member = login_as("member")
    pack = member.get(f"/api/meetings/{ids['meeting']}/pack").json
    assert pack["initiatives"][0]["roi"] is None and pack["initiatives"][0]["impacts"] is None
    leader = client_for(app, ids["chair"])
    small = count_statements(app, lambda: leader.get(f"/api/meetings/{ids['meeting']}/pack"))
    _pack_world(app, ids, 4)
    assert count_statements(app, lambda: leader.get(f"/api/meetings/{ids['meeting']}/pack")) == small
    assert leader.get("/api/meetings/999999/pack").status_code == 404
