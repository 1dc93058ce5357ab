"""A committee's standing agenda (SPEC §9): sections in order, each filled with what is due before
a meeting, each source once; the suggestions keep what is not standing."""
from datetime import date, timedelta
from decimal import Decimal

from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.org.models import User
from cxgov.steering.models import Meeting
from tests import factories
from tests.conftest import csrf_token
from tests.queries import recorded_statements

SECTIONS = [
    {"title": "Minutes of the last meeting", "kind": "fixed"},
    {"title": "Decisions", "kind": "initiatives_ready"},
    {"title": "Reviews due", "kind": "reviews_due"},
    {"title": "Carried-over action items", "kind": "carried_over"},
    {"title": "KPIs moving the wrong way", "kind": "kpis_wrong_way"},
    {"title": "Silent ambassadors", "kind": "silent_ambassadors"},
]


def _world(app):
    """A committee; before a meeting a week from now: one proposal ready for a decision and one not,
    a review due, an action item carried over, a KPI gone the wrong way, a silent ambassador."""
    today = date.today()
    with app.app_context():
        member = factories.create_user(name="Mona Member")
        committee = factories.create_committee()
        factories.add_committee_member(committee, member)
        earlier = factories.create_meeting(committee, starts_at=utcnow() - timedelta(days=30))
        carried = factories.create_action_item(owner=member, meeting_id=earlier.id, due_on=today - timedelta(days=2),
                                               title="Fix the IVR")
        ready = factories.complete_plan(factories.create_initiative(title="Chatbot"))
        bare = factories.create_initiative(title="Loyalty app")
        delivered = factories.create_initiative(title="New returns", status="delivered",
                                                delivered_on=today - timedelta(days=100))
        review = factories.add_review(delivered, 1, today - timedelta(days=5))
        journey = factories.create_journey(name="Onboarding")
        factories.create_measurement(journey, "nps", period_start=today - timedelta(days=70), value=Decimal("30"))
        factories.create_measurement(journey, "nps", period_start=today - timedelta(days=40), value=Decimal("25"))
        billing = factories.create_department(name="Billing")
        quiet = factories.create_ambassador(department=billing, started_on=today - timedelta(days=300))
        factories.create_ambassador_action(quiet, occurred_on=today - timedelta(days=60))
        busy = factories.create_ambassador(started_on=today - timedelta(days=300))
        factories.create_ambassador_action(busy, occurred_on=today - timedelta(days=3))
        return {"committee": committee.id, "member": member.id, "carried": carried.id, "ready": ready.id,
                "bare": bare.id, "review": review.id, "journey": journey.id, "billing": billing.id,
                "earlier": earlier.id}


def _at(days):
    return (utcnow() + timedelta(days=days)).replace(microsecond=0).isoformat()


def _set_sections(client, committee_id, sections=SECTIONS):
    answer = client.put(f"/api/committees/{committee_id}/sections", json={"sections": sections})
    assert answer.status_code == 200, answer.json
    return answer.json


def _meeting(client, committee_id, days=7):
    answer = client.post("/api/meetings", json={"committee_id": committee_id, "title": "Steering",
                                                "starts_at": _at(days)})
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def _agenda(client, meeting_id):
    return client.get(f"/api/meetings/{meeting_id}/agenda-items").json["items"]


def test_a_new_meeting_is_filled_from_each_section_in_order(login_as, app):
    ids = _world(app)
    leader = login_as("cx_leader")
    sections = _set_sections(leader, ids["committee"])
    assert [(s["position"], s["title"], s["kind"]) for s in sections] == \
        [(i, s["title"], s["kind"]) for i, s in enumerate(SECTIONS)]
    meeting_id = _meeting(leader, ids["committee"])
    agenda = _agenda(leader, meeting_id)
    section = {s["id"]: s["kind"] for s in sections}
    got = [(section[item["section_id"]], item["source_key"]) for item in agenda]
    fixed = sections[0]["id"]
    assert got == [
        ("fixed", f"section:{fixed}"),
        ("initiatives_ready", f"initiative:{ids['ready']}:decision"),
        ("reviews_due", f"review:{ids['review']}"),
        ("carried_over", f"action_item:{ids['carried']}"),
        ("kpis_wrong_way", f"journey:{ids['journey']}:nps"),
        ("silent_ambassadors", f"department:{ids['billing']}:silent"),
    ]
    assert [item["position"] for item in agenda] == list(range(6))
    assert agenda[0]["title"] == "Minutes of the last meeting"
    assert agenda[1]["kind"] == "decision" and agenda[1]["initiative_id"] == ids["ready"]
    assert agenda[5]["title"].startswith("Silent ambassador: Billing")
    # What is not standing stays a suggestion: the proposal not ready for a decision.
    suggested = leader.get(f"/api/meetings/{meeting_id}/agenda-items/suggested").json
    assert [s["source_key"] for s in suggested] == [f"initiative:{ids['bare']}:decision"]


