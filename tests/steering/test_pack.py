"""The pre-read pack (SPEC §9): KPI series, overdue action items, pages, and the copy the meeting
reminders sent, kept as it was and redacted per reader."""
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from pypdf import PdfReader

from cxgov.extensions import db
from cxgov.formatting import money
from cxgov.initiatives.models import Impact, Initiative
from cxgov.journeys.models import Journey
from cxgov.notifications.jobs import run_job
from cxgov.org.models import User
from cxgov.steering import pack
from cxgov.steering.models import Meeting, MeetingPack
from tests import factories
from tests.conftest import sign_in_session
from tests.steering.helpers import client_for, governance_world
from tests.test_figures_match_api import pdf_text

STARTS = datetime(2026, 12, 20, 9, 0, tzinfo=timezone.utc)
REMINDED = STARTS - timedelta(hours=30)


def _world(app):
    ids = governance_world(app, starts_at=STARTS)
    with app.app_context():
        meeting = db.session.get(Meeting, ids["meeting"])
        initiative = factories.complete_plan(factories.create_initiative(title="Faster refunds"))
        factories.add_cash_flow(initiative, kind="benefit", year=2, amount="7000", risk_adjustment="0.2")
        factories.add_agenda_item(meeting, title="Decide on refunds", kind="decision", initiative_id=initiative.id)
        impact = db.session.scalars(db.select(Impact).where(Impact.initiative_id == initiative.id)).one()
        for month in (1, 2, 3):
            factories.create_measurement(db.session.get(Journey, impact.journey_id), metric_id=impact.metric_id,
                                         period_start=date(2026, month, 1), value=Decimal(70 + month))
        # Open and due before the meeting's date (the world's own action item is due 15 December).
        factories.create_action_item(title="Send the churn analysis", due_on=date(2026, 12, 1),
                                     meeting_id=meeting.id)
        factories.create_action_item(title="Done already", due_on=date(2026, 12, 1), meeting_id=meeting.id,
                                     status="done")
        db.session.commit()
        return ids, initiative.id


def _money(answer, name):
    return money(Decimal(answer[name]), True)


def test_the_pack_carries_kpi_series_and_the_committees_overdue_action_items(app):
    ids, initiative_id = _world(app)
    leader = client_for(app, ids["chair"])
    pack = leader.get(f"/api/meetings/{ids['meeting']}/pack").json
    [entry] = pack["initiatives"]
    assert [(p["period_start"], p["value"]) for p in entry["impacts"][0]["series"]] == [
        ("2026-01-01", 71), ("2026-02-01", 72), ("2026-03-01", 73)]
    overdue = [a["title"] for a in pack["overdue_action_items"]]
    assert "Send the churn analysis" in overdue and "Done already" not in overdue
    assert pack["overdue_action_items"][0]["days_overdue"] == 19
    assert pack["committee"]["id"] == ids["committee"]
    page = sign_in_session(app, app.test_client(), ids["chair"])
    response = page.get(f"/meetings/{ids['meeting']}/pack.pdf")
    pages = PdfReader(io.BytesIO(response.data)).pages
    box = pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = pdf_text(response.data)
    assert f"page 1 of {len(pages)}" in text and "As of" in text
    assert "Send the churn analysis" in text and "Done already" not in text
    with app.app_context():
        assert _money(leader.get(f"/api/initiatives/{initiative_id}/roi").json, "npv") in text


