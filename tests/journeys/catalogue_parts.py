"""The journeys' translations for tests that read pages in Portuguese or Romanian: the parts in
i18n-parts/ (before they are merged into cxgov/translations) compiled for the test's app."""
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import get_domain

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ("pt_PT", "pt_BR", "ro")


@pytest.fixture
def journey_catalogues(app, tmp_path):
    """The app reads the journeys' catalogues from i18n-parts too (when they are there), first."""
    parts = sorted((ROOT / "i18n-parts").glob("journeys.*.po"))
    babel = app.extensions["babel"]
    before = list(babel.translation_directories)
    if parts:
        for part in parts:
            locale = part.name.split(".")[1]
            target = tmp_path / locale / "LC_MESSAGES"
            target.mkdir(parents=True, exist_ok=True)
            with open(part, "rb") as source:
                catalog = read_po(source, locale=locale)
            with open(target / "messages.mo", "wb") as out:
                write_mo(out, catalog)
        babel.translation_directories[:0] = [str(tmp_path)]
    _forget_loaded(app)
    yield
    babel.translation_directories[:] = before
    _forget_loaded(app)


def _forget_loaded(app):
    """Flask-Babel keeps each language's catalogue once loaded: load them again."""
    with app.app_context():
        get_domain().cache.clear()
