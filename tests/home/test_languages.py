"""Each person's home in their own language: Portuguese (Portugal) and Romanian, with `<html lang>`,
the navigation, the headings and the figures written the way that language writes them."""
from decimal import Decimal

import pytest
from babel.numbers import format_decimal

from cxgov.extensions import db
from cxgov.models import User
from tests import factories
from tests.home.conftest import region, text
from tests.home.test_dashboard import _portfolio, home

# What each language calls the page and the parts of it a person finds first.
WORDS = {
    "pt_PT": {"lang": "pt-PT", "home": "Início", "welcome": "Bem-vindo(a)", "sign_out": "Terminar sessão",
              "steering": "Direção", "portfolio": "Portefólio", "work": "O seu trabalho",
              "ambassador": "Registar uma ação", "inbox": "Caixa de entrada"},
    "ro": {"lang": "ro", "home": "Acasă", "welcome": "Bun venit", "sign_out": "Deconectare",
           "steering": "Coordonare", "portfolio": "Portofoliu", "work": "Munca ta",
           "ambassador": "Înregistrează o acțiune", "inbox": "Mesaje primite"},
}
# The section each role's home opens with, and the heading it has in each language.
SECTIONS = {"admin": ("home-leader-title", "steering"), "cx_leader": ("home-leader-title", "steering"),
            "executive": ("home-portfolio-title", "portfolio"), "member": ("home-work-title", "work")}


@pytest.mark.parametrize("language", ["pt_PT", "ro"])
@pytest.mark.parametrize("role", ["admin", "cx_leader", "executive", "member", "ambassador"])
def test_each_role_reads_their_home_in_their_language(app, persona, role, language):
    words = WORDS[language]
    client = persona(role, language=language)
    if role == "member":
        with app.app_context():
            factories.create_action_item(owner=db.session.get(User, client.user_id), title="Draft the charter")
    html = home(client)
    assert f'<html lang="{words["lang"]}">' in html
    assert f"<title>{words['home']} · cxgov</title>" in html
    assert words["welcome"] in html and words["sign_out"] in html and words["inbox"] in html
    if role == "ambassador":
        assert words["ambassador"] in text(region(html, "home-ambassador"))
    else:
        element, key = SECTIONS[role]
        assert text(region(html, element)) == words[key]
    # No English heading is left on the page.
    for english in ("Welcome,", "Sign out", "Your work", "Steering</h2>", "Portfolio</h2>"):
        assert english not in html


@pytest.mark.parametrize("language, locale", [("pt_PT", "pt_PT"), ("ro", "ro")])
def test_the_executive_reads_the_portfolio_figures_in_their_language(app, persona, login_as, language, locale):
    client = persona("executive", language=language)
    _portfolio(app)
    html = home(client)
    planned = login_as("executive").get("/api/reports/roi?portfolio=funded").json["totals"]
    npv = Decimal(planned["npv"])
    # Both write a decimal comma (Portugal groups thousands with a space, Romania with a dot).
    expected = format_decimal(npv.quantize(Decimal("0.01")), format="#,##0.00", locale=locale)
    assert text(region(html, "home-npv")) == " ".join(expected.split()) and "," in expected
    costs = text(region(html, "home-pv-costs"))
    assert costs == " ".join(format_decimal(Decimal(planned["pv_costs"]).quantize(Decimal("0.01")),
                                            format="#,##0.00", locale=locale).split())
    assert ("." not in costs) if language == "pt_PT" else ("." in costs)  # 21 000,00 / 21.000,00
    roi = text(region(html, "home-roi"))
    assert roi.endswith("%") and "," in roi  # a decimal comma in both languages


def test_a_date_on_the_home_page_is_written_the_language_s_way(app, persona):
    client = persona("member", language="ro")
    with app.app_context():
        from datetime import date

        factories.create_action_item(owner=db.session.get(User, client.user_id), title="Draft the charter",
                                     due_on=date(2031, 11, 30))
    items = text(region(home(client), "home-my-items"))
    assert "scadent la 30 nov. 2031" in items
