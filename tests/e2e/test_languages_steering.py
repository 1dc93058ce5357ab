"""The meeting page in the CX leader's own language, at desktop width: its headings, dates and
times as that language writes them, the page's `lang`, and no axe-core violations."""
from datetime import date, datetime, timezone

import pytest
from playwright.sync_api import expect

from cxgov.extensions import db
from tests import factories
from tests.e2e import axe

DESKTOP = {"width": 1366, "height": 900}

# language: (the page's lang, the agenda's heading, another heading, the meeting's start as written)
LANGUAGES = {
    "pt_PT": ("pt-PT", "Ordem de trabalhos", "Ações de seguimento em aberto", "30/11/2026, 14:00"),
    "ro": ("ro", "Ordinea de zi", "Acțiuni de urmărit deschise", "30 nov. 2026, 14:00"),
}


def _meeting(app, language):
    with app.app_context():
        leader = factories.create_user(role="cx_leader", name="Lea Leader", language=language)
        member = factories.create_user(name="Mo Member")
        committee = factories.create_committee(chair_id=leader.id)
        factories.add_committee_member(committee, leader, "chair")
        factories.add_committee_member(committee, member, "member")
        meeting = factories.create_meeting(committee, title="November steering",
                                           starts_at=datetime(2026, 11, 30, 14, tzinfo=timezone.utc))
        factories.add_agenda_item(meeting, title="Welcome")
        factories.create_action_item(owner=member, meeting_id=meeting.id, title="Call the pilot customers",
                                     due_on=date(2026, 12, 15))
        db.session.commit()
        return leader, meeting.id


@pytest.mark.parametrize("language", ["pt_PT", "ro"])
def test_the_meeting_page_in_the_leaders_language(app, live_server, sign_in, language):
    lang, agenda, actions, starts = LANGUAGES[language]
    leader, meeting_id = _meeting(app, language)
    page = sign_in(leader, viewport=DESKTOP)
    axe.install(page.context)
    page.goto(f"{live_server}/meetings/{meeting_id}")
    expect(page.locator("#agenda h2")).to_have_text(agenda)
    expect(page.locator("#action-items h2")).to_have_text(actions)
    expect(page.locator(".meeting-head + p, p.muted").first).to_contain_text(starts)
    # The page says which language it is in (screen readers pick their voice by it).
    assert page.get_attribute("html", "lang") == lang
    violations = axe.run(page)
    assert not violations, axe.describe(violations)