def test_without_sections_a_new_meeting_has_an_empty_agenda(login_as, app):
    ids = _world(app)
    leader = login_as("cx_leader")
    meeting_id = _meeting(leader, ids["committee"])
    assert _agenda(leader, meeting_id) == []
    assert leader.post(f"/api/meetings/{meeting_id}/agenda/standing").json == []


def test_filling_again_adds_only_what_is_newly_due_under_its_section(login_as, app):
    ids = _world(app)
    leader = login_as("cx_leader")
    _set_sections(leader, ids["committee"])
    meeting_id = _meeting(leader, ids["committee"])
    own = leader.post(f"/api/meetings/{meeting_id}/agenda-items", json={"title": "Any other business"}).json
    url = f"/api/meetings/{meeting_id}/agenda/standing"
    assert leader.post(url).json == []
    with app.app_context():
        newly = factories.create_action_item(owner=db.session.get(User, ids["member"]), meeting_id=ids["earlier"],
                                             due_on=date.today(), title="Call back")
        newly_id = newly.id
    added = leader.post(url)
    assert added.status_code == 200
    assert [item["source_key"] for item in added.json] == [f"action_item:{newly_id}"]
    agenda = _agenda(leader, meeting_id)
    keys = [item["source_key"] for item in agenda]
    assert len(keys) == len(set(keys)) == 8
    # Under its section, after the item already there; the item without a section comes last.
    carried = keys.index(f"action_item:{ids['carried']}")
    assert keys[carried + 1] == f"action_item:{newly_id}"
    assert agenda[-1]["id"] == own["id"] and agenda[-1]["section_id"] is None
    assert [item["position"] for item in agenda] == list(range(8))
    assert leader.post(url).json == []


def test_each_source_fills_one_section_and_bad_sections_are_422_naming_the_field(login_as, app):
    ids = _world(app)
    leader = login_as("cx_leader")
    url = f"/api/committees/{ids['committee']}/sections"
    twice = leader.put(url, json={"sections": [*SECTIONS, {"title": "Again", "kind": "reviews_due"}]})
    assert twice.status_code == 422 and set(twice.json["errors"]) == {"sections[6].kind"}
    bad = leader.put(url, json={"sections": [{"title": "A", "kind": "fixed"}, {"title": "B", "kind": "gossip"},
                                             {"title": "", "kind": "fixed"}]})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"sections[1].kind", "sections[2].title"}
    assert leader.get(url).json == []
    # Two fixed sections are fine.
    _set_sections(leader, ids["committee"], [{"title": "Minutes", "kind": "fixed"}, {"title": "AOB", "kind": "fixed"}])


def test_replacing_the_sections_keeps_those_named_and_their_agenda_items(login_as, app):
    ids = _world(app)
    leader = login_as("cx_leader")
    sections = _set_sections(leader, ids["committee"])
    meeting_id = _meeting(leader, ids["committee"])
    reviews, carried, fixed = sections[2], sections[3], sections[0]
    # Reordered, a section renamed, the fixed one and the others removed; a source kind is matched by kind.
    after = _set_sections(leader, ids["committee"], [
        {"id": carried["id"], "title": "Actions", "kind": "carried_over"},
        {"title": "Reviews", "kind": "reviews_due"},
    ])
    assert [(s["id"], s["title"], s["position"]) for s in after] == \
        [(carried["id"], "Actions", 0), (reviews["id"], "Reviews", 1)]
    assert leader.get(f"/api/committees/{ids['committee']}/sections").json == after
    by_key = {item["source_key"]: item["section_id"] for item in _agenda(leader, meeting_id)}
    assert by_key[f"action_item:{ids['carried']}"] == carried["id"]
    assert by_key[f"section:{fixed['id']}"] is None  # its section went; the item stays
    unknown = leader.put(f"/api/committees/{ids['committee']}/sections",
                         json={"sections": [{"id": 999_999, "title": "X", "kind": "fixed"}]})
    assert unknown.status_code == 422 and set(unknown.json["errors"]) == {"sections[0].id"}


