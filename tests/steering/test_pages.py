"""The steering pages: who sees which form, and what each form does (post/redirect/get)."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from cxgov.extensions import db
from cxgov.initiatives.models import Initiative, Transition
from cxgov.steering.models import ActionItem, Attendance, Decision, Meeting
from tests import factories
from tests.conftest import csrf_token, sign_in_session
from tests.queries import count_statements
from tests.steering.helpers import PAST, count, get, governance_world

PAGES = ["/committees", "/meetings", "/meetings/{meeting}", "/meetings/{meeting}/minutes", "/my/action-items"]


def _page_client(app, user_id):
    return sign_in_session(app, app.test_client(), user_id)


def test_anonymous_is_sent_to_sign_in(client, app):
    ids = governance_world(app)
    for path in PAGES:
        response = client.get(path.format(**ids))
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["member", "executive", "cx_leader", "admin"])
def test_everyone_reads_the_pages(page_as, app, role):
    ids = governance_world(app, starts_at=PAST)  # the decision form once the meeting has begun
    client = page_as(role)
    for path in PAGES:
        assert client.get(path.format(**ids)).status_code == 200, path
    html = client.get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
    governance_forms = ("Save attendance", "Record decision", "Add action item", "Add to agenda", "Mark as held")
    for label in governance_forms:
        assert (label in html) is (role in ("cx_leader", "admin")), label
    assert ("Save minutes" in html) is (role in ("cx_leader", "admin"))


def test_the_secretary_sees_the_minutes_form_only(app):
    ids = governance_world(app)
    html = _page_client(app, ids["secretary"]).get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
    assert "Save minutes" in html and "Record decision" not in html and "Save attendance" not in html


def test_meeting_page_shows_initiative_status_and_business_case(page_as, app):
    ids = governance_world(app)
    with app.app_context():
        initiative = db.session.get(Initiative, ids["initiative"])
        factories.add_cash_flow(initiative, "cost", 0, "1200.50")
        factories.add_cash_flow(initiative, "cost", 1, "300")
        factories.add_cash_flow(initiative, "benefit", 1, "5000")
        factories.add_cash_flow(initiative, "benefit", 2, "999", basis="actual")
        meeting = db.session.get(Meeting, ids["meeting"])
        factories.add_agenda_item(meeting, title="Review it", kind="decision", initiative_id=initiative.id)
    html = page_as("cx_leader").get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
    # The planned figures of `/api/initiatives/{id}/roi` (discounted at 10 %), not sums of amounts.
    assert ("business case (planned, risk-adjusted present values, as in the pack): costs €1,473.23, "
            "benefits €4,545.45, NPV €3,072.23") in html
    assert "Proposed" in html
    # A member sees the ROI figures of their own initiatives only (SPEC §5).
    html = page_as("member").get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
    assert "business case" not in html and "Proposed" in html


def test_meeting_page_queries_do_not_grow_with_the_agenda(page_as, app):
    ids = governance_world(app)
    with app.app_context():
        factories.add_attendance(db.session.get(Meeting, ids["meeting"]), factories.create_user())
    client = page_as("cx_leader")

    def queries():
        return count_statements(app, lambda: client.get(f"/meetings/{ids['meeting']}"))

    small = queries()
    with app.app_context():
        meeting = db.session.get(Meeting, ids["meeting"])
        for _ in range(5):
            initiative = factories.create_initiative()
            factories.add_agenda_item(meeting, kind="decision", initiative_id=initiative.id)
            factories.create_decision(meeting, initiative=initiative)
            factories.create_action_item(meeting_id=meeting.id)
            factories.add_attendance(meeting, factories.create_user())
    assert queries() == small


def _post(client, path, data, page):
    data = {"csrf_token": csrf_token(client, page), **data}
    return client.post(path, data=data)


def test_forms_refuse_without_csrf(page_as, app):
    ids = governance_world(app)
    response = page_as("cx_leader").post(f"/meetings/{ids['meeting']}/decisions", data={"text": "x", "kind": "other"})
    assert response.status_code == 400
    assert count(app, Decision) == 1


@pytest.mark.parametrize("path, data", [
    ("/meetings/{meeting}/decisions", {"text": "x", "kind": "other"}),
    ("/meetings/{meeting}/attendance", {"status_{member}": "attended"}),
    ("/meetings/{meeting}/action-items", {"title": "x", "owner_id": "{member}", "due_on": "2026-12-20"}),
    ("/meetings/{meeting}/agenda", {"title": "x"}),
    ("/meetings/{meeting}/agenda/suggested", {}),
    ("/meetings/{meeting}/status", {"status": "cancelled"}),
    ("/meetings/{meeting}/minutes", {"minutes": "x"}),
    ("/meetings/{meeting}/minutes/publish", {}),
    ("/meetings", {"committee_id": "{committee}", "title": "x", "starts_at": "2026-12-20T09:00"}),
    ("/committees", {"name": "x"}),
])
@pytest.mark.parametrize("role", ["member", "executive"])
def test_governance_forms_refuse_others_with_403(page_as, app, path, data, role):
    from cxgov.audit.models import AuditEntry

    ids = governance_world(app)
    client = page_as(role)
    token = csrf_token(client, "/my/action-items")
    before = count(app, AuditEntry)
    data = {k.format(**ids): v.format(**ids) for k, v in data.items()}
    response = client.post(path.format(**ids), data={"csrf_token": token, **data})
    assert response.status_code == 403
    assert count(app, AuditEntry) == before


def test_running_a_meeting_through_the_forms(page_as, app):
    ids = governance_world(app, starts_at=PAST)
    with app.app_context():
        factories.complete_plan(db.session.get(Initiative, ids["initiative"]))
    client = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"
    response = _post(client, f"{page}/attendance", {f"status_{ids['member']}": "attended",
                                                      f"status_{ids['secretary']}": "absent"}, page)
    assert response.status_code == 302 and response.headers["Location"].endswith("#attendance")
    with app.app_context():
        statuses = dict(db.session.execute(select(Attendance.user_id, Attendance.status)
                                           .where(Attendance.meeting_id == ids["meeting"])).all())
    assert statuses == {ids["member"]: "attended", ids["secretary"]: "absent"}
    response = _post(client, f"{page}/decisions", {"kind": "approve_initiative", "initiative_id": ids["initiative"],
                                                     "text": "Approve the pilot", "apply": "1"}, page)
    follow = client.get(page).get_data(as_text=True)
    assert "is now approved" in follow
    assert get(app, Initiative, ids["initiative"]).status == "approved"
    with app.app_context():
        transition = db.session.scalar(select(Transition))
        assert transition.decision_id is not None and transition.effective_on == date(2026, 10, 1)
    _post(client, f"{page}/action-items", {"title": "Brief the call centre", "owner_id": ids["member"],
                                           "due_on": "2026-12-20"}, page)
    assert count(app, ActionItem) == 2
    _post(client, f"{page}/status", {"status": "held", "quorum_note": "Only the chair could come."}, page)
    _post(client, f"{page}/minutes", {"minutes": "We approved the pilot."}, page)
    asked = _post(client, f"{page}/minutes/publish", {}, page)
    assert asked.status_code == 200 and "Publish the minutes" in asked.get_data(as_text=True)
    assert get(app, Meeting, ids["meeting"]).minutes_published_at is None
    _post(client, f"{page}/minutes/publish", {"confirm": "yes"}, page)
    meeting = get(app, Meeting, ids["meeting"])
    assert meeting.status == "held" and meeting.minutes_published_at is not None
    html = client.get(f"{page}/minutes").get_data(as_text=True)
    assert "We approved the pilot." in html and "Brief the call centre" in html and "Draft" not in html


def test_refusals_come_back_on_the_form_and_write_nothing(page_as, app):
    ids = governance_world(app, starts_at=PAST)
    client = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"
    with app.app_context():
        db.session.get(Initiative, ids["initiative"]).status = "in_progress"
        db.session.commit()
    response = _post(client, f"{page}/decisions", {"kind": "approve_initiative", "initiative_id": ids["initiative"],
                                                     "text": "Approve again", "apply": "1"}, page)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "error-summary" in html and "cannot go from in_progress to approved" in html
    assert ">Approve again</textarea>" in html  # what was typed is kept
    assert count(app, Decision) == 1
    response = _post(client, f"{page}/action-items", {"title": "", "owner_id": ids["member"], "due_on": "soon"}, page)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<a href="#action-title">Enter the action item.</a>' in html
    assert '<a href="#action-due">Enter the due date as a date, like 2026-12-31.</a>' in html
    assert 'id="action-due" name="due_on" type="date" required value="soon" aria-invalid="true" ' \
           'aria-describedby="action-due-error"' in html
    assert count(app, ActionItem) == 1
    _post(client, f"{page}/minutes/publish", {}, page)
    assert "Only the minutes of a held meeting" in client.get(page).get_data(as_text=True)


def test_my_action_items_and_mark_done(app, page_as):
    ids = governance_world(app)
    client = _page_client(app, ids["member"])
    html = client.get("/my/action-items").get_data(as_text=True)
    assert "Mark done" in html
    response = _post(client, f"/action-items/{ids['action']}/status", {"status": "done"}, "/my/action-items")
    assert response.status_code == 302
    item = get(app, ActionItem, ids["action"])
    assert item.status == "done" and item.completed_at is not None
    assert "Nothing open" in client.get("/my/action-items").get_data(as_text=True)
    other = page_as("member")
    response = _post(other, f"/action-items/{ids['action']}/status", {"status": "open"}, "/my/action-items")
    assert response.status_code == 403
    assert get(app, ActionItem, ids["action"]).status == "done"


def test_leaders_schedule_meetings_and_committees(page_as, app):
    client = page_as("cx_leader")
    _post(client, "/committees", {"name": "CX board", "charter": "Steer"}, "/committees")
    with app.app_context():
        from cxgov.steering.models import Committee

        committee_id = db.session.scalar(select(Committee.id))
    _post(
        client,
        f"/committees/{committee_id}/members",
        {"user_id": client.user_id, "member_role": "chair"},
        "/committees",
    )
    response = _post(client, "/meetings", {"committee_id": committee_id, "title": "January steering",
                                           "starts_at": "2027-01-12T09:30", "duration_minutes": "60"}, "/meetings")
    assert response.status_code == 302 and "/meetings/" in response.headers["Location"]
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        assert meeting.starts_at.isoformat() == "2027-01-12T09:30:00+00:00"
        assert [a.user_id for a in db.session.scalars(select(Attendance))] == [client.user_id]
    response = _post(
        client, "/meetings", {"committee_id": committee_id, "title": "Bad", "starts_at": "soon"}, "/meetings"
    )
    assert response.status_code == 422 and count(app, Meeting) == 1
    html = response.get_data(as_text=True)
    assert '<a href="#meeting-starts">Enter when the meeting starts as a date and a time.</a>' in html
    assert 'name="title" required maxlength="200" value="Bad"' in html


def test_minutes_as_pdf(page_as, app, client):
    ids = governance_world(app)
    response = page_as("executive").get(f"/meetings/{ids['meeting']}/minutes.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert client.get(f"/meetings/{ids['meeting']}/minutes.pdf").status_code == 302
    assert page_as("member").get("/meetings/9999/minutes.pdf").status_code == 404


def test_the_minutes_pdf_is_one_document_for_every_reader(page_as, app, monkeypatch):
    """The PDF carries the minutes, not the site's chrome (the reader's name, their unread count,
    a sign-out form's token): two readers get the same bytes, laid out once."""
    from cxgov import pdf

    ids = governance_world(app)
    pdf.laid_out.clear()
    written = []
    write = pdf._write_pdf
    monkeypatch.setattr(pdf, "_write_pdf", lambda html, sheets: written.append(html) or write(html, sheets))
    first = page_as("executive", name="Ada Reader").get(f"/meetings/{ids['meeting']}/minutes.pdf").get_data()
    second = page_as("cx_leader").get(f"/meetings/{ids['meeting']}/minutes.pdf").get_data()
    assert first == second and len(written) == 1
    assert "Ada Reader" not in written[0] and "csrf_token" not in written[0] and "Sign out" not in written[0]


