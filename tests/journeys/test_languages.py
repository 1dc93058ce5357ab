"""The journey and ambassador pages in the reader's language (pt_PT, ro): translated headings,
stage names of the hourglass template, figures and dates in the language's conventions."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from cxgov.extensions import db
from cxgov.journeys.models import Stage
from cxgov.models import User
from tests import factories


@pytest.fixture
def measured(app):
    """A journey on the hourglass template, with a custom stage, NPS 12.5 and 25.25 and a delivered
    initiative in between; returns its id."""
    with app.app_context():
        owner = factories.create_user(name="Olga Owner")
        journey = factories.create_journey(owner=owner, name="Motor claim")
        factories.create_stage(journey, name="Purchase", phase="pre_sale")
        factories.create_stage(journey, name="Claim desk", phase="post_sale")
        factories.create_measurement(journey, period_start=date(2026, 1, 1), period_end=date(2026, 1, 31),
                                     value=Decimal("12.5"))
        factories.create_measurement(journey, period_start=date(2026, 4, 1), period_end=date(2026, 4, 30),
                                     value=Decimal("1234.25"))
        initiative = factories.create_initiative(journey=journey, title="Claims callback", status="delivered",
                                                 delivered_on=date(2026, 3, 1))
        factories.add_impact(initiative, target_value=Decimal("30"))
        return journey.id


CASES = {
    # pt_PT groups thousands with a (no-break) space, Romanian with a dot; both write a decimal comma.
    "pt_PT": {"headings": ("Fases e pontos de contacto", "Metas", "Iniciativas nesta jornada"),
              "stage": "Compra", "change": "+1\u00a0221,75", "before": "12,50", "day": "01/03/2026"},
    "pt_BR": {"headings": ("Etapas e pontos de contato", "Metas", "Iniciativas nesta jornada"),
              "stage": "Compra", "change": "+1.221,75", "before": "12,50", "day": "1 de mar. de 2026"},
    "ro": {"headings": ("Etape și puncte de contact", "Ținte", "Inițiative pe această călătorie"),
           "stage": "Achiziție", "change": "+1.221,75", "before": "12,50", "day": "1 mar. 2026"},
}


@pytest.mark.parametrize("language", sorted(CASES))
def test_the_journey_page_in_the_readers_language(page_as, measured, language):
    case = CASES[language]
    html = page_as("member", language=language).get(f"/journeys/{measured}").get_data(as_text=True)
    for heading in case["headings"]:
        assert heading in html
    assert case["stage"] in html and "Claim desk" in html  # a typed stage name stays as typed
    assert "Motor claim" in html and "Claims callback" in html  # what people named stays as named
    assert case["change"] in html and case["before"] in html and case["day"] in html
    assert "+1221.75" not in html and "+1,221.75" not in html
    assert "Stages and touchpoints" not in html and "Targets</h2>" not in html


def test_the_journey_page_in_english_keeps_its_words(page_as, measured):
    html = page_as("member").get(f"/journeys/{measured}").get_data(as_text=True)
    assert "Stages and touchpoints" in html and "Purchase" in html
    assert "+1,221.75" in html and "1 Mar 2026" in html


@pytest.mark.parametrize("language, heading, since, people", [
    ("pt_PT", "A minha página de embaixador", "desde 02/01/2026", "14 pessoas alcançadas"),
    ("ro", "Pagina mea de ambasador", "din 2 ian. 2026", "14 persoane atinse"),
])
def test_the_ambassador_page_in_the_readers_language(app, page_as, language, heading, since, people):
    client = page_as("member", language=language)
    with app.app_context():
        department = factories.create_department(name="Claims")
        assignment = factories.create_ambassador(user=db.session.get(User, client.user_id), department=department,
                                                 started_on=date(2026, 1, 2))
        factories.create_ambassador_action(ambassador=assignment, kind="voc_session", title="Listening session",
                                           occurred_on=date(2026, 1, 5), people_reached=14)
    html = client.get("/ambassadors/me").get_data(as_text=True)
    assert heading in html and since in html and people in html
    assert "Listening session" in html
    assert "<h1>My ambassador page</h1>" not in html


def test_the_network_page_in_romanian(page_as):
    html = page_as("cx_leader", language="ro").get("/ambassadors/network").get_data(as_text=True)
    assert "Rețeaua de ambasadori" in html and "Scor de sănătate" in html and "Numește un ambasador" in html


@pytest.mark.parametrize("language", ["pt_PT", "pt_BR", "ro"])
def test_every_journey_and_ambassador_page_renders_in_each_language(app, page_as, measured, language):
    client = page_as("cx_leader", language=language)
    with app.app_context():
        department = factories.create_department(name="Claims")
        assignment = factories.create_ambassador(user=db.session.get(User, client.user_id), department=department,
                                                 started_on=date(2026, 1, 2))
        factories.create_ambassador_action(ambassador=assignment, kind="improvement_idea", title="One form",
                                           occurred_on=date(2026, 1, 5), people_reached=3)
        target = factories.create_target(db.session.get(factories.Journey, measured), value=Decimal("40"),
                                         due_on=date(2026, 12, 31))
        stage_id = db.session.scalar(select(Stage.id).where(Stage.journey_id == measured))
        ids = (assignment.id, target.id, stage_id)
    paths = ["/journeys", f"/journeys/{measured}", f"/journeys/{measured}?touchpoints=1", f"/journeys/{measured}/edit",
             "/journeys/new", "/journeys/upload", f"/journeys/{measured}/measurements/new",
             f"/journeys/{measured}/targets/{ids[1]}/edit", f"/journeys/{measured}/stages/{ids[2]}/edit",
             "/reports/stages?stage_type=purchase&metric=nps", "/ambassadors/network", "/ambassadors/me",
             "/ambassadors/history", "/ambassadors/log", f"/ambassadors/{ids[0]}"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'lang="' in response.get_data(as_text=True)