def test_only_governance_sets_sections_and_fills_and_published_minutes_refuse(login_as, app):
    ids = _world(app)
    leader, member = login_as("cx_leader"), login_as("member")
    _set_sections(leader, ids["committee"])
    assert member.get(f"/api/committees/{ids['committee']}/sections").status_code == 200
    assert member.put(f"/api/committees/{ids['committee']}/sections",
                      json={"sections": []}).status_code == 403
    with app.app_context():
        published = factories.create_meeting(db.session.get(Meeting, ids["earlier"]).committee,
                                             starts_at=utcnow() - timedelta(days=1), status="held",
                                             minutes="Done.", minutes_published_at=utcnow())
        published_id = published.id
    assert member.post(f"/api/meetings/{published_id}/agenda/standing").status_code == 403
    refused = leader.post(f"/api/meetings/{published_id}/agenda/standing")
    assert refused.status_code == 409
    assert _agenda(leader, published_id) == []


def test_a_series_fills_its_next_meeting_then_the_following_once_one_is_held(login_as, app):
    ids = _world(app)
    leader = login_as("cx_leader")
    _set_sections(leader, ids["committee"])
    first = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    created = leader.post(f"/api/committees/{ids['committee']}/series", json={
        "title": "Monthly steering", "rrule": "FREQ=MONTHLY;COUNT=3", "first_starts_at": first.isoformat()})
    assert created.status_code == 201, created.json
    meetings = [m["id"] for m in created.json["meetings"]]
    assert len(_agenda(leader, meetings[0])) == 6
    assert _agenda(leader, meetings[1]) == [] and _agenda(leader, meetings[2]) == []
    # The first meeting takes place (moved to yesterday here), and is marked held: the next is filled.
    current = leader.get(f"/api/meetings/{meetings[0]}")
    moved = leader.patch(f"/api/meetings/{meetings[0]}", json={"starts_at": _at(-1)},
                         headers={"If-Match": current.headers["ETag"]})
    assert moved.status_code == 200, moved.json
    held = leader.patch(f"/api/meetings/{meetings[0]}", json={"status": "held", "quorum_note": "Test"},
                        headers={"If-Match": moved.headers["ETag"]})
    assert held.status_code == 200, held.json
    following = {item["source_key"] for item in _agenda(leader, meetings[1])}
    # A month on, the busy ambassador has fallen silent too.
    assert following >= {f"action_item:{ids['carried']}", f"initiative:{ids['ready']}:decision",
                         f"department:{ids['billing']}:silent"} and len(following) == 7
    assert _agenda(leader, meetings[2]) == []


def test_filling_costs_the_same_queries_whatever_is_due_but_one_insert_per_item(login_as, app):
    ids = _world(app)
    leader = login_as("cx_leader")
    _set_sections(leader, ids["committee"])
    with app.app_context():
        committee = db.session.get(Meeting, ids["earlier"]).committee
        first = factories.create_meeting(committee, starts_at=utcnow() + timedelta(days=7)).id
        second = factories.create_meeting(committee, starts_at=utcnow() + timedelta(days=8)).id
    few = _statements(app, lambda: leader.post(f"/api/meetings/{first}/agenda/standing"))
    assert len(leader.get(f"/api/meetings/{first}/agenda-items").json["items"]) == 6
    with app.app_context():
        owner = db.session.get(User, ids["member"])
        for n in range(5):
            factories.create_action_item(owner=owner, meeting_id=ids["earlier"], due_on=date.today(), title=f"More {n}")
            factories.complete_plan(factories.create_initiative(title=f"Ready {n}"), metric_code="nps",
                                    attribution=Decimal("0.01"))
    many = _statements(app, lambda: leader.post(f"/api/meetings/{second}/agenda/standing"))
    assert len(leader.get(f"/api/meetings/{second}/agenda-items").json["items"]) == 16
    assert many == few


def _statements(app, action):
    """The statements `action` sends, an INSERT of agenda items counted once (SQLite cannot batch
    inserts that hand back their ids: it sends one per row, PostgreSQL one in all)."""
    with recorded_statements(app) as statements:
        assert action().status_code == 200
    inserts = [s for s in statements if s.startswith("INSERT INTO agenda_items")]
    assert inserts
    return len(statements) - len(inserts) + 1


def test_ready_means_passing_the_approval_gate(login_as, app):
    ids = _world(app)
    leader = login_as("cx_leader")
    _set_sections(leader, ids["committee"], [{"title": "Decisions", "kind": "initiatives_ready"}])
    meeting_id = _meeting(leader, ids["committee"])
    assert [item["initiative_id"] for item in _agenda(leader, meeting_id)] == [ids["ready"]]


