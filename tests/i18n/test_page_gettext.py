"""A page's strings are translated by callables bound to its catalogue once per render
(`i18n.page_gettext`). They must write exactly what Flask-Babel's own template callables write,
in every language, and follow a `force_locale` (a mail in its recipient's language)."""
import pytest
from flask import render_template_string
from flask_babel import force_locale

from cxgov.i18n import LANGUAGES

TEMPLATE = (
    '{{ _("Stage") }}|{{ _("Owner: <strong>%(name)s</strong>", name=name) }}|'
    '{{ ngettext("%(num)s earlier period summarised", "%(num)s earlier periods summarised", 3) }}|'
    '{{ pgettext("any department", "All") }}|{{ pgettext("password", "Set") }}|'
    '{{ npgettext("audit", "%(num)s entry", "%(num)s entries", 1) }}|'
    '{% trans count=2 %}{{ count }} item{% pluralize %}{{ count }} items{% endtrans %}|'
    "{{ _(\"Not in any catalogue: %(x)s\", x=name) }}"
)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_a_page_writes_what_flask_babels_callables_write(app, language):
    name = "<script>Ana</script>"
    with app.test_request_context(headers={"Accept-Language": language.replace("_", "-")}):
        # Through render_template: the callables bound for this page.
        bound = render_template_string(TEMPLATE, name=name)
        # Straight from the environment: no context processor, Flask-Babel's callables.
        environment = app.jinja_env.from_string(TEMPLATE).render(name=name)
    assert bound == environment
    assert "&lt;script&gt;Ana&lt;/script&gt;" in bound and "<script>" not in bound
    if language != "en":
        assert bound.split("|")[0] != "Stage"  # translated


def test_a_mail_drawn_inside_force_locale_is_in_its_readers_language(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        english = render_template_string('{{ _("Stage") }}')
        with force_locale("ro"):
            romanian = render_template_string('{{ _("Stage") }}')
        again = render_template_string('{{ _("Stage") }}')
    assert english == again == "Stage"
    assert romanian != "Stage"
