"""The ROI page and the board PDF in the reader's language (pt_PT, ro): headings translated,
money and percentages written as the locale writes them, compact units of the locale.

Figures of `portfolio` (tests/roi/test_report_api.py): PV costs 1,574.46 on the planned basis,
shown in full in the "Planned vs actual" table and compact in the headline."""
import io
import re

import pytest
from pypdf import PdfReader

from tests.roi.test_report_api import portfolio

NBSP = "\u00a0"

EXPECTED = {
    "pt_PT": {
        "headings": ["Relatório de ROI", "Previsto vs. real", "Realização de benefícios", "Por departamento",
                     "Por jornada", "Por categoria", "Melhores iniciativas por VAL", "Entregues, ainda não medidas"],
        "money": f"1{NBSP}574,46",  # space-grouped thousands, comma decimal
        "compact": f"1,57{NBSP}mil{NBSP}€",  # the headline: "mil", the euro after the figure
        "percent": "-4,1%",
        "rate": "descontados a 10,0% ao ano",
        "pdf_headings": ["ROI do portefólio de CX", "Por departamento", "Previsto vs. real",
                         "Melhores iniciativas por VAL", "Entregues, ainda não medidas"],
        "pdf_compact": "1,57 mil",
        "pdf_footer": "taxa de desconto 10,0%",
        "lang": "pt-PT",
    },
    "ro": {
        "headings": ["Raport ROI", "Planificat vs. realizat", "Realizarea beneficiilor", "Pe departament",
                     "Pe călătorie", "Pe categorie", "Primele inițiative după VAN", "Livrate, încă nemăsurate"],
        "money": "1.574,46",  # dot-grouped thousands, comma decimal
        "compact": f"1,57{NBSP}mii{NBSP}EUR",  # the headline: "mii", the currency after the figure
        "percent": "-4,1%",
        "rate": "actualizate cu 10,0% pe an",
        "pdf_headings": ["ROI al portofoliului CX", "Pe departament", "Planificat vs. realizat",
                         "Primele inițiative după VAN", "Livrate, încă nemăsurate"],
        "pdf_compact": "1,57 K",
        "pdf_footer": "rata de actualizare 10,0%",
        "lang": "ro",
    },
}


def _pdf_text(data):
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


@pytest.mark.parametrize("language", ["pt_PT", "ro"])
def test_the_roi_page_speaks_the_readers_language(page_as, app, language):
    portfolio(app)
    expected = EXPECTED[language]
    html = page_as("executive", language=language).get("/reports/roi").get_data(as_text=True)
    for heading in expected["headings"]:
        assert heading in html, heading
    headline = html.split('class="kpis roi-headline"', 1)[1].split("</section>", 1)[0]
    assert expected["compact"] in headline  # PV costs, compact, in the locale's units
    assert f'>{expected["percent"]}<' in headline  # ROI
    assert expected["money"] in html  # PV costs in full, in "Planned vs actual"
    assert "1,574.46" not in html and "1.57K" not in html  # no English figure left
    assert expected["rate"] in html
    content = html.split("<main", 1)[1].split("</main>", 1)[0]  # the page's own, not the shared navigation
    for english in ("ROI report", "Planned vs actual", "Benefits realisation", "By department", "Top initiatives"):
        assert english not in content, english


@pytest.mark.parametrize("language", ["pt_PT", "ro"])
def test_the_board_pdf_speaks_the_readers_language(page_as, app, language):
    portfolio(app)
    expected = EXPECTED[language]
    response = page_as("executive", language=language).get("/reports/roi.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(response.data)
    for heading in expected["pdf_headings"]:
        assert heading in text, heading
    assert expected["pdf_compact"] in text  # PV costs, compact, in the locale's units
    assert expected["percent"] in text and expected["pdf_footer"] in text
    assert "CX portfolio ROI" not in text and "By department" not in text and "1.57K" not in text


def test_the_board_pdf_names_its_language(page_as, app):
    portfolio(app)
    for language, lang in (("pt_PT", "pt-PT"), ("ro", "ro"), ("en", "en")):
        page = page_as("executive", language=language)
        html = _pdf_html(page)
        assert f'<html lang="{lang}">' in html


def _pdf_html(page):
    """The HTML the board PDF is printed from (the PDF renderer stubbed to hand it back)."""
    from unittest import mock

    from cxgov.roi import services, views

    # Neither laid out nor kept: the HTML is handed back as the answer's bytes.
    with (mock.patch.object(views, "render_pdf", lambda html: html.encode()),
          mock.patch.object(services, "kept_answer", lambda kind, actor, args, make, sets: make())):
        return page.get("/reports/roi.pdf").get_data(as_text=True)
