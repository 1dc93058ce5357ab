"""A journey KPI chart as its own resource (`GET /journeys/<id>/charts/<metric_id>.svg?v=…`): the
page shows an image of it with the table of its numbers; the picture answers with an ETag (its
version), 304 to If-None-Match, and is kept by the browser only at its current version."""
import re
from datetime import date
from decimal import Decimal

import pytest

from cxgov import charts
from cxgov.extensions import db
from cxgov.journeys.models import Journey
from tests import factories

IMMUTABLE = "private, max-age=31536000, immutable"


@pytest.fixture
def journey(app):
    with app.app_context():
        journey = factories.create_journey(name="Motor claim")
        for month, value in [(1, 12), (2, 15), (4, 25)]:
            factories.create_measurement(journey, period_start=date(2026, month, 1), value=Decimal(value))
        initiative = factories.create_initiative(journey=journey, title="Claims callback", status="delivered",
                                                 delivered_on=date(2026, 3, 1))
        factories.add_impact(initiative, target_value=Decimal("30"))
        db.session.commit()
        return journey.id, factories.metric("nps").id


def image_of(html):
    """The address of the page's only KPI chart image."""
    (src,) = re.findall(r'<img src="(/journeys/\d+/charts/\d+\.svg\?v=[0-9a-f]+)"', html)
    return src


def test_the_page_shows_an_image_and_the_picture_is_its_own_resource(page_as, journey):
    journey_id, nps = journey
    page = page_as("member")
    html = page.get(f"/journeys/{journey_id}").get_data(as_text=True)
    assert "<svg" not in html
    src = image_of(html)
    assert src.startswith(f"/journeys/{journey_id}/charts/{nps}.svg?v=")
    response = page.get(src)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert response.headers["ETag"] == f'"{src.rsplit("=", 1)[1]}"'
    svg = response.get_data(as_text=True)
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title>Net Promoter Score</title>" in svg
    # The security headers stay; only the caching is this resource's own.
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in response.headers


def test_if_none_match_answers_304_without_drawing(page_as, journey):
    journey_id, _ = journey
    page = page_as("member")
    src = image_of(page.get(f"/journeys/{journey_id}").get_data(as_text=True))
    etag = page.get(src).headers["ETag"]
    charts.chart_cache.clear()
    response = page.get(src, headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.data == b""
    assert response.headers["ETag"] == etag and response.headers["Cache-Control"] == IMMUTABLE
    assert charts.chart_cache.misses == 0
    assert page.get(src, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_stale_or_missing_version_gets_the_current_picture_not_kept(page_as, journey):
    journey_id, nps = journey
    page = page_as("member")
    src = image_of(page.get(f"/journeys/{journey_id}").get_data(as_text=True))
    current = page.get(src)
    for stale in (f"/journeys/{journey_id}/charts/{nps}.svg?v=0123abcd", f"/journeys/{journey_id}/charts/{nps}.svg"):
        response = page.get(stale)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert response.headers["ETag"] == current.headers["ETag"] and response.data == current.data


def test_a_new_measurement_changes_the_version_and_the_picture(app, page_as, journey):
    journey_id, _ = journey
    page = page_as("member")
    src = image_of(page.get(f"/journeys/{journey_id}").get_data(as_text=True))
    before = page.get(src)
    with app.app_context():
        factories.create_measurement(db.session.get(Journey, journey_id), period_start=date(2026, 5, 1),
                                     value=Decimal("31.5"))
        db.session.commit()
    html = page.get(f"/journeys/{journey_id}").get_data(as_text=True)
    new_src = image_of(html)
    assert new_src != src and re.search(r">1 May 2026</th><td[^>]*>31.5000<", html)
    after = page.get(new_src)
    assert after.headers["ETag"] != before.headers["ETag"] and after.data != before.data
    assert after.headers["Cache-Control"] == IMMUTABLE
    # The old address now answers the new picture, not kept; its ETag no longer matches.
    old = page.get(src, headers={"If-None-Match": before.headers["ETag"]})
    assert old.status_code == 200 and old.data == after.data and old.headers["Cache-Control"] == "private, no-cache"


def test_who_may_read_the_page_may_read_its_charts(client, page_as, journey):
    journey_id, nps = journey
    path = f"/journeys/{journey_id}/charts/{nps}.svg"
    response = client.get(path)  # signed out: to the sign-in page, as the journey page
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert response.headers["Cache-Control"] == "no-store"
    page = page_as("member")
    assert page.get(f"/journeys/{journey_id + 999}/charts/{nps}.svg").status_code == 404
    missing = page.get(f"/journeys/{journey_id}/charts/{nps + 999}.svg")  # no chart of that metric
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"


def test_the_page_and_its_chart_agree_on_the_version_without_drawing(app, page_as, journey):
    journey_id, _ = journey
    page = page_as("member")
    charts.chart_cache.clear()
    html = page.get(f"/journeys/{journey_id}").get_data(as_text=True)
    assert charts.chart_cache.misses == 0
    version = image_of(html).rsplit("=", 1)[1]
    assert page.get(image_of(html)).headers["ETag"] == f'"{version}"'


def test_each_chart_of_a_busy_page_is_at_the_version_the_page_names(app, page_as, journey):
    """A chart's resource reads only its metric's journey-level series: with stage and touchpoint
    series of the same metric, another metric and a long series cut to the bound, it still draws
    exactly the chart the page names (ETag = v, year-long caching)."""
    journey_id, _ = journey
    app.config["CXGOV_REPORT_MAX_POINTS"] = 5
    with app.app_context():
        journey = db.session.get(Journey, journey_id)
        stage = factories.create_stage(journey, name="Report claim", phase="post_sale")
        touchpoint = factories.create_touchpoint(stage, name="Hotline", channel="phone")
        for month in range(1, 10):
            factories.create_measurement(journey, period_start=date(2025, month, 1), value=Decimal(month))
            factories.create_measurement(journey, stage_id=stage.id, period_start=date(2025, month, 1),
                                         value=Decimal(50 + month))
            factories.create_measurement(journey, stage_id=stage.id, touchpoint_id=touchpoint.id,
                                         period_start=date(2025, month, 1), value=Decimal(90 + month))
            factories.create_measurement(journey, metric_code="csat", period_start=date(2025, month, 1),
                                         value=Decimal(month) / 2)
        db.session.commit()
    page = page_as("member")
    html = page.get(f"/journeys/{journey_id}").get_data(as_text=True)
    images = re.findall(r'<img src="(/journeys/\d+/charts/\d+\.svg\?v=([0-9a-f]+))"', html)
    assert len(images) == 2
    for src, version in images:
        response = page.get(src)
        assert response.headers["ETag"] == f'"{version}"' and response.headers["Cache-Control"] == IMMUTABLE, src
