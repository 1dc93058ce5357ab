"""Which departments a meeting leaves unrepresented (SPEC §9): the API's
`departments_not_represented` and the meeting page say the same, in constant queries."""
import re
from datetime import datetime, timezone

from cxgov.extensions import db
from cxgov.org.models import User
from cxgov.steering.models import Committee, Meeting
from tests import factories
from tests.conftest import sign_in_session
from tests.queries import count_statements
from tests.steering.helpers import PAST, client_for

FUTURE = datetime(2099, 3, 1, 9, tzinfo=timezone.utc)


def _world(app, starts_at):
    """A committee whose chair sits for Sales, its member for Care, its secretary for Care too;
    Finance has no one on the committee."""
    with app.app_context():
        sales, care, finance = (factories.create_department(name=name) for name in ("Sales", "Care", "Finance"))
        chair = factories.create_user(role="cx_leader", name="Chair", department_id=sales.id)
        member = factories.create_user(name="Member", department_id=care.id)
        secretary = factories.create_user(name="Secretary", department_id=care.id)
        committee = factories.create_committee(chair_id=chair.id)
        for user, role in ((chair, "chair"), (member, "member"), (secretary, "secretary")):
            factories.add_committee_member(committee, user, role)
        meeting = factories.create_meeting(committee, starts_at=starts_at)
        return {"chair": chair.id, "member": member.id, "secretary": secretary.id, "meeting": meeting.id,
                "committee": committee.id, "sales": sales.id, "care": care.id, "finance": finance.id}


def _missing(client, meeting_id):
    return [d["name"] for d in client.get(f"/api/meetings/{meeting_id}").json["departments_not_represented"]]


def _page_missing(app, ids):
    page = sign_in_session(app, app.test_client(), ids["chair"])
    html = page.get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
    line = re.search(r'<p id="representation">(.*?)</p>', html, re.S).group(1)
    return re.findall(r'<span class="badge">([^<]+)</span>', line)


def test_a_scheduled_meeting_counts_every_member_who_has_not_declined(app):
    ids = _world(app, FUTURE)
    leader = client_for(app, ids["chair"])
    assert _missing(leader, ids["meeting"]) == ["Finance"]  # no answer yet: counted as coming
    assert _page_missing(app, ids) == ["Finance"]
    client_for(app, ids["member"]).put(f"/api/meetings/{ids['meeting']}/attendance/me", json={"status": "declined"})
    assert _missing(leader, ids["meeting"]) == ["Finance"]  # the secretary still sits for Care
    client_for(app, ids["secretary"]).put(f"/api/meetings/{ids['meeting']}/attendance/me",
                                          json={"status": "declined"})
    assert _missing(leader, ids["meeting"]) == ["Care", "Finance"]
    assert _page_missing(app, ids) == ["Care", "Finance"]
    body = leader.get(f"/api/meetings/{ids['meeting']}").json["departments_not_represented"]
    assert body == [{"id": ids["care"], "name": "Care"}, {"id": ids["finance"], "name": "Finance"}]


def test_a_held_meeting_counts_only_those_who_attended(app):
    ids = _world(app, PAST)
    leader = client_for(app, ids["chair"])
    url = f"/api/meetings/{ids['meeting']}/attendance"
    leader.put(f"{url}/{ids['chair']}", json={"status": "attended"})
    leader.put(f"{url}/{ids['member']}", json={"status": "accepted"})  # accepted, never marked attended
    held = leader.patch(f"/api/meetings/{ids['meeting']}", json={"status": "held", "quorum_note": "Urgent"})
    assert held.status_code == 200
    assert [d["name"] for d in held.json["departments_not_represented"]] == ["Care", "Finance"]
    assert _page_missing(app, ids) == ["Care", "Finance"]
    leader.put(f"{url}/{ids['secretary']}", json={"status": "attended"})
    assert _missing(leader, ids["meeting"]) == ["Finance"]
    # a member sitting for Finance on the committee who attended: every department represented
    with app.app_context():
        finance_user = factories.create_user(name="Finance person", department_id=ids["finance"])
        factories.add_committee_member(db.session.get(Committee, ids["committee"]), finance_user)
        factories.add_attendance(db.session.get(Meeting, ids["meeting"]), finance_user, "attended")
        db.session.commit()
    assert _missing(leader, ids["meeting"]) == []
    page = sign_in_session(app, app.test_client(), ids["chair"])
    assert "Every department is represented." in page.get(f"/meetings/{ids['meeting']}").get_data(as_text=True)


def test_the_seat_on_the_committee_decides_not_the_persons_department(app):
    ids = _world(app, FUTURE)
    with app.app_context():  # the chair moves to Finance in the organisation, still sits for Sales
        db.session.get(User, ids["chair"]).department_id = ids["finance"]
        db.session.commit()
    assert _missing(client_for(app, ids["chair"]), ids["meeting"]) == ["Finance"]


def test_meetings_list_their_unrepresented_departments_in_constant_queries(app):
    ids = _world(app, FUTURE)
    leader = client_for(app, ids["chair"])
    listed = leader.get(f"/api/meetings?committee_id={ids['committee']}").json["items"]
    assert [d["name"] for d in listed[0]["departments_not_represented"]] == ["Finance"]

    def cost():
        return (count_statements(app, lambda: leader.get("/api/meetings")),
                count_statements(app, lambda: leader.get(f"/api/meetings/{ids['meeting']}")))

    before = cost()
    with app.app_context():
        committee = db.session.get(Committee, ids["committee"])
        for _ in range(5):
            user = factories.create_user(department_id=factories.create_department().id)
            factories.add_committee_member(committee, user)
            factories.create_meeting(committee, starts_at=FUTURE)
        db.session.commit()
    assert cost() == before


def test_openapi_documents_departments_not_represented(app):
    with app.test_request_context():
        spec = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    field = spec["components"]["schemas"]["Meeting"]["properties"]["departments_not_represented"]
    assert field["readOnly"] is True and "declined" in field["description"]
    assert field["items"]["$ref"].endswith("/MeetingDepartment")
    patch = spec["components"]["schemas"]["SeriesPatch"]["properties"]["rrule"]
    assert "reschedules" in patch["description"]