def test_the_pack_as_sent_stays_as_it_was_when_the_plan_changes(app):
    ids, initiative_id = _world(app)
    leader = client_for(app, ids["chair"])
    roi_then = leader.get(f"/api/initiatives/{initiative_id}/roi").json
    with app.app_context():
        assert run_job("meeting-reminders", REMINDED) == 3
        assert run_job("meeting-reminders", REMINDED + timedelta(minutes=15)) == 0
        assert db.session.query(MeetingPack).count() == 1  # once per meeting, not per member or run
    sent = leader.get(f"/api/meetings/{ids['meeting']}/pack?as_sent=true")
    assert sent.status_code == 200
    assert sent.json["initiatives"][0]["roi"] == roi_then
    with app.app_context():
        initiative = db.session.get(Initiative, initiative_id)
        factories.add_cash_flow(initiative, kind="cost", year=1, amount="50000")
        db.session.scalars(db.select(Impact).where(Impact.initiative_id == initiative_id)).one() \
            .target_value = Decimal("99")
        db.session.commit()
    roi_now = leader.get(f"/api/initiatives/{initiative_id}/roi").json
    assert roi_now["npv"] != roi_then["npv"]
    assert leader.get(f"/api/meetings/{ids['meeting']}/pack").json["initiatives"][0]["roi"] == roi_now
    again = leader.get(f"/api/meetings/{ids['meeting']}/pack?as_sent=true").json
    assert again == sent.json
    page = sign_in_session(app, app.test_client(), ids["chair"])
    meeting_page = page.get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
    assert f"/meetings/{ids['meeting']}/pack.pdf?as_sent=true" in meeting_page and "Pack as sent on" in meeting_page
    text = pdf_text(page.get(f"/meetings/{ids['meeting']}/pack.pdf?as_sent=true").data)
    with app.app_context():
        assert _money(roi_then, "npv") in text and _money(roi_now, "npv") not in text
        assert _money(roi_now, "npv") in pdf_text(page.get(f"/meetings/{ids['meeting']}/pack.pdf").data)


def test_the_pack_as_sent_hides_what_the_reader_may_not_read(app):
    ids, _ = _world(app)
    with app.app_context():
        run_job("meeting-reminders", REMINDED)
    member = client_for(app, ids["member"])
    sent = member.get(f"/api/meetings/{ids['meeting']}/pack?as_sent=true").json
    assert sent["initiatives"][0]["roi"] is None and sent["initiatives"][0]["impacts"] is None
    leader_pdf = pdf_text(sign_in_session(app, app.test_client(), ids["chair"])
                          .get(f"/meetings/{ids['meeting']}/pack.pdf?as_sent=true").data)
    member_pdf = pdf_text(sign_in_session(app, app.test_client(), ids["member"])
                          .get(f"/meetings/{ids['meeting']}/pack.pdf?as_sent=true").data)
    assert "NPV" in leader_pdf and "NPV" not in member_pdf and "only its owner" in member_pdf


def test_no_pack_as_sent_before_the_reminders_is_a_404_that_says_so(app):
    ids, _ = _world(app)
    leader = client_for(app, ids["chair"])
    response = leader.get(f"/api/meetings/{ids['meeting']}/pack?as_sent=true")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert "No pack was sent" in response.json["detail"]
    page = sign_in_session(app, app.test_client(), ids["chair"])
    assert page.get(f"/meetings/{ids['meeting']}/pack.pdf?as_sent=true").status_code == 404
    assert "Pack as sent" not in page.get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
    assert leader.get(f"/api/meetings/{ids['meeting']}/pack?as_sent=maybe").status_code == 422


def test_the_pack_reads_in_the_readers_language(app):
    """The PDF in Romanian for a reader who reads Romanian: its headings, page numbers, dates and
    figures as Romanian writes them; the stored copy is rendered again in their language."""
    ids, _initiative_id = _world(app)
    with app.app_context():
        db.session.get(User, ids["chair"]).language = "ro"
        db.session.commit()
    page = sign_in_session(app, app.test_client(), ids["chair"])
    text = pdf_text(page.get(f"/meetings/{ids['meeting']}/pack.pdf").data)
    assert "Dosarul ședinței: " in text and "Ordinea de zi" in text and "Acțiuni de urmărit întârziate" in text
    assert "pagina 1 din " in text and "20 dec. 2026" in text
    with app.app_context():
        pack.store(ids["meeting"], REMINDED)
        db.session.commit()
    sent = pdf_text(page.get(f"/meetings/{ids['meeting']}/pack.pdf?as_sent=true").data)
    assert "Dosarul ședinței: " in sent and "Așa cum a fost trimis" in sent
