"""Initiative pages in the reader's language (pt_PT, ro): headings, labels, figures in the locale's
shapes, and what the app says back after a change (flash, refusal)."""
import pytest

from tests.conftest import csrf_token
from tests.initiatives.test_pages import make

NBSP = "\u00a0"

SAYS = {
    "pt_PT": {"cash_flows": "Fluxos de caixa: previsto vs. real", "roi": "Retorno do investimento",
              "add": "Adicionar um fluxo de caixa", "amount": f"1{NBSP}650,00", "percent": "50,0%",
              "added": "Fluxo de caixa adicionado.", "refused": "O fluxo de caixa não foi adicionado",
              "list": "Iniciativas", "filter": "Filtrar", "count": "1 iniciativa."},
    "ro": {"cash_flows": "Fluxuri de numerar: planificat vs. realizat", "roi": "Rentabilitatea investiției",
           "add": "Adăugați un flux de numerar", "amount": "1.650,00", "percent": "50,0%",
           "added": "Fluxul de numerar a fost adăugat.", "refused": "Fluxul de numerar nu a fost adăugat",
           "list": "Inițiative", "filter": "Filtrează", "count": "1 inițiativă."},
}


@pytest.mark.parametrize("language", ["pt_PT", "ro"])
def test_the_initiative_pages_speak_the_readers_language(page_as, app, language):
    says = SAYS[language]
    page = page_as("cx_leader", language=language)
    initiative_id = make(app, title="Callback service")
    html = page.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    for text in (says["cash_flows"], says["roi"], says["add"], says["amount"], says["percent"]):
        assert text in html, text
    assert "1,650.00" not in html and "Cash flows: planned vs actual" not in html
    listing = page.get("/initiatives").get_data(as_text=True)
    assert f"<h1>{says['list']}</h1>" in listing and says["filter"] in listing and says["count"] in listing

    token = csrf_token(page, f"/initiatives/{initiative_id}")
    added = page.post(f"/initiatives/{initiative_id}/cash-flows", data={
        "csrf_token": token, "basis": "planned", "kind": "benefit", "year": "2", "category": "Savings",
        "amount": "2500.5", "risk_adjustment": "0.1"}, follow_redirects=True)
    assert says["added"] in added.get_data(as_text=True)
    refused = page.post(f"/initiatives/{initiative_id}/cash-flows", data={
        "csrf_token": csrf_token(page, f"/initiatives/{initiative_id}"), "basis": "planned", "kind": "cost",
        "year": "12", "category": "Build", "amount": "-1", "risk_adjustment": "1"})
    assert refused.status_code == 422 and says["refused"] in refused.get_data(as_text=True)


def test_the_api_answers_in_english_unless_asked(login_as, app):
    """A problem+json of the initiatives is English by default and Portuguese when asked."""
    client = login_as("cx_leader")
    initiative_id = make(app, status="proposed")
    body = {"to": "delivered"}
    english = client.post(f"/api/initiatives/{initiative_id}/transitions", json=body)
    assert english.status_code == 409
    assert english.json["detail"] == "An initiative cannot go from proposed to delivered."
    portuguese = client.post(f"/api/initiatives/{initiative_id}/transitions", json=body,
                             headers={"Accept-Language": "pt-PT"})
    assert portuguese.json["detail"] == "Uma iniciativa não pode passar de proposed a delivered."
    assert list(portuguese.json["errors"]) == ["to"]  # field names are keys: never translated
