"""An ambassador, on a phone, logs an action for a journey their department touches and sees on
their own page the health score move and what became of an earlier idea."""
import re
from datetime import datetime, timedelta, timezone

from cxgov.db import today
from cxgov.extensions import db
from tests import factories

PHONE = {"width": 390, "height": 844}


def _score(page):
    return int(re.match(r"(\d+) / 100", page.locator("#my-score").inner_text()).group(1))


def test_an_ambassador_logs_for_a_journey_and_sees_the_score_and_the_fate_of_an_idea(app, live_server, sign_in):
    now = today()
    with app.app_context():
        department = factories.create_department(name="Claims")
        user = factories.create_user(name="Amira Ambassador", department_id=department.id)
        for _ in range(3):
            factories.create_user(department_id=department.id, password=None)
        assignment = factories.create_ambassador(user=user, department=department, started_on=now - timedelta(days=200))
        journey = factories.create_journey(name="Home insurance claim")
        factories.create_touchpoint(factories.create_stage(journey), department_id=department.id)
        idea = factories.create_ambassador_action(assignment, kind="improvement_idea", title="One form for a claim",
                                                  occurred_on=now - timedelta(days=50), people_reached=2)
        initiative = factories.create_initiative(journey=journey, title="Single claim form", status="delivered",
                                                 delivered_on=now - timedelta(days=40))
        idea.initiative_id = initiative.id
        factories.add_review(initiative, number=1, due_on=now - timedelta(days=10), verdict="achieved",
                                recorded_at=datetime.now(timezone.utc))
        db.session.commit()
        db.session.expunge(user)
    page = sign_in(user, viewport=PHONE)
    page.goto(f"{live_server}/ambassadors/me")
    before = _score(page)
    fate = page.locator(".amb-fate").first.inner_text()
    assert "Single claim form" in fate and "Delivered" in fate and "Achieved" in fate

    page.click("text=Log an action for it")
    page.wait_for_url(re.compile(r".*/ambassadors/log\?journey_id=\d+"))
    assert page.locator("#journey_id option:checked").inner_text() == "Home insurance claim"
    page.select_option("#kind", "training")
    page.fill("#title", "Claims empathy workshop")
    page.fill("#people_reached", "4")
    page.click("button.amb-submit")
    page.wait_for_url(f"{live_server}/ambassadors/history")

    page.goto(f"{live_server}/ambassadors/me")
    after = _score(page)
    assert after > before  # a fresh action: recency, cadence, breadth and reach all rise
    assert "20 / 20" in page.locator("#part-recency").inner_text()
    assert "Claims empathy workshop" in page.locator("#my-history").inner_text()
    assert "Achieved" in page.locator(".amb-fate").first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