# -- pages -----------------------------------------------------------------------------------------

def _post(client, path, data, page="/committees"):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def test_the_committee_page_edits_the_standing_sections(page_as, login_as, app):
    ids = _world(app)
    leader = page_as("cx_leader")
    base = f"/committees/{ids['committee']}/sections"
    for title, kind in (("Minutes of the last meeting", "fixed"), ("Decisions", "initiatives_ready"),
                        ("Silent ambassadors", "silent_ambassadors")):
        assert _post(leader, base, {"title": title, "kind": kind}).status_code == 302
    again = _post(leader, base, {"title": "Twice", "kind": "initiatives_ready"})
    assert again.status_code == 422 and "each source fills one section" in again.get_data(as_text=True)
    blank = _post(leader, base, {"title": "", "kind": "fixed"})
    assert blank.status_code == 422 and "Enter the title of the section." in blank.get_data(as_text=True)
    api = login_as("cx_leader")
    sections = api.get(f"/api/committees/{ids['committee']}/sections").json
    minutes, decisions, silent = (s["id"] for s in sections)
    assert _post(leader, f"{base}/{decisions}/move", {"direction": "up"}).status_code == 302
    assert _post(leader, f"{base}/{minutes}/rename", {"title": "Last minutes"}).status_code == 302
    assert _post(leader, f"{base}/{silent}/remove", {}).status_code == 302
    after = api.get(f"/api/committees/{ids['committee']}/sections").json
    assert [(s["id"], s["title"]) for s in after] == [(decisions, "Decisions"), (minutes, "Last minutes")]
    page = leader.get("/committees").get_data(as_text=True)
    assert "Standing agenda" in page and 'value="Last minutes"' in page
    member = page_as("member")
    assert "Add section to" not in member.get("/committees").get_data(as_text=True)
    assert _post(member, f"{base}/{minutes}/remove", {}).status_code == 403


def test_the_meeting_page_groups_the_agenda_under_sections_and_fills_what_is_new(page_as, login_as, app):
    ids = _world(app)
    api = login_as("cx_leader")
    _set_sections(api, ids["committee"])
    meeting_id = _meeting(api, ids["committee"])
    api.post(f"/api/meetings/{meeting_id}/agenda-items", json={"title": "Any other business"})
    leader = page_as("cx_leader")
    page = leader.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    headings = ["Minutes of the last meeting", "Decisions", "Reviews due", "Carried-over action items",
                "KPIs moving the wrong way", "Silent ambassadors", "Other items"]
    found = [page.index(f">{heading}</h3>") for heading in headings]
    assert found == sorted(found)
    assert page.index("Decide: Chatbot") < found[2] < page.index("Fix the IVR") < found[4]
    assert page.index("Any other business") > found[-1]
    assert "Fill from standing agenda" not in page  # nothing new is due
    with app.app_context():
        factories.create_action_item(owner=db.session.get(User, ids["member"]), meeting_id=ids["earlier"],
                                     due_on=date.today(), title="Call the bank")
    page = leader.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "Fill from standing agenda" in page and "Carried over: Call the bank" in page
    assert 'name="source_key" value="action_item:' not in page  # offered once: by the standing agenda
    assert f'name="source_key" value="initiative:{ids["bare"]}:decision"' in page  # not standing: suggested
    filled = _post(leader, f"/meetings/{meeting_id}/agenda/standing", {}, page=f"/meetings/{meeting_id}")
    assert filled.status_code == 302
    page = leader.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert "1 standing item added to the agenda." in page and "Fill from standing agenda" not in page
    assert found[3] < page.index("Carried over: Call the bank") < page.index(">KPIs moving the wrong way</h3>")
    assert "Fill from standing agenda" not in page_as("member").get(f"/meetings/{meeting_id}").get_data(as_text=True)


def test_a_meeting_created_on_the_page_is_filled(page_as, login_as, app):
    ids = _world(app)
    _set_sections(login_as("cx_leader"), ids["committee"])
    leader = page_as("cx_leader")
    starts = (utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    created = _post(leader, "/meetings", {"committee_id": ids["committee"], "title": "December steering",
                                          "starts_at": starts, "duration_minutes": "90"}, page="/meetings")
    assert created.status_code == 302
    page = leader.get(created.headers["Location"]).get_data(as_text=True)
    assert "Decide: Chatbot" in page and "Silent ambassador: Billing" in page
