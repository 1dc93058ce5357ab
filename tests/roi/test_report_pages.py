"""/reports/roi (the leadership page) and /reports/roi.pdf (one A4 page)."""
import re
import zlib
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from cxgov.extensions import db
from tests import factories
from tests.roi.test_report_api import make_initiatives, portfolio


def test_anonymous_is_sent_to_sign_in(client):
    for path in ("/reports/roi", "/reports/roi.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["executive", "cx_leader", "admin"])
def test_leadership_reads_the_headline_and_tables(page_as, app, role):
    portfolio(app)
    html = page_as(role).get("/reports/roi").get_data(as_text=True)
    assert "Invested (PV costs)" in html and "NPV" in html and "Payback" in html
    assert "EUR" in html  # "Amounts in EUR."
    # PV costs: 333.33 × 1.1234 = 374.462922 and 1 000 × 1.2 = 1 200 → 1,574.46
    assert "1,574.46" in html
    for heading in ("By department", "By journey", "By category", "Planned vs actual",
                    "Top initiatives by NPV", "Delivered, not yet measured"):
        assert heading in html
    assert "Sales" in html and "Onboarding" in html
    assert "<svg" in html
    assert "<script" not in html
    assert "own initiatives only" not in html


def test_basis_and_rate_selectors(page_as, app):
    portfolio(app)
    page = page_as("executive")
    html = page.get("/reports/roi?basis=actual&discount_rate=0").get_data(as_text=True)
    assert '<option value="actual" selected' in html
    # Actual, undiscounted: costs 900, benefits 12.34 + 1 000.
    assert "900.00" in html and "1,012.34" in html
    assert page.get("/reports/roi?discount_rate=5").status_code == 422


def test_members_see_their_own_initiatives_only(page_as, app):
    member = page_as("member")
    portfolio(app, owner_id=member.user_id)
    html = member.get("/reports/roi").get_data(as_text=True)
    assert "own initiatives only" in html
    assert "Chat support" in html
    assert "Plain bills" not in html


def test_delivered_but_not_measured(page_as, app):
    with app.app_context():
        journey = factories.create_journey()
        unmeasured = factories.create_initiative(title="Unmeasured fix", journey=journey, status="delivered",
                                                 delivered_on=date(2026, 3, 1))
        factories.add_impact(unmeasured)
        measured = factories.create_initiative(title="Measured fix", journey=journey, status="closed",
                                               delivered_on=date(2026, 1, 1))
        factories.add_impact(measured)
        # A measurement that starts after the first delivery but before the second.
        factories.create_measurement(journey=journey, metric_code="nps", period_start=date(2026, 2, 1))
        no_impact = factories.create_initiative(title="No impact", status="delivered", delivered_on=date(2026, 1, 1))
        in_progress = factories.create_initiative(title="Still going", journey=journey, status="in_progress")
        factories.add_impact(in_progress)
        del no_impact
    html = page_as("executive").get("/reports/roi").get_data(as_text=True)
    section = html.split("Delivered, not yet measured", 1)[1]
    assert "Unmeasured fix" in section
    assert "Measured fix" not in section
    assert "No impact" not in section
    assert "Still going" not in section


def test_the_unmeasured_list_is_kept_and_follows_measurements_impacts_and_imports(page_as, login_as, app):
    """The list of delivered initiatives not measured yet is kept per process: a repeat view reads
    fewer statements; a measurement recorded, an import's bulk insert and a new impact each show at
    the next view, on the page, its PDF's source and the home page alike."""
    import io

    from tests.queries import count_statements

    with app.app_context():
        journey = factories.create_journey(name="Claims")
        first = factories.create_initiative(title="First fix", journey=journey, status="delivered",
                                            delivered_on=date(2026, 3, 1))
        factories.add_impact(first)
        second = factories.create_initiative(title="Second fix", journey=journey, status="delivered",
                                             delivered_on=date(2026, 5, 1))
        factories.add_impact(second)
        journey_id, second_id = journey.id, second.id
        nps, csat = factories.metric("nps").id, factories.metric("csat").id
    page, api = page_as("cx_leader"), login_as("cx_leader")

    def listed():
        section = page.get("/reports/roi").get_data(as_text=True).split('id="unmeasured"', 1)[1].split("</section>")[0]
        home = page.get("/").get_data(as_text=True).split('id="home-unmeasured"', 1)[1].split("</article>")[0]
        names = [name for name in ("First fix", "Second fix") if name in section]
        assert names == [name for name in ("First fix", "Second fix") if name in home]
        return names

    assert listed() == ["First fix", "Second fix"]
    with app.app_context():
        factories.create_measurement(journey=db.session.get(factories.Journey, journey_id),
                                     period_start=date(2026, 4, 1))
    assert count_statements(app, lambda: page.get("/reports/roi")) > count_statements(
        app, lambda: page.get("/reports/roi"))  # computed again once, then kept
    assert listed() == ["Second fix"]  # measured after its delivery

    recorded = api.post("/api/measurements", json={"metric_id": nps, "journey_id": journey_id,
                                                   "period_start": "2026-06-01", "period_end": "2026-06-30",
                                                   "value": "31"})
    assert recorded.status_code == 201, recorded.json
    assert listed() == []

    added = api.post(f"/api/initiatives/{second_id}/impacts", json={
        "metric_id": csat, "journey_id": journey_id, "baseline_value": "70", "target_value": "80",
        "value_per_unit": "100", "attribution": "0.5"})
    assert added.status_code == 201, added.json
    assert listed() == ["Second fix"]  # its new impact has no measurement yet

    text = ("metric,journey_id,period_start,period_end,value\n"
            f"csat,{journey_id},2026-07-01,2026-07-31,75\n")
    imported = api.post("/api/measurements/import", data={"file": (io.BytesIO(text.encode()), "m.csv")},
                        content_type="multipart/form-data")
    assert imported.status_code == 200, imported.json
    assert listed() == []


def test_a_kept_report_shows_every_change_at_the_next_view(page_as, login_as, app):
    """The page's figures are kept per process while the portfolio's data (initiatives, cash flows,
    baselines, departments, journeys) is unchanged: a second view reads fewer statements than the
    first, and a new cash flow or a department renamed shows at the next view, equal to the API."""
    from cxgov import data_versions
    from tests.queries import count_statements

    world = portfolio(app)
    page, api = page_as("executive"), login_as("cx_leader")
    assert "1,574.46" in page.get("/reports/roi").get_data(as_text=True)
    kept = count_statements(app, lambda: page.get("/reports/roi"))
    with app.app_context():
        data_versions.bump("portfolio")
        db.session.commit()
    assert count_statements(app, lambda: page.get("/reports/roi")) > kept

    added = api.post(f"/api/initiatives/{world['ids'][0]}/cash-flows",
                     json={"kind": "cost", "category": "licences", "year": 0, "amount": "100"})
    assert added.status_code == 201, added.json
    html = page.get("/reports/roi").get_data(as_text=True)
    assert api.get("/api/reports/roi?portfolio=funded").json["totals"]["pv_costs"] == "1674.46"
    assert "1,674.46" in html and "1,574.46" not in html
    with app.app_context():
        db.session.get(factories.Department, world["sales"]).name = "Sales and growth"
        db.session.commit()
    html = page.get("/reports/roi").get_data(as_text=True)
    assert "Sales and growth" in html.split("By department", 1)[1].split("By journey", 1)[0]


def test_the_page_lists_the_oldest_unmeasured_and_shows_all_on_asking(page_as, app, monkeypatch):
    from cxgov.roi import services

    monkeypatch.setattr(services, "BY_INITIATIVE", 1)
    with app.app_context():
        journey = factories.create_journey()
        for title, day in (("Older fix", date(2026, 2, 1)), ("Newer fix", date(2026, 3, 1))):
            factories.add_impact(factories.create_initiative(title=title, journey=journey, status="delivered",
                                                             delivered_on=day))
    page = page_as("executive")
    section = page.get("/reports/roi").get_data(as_text=True).split('id="unmeasured"', 1)[1]
    assert "Older fix" in section and "Newer fix" not in section
    assert "The 1 delivered longest ago of 2." in section
    link = re.search(r'href="([^"]*unmeasured=all[^"]*)"', section).group(1).replace("&amp;", "&")
    section = page.get(link).get_data(as_text=True).split('id="unmeasured"', 1)[1]
    assert "Older fix" in section and "Newer fix" in section and "Show all" not in section


def test_the_page_costs_a_constant_number_of_queries(page_as, app):
    from tests.queries import count_statements

    page = page_as("executive")
    make_initiatives(app, 2)
    few = count_statements(app, lambda: page.get("/reports/roi"))
    make_initiatives(app, 28)
    many = count_statements(app, lambda: page.get("/reports/roi"))
    assert few == many


def pdf_objects(pdf):
    """The PDF's text with its compressed (object) streams inflated, to read its structure."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            pass
    return b"\n".join(parts)


def page_count(pdf):
    return len(re.findall(rb"/Type\s*/Page\b", pdf_objects(pdf)))


def test_the_pdf_is_one_a4_page(page_as, app):
    portfolio(app)
    make_initiatives(app, 12)
    response = page_as("executive").get("/reports/roi.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 1
    # A4 is 595 × 842 points.
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf_objects(pdf))
    assert box and round(float(box.group(1))) == 595 and round(float(box.group(2))) == 842


def test_the_pdf_for_an_empty_portfolio(page_as):
    pdf = page_as("cx_leader").get("/reports/roi.pdf").get_data()
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 1


def test_the_form_sends_empty_filters_for_all(page_as, app):
    portfolio(app)
    response = page_as("executive").get("/reports/roi?basis=planned&discount_rate=0.1&department_id=&journey_id=")
    assert response.status_code == 200
    assert "Chat support" in response.get_data(as_text=True)


def test_the_page_shows_the_funded_portfolio_unless_asked_for_all(page_as, app):
    with app.app_context():
        for title, status in (("Funded kiosk", "in_progress"), ("Mere proposal", "proposed"),
                              ("Turned-down hotline", "rejected")):
            initiative = factories.create_initiative(title=title, status=status)
            factories.add_cash_flow(initiative, "cost", 0, "1000")
    page = page_as("executive")
    html = page.get("/reports/roi").get_data(as_text=True)
    assert "Funded kiosk" in html
    assert "Mere proposal" not in html and "Turned-down hotline" not in html
    html = page.get("/reports/roi?portfolio=all").get_data(as_text=True)
    assert "Mere proposal" in html and "Turned-down hotline" in html


def test_the_api_counts_everything_unless_asked_for_the_funded_portfolio(login_as, app):
    api = login_as("executive")
    with app.app_context():
        for status in ("approved", "proposed", "rejected", "closed"):
            factories.add_cash_flow(factories.create_initiative(status=status), "cost", 0, "100")
    assert len(api.get("/api/reports/roi").json["initiatives"]) == 4
    funded = api.get("/api/reports/roi?portfolio=funded").json
    assert sorted(row["status"] for row in funded["initiatives"]) == ["approved", "closed"]
    assert funded["totals"]["pv_costs"] == "200.00"


def test_a_large_portfolio_lists_its_largest_investments_and_offers_every_initiative_as_csv(page_as, login_as, app):
    make_initiatives(app, 55)
    with app.app_context():
        big = factories.create_initiative(title="The biggest bet")
        factories.add_cash_flow(big, "cost", 0, "900000")
        db.session.commit()
    page = page_as("executive")
    html = page.get("/reports/roi?portfolio=all").get_data(as_text=True)
    table = html[html.index("By initiative"):]
    table = table[:table.index("</table>")]
    assert "the 50 largest investments of 56" in table
    assert table.count("<tr><td><a href=") == 50
    assert table.index("The biggest bet") < table.index("Initiative ")  # largest first
    assert 'href="/reports/roi.csv?portfolio=all"' in html
    csv_text = page.get("/reports/roi.csv?portfolio=all")
    assert csv_text.status_code == 200 and csv_text.mimetype == "text/csv"
    # The same rows as the API's CSV: all 56 initiatives, not only the 50 on the page.
    assert csv_text.get_data(as_text=True) == login_as("admin").get("/api/reports/roi.csv?portfolio=all").get_data(
        as_text=True
    )
    assert len(csv_text.get_data(as_text=True).strip().splitlines()) == 57


def test_the_csv_follows_the_page_permissions(page_as, client, app):
    make_initiatives(app, 3)
    assert client.get("/reports/roi.csv").status_code == 302
    member = page_as("member")
    assert member.get("/reports/roi.csv").get_data(as_text=True).strip().splitlines()[1:] == []


# -- what the figures say they are ----------------------------------------------------------------

def headline(html):
    return html[html.index('class="kpis roi-headline"'):html.index("</section>", html.index("roi-headline"))]


def test_the_headline_is_in_thousands_and_says_its_basis(page_as, login_as, app):
    portfolio(app)
    planned = login_as("executive").get("/api/reports/roi?portfolio=funded").json["totals"]
    assert planned["pv_costs"] == "1574.46"
    page = page_as("executive")
    tiles = headline(page.get("/reports/roi").get_data(as_text=True))
    assert "€1.57K" in tiles  # 1,574.46, not "0.16K"
    assert "Invested (PV costs), planned (business case)" in tiles
    # Actuals cover the years recorded so far: 0 and 1 (Plain bills) and 3 (Chat support).
    html = page.get("/reports/roi?basis=actual").get_data(as_text=True)
    assert "NPV, actual to date, years 0, 1, 3" in headline(html)
    assert "Actual cash flows recorded to date (years 0, 1, 3)" in html


def test_the_discount_rate_is_typed_and_shown_as_a_percentage(page_as, login_as, app):
    portfolio(app)
    page = page_as("executive")
    html = page.get("/reports/roi?basis=actual&discount_percent=0").get_data(as_text=True)
    assert 'name="discount_percent" inputmode="decimal" value="0"' in html
    assert "900.00" in html and "1,012.34" in html  # undiscounted
    html = page.get("/reports/roi?discount_percent=8").get_data(as_text=True)
    assert 'value="8"' in html and "discounted at 8.0% a year" in html
    api = login_as("executive").get("/api/reports/roi?portfolio=funded&discount_rate=0.08").json
    assert f"{Decimal(api['totals']['pv_benefits']):,}" in html
    assert 'value="10"' in page.get("/reports/roi").get_data(as_text=True)  # the default, 0.10
    for wrong in ("150", "-1", "ten"):
        assert page.get(f"/reports/roi?discount_percent={wrong}").status_code == 422
    assert page.get("/reports/roi.pdf?discount_percent=8").status_code == 200


def test_an_empty_report_does_not_claim_everything_is_measured(page_as, app):
    html = page_as("executive").get("/reports/roi").get_data(as_text=True)
    section = html.split("Delivered, not yet measured", 1)[1]
    assert "No initiative in this report has been delivered yet" in section
    assert "every delivered initiative" not in html
    assert "0.0 months" not in headline(html) and "no cash flows" in headline(html)
    with app.app_context():
        factories.create_initiative(title="Shipped", status="delivered", delivered_on=date(2026, 3, 1))
    section = page_as("executive").get("/reports/roi").get_data(as_text=True).split("Delivered, not yet measured", 1)[1]
    assert "None of the 1 delivered initiative in this report has a KPI impact still waiting" in section


def test_the_initiative_page_names_the_decision_and_has_no_payback_without_cash_flows(page_as, app):
    from cxgov.initiatives.models import Transition

    with app.app_context():
        initiative = factories.create_initiative(title="Nothing costed", status="approved")
        meeting = factories.create_meeting(title="March steering")
        decision = factories.create_decision(meeting=meeting, initiative=initiative, text="Go ahead with the pilot")
        db.session.add(Transition(initiative_id=initiative.id, from_status="proposed", to_status="approved",
                                  decision_id=decision.id, effective_on=date(2026, 12, 1)))
        db.session.commit()
        ident, decision_id = initiative.id, decision.id
    html = page_as("cx_leader").get(f"/initiatives/{ident}").get_data(as_text=True)
    assert "No business case yet: no planned cash flows." in html and "No actual cash flows recorded yet." in html
    assert "0.0 months" not in html
    history = html[html.index("<h2>History</h2>"):]
    assert "Go ahead with the pilot" in history and "March steering, 1 Dec 2026" in history
    assert f"#{decision_id}<" not in history and "1 Dec 2026" in history and "Approved" in history


def test_an_unchanged_pdf_is_laid_out_once(page_as, login_as, app, monkeypatch):
    """The same document is laid out once per process: a second reader gets the same bytes without
    WeasyPrint; a changed figure is a new document, laid out anew."""
    from cxgov import pdf

    pdf.laid_out.clear()
    written = []
    write = pdf._write_pdf
    monkeypatch.setattr(pdf, "_write_pdf", lambda *args: written.append(args) or write(*args))
    world = portfolio(app)
    page = page_as("executive")
    first = page.get("/reports/roi.pdf").get_data()
    assert page.get("/reports/roi.pdf").get_data() == first and len(written) == 1
    added = login_as("cx_leader").post(f"/api/initiatives/{world['ids'][0]}/cash-flows",
                                       json={"kind": "cost", "category": "licences", "year": 0, "amount": "100"})
    assert added.status_code == 201
    assert page.get("/reports/roi.pdf").get_data() != first and len(written) == 2


def test_a_kept_pdf_follows_the_measurements_and_each_reader_s_language(page_as, app):
    """The board's PDF is kept per process like its report: a measurement recorded since the last
    view takes its initiative off the unmeasured list at the next one, and a reader in another
    language of the same portfolio gets the PDF in theirs."""
    from tests.test_figures_match_api import pdf_text

    with app.app_context():
        journey = factories.create_journey(name="Claims")
        fix = factories.create_initiative(title="Unmeasured fix", journey=journey, status="delivered",
                                          delivered_on=date(2026, 3, 1))
        factories.add_impact(fix)
        journey_id = journey.id
    english, portuguese = page_as("executive"), page_as("executive", language="pt_PT")
    first = english.get("/reports/roi.pdf").get_data()
    assert "Unmeasured fix" in pdf_text(first) and english.get("/reports/roi.pdf").get_data() == first
    assert "Por departamento" in pdf_text(portuguese.get("/reports/roi.pdf").get_data())
    with app.app_context():
        factories.create_measurement(journey=db.session.get(factories.Journey, journey_id),
                                     period_start=date(2026, 4, 1))
    assert "Unmeasured fix" not in pdf_text(english.get("/reports/roi.pdf").get_data())
    assert "By department" in pdf_text(english.get("/reports/roi.pdf").get_data())


class _CardCells(HTMLParser):
    """The cells of `table.cards` rows (each shown as a card on a phone) other than a row's first:
    (text, its data-label or None)."""

    def __init__(self):
        super().__init__()
        self.depth, self.cell, self.in_row, self.cells = 0, None, 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self.depth += 1 if "cards" in (attrs.get("class") or "").split() or self.depth else 0
        elif self.depth and tag == "tr":
            self.in_row = 0
        elif self.depth and tag in ("td", "th"):
            self.in_row += 1
            if self.in_row > 1 and tag == "td" and attrs.get("colspan") is None:
                self.cell = [attrs.get("data-label"), ""]

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif tag == "td" and self.cell is not None:
            self.cells.append((self.cell[1].strip(), self.cell[0]))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[1] += data


def test_on_a_phone_every_figure_of_the_report_is_labelled(page_as, app):
    """At 390 px each row of the report's tables is a card: every figure but the row's name says
    what it is (its data-label), the NPV of the groups and of the top initiatives included."""
    portfolio(app)
    cells = _CardCells()
    cells.feed(page_as("executive").get("/reports/roi").get_data(as_text=True))
    assert len(cells.cells) > 20
    assert [text for text, label in cells.cells if not label] == []
    assert ("NPV" in {label for _, label in cells.cells})
