"""The benefits realisation on the ROI page, its CSV, and the executive's home (SPEC §8.6)."""
import csv
import io

from tests import factories
from tests.queries import count_statements
from tests.roi.test_benefits_api import make_initiatives, portfolio


def section(html, marker='id="benefits"'):
    """The benefits section of a page."""
    return html.split(marker, 1)[1].split("</section>", 1)[0]


def test_the_roi_page_shows_the_totals_and_the_initiatives_below_70_percent(page_as, app):
    portfolio(app)
    html = page_as("executive").get("/reports/roi").get_data(as_text=True)
    part = section(html)
    assert "Benefits realisation" in html
    # Headline money in three significant digits, as the ROI headline: 3 800 → "€3.8K" (Babel drops trailing zeros).
    assert 'id="benefits-planned">€3.8K<' in part
    assert 'id="benefits-actual">€2.81K<' in part
    assert 'id="benefits-realisation">74%<' in part  # 2 810 / 3 800
    assert 'id="benefits-measured">€1K<' in part
    below = part.split('id="benefits-below"', 1)[1]
    assert "Chat support" in below and "1,800.00" in below and "810.00" in below and "45%" in below
    assert "Plain bills" not in below and "Later" not in below  # at plan; nothing planned yet
    assert "Below 70% of plan" in part
    assert "/reports/benefits.csv?" in part


def test_an_honest_empty_state(page_as, app):
    with app.app_context():
        factories.create_initiative(title="Only a proposal")
    part = section(page_as("executive").get("/reports/roi").get_data(as_text=True))
    assert "No initiative in this report has an approved baseline yet" in part
    assert "benefits-realisation" not in part


def test_nothing_planned_yet_and_nobody_behind(page_as, app):
    world = portfolio(app)
    page = page_as("executive")
    part = section(page.get(f"/reports/roi?department_id={world['service']}&journey_id={world['onboarding']}")
                   .get_data(as_text=True))
    assert 'id="benefits-realisation">—<' in part
    assert "Nothing is planned to date yet: the 1 initiative with a baseline has not started" in part
    part = section(page.get(f"/reports/roi?journey_id={world['billing']}").get_data(as_text=True))
    assert "None of the 2 initiatives with a baseline is below 70% of the benefits planned to date." in part


def test_members_see_their_own_initiatives_only(page_as, app):
    member = page_as("member")
    portfolio(app, owner_id=member.user_id)
    part = section(member.get("/reports/roi").get_data(as_text=True))
    assert "Chat support" in part and 'id="benefits-realisation">45%<' in part
    rows = list(csv.DictReader(io.StringIO(member.get("/reports/benefits.csv").get_data(as_text=True))))
    assert [row["title"] for row in rows] == ["Chat support"]


def test_the_page_csv_follows_the_page_filters(page_as, app):
    world = portfolio(app)
    page = page_as("cx_leader")
    response = page.get(f"/reports/benefits.csv?basis=actual&discount_percent=8&department_id={world['sales']}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="benefits.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(row["title"], row["planned_to_date"], row["actual_to_date"], row["realisation"]) for row in rows] == [
        ("Chat support", "1800.00", "810.00", "0.4500"), ("No start", "0.00", "0.00", "")]


def test_the_page_costs_a_constant_number_of_queries(page_as, app):
    page = page_as("executive")
    make_initiatives(app, 1)
    few = count_statements(app, lambda: page.get("/reports/roi"))
    make_initiatives(app, 29)
    many = count_statements(app, lambda: page.get("/reports/roi"))
    assert few == many
