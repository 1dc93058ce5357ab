"""Charts (cxgov/charts.py): plain-text labels, a name for screen readers, the numbers beside them."""
import re
from datetime import date
from decimal import Decimal

from markupsafe import Markup

from cxgov import charts
from tests import factories

# Unescaped, each of these is a mathtext formula that fails to parse (the page answered 500).
DOLLARS = "Waive $5 fee: 50% $ off"
DEPARTMENT = "Billing $ & 100% $ Collections"


def test_a_dollar_sign_is_drawn_as_text_not_parsed_as_a_formula():
    chart = charts.bar_chart([DOLLARS, "R&D <lab>"], [Decimal("10.50"), Decimal("-3")], title=f"NPV of {DOLLARS}")
    svg = chart.svg
    assert svg.startswith("<svg")
    # The labels are SVG text, dollar signs and all, escaped where XML needs it.
    assert "Waive $5 fee: 50% $ off" in svg
    assert "R&amp;D &lt;lab&gt;" in svg
    line = charts.line_chart({"NPS $": [(date(2026, 1, 1), Decimal(1)), (date(2026, 2, 1), Decimal(2))]},
                             markers=[(date(2026, 1, 15), f"#1 {DOLLARS}")], hlines=[(Decimal(5), "target $5")])
    assert "#1 Waive $5 fee: 50% $ off" in line.svg and "target $5" in line.svg


def test_a_chart_has_a_name_and_a_table_of_its_numbers():
    chart = charts.bar_chart(["Claims", "Sales"], [Decimal("1234.50"), Decimal("-20.00")],
                             title="NPV by department (EUR)", category_label="Department", value_label="NPV (EUR)")
    assert re.match(r'<svg [^>]*role="img" aria-label="NPV by department \(EUR\)"', chart.svg)
    assert "<title>NPV by department (EUR)</title>" in chart.svg
    html = str(Markup(chart))  # what {{ chart }} renders
    assert html.startswith('<figure class="chart-figure"><svg')
    assert '<th scope="col">Department</th><th scope="col" class="num">NPV (EUR)</th>' in html
    assert ('<th scope="row" data-label="Department">Claims</th>'
            '<td class="num" data-label="NPV (EUR)">1,234.50</td>') in html
    assert ">-20.00<" in html
    assert "<summary>The numbers" in html and "NPV by department (EUR)</span></summary>" in html


def test_stacked_and_line_charts_tabulate_every_series():
    chart = charts.bar_chart(["2026-01", "2026-02"], {"Trainings": [1, 0], "Fixes": [2, 3]}, stacked=True,
                             title="Actions per month", category_label="Month")
    html = str(Markup(chart))
    assert "<th scope=\"col\">Month</th><th scope=\"col\" class=\"num\">Trainings</th>" in html
    assert re.search(r">2026-02</th><td[^>]*>0</td><td[^>]*>3</td>", html)
    line = charts.line_chart({"NPS": [(date(2026, 1, 1), Decimal("12.5"))]}, markers=[(date(2026, 1, 9), "#4 Fix")])
    assert line.name == "NPS"
    html = str(Markup(line))
    assert ">1 Jan 2026</th><td class=\"num\" data-label=\"NPS\">12.5</td>" in html
    assert "<li>9 Jan 2026: #4 Fix</li>" in html


def test_chart_text_is_at_least_eleven_points():
    chart = charts.bar_chart([f"Department {n}" for n in range(8)], list(range(8)), title="T", y_label="y")
    sizes = [float(size) for size in re.findall(r"font-size: ([\d.]+)px", chart.svg)
             + re.findall(r"font: ([\d.]+)px", chart.svg)]
    assert sizes and min(sizes) >= 11


def _dollar_world(app):
    """An initiative and a department with dollar signs, delivered on a measured journey, with a
    business case: every chart of /journeys/{id} and /reports/roi draws their names."""
    with app.app_context():
        department = factories.create_department(name=DEPARTMENT)
        journey = factories.create_journey(name="Cost $ journey")
        for month, value in [(1, 12), (2, 15), (4, 25)]:
            factories.create_measurement(journey, period_start=date(2026, month, 1), value=Decimal(value))
        initiative = factories.create_initiative(title=DOLLARS, journey=journey, department=department,
                                                 status="delivered", delivered_on=date(2026, 3, 1))
        factories.add_impact(initiative, target_value=Decimal("30"))
        factories.add_cash_flow(initiative, "cost", 0, "1000")
        factories.add_cash_flow(initiative, "benefit", 1, "1500")
        return journey.id


