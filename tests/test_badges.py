"""Status badges (cxgov/badges.py): a look per meaning, the word always written; overdue in words."""
import re
from datetime import date, timedelta
from pathlib import Path

from cxgov.badges import TONES, badge, overdue
from cxgov.db import today
from tests import factories


def test_statuses_get_the_look_of_their_meaning():
    assert badge("approved") == '<span class="badge badge-good">Approved</span>'
    assert badge("in_progress") == '<span class="badge badge-progress">In progress</span>'
    assert badge("rejected") == '<span class="badge badge-bad">Rejected</span>'
    assert badge("proposed") == '<span class="badge badge-info">Proposed</span>'
    assert badge("silent", "Silent") == '<span class="badge badge-warn">Silent</span>'
    assert badge("something_else") == '<span class="badge badge-neutral">Something else</span>'
    assert badge("x", "<b>") == '<span class="badge badge-neutral">&lt;b&gt;</span>'
    # Every tone has its colours in the stylesheet.
    styles = (Path(__file__).resolve().parents[1] / "static" / "cxgov.css").read_text()
    for tone in set(TONES.values()):
        assert f".badge-{tone} {{" in styles


def test_overdue_is_said_in_words():
    assert overdue(date(2026, 3, 1), on=date(2026, 3, 2)) == '<span class="badge badge-bad">overdue</span>'
    assert overdue(date(2026, 3, 2), on=date(2026, 3, 2)) == ""
    assert overdue(None) == ""


def _badges(html):
    return dict((text, tone) for tone, text in re.findall(r'<span class="badge badge-(\w+)">([^<]+)</span>', html))


def test_initiative_list_colours_each_status_and_marks_late_targets(app, page_as):
    with app.app_context():
        late = factories.create_initiative(title="Late one", status="approved", target_on=today() - timedelta(days=3))
        factories.create_initiative(title="Turned down", status="rejected", target_on=today() - timedelta(days=3))
        factories.create_initiative(title="Soon", status="in_progress", target_on=today() + timedelta(days=3))
        late_id = late.id
    page = page_as("member")
    html = page.get("/initiatives").get_data(as_text=True)
    assert _badges(html) == {"Approved": "good", "Rejected": "bad", "In progress": "progress", "overdue": "bad"}
    # Only the open initiative past its target is overdue.
    assert html.count(">overdue<") == 1
    assert "overdue" in page.get(f"/initiatives/{late_id}").get_data(as_text=True)


def test_meeting_page_marks_overdue_action_items_in_words(app, page_as):
    with app.app_context():
        meeting = factories.create_meeting(status="held")
        factories.create_action_item(title="Late action", meeting_id=meeting.id, due_on=today() - timedelta(days=1))
        factories.create_action_item(title="Future action", meeting_id=meeting.id, due_on=today() + timedelta(days=1))
        meeting_id = meeting.id
    html = page_as("cx_leader").get(f"/meetings/{meeting_id}").get_data(as_text=True)
    rows = re.findall(r"<tr[^>]*>.*?</tr>", html, re.S)
    late = next(row for row in rows if "Late action" in row)
    future = next(row for row in rows if "Future action" in row)
    assert 'class="overdue"' in late and ">overdue<" in late
    assert "overdue" not in future
    assert '<span class="badge badge-good">Held</span>' in html
