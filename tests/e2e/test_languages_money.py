"""The CEO reads the ROI report in Portuguese (Portugal) and in Romanian, on a phone and a laptop.

The demo organisation, the CEO (an executive) signed in through /login; their account's language
is set to pt_PT, then ro (and en, for comparison). At 390 px and 1366 px the page is in that
language — headings, labels, figures in the locale's shapes (decimal comma, the locale's compact
units and currency placement) — fits the phone without sideways scrolling and passes axe.
Demo data (titles, names) is the organisation's own and stays as entered.

With CXGOV_SCREENSHOTS set to a folder, the 1366 px pages are saved there as roi-<language>.png
(docs/screens holds the ones of the issue: `CXGOV_SCREENSHOTS=docs/screens pytest <this file>`).
"""
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from cxgov.demo import DOMAIN, PASSWORD, seed_demo
from cxgov.extensions import db
from cxgov.org.models import User
from tests.e2e import axe

SHOTS = os.environ.get("CXGOV_SCREENSHOTS")
WIDTHS = {390: {"width": 390, "height": 844}, 1366: {"width": 1366, "height": 900}}
ROOT = Path(__file__).resolve().parents[2]

# What each language's page says, and how it writes a compact headline amount (e.g. "1,24 M €").
LANGUAGES = {
    "en": {"lang": "en", "h1": "ROI report", "heading": "Planned vs actual", "label": "Discount rate (% a year)",
           "compact": re.compile(r"^-?€\d+(\.\d+)?[KMB]?$")},
    "pt_PT": {"lang": "pt-PT", "h1": "Relatório de ROI", "heading": "Previsto vs. real",
              "label": "Taxa de desconto (% ao ano)",
              "compact": re.compile(r"^-?\d+(,\d+)?(\u00a0(mil|M|mM|Bi))?\u00a0€$")},
    "ro": {"lang": "ro", "h1": "Raport ROI", "heading": "Planificat vs. realizat",
           "label": "Rata de actualizare (% pe an)",
           "compact": re.compile(r"^-?\d+(,\d+)?(\u00a0(mii|mil\.|mld\.))?\u00a0EUR$")},
}


@pytest.fixture
def ceo(app):
    with app.app_context():
        seed_demo()
        db.session.commit()
        return db.session.scalar(select(User.id).where(User.email == f"ceo@{DOMAIN}"))


def _speak(app, user_id, language):
    with app.app_context():
        db.session.get(User, user_id).language = language
        db.session.commit()


def _shot(page, language):
    if not SHOTS:
        return
    path = Path(SHOTS) / f"roi-{language}.png"
    page.screenshot(path=str(path), full_page=True)
    from PIL import Image

    with Image.open(path) as image:  # 256 colours are plenty for a page of text (as docs/screens/make.py)
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def test_the_ceo_reads_the_roi_report_in_portuguese_and_romanian(app, live_server, browser, ceo):
    context = browser.new_context(viewport=WIDTHS[1366])
    context.set_default_timeout(15_000)
    axe.install(context)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/login")
        page.fill("#email", f"ceo@{DOMAIN}")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/")
        for language in ("pt_PT", "ro", "en"):
            said = LANGUAGES[language]
            _speak(app, ceo, language)
            for width, viewport in WIDTHS.items():
                page.set_viewport_size(viewport)
                page.goto(f"{live_server}/reports/roi")
                assert page.get_attribute("html", "lang") == said["lang"]
                assert page.locator("h1").inner_text() == said["h1"]
                main = page.locator("main")
                assert main.locator("h2", has_text=said["heading"]).count() == 1
                assert page.locator("label[for=discount_percent]").inner_text() == said["label"]
                headline = [text.strip() for text in page.locator(".roi-headline .kpi .value").all_inner_texts()]
                for amount in headline[:3]:  # invested, PV benefits, NPV
                    assert said["compact"].match(amount), (language, amount)
                assert re.match(r"^-?\d+[,.]\d%$", headline[3]), headline[3]  # ROI: "12,3%" / "12.3%"
                if language != "en":
                    assert "," in headline[3]
                    text = main.inner_text()
                    for english in ("Planned vs actual", "Benefits realisation", "Top initiatives by NPV"):
                        assert english not in text, (language, english)
                wide = page.evaluate("() => document.scrollingElement.scrollWidth")
                assert wide <= viewport["width"] + 1, (language, width, wide)
                violations = axe.run(page)
                assert not violations, f"{language} at {width} px:\n" + axe.describe(violations)
                if width == 1366:
                    _shot(page, language)
    finally:
        context.close()
