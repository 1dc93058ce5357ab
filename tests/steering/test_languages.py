"""The steering pages in the reader's language and time zone: headings, dates and times as the
reader's locale writes them; meeting times typed in the reader's time zone, named by the field."""
import re
from datetime import date, datetime, timezone

import pytest

from cxgov.extensions import db
from cxgov.org.models import User
from cxgov.steering.models import Meeting
from tests import factories
from tests.conftest import csrf_token
from tests.steering.helpers import get, governance_world

STARTS = datetime(2026, 11, 30, 14, 0, tzinfo=timezone.utc)


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _meeting_world(app):
    ids = governance_world(app, starts_at=STARTS)
    with app.app_context():
        action = factories.create_action_item(owner=db.session.get(User, ids["member"]),
                                              meeting_id=ids["meeting"], due_on=date(2026, 12, 15))
        db.session.commit()
        ids["due_action"] = action.id
    return ids


LANGUAGES = {
    # language: (headings, the meeting's start, an action item's due date)
    "pt_PT": (["Ordem de trabalhos", "Presenças", "Decisões", "Ações de seguimento em aberto", "Ata"],
              "30/11/2026, 14:00", "15/12/2026"),
    "ro": (["Ordinea de zi", "Prezență", "Decizii", "Acțiuni de urmărit deschise", "Proces-verbal"],
           "30 nov. 2026, 14:00", "15 dec. 2026"),
    "pt_BR": (["Pauta", "Presença", "Decisões", "Itens de ação em aberto", "Ata"],
              "30 de nov. de 2026, 14:00", "15 de dez. de 2026"),
}


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_the_meeting_page_reads_in_the_readers_language(app, page_as, language):
    headings, starts, due = LANGUAGES[language]
    ids = _meeting_world(app)
    html = page_as("cx_leader", language=language).get(f"/meetings/{ids['meeting']}").get_data(as_text=True)
    found = [re.sub(r"\s+", " ", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)]
    for heading in headings:
        assert heading in found, (heading, found)
    text = _text(html)
    assert starts in text and due in text
    assert "Agenda" not in found and "Open action items" not in found  # nothing left in English


def test_the_meeting_page_in_english_is_unchanged(app, page_as):
    ids = _meeting_world(app)
    text = _text(page_as("cx_leader").get(f"/meetings/{ids['meeting']}").get_data(as_text=True))
    assert "30 Nov 2026, 14:00" in text and "15 Dec 2026" in text and "Open action items" in text


def test_times_are_shown_in_the_readers_time_zone(app, page_as):
    ids = _meeting_world(app)
    client = page_as("cx_leader", language="pt_BR", timezone="America/Sao_Paulo")
    assert "30 de nov. de 2026, 11:00" in _text(client.get(f"/meetings/{ids['meeting']}").get_data(as_text=True))


def test_meeting_times_are_typed_in_the_readers_time_zone(app, page_as):
    """The edit form shows the start in the person's own zone, names it by the field, and reads
    what they type in it."""
    ids = _meeting_world(app)
    client = page_as("cx_leader", language="pt_PT", timezone="America/Sao_Paulo")
    html = client.get(f"/meetings/{ids['meeting']}/edit").get_data(as_text=True)
    assert "Início (America/Sao_Paulo)" in html
    assert 'value="2026-11-30T11:00"' in html
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    response = client.post(f"/meetings/{ids['meeting']}/edit", data={
        "csrf_token": csrf_token(client, f"/meetings/{ids['meeting']}/edit"), "version": version,
        "title": "Comité de dezembro", "starts_at": "2026-12-01T10:30", "duration_minutes": "60", "location": "Sala 2"})
    assert response.status_code == 302
    meeting = get(app, Meeting, ids["meeting"])
    assert meeting.starts_at.astimezone(timezone.utc) == datetime(2026, 12, 1, 13, 30, tzinfo=timezone.utc)
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Reunião “Comité de dezembro” guardada." in follow


def test_flash_and_form_errors_in_the_readers_language(app, page_as):
    ids = _meeting_world(app)
    client = page_as("cx_leader", language="ro")
    token = csrf_token(client, "/committees")
    response = client.post("/committees", data={"csrf_token": token, "name": "Comitetul CX"})
    assert response.status_code == 302
    assert "Comitetul „Comitetul CX” a fost creat." in client.get(response.headers["Location"]).get_data(as_text=True)
    html = client.get(f"/meetings/{ids['meeting']}/minutes").get_data(as_text=True)
    assert "Proces-verbal:" in html and "Prezenți" in html


def test_the_api_answers_in_english_unless_asked(app):
    from tests.steering.helpers import client_for

    ids = governance_world(app)
    with app.app_context():
        leader = factories.create_user(role="cx_leader", language="ro")
        db.session.commit()
        leader_id = leader.id
    api = client_for(app, leader_id)
    english = api.post(f"/api/meetings/{ids['meeting']}/minutes/publish")
    assert english.status_code == 409 and english.get_json()["detail"].startswith("Only the minutes of a held")
    romanian = api.post(f"/api/meetings/{ids['meeting']}/minutes/publish", headers={"Accept-Language": "ro"})
    assert romanian.get_json()["detail"].startswith("Doar procesul-verbal al unei ședințe ținute")


def test_the_invite_speaks_its_recipients_language(app):
    """A mailed invite: the recipient's language; a downloaded one: the language of who downloads it."""
    from cxgov.steering import services
    from cxgov.steering.ics import build_invite

    ids = _meeting_world(app)
    with app.test_request_context():
        romanian = factories.create_user(language="ro")
        invite = build_invite(services.load_meeting(ids["meeting"]), recipient=romanian).decode()
        english = build_invite(services.load_meeting(ids["meeting"])).decode()
    assert "DESCRIPTION:Ordinea de zi — " in invite and "DESCRIPTION:Agenda — " in english


def test_the_downloaded_invite_speaks_the_readers_language(app, page_as):
    ids = _meeting_world(app)
    body = page_as("member", language="pt_PT").get(f"/meetings/{ids['meeting']}/invite.ics").get_data(as_text=True)
    assert "DESCRIPTION:Ordem de trabalhos — " in body