def test_the_meeting_page_shows_the_approval_gate(page_as, app):
    """SPEC §8.1: each decide item says whether its initiative is ready and what is missing; an
    approval applied to an initiative that is not ready is refused on the form, nothing written."""
    ids = governance_world(app, starts_at=PAST)
    with app.app_context():
        meeting = db.session.get(Meeting, ids["meeting"])
        factories.add_agenda_item(meeting, title="Approve the pilot?", kind="decision", initiative_id=ids["initiative"])
    client = page_as("cx_leader")
    page = f"/meetings/{ids['meeting']}"
    html = client.get(page).get_data(as_text=True)
    assert 'data-readiness="not-ready"' in html
    assert "Not ready for approval: The business case needs a planned cost and a planned benefit." in html
    assert f'<option value="#{ids["initiative"]} ' in html and ", not ready for approval</option>" in html
    response = _post(client, f"{page}/decisions", {"kind": "approve_initiative", "initiative_id": ids["initiative"],
                                                     "text": "Approve the pilot", "apply": "1"}, page)
    assert response.status_code == 422
    assert "Not ready for approval" in response.get_data(as_text=True)
    assert count(app, Decision) == 1 and get(app, Initiative, ids["initiative"]).status == "proposed"
    with app.app_context():
        factories.complete_plan(db.session.get(Initiative, ids["initiative"]))
    html = client.get(page).get_data(as_text=True)
    assert 'data-readiness="ready"' in html and "not ready for approval</option>" not in html


def test_a_meeting_that_has_not_begun_takes_no_decisions_yet(page_as, app):
    ids = governance_world(app, starts_at=datetime(2099, 1, 1, 9, tzinfo=timezone.utc))
    html = page_as("cx_leader").get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
    assert "Record decision" not in html and "Decisions are recorded once the meeting has begun" in html
