"""Every money figure a person reads matches a figure the API computes for the same view.

Pages, the board PDF and the weekly digest mail are read as a person reads them (their text,
without markup, form controls and charts); every money figure in them, plain ("642,105.94") or
compact ("EUR 642.1 k", "1.24 M"), must be one the API returns for the same view, within the
figure's display rounding: a plain figure exactly, "642.1 k" to ±0.05 k, "1.24 M" to ±0.005 M.

Checked on the demo organisation and on generated portfolios with large amounts. A new page to
check is one line in `VIEWS`: its name, and a function of the `World` giving
(text shown, API figures of the same view) pairs.
"""
import csv
import html as html_lib
import io
import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from babel import Locale, numbers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from cxgov.db import utcnow
from cxgov.extensions import db
from cxgov.formatting import FORMAT_LOCALES
from cxgov.i18n import speaking_to
from cxgov.initiatives.gate import freeze_baseline
from cxgov.initiatives.models import Initiative
from cxgov.notifications import digest
from cxgov.notifications.services import render_bodies
from cxgov.org.models import User
from tests import factories
from tests.conftest import _restore_postgresql

# -- reading figures --------------------------------------------------------------------------------

MINUS = "-\u2212"
LANGUAGES = ("en", "pt_PT", "pt_BR", "ro")


@dataclass(frozen=True)
class Shown:
    text: str
    value: Decimal
    tolerance: Decimal


class Reader:
    """Finds the money figures of a text written in one language's conventions (Babel's CLDR data,
    as cxgov.formatting writes them): a compact figure ("642K", "64,2 mil", "1,24 mi",
    "12,4 mil.") and a plain one with exactly two decimals ("642,105.94", "642 105,94")."""

    def __init__(self, language="en"):
        locale = Locale.parse(FORMAT_LOCALES.get(language, language))
        group, decimal = numbers.get_group_symbol(locale), numbers.get_decimal_symbol(locale)
        self.group, self.decimal = group, decimal
        # A no-break space groups digits (pt_PT): the texts read keep it apart from other spaces.
        group_re = "[\u00a0\u202f]" if group.isspace() else re.escape(group)
        digits = rf"\d{{1,3}}(?:{group_re}\d{{3}})*"
        self.units = {}
        for table in (locale.compact_decimal_formats["short"], locale.compact_currency_formats["short"]):
            for forms in table.values():
                for size, pattern in forms.items():
                    unit = pattern.pattern.replace("'", "").replace("0", "").replace("¤", "").strip("\u00a0 ")
                    if unit and size in ("1000", "1000000", "1000000000"):
                        self.units[unit] = Decimal(size)
        alternatives = "|".join(re.escape(u) for u in sorted(self.units, key=len, reverse=True))
        # The sign may stand before the currency ("-€ 69.043,82" in Brazil).
        symbol = re.escape(numbers.get_currency_symbol("EUR", locale))
        sign = rf"([{MINUS}]?)(?:{symbol}[\s\u00a0]?)?"
        self.compact = re.compile(
            rf"(?<![\w.,]){sign}({digits}(?:{re.escape(decimal)}\d+)?)[\s\u00a0]?({alternatives})(?![\w])")
        self.plain = re.compile(
            rf"(?<![\w.,]){sign}({digits}{re.escape(decimal)}\d{{2}})(?![\d%]|\s?%)")

    def number(self, digits):
        for space in (" ", "\u00a0", "\u202f"):
            digits = digits.replace(space, "")
        return Decimal(digits.replace(self.group, "").replace(self.decimal, "."))

    def figures(self, text):
        """Every money figure in `text` with the tolerance its display rounding allows."""
        found = []
        for match in self.compact.finditer(text):
            sign, digits, unit = match.groups()
            number = self.number(digits)
            places = -number.as_tuple().exponent
            size = self.units[unit]
            value = number * size * (-1 if sign else 1)
            found.append(Shown(match.group(0), value, Decimal(5) * size / Decimal(10) ** (places + 1)))
        text = self.compact.sub(" ", text)
        for match in self.plain.finditer(text):
            sign, digits = match.groups()
            found.append(Shown(match.group(0), self.number(digits) * (-1 if sign else 1), Decimal(0)))
        return found


READERS = {language: Reader(language) for language in LANGUAGES}


def figures_in(text, language="en"):
    return READERS[language].figures(text)