def test_dollar_signs_in_titles_and_departments_do_not_break_pages(app, page_as):
    journey_id = _dollar_world(app)
    page = page_as("executive")
    journey = page.get(f"/journeys/{journey_id}")
    assert journey.status_code == 200
    assert DOLLARS in journey.get_data(as_text=True)
    report = page.get("/reports/roi?portfolio=all")
    assert report.status_code == 200
    assert "Billing $ &amp; 100% $ Collections" in report.get_data(as_text=True)
    pdf = page.get("/reports/roi.pdf?portfolio=all")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_chart_speaks_the_readers_language(app):
    """The table beside a chart, its summary and its dates in the reader's language (pt_PT, ro)."""
    from flask_babel import force_locale

    for language, summary, figure, day in (("pt_PT", "Os números", "1\u00a0234,50", "01/01/2026"),
                                           ("ro", "Cifrele", "1.234,50", "1 ian. 2026")):
        with app.test_request_context(), force_locale(language):
            html = str(Markup(charts.line_chart({"NPS": [(date(2026, 1, 1), Decimal("1234.50"))]},
                                                name=f"NPS {language}")))
        assert f"<summary>{summary}<" in html, language
        assert f">{day}</th><td class=\"num\" data-label=\"NPS\">{figure}</td>" in html, language


def test_a_bar_chart_is_drawn_once_for_the_same_inputs_in_the_same_language(app):
    from flask_babel import force_locale

    def chart(values, tick_format=None):
        return charts.bar_chart(["Claims", "Sales"], values, title="NPV", tick_format=tick_format)

    charts.chart_cache.clear()
    with app.test_request_context("/"):
        first = chart([Decimal("1234.5"), Decimal("2")])
        assert chart([Decimal("1234.5"), Decimal("2")]) is first
        assert (charts.chart_cache.hits, charts.chart_cache.misses) == (1, 1)
        assert chart([Decimal("1234.5"), Decimal("3")]) is not first  # other figures: drawn anew
        with force_locale("pt_PT"):
            portuguese = chart([Decimal("1234.5"), Decimal("2")])
        html = str(Markup(portuguese))
        assert portuguese is not first and 'data-label="Categoria"' in html and re.search(r">1\D?234,5<", html)
        # A lambda's marks cannot be told from another lambda's: drawn every time, never kept.
        misses = charts.chart_cache.misses
        assert chart([Decimal("1"), Decimal("2")], tick_format=lambda v: f"{v}!") is not \
            chart([Decimal("1"), Decimal("2")], tick_format=lambda v: f"{v}?")
        assert charts.chart_cache.misses == misses


def test_a_chart_for_a_pdf_is_a_sharp_picture_with_its_numbers_beside_it():
    """In a PDF a chart is one PNG at PRINT_DPI (WeasyPrint lays out an image, not every glyph and
    path of an SVG), with the same table of numbers; on a page it stays SVG text."""
    import base64
    import struct

    values = [Decimal("1234.50"), Decimal("-20.00")]
    printed = charts.bar_chart(["Claims", "Sales"], values, title="NPV", for_print=True, width=5.2, height=2.3)
    shown = charts.bar_chart(["Claims", "Sales"], values, title="NPV")
    assert printed.image.startswith("data:image/png;base64,")
    png = base64.b64decode(printed.image.split(",", 1)[1])
    assert png.startswith(b"\x89PNG")
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk
    assert 0.8 * 5.2 * charts.PRINT_DPI <= width <= 5.2 * charts.PRINT_DPI and height > 0.8 * 2.3 * charts.PRINT_DPI
    assert printed.rows == shown.rows and printed.columns == shown.columns
    assert shown.image.startswith("data:image/svg+xml;base64,") and "<text" in shown.svg
