"""Every string a person reads is translated in every catalogue (cxgov.i18n), with the English's
placeholders, and the compiled catalogues are what the app reads."""
import pytest

from tests.i18n.catalogues import LOCALES, catalogue_path, extract, problems, read_catalogue


@pytest.fixture(scope="module")
def extracted():
    return extract()


def test_the_code_has_strings_to_translate(extracted):
    assert len([m for m in extracted if m.id]) > 500


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_is_translated(extracted, locale):
    found = problems(extracted, read_catalogue(catalogue_path(locale)))
    assert not found, f"{len(found)} strings without a translation in {locale}:\n" + "\n".join(found[:50])


@pytest.mark.parametrize("locale, heading", [("pt_PT", "Iniciar sessão"), ("pt_BR", "Entrar"), ("ro", "Autentificare")])
def test_the_sign_in_page_reads_in_the_browser_s_language(client, locale, heading):
    page = client.get("/login", headers={"Accept-Language": locale.replace("_", "-")})
    assert heading in page.get_data(as_text=True)


def test_no_translation_is_asked_for_inside_an_f_string():
    """The extractor reads an f-string as one string: a `_("…")` inside it would never reach the
    catalogues (and be shown in English to everyone)."""
    import re
    import tokenize

    from tests.i18n.catalogues import ROOT

    call = re.compile(r"\b(_|_l|gettext|ngettext|pgettext|lazy_gettext)\(")
    found = []
    for path in sorted((ROOT / "cxgov").rglob("*.py")):
        with open(path, "rb") as source:
            for token in tokenize.tokenize(source.readline):
                prefix = token.string[:3].lower()
                if token.type == tokenize.STRING and "f" in prefix.split("'")[0].split('"')[0] \
                        and call.search(token.string):
                    found.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    assert not found, found