def api_figures(answer):
    """Every money figure of an API answer: the strings with two places, anywhere in it."""
    if isinstance(answer, dict):
        return {figure for value in answer.values() for figure in api_figures(value)}
    if isinstance(answer, list):
        return {figure for value in answer for figure in api_figures(value)}
    if isinstance(answer, str) and re.fullmatch(r"-?\d+\.\d{2}", answer):
        return {Decimal(answer)}
    return set()


HIDDEN = re.compile(r"<(form|script|style|svg|select|head)\b.*?</\1>", re.S | re.I)


# Runs of spaces collapse to one; a no-break space stays (it groups digits in some languages).
SPACES = r"[ \t\r\n\f\v]+"


def page_text(html):
    """What a person reads on a page: the text, without markup, forms and charts."""
    text = re.sub(r"<[^>]+>", " ", HIDDEN.sub(" ", html))
    return re.sub(SPACES, " ", html_lib.unescape(text))


def pdf_text(data):
    return re.sub(SPACES, " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def mismatches(text, figures, language="en"):
    """The figures shown in `text` that are none of `figures` (within their rounding)."""
    return [shown.text for shown in figures_in(text, language)
            if not any(abs(shown.value - figure) <= shown.tolerance for figure in figures)]


# -- the views --------------------------------------------------------------------------------------

REPORT_QUERIES = [f"basis={basis}&group_by={group_by}" for basis in ("planned", "actual")
                  for group_by in ("department", "journey", "status", "category")] + ["basis=baseline&group_by=journey"]


@dataclass
class World:
    """A signed-in CX leader's page client and API client on one organisation, and an
    executive's page client (the home page shows them the portfolio)."""
    page: object
    api: object
    app: object
    executive: object
    # The report views to read: every basis and grouping; the PDF (slow to render) fewer.
    queries: list = field(default_factory=lambda: list(REPORT_QUERIES))
    pdf_queries: list = field(default_factory=lambda: REPORT_QUERIES[::4])
    seen: dict = field(default_factory=dict)
    # The language the signed-in people read the pages, PDFs and mails in (the API stays English).
    language: str = "en"
    # Meetings whose pack PDF is read (None: all).
    pack_meetings: int | None = None
    # Pages read for more than one view (the ROI report for its figures and its benefits section,
    # the home page for the portfolio and the headline): fetched once, read for each view.
    pages: dict = field(default_factory=dict)

    def get(self, client, url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    def page_html(self, url, page=None):
        page = page or self.page
        key = (id(page), url)
        if key not in self.pages:
            self.pages[key] = self.get(page, url).get_data(as_text=True)
        return self.pages[key]

    def html(self, url, page=None):
        return page_text(self.page_html(url, page))

    def pdf(self, url):
        return pdf_text(self.get(self.page, url).data)

    def json(self, url):
        if url not in self.seen:
            self.seen[url] = self.get(self.api, url).json
        return self.seen[url]

    def report_figures(self, query):
        """The report page shows both bases and every grouping of the same filters, and the
        benefits realisation of the same initiatives; the page shows the funded portfolio unless
        asked for all."""
        filters = page_filters(query)
        return set().union(*(api_figures(self.json(f"/api/reports/roi?basis={basis}&group_by={group_by}&{filters}"))
                             for basis in ("planned", "actual", "baseline")
                             for group_by in ("department", "journey", "status", "category")),
                           self.benefits_figures(query))

    def benefits(self, query):
        """The benefits report (SPEC §8.6) of the page view `query` (no basis, no discount rate)."""
        return self.json(f"/api/reports/benefits?{page_filters(query)}")

    def benefits_figures(self, query):
        return api_figures(self.benefits(query))

    def initiative_figures(self, initiative_id):
        return (api_figures(self.json(f"/api/initiatives/{initiative_id}/roi?basis=planned"))
                | api_figures(self.json(f"/api/initiatives/{initiative_id}/roi?basis=actual"))
                | api_figures(self.json(f"/api/initiatives/{initiative_id}/roi?basis=baseline"))
                | api_figures(self.json(f"/api/initiatives/{initiative_id}/cash-flows?page_size=200"))
                | self.impact_figures(initiative_id)
                | self.review_figures(initiative_id))

    def impact_figures(self, initiative_id):
        """The measurement plan: each impact's annual value (money), and its KPI values (numbers
        in the API; "92.33" reads like money)."""
        impacts = _items(self.json(f"/api/initiatives/{initiative_id}/impacts?page_size=200"))
        kpis = {Decimal(str(impact[name])) for impact in impacts
                for name in ("baseline_value", "target_value", "actual_value") if impact[name] is not None}
        return api_figures(impacts) | kpis

    def review_figures(self, initiative_id):
        """The reviews' snapshots: money, and the KPI values measured then (numbers in the API)."""
        reviews = _items(self.json(f"/api/initiatives/{initiative_id}/reviews?page_size=200"))
        measured = {Decimal(str(impact["actual_value"])) for review in reviews
                    for impact in (review["snapshot"] or {}).get("impacts", []) if impact["actual_value"] is not None}
        return api_figures(reviews) | measured

    def meeting_figures(self, meeting_id):
        items = _items(self.json(f"/api/meetings/{meeting_id}/agenda-items?page_size=200"))
        decisions = _items(self.json(f"/api/meetings/{meeting_id}/decisions?page_size=200"))
        ids = {row["initiative_id"] for row in items + decisions if row.get("initiative_id")}
        # An agenda item's own words (a standing item says how a KPI moved) are the API's too.
        said = {shown.value for row in items for shown in figures_in(f"{row['title']} {row.get('notes') or ''}")}
        return said.union(*(api_figures(self.json(f"/api/initiatives/{i}/roi?basis=planned")) for i in ids))

    def pack_figures(self, meeting_id):
        """The pack's money is `/roi`'s of the initiatives on the agenda; its KPI values are numbers."""
        answer = self.json(f"/api/meetings/{meeting_id}/pack")
        impacts = [x for entry in answer["initiatives"] + answer["reviews_due"] for x in entry["impacts"] or []]
        kpis = {Decimal(str(x[name])) for x in impacts
                for name in ("baseline_value", "target_value", "actual_value") if x[name] is not None}
        return kpis.union(*(api_figures(self.json(f"/api/initiatives/{entry['initiative']['id']}/roi"))
                            for entry in answer["initiatives"]))

    def trace_figures(self, decision_id):
        """The trace's money, and its KPI values (numbers in the API; "92.33" reads like money)."""
        trace = self.json(f"/api/decisions/{decision_id}/trace")
        kpis = {Decimal(str(impact[name])) for impact in trace["impacts"]
                for name in ("baseline_value", "target_value", "actual_value") if impact[name] is not None}
        return api_figures(trace) | kpis

    def ids(self, model):
        with self.app.app_context():
            return db.session.scalars(db.select(model.id).order_by(model.id)).all()

    def digest_texts(self):
        with self.app.app_context():
            user = db.session.get(User, self.page.user_id)
            with speaking_to(user):
                context = {**digest.weekly_context(utcnow()), "user": user}
                text, html = render_bodies("weekly_digest", context)
        return [text, page_text(html)]


def page_filters(query):
    """The filters of a report page's query: without basis and grouping, funded unless asked for all."""
    filters = "&".join(part for part in query.split("&") if not part.startswith(("basis=", "group_by=")))
    if "portfolio=" not in filters:
        filters = "&".join(filter(None, [filters, "portfolio=funded"]))
    return filters


def _items(answer):
    return answer["items"] if isinstance(answer, dict) else answer


def _meeting_ids(world):
    from cxgov.steering.models import Meeting
    return world.ids(Meeting)


def _decision_ids(world):
    from cxgov.steering.models import Decision
    return world.ids(Decision)


# One line per view: its name, and (text shown, API figures of the same view) pairs.
VIEWS = {
    "ROI report page": lambda w: [(w.html(f"/reports/roi?{q}"), w.report_figures(q)) for q in w.queries],
    "ROI report page, all initiatives": lambda w: [
        (w.html(f"/reports/roi?portfolio=all&{q}"), w.report_figures(f"portfolio=all&{q}")) for q in w.pdf_queries
    ],
    "ROI board PDF": lambda w: [(w.pdf(f"/reports/roi.pdf?{q}"), w.report_figures(q)) for q in w.pdf_queries],
    "initiative page": lambda w: [(w.html(f"/initiatives/{i}"), w.initiative_figures(i)) for i in w.ids(Initiative)],
    "meeting page": lambda w: [(w.html(f"/meetings/{m}"), w.meeting_figures(m)) for m in _meeting_ids(w)],
    "meeting pre-read pack PDF": lambda w: [(w.pdf(f"/meetings/{m}/pack.pdf"), w.pack_figures(m))
                                            for m in _meeting_ids(w)[:w.pack_meetings]],
    "decision trace page": lambda w: [(w.html(f"/decisions/{d}"), w.trace_figures(d)) for d in _decision_ids(w)],
    "home page, the executive's portfolio": lambda w: [(w.html("/", w.executive), w.report_figures("basis=planned"))],
    "weekly digest mail": lambda w: [
        (text, w.report_figures("basis=actual&portfolio=all")) for text in w.digest_texts()
    ],
}


def benefits_section(html):
    """The text of the ROI page's benefits realisation section."""
    return page_text(html.split('id="benefits"', 1)[1].split("</section>", 1)[0])


def home_headline(html):
    return page_text(html.split('id="home-benefits"', 1)[1].split("</p>", 1)[0])


# The benefits realisation (SPEC §8.6) where it is read: its money figures are the benefits
# report's own (not merely some figure of the ROI report), and its "Realised NN %" is the report's
# realisation for the same view.
BENEFITS_VIEWS = {
    "ROI report page, benefits realisation": lambda w: [
        (benefits_section(w.page_html(f"/reports/roi?{q}")), w.benefits(q))
        for q in w.queries + [f"portfolio=all&{q}" for q in w.pdf_queries]
    ],
    "home page, the executive's realisation headline": lambda w: [
        (home_headline(w.page_html("/", w.executive)), w.benefits("basis=planned"))
    ],
    # Its one line is found by its English words: read in English only.
    "weekly digest mail, benefits line": lambda w: [(digest_line(text), w.benefits("basis=actual"))
                                                    for text in w.digest_texts()] if w.language == "en" else [],
}
DIGEST_LINE = re.compile(r"Realised [^.]* below [\d,]+ ?%\.|Benefits realisation: nothing is planned[^.]*\.")


def digest_line(text):
    """The digest's one line on benefits (the rest of the mail is the ROI report's)."""
    lines = DIGEST_LINE.findall(text)
    assert len(lines) == 1, text
    return lines[0]


REALISED = re.compile(r"Realised (-?[\d,]+) ?%")


def realisation_mismatches(text, answer):
    """The "Realised NN %" of `text` against the API's totals (rounded to a whole percent), and
    the text must say it exactly when the API has a realisation."""
    shown = [Decimal(match.replace(",", "")) for match in REALISED.findall(text)]
    expected = answer["totals"]["realisation"]
    if expected is None:
        return [f"Realised {value} % (the API has none)" for value in shown]
    if not shown:
        return [f"no realisation shown (the API has {expected})"]
    return [f"Realised {value} % (the API has {expected})" for value in shown
            if abs(value - Decimal(str(expected)) * 100) > Decimal("0.505")]


def check_every_view(world):
    wrong = {}
    for name, pairs in VIEWS.items():
        for text, figures in pairs(world):
            bad = mismatches(text, figures, world.language)
            if bad:
                wrong.setdefault(name, []).extend(bad)
    for name, pairs in BENEFITS_VIEWS.items():
        for text, answer in pairs(world):
            bad = mismatches(text, api_figures(answer), world.language)
            if world.language == "en":  # "Realised NN %" is found by its English words
                bad += realisation_mismatches(text, answer)
            if bad:
                wrong.setdefault(name, []).extend(bad)
    assert not wrong, f"figures shown that the API does not compute: {wrong}"


def world_of(app, page_as, login_as, language="en", **views):
    return World(page=page_as("cx_leader", language=language), api=login_as("cx_leader"), app=app,
                 executive=page_as("executive", language=language), language=language, **views)


# -- the reader itself ------------------------------------------------------------------------------

def test_the_reader_finds_plain_and_compact_figures():
    shown = {s.text: (s.value, s.tolerance) for s in figures_in(
        "Invested €642.1K, NPV -1.24M, 2B; table 642,105.94 and -0.50; ROI 12.34%, 3.5 months, 30 Nov 2026")}
    assert shown == {
        "€642.1K": (Decimal("642100"), Decimal("50")),
        "-1.24M": (Decimal("-1240000"), Decimal("5000")),
        "2B": (Decimal("2000000000"), Decimal("500000000")),
        "642,105.94": (Decimal("642105.94"), Decimal(0)),
        "-0.50": (Decimal("-0.50"), Decimal(0)),
    }


@pytest.mark.parametrize("language, text, expected", [
    ("pt_PT", "Investido 642,1\u00a0mil €, VAL -1,24 M €; 642\u00a0105,94 e -0,50; anos 0–1 515,00; 30/11/2026",
     [Decimal("642100"), Decimal("-1240000"), Decimal("642105.94"), Decimal("-0.50"), Decimal("515.00")]),
    ("pt_BR", "Investido € 642,1 mil, VPL -€ 1,24 mi; -€ 69.043,82 e -0,50; 2 bi",
     [Decimal("642100"), Decimal("-1240000"), Decimal("2000000000"), Decimal("-69043.82"), Decimal("-0.50")]),
    ("ro", "Investit 642,1 mii EUR, VAN -1,24 mil. EUR, 12,4 K; 642.105,94 și -0,50; 30 nov. 2026",
     [Decimal("642100"), Decimal("-1240000"), Decimal("12400"), Decimal("642105.94"), Decimal("-0.50")]),
])
def test_the_reader_reads_each_language(language, text, expected):
    assert [shown.value for shown in figures_in(text, language)] == expected


def test_a_figure_ten_times_too_small_is_a_mismatch():
    assert mismatches("Invested 64.21K", {Decimal("642105.94")}) == ["64.21K"]
    assert mismatches("Invested 642.1K", {Decimal("642105.94")}) == []
    assert mismatches("NPV 124,056.41", {Decimal("124056.42")}) == ["124,056.41"]
    assert mismatches("VAL 64,21 mil €", {Decimal("642105.94")}, "pt_PT") == ["64,21 mil"]


# -- the demo organisation --------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_the_demo_organisation(app, demo_seeded, page_as, login_as, language):
    """Every view of the demo, read in each language (in the other languages one PDF of each kind:
    the PDFs are slow to render and their figures are formatted like the pages')."""
    views = {} if language == "en" else {"pdf_queries": REPORT_QUERIES[:1], "pack_meetings": 1}
    world = world_of(app, page_as, login_as, language=language, **views)
    check_every_view(world)
    for query in ("basis=planned", "basis=actual&portfolio=all"):
        check_the_csv(world, query)


def check_the_csv(world, query="basis=planned"):
    """The ROI CSV keeps machine numbers, one row an initiative: each of its figures is the API's
    figure for that initiative in the same view, to the cent; names stand beside their ids."""
    if "portfolio=" not in query:  # the page's default is the funded portfolio, the API's all
        query += "&portfolio=all"
    api = world.json(f"/api/reports/roi?{query}")
    expected = {str(row["id"]): row for row in api["initiatives"]}
    for path in (f"/reports/roi.csv?{query}", f"/api/reports/roi.csv?{query}"):
        client = world.page if path.startswith("/reports") else world.api
        rows = list(csv.DictReader(io.StringIO(client.get(path).get_data(as_text=True))))
        assert {row["id"] for row in rows} == set(expected), path
        for row in rows:
            want = expected[row["id"]]
            for name in ("pv_costs", "pv_benefits", "npv"):
                assert Decimal(row[name]) == Decimal(want[name]), (path, row["id"], name)
            assert row["department_id"] == str(want["department_id"] or "") and row["department"], (path, row)
            assert row["journey_id"] == str(want["journey_id"]) and row["journey"], (path, row)
    check_the_benefits_csv(world, query)


def check_the_benefits_csv(world, query):
    """The benefits CSV (the page's and the API's) has the API's initiatives, in its order, with
    its figures to the cent and its realisation to four places."""
    filters = page_filters(query)
    api = world.json(f"/api/reports/benefits?{filters}")
    for path, client in ((f"/reports/benefits.csv?{query}", world.page), (f"/api/reports/benefits.csv?{filters}",
                                                                          world.api)):
        rows = list(csv.DictReader(io.StringIO(world.get(client, path).get_data(as_text=True))))
        assert [row["id"] for row in rows] == [str(want["id"]) for want in api["initiatives"]], path
        for row, want in zip(rows, api["initiatives"], strict=True):
            for name in ("planned_to_date", "actual_to_date", "measured_annual_value"):
                assert row[name] == (want[name] or ""), (path, row["id"], name)
            assert (Decimal(row["realisation"]) if row["realisation"] else None) == (
                None if want["realisation"] is None else Decimal(str(want["realisation"]))), (path, row["id"])


# -- generated portfolios ---------------------------------------------------------------------------

AMOUNTS = st.one_of(
    st.decimals(min_value=1, max_value=9_999, places=2),
    st.decimals(min_value=10_000, max_value=999_999, places=2),
    st.decimals(min_value=1_000_000, max_value=50_000_000, places=2),
)
FLOWS = st.lists(st.tuples(st.sampled_from(["cost", "benefit"]), st.integers(0, 5), AMOUNTS,
                           st.sampled_from([Decimal("0"), Decimal("0.1"), Decimal("0.25"), Decimal("0.5")]),
                           st.sampled_from(["planned", "actual"])), max_size=8)
PORTFOLIOS = st.lists(st.tuples(st.sampled_from(["approved", "in_progress", "delivered", "proposed"]), FLOWS),
                      min_size=1, max_size=4)


def reset_database(database_template):
    """A fresh database for each generated portfolio (what the `database_url` fixture does)."""
    import shutil

    if database_template["kind"] == "sqlite":
        db.session.remove()
        db.engine.dispose()
        shutil.copyfile(database_template["template"], database_template["path"])
    else:
        db.session.remove()
        _restore_postgresql(database_template)


def build_portfolio(portfolio):
    committee = factories.create_committee()
    meeting = factories.create_meeting(committee=committee, starts_at=utcnow() - timedelta(days=2))
    for status, flows in portfolio:
        start_on = (utcnow() - timedelta(days=400)).date()
        initiative = factories.create_initiative(status=status, start_on=start_on)
        for kind, year, amount, risk, basis in flows:
            factories.add_cash_flow(initiative, kind=kind, year=year, amount=amount, risk_adjustment=risk, basis=basis)
        if status != "proposed":  # approved: its planned flows are its baseline (SPEC §8.2, §8.6)
            freeze_baseline(initiative, start_on)
        factories.add_agenda_item(meeting, initiative_id=initiative.id, title=f"Review {initiative.title}")
        factories.create_decision(meeting, initiative=initiative)  # for its trace page
    db.session.commit()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(portfolio=PORTFOLIOS, query=st.sampled_from(REPORT_QUERIES), language=st.sampled_from(LANGUAGES))
def test_generated_portfolios(app, database_template, page_as, login_as, portfolio, query, language):
    with app.app_context():
        reset_database(database_template)
        build_portfolio(portfolio)
    # Each portfolio on both bases, and on one drawn view in the PDF too.
    views = {"queries": sorted({query, REPORT_QUERIES[0], REPORT_QUERIES[4]}), "pdf_queries": [query]}
    world = world_of(app, page_as, login_as, language=language, **views)
    check_every_view(world)
    check_the_csv(world, query)


def test_the_home_targets_match_the_journeys_targets_api(app, page_as, login_as):
    """The CX leader's home lists targets off track or near with the latest value and status that
    GET /api/journeys/{id}/targets answers for them (the same `targets.with_status`)."""
    from datetime import date

    from cxgov.journeys import targets as journey_targets

    with app.app_context():
        for name, latest, target_values in [("Claims", "30", ["31", "45", "20"]), ("Renewals", "7.5", ["5"])]:
            journey = factories.create_journey(name=name)
            metric = "nps" if name == "Claims" else "churn_rate"
            factories.create_measurement(journey, metric_code=metric, value=Decimal(latest))
            for value in target_values:
                factories.create_target(journey, metric_code=metric, value=Decimal(value), due_on=date(2026, 12, 31))
        db.session.commit()
        listed = [(t.journey_id, t.id, t.latest_value, t.status) for t in journey_targets.needing_attention()]
    api = login_as("member")
    answered = {}
    for journey_id in {row[0] for row in listed}:
        for item in api.get(f"/api/journeys/{journey_id}/targets").json["items"]:
            answered[item["id"]] = (Decimal(str(item["latest_value"])), item["status"])
    assert [(target_id, status) for _, target_id, _, status in listed] == [
        (target_id, answered[target_id][1]) for _, target_id, _, _ in listed]
    assert all(latest == answered[target_id][0] for _, target_id, latest, _ in listed)
    assert [status for *_, status in listed] == ["off", "off", "near"]  # churn 7.5 for ≤ 5 is 50 % off
    page = page_as("cx_leader").get("/").get_data(as_text=True)
    section = page[page.index('id="home-targets"'):]
    section = section[:section.index("</article>")]
    shown = re.findall(r"(\d+(?:\.\d+)?) for [≥≤] (\d+(?:\.\d+)?)", html_lib.unescape(section))
    assert [(Decimal(a), Decimal(b)) for a, b in shown] == [
        (answered[target_id][0], value) for _, target_id, _, _ in listed
        for value in [_target_value(app, target_id)]]


def _target_value(app, target_id):
    from cxgov.journeys.models import Target

    with app.app_context():
        return db.session.get(Target, target_id).value
