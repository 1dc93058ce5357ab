"""Bounded views (SPEC §10): the journey report and the journey page carry at most
`CXGOV_REPORT_MAX_POINTS` periods per series and one line for the older ones, so their size and
their queries do not grow with the measurements; the page's charts are drawn once per set of data
and drawn again when a measurement is added."""
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert

from cxgov import charts
from cxgov.extensions import db
from cxgov.journeys.models import Journey, Measurement
from tests import factories
from tests.queries import count_statements

LATEST = date(2026, 6, 1)


def bulk_journey(name, owner, per_series):
    """A journey with a stage and a touchpoint, and `per_series` daily periods back from LATEST in
    each of four series: journey-level NPS and CSAT, the stage's NPS, the touchpoint's NPS (not in
    the report). Values cycle 10, 20, 30, 40, so the most recent periods are the same whatever the
    length, and the mean of the older ones is 25 when their number is a multiple of 4."""
    journey = factories.create_journey(owner=owner, name=name)
    stage = factories.create_stage(journey, name="Stage one", phase="post_sale")
    touchpoint = factories.create_touchpoint(stage, name="Branch", channel="store")
    nps, csat = factories.metric("nps").id, factories.metric("csat").id
    rows = []
    for metric_id, stage_id, touchpoint_id in ((nps, None, None), (csat, None, None), (nps, stage.id, None),
                                               (nps, stage.id, touchpoint.id)):
        for back in range(per_series):
            start = LATEST - timedelta(days=back)
            rows.append({"journey_id": journey.id, "metric_id": metric_id, "stage_id": stage_id,
                         "touchpoint_id": touchpoint_id, "period_start": start, "period_end": start,
                         "value": Decimal(10 + back % 4 * 10), "sample_size": 100, "source": "import"})
    db.session.execute(insert(Measurement), rows)
    db.session.commit()
    return journey.id


@pytest.fixture
def small_and_large(app):
    """Two journeys alike but for their length: 2,000 and 20,000 measurements."""
    with app.app_context():
        owner = factories.create_user(name="Olga Owner")
        return bulk_journey("Journey A", owner, 500), bulk_journey("Journey B", owner, 5000)


def test_the_report_and_the_page_keep_their_size_and_queries_from_2000_to_20000_measurements(
        app, small_and_large, login_as, page_as):
    api, page = login_as("member"), page_as("member")
    sizes, queries = {}, {}
    for journey_id in small_and_large:
        report = f"/api/reports/journeys/{journey_id}"
        queries[journey_id] = (count_statements(app, lambda path=report: api.get(path)),
                               count_statements(app, lambda journey_id=journey_id: page.get(f"/journeys/{journey_id}")))
        sizes[journey_id] = (len(api.get(report).data), len(page.get(f"/journeys/{journey_id}").data))
    small, large = small_and_large
    assert queries[small] == queries[large]
    # The same 120 most recent periods; only the summary's count differs ("380" against "4,880").
    for small_size, large_size in zip(sizes[small], sizes[large], strict=True):
        assert 0 <= large_size - small_size <= 16, sizes

    report = api.get(f"/api/reports/journeys/{large}").json
    nps = next(m for m in report["metrics"] if m["metric"]["code"] == "nps")
    assert len(nps["series"]) == 120 and nps["omitted"] == 4880
    assert nps["series"][-1]["period_start"] == LATEST.isoformat()
    assert nps["earlier"] == {"periods": 4880, "first_period_start": (LATEST - timedelta(days=4999)).isoformat(),
                              "last_period_end": (LATEST - timedelta(days=120)).isoformat(), "mean": 25.0}
    stage_nps = report["stages"][0]["metrics"][0]
    assert len(stage_nps["series"]) == 120 and stage_nps["earlier"]["periods"] == 4880

    html = page.get(f"/journeys/{large}").get_data(as_text=True)
    assert "4,880 earlier periods summarised" in html and "mean 25.00" in html
    assert html.count("earlier periods summarised") == 3  # NPS and CSAT charts, the stage's NPS


def test_a_short_series_has_no_summary(app, small_and_large, login_as, page_as):
    app.config["CXGOV_REPORT_MAX_POINTS"] = 500
    small, _ = small_and_large
    report = login_as("member").get(f"/api/reports/journeys/{small}").json
    assert [(m["omitted"], m["earlier"]) for m in report["metrics"]] == [(0, None), (0, None)]
    assert "earlier period" not in page_as("member").get(f"/journeys/{small}").get_data(as_text=True)


def chart_of(page, html, metric_name):
    """The SVG picture (fetched from the page's image of it) and the table of numbers of the chart
    named `metric_name`."""
    figure = re.search(r'<figure class="chart-figure"><img src="([^"]+)".*?</figure>', html[html.index(
        f"<h3>{metric_name}"):], re.S)
    response = page.get(figure.group(1))
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    return response.get_data(as_text=True), figure.group(0)


def test_a_chart_is_drawn_once_and_again_when_a_measurement_is_added(app, page_as):
    with app.app_context():
        journey = factories.create_journey(name="Motor claim")
        for month, value in [(1, 12), (2, 15), (4, 25)]:
            factories.create_measurement(journey, period_start=date(2026, month, 1), value=Decimal(value))
        db.session.commit()
        journey_id = journey.id
    page = page_as("member")
    charts.chart_cache.clear()
    first = page.get(f"/journeys/{journey_id}").get_data(as_text=True)
    assert charts.chart_cache.misses == 0  # the page shows an image of the chart: nothing drawn
    svg, numbers = chart_of(page, first, "Net Promoter Score")
    assert charts.chart_cache.misses == 1
    again = page.get(f"/journeys/{journey_id}").get_data(as_text=True)
    assert chart_of(page, again, "Net Promoter Score") == (svg, numbers)  # the same image and table
    assert (charts.chart_cache.hits, charts.chart_cache.misses) == (1, 1)
    assert "2026-05-01" not in numbers

    with app.app_context():
        factories.create_measurement(db.session.get(Journey, journey_id), period_start=date(2026, 5, 1),
                                     value=Decimal("31.5"))
        db.session.commit()
    after = page.get(f"/journeys/{journey_id}").get_data(as_text=True)
    new_svg, new_numbers = chart_of(page, after, "Net Promoter Score")
    assert charts.chart_cache.misses == 2  # drawn anew with the new point
    assert new_svg != svg
    assert re.search(r">1 May 2026</th><td[^>]*>31.5000<", new_numbers)
