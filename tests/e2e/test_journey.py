"""A journey owner uploads measurements on the upload page; a bad file shows its errors by line."""
from datetime import date
from decimal import Decimal

from cxgov.extensions import db
from tests import factories
from tests.e2e.conftest import PHONE


def owned_journey(app):
    with app.app_context():
        owner = factories.create_user(role="member", name="Jonas Owner")
        journey = factories.create_journey(owner=owner, name="Home claim")
        stage = factories.create_stage(journey, name="Report damage", phase="post_sale")
        factories.create_touchpoint(stage, name="Broker phone call", channel="phone")
        factories.create_measurement(journey, period_start=date(2026, 1, 1), value=Decimal("12"))
        db.session.expunge(owner)
        return owner, journey.id


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_owner_uploads_measurements_and_sees_the_result(app, sign_in, live_server, tmp_path):
    owner, journey_id = owned_journey(app)
    page = sign_in(owner)
    page.goto(f"{live_server}/journeys")
    page.click("text=Home claim")
    assert "Broker phone call" in page.locator(".hourglass").inner_text()
    page.click("text=Upload measurements")
    good = write(tmp_path, "kpis.csv", "metric,journey_id,period_start,period_end,value,sample_size\n"
                 f"nps,{journey_id},2026-02-01,2026-02-28,18.5,140\n"
                 f"csat,{journey_id},2026-02-01,2026-02-28,79,140\n")
    page.set_input_files("#file", good)
    page.click("button:has-text('Upload')")
    page.click("button:has-text('Import these changes')")
    result = page.locator(".upload-result").inner_text()
    assert "2 created" in result and "0 updated" in result

    bad = write(tmp_path, "bad.csv", "metric,journey_id,period_start,period_end,value\n"
                f"nps,{journey_id},2026-03-01,2026-03-31,21\n"
                f"nps,{journey_id},2026-04-01,2026-04-30,twenty\n"
                f"happiness,{journey_id},2026-04-01,2026-04-30,3\n")
    page.set_input_files("#file", bad)
    page.click("button:has-text('Upload')")
    report = page.locator(".error-report")
    assert "Nothing was imported" in page.locator(".upload-errors").inner_text()
    rows = report.locator("tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).inner_text().split("\t")[0].strip() == "3"
    assert "value: 'twenty' is not a number" in rows.nth(0).inner_text()
    assert "metric: no metric with code 'happiness'" in rows.nth(1).inner_text()

    page.goto(f"{live_server}/journeys/{journey_id}")
    # NPS and CSAT: each an image of its own chart resource, loaded, and no picture inline
    images = page.locator(".chart img")
    assert images.count() == 2 and page.locator(".chart svg").count() == 0
    for index in range(2):
        images.nth(index).scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=images.nth(index).element_handle())


def test_journey_pages_read_on_a_phone(app, sign_in, live_server):
    owner, journey_id = owned_journey(app)
    page = sign_in(owner, viewport=PHONE)
    for path in ("/journeys", f"/journeys/{journey_id}", "/journeys/upload"):
        page.goto(f"{live_server}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    page.goto(f"{live_server}/journeys/{journey_id}")
    assert page.locator(".hourglass .stage").is_visible()


def test_a_large_upload_shows_its_progress_until_imported(app, sign_in, live_server, tmp_path):
    from cxgov.journeys import import_jobs

    app.config.update(CXGOV_IMPORT_SYNC_ROWS=20, CXGOV_IMPORT_DIR=str(tmp_path / "imports"))
    owner, journey_id = owned_journey(app)
    page = sign_in(owner)
    page.goto(f"{live_server}/journeys/upload")
    big = write(tmp_path, "year.csv", "metric,journey_id,period_start,period_end,value\n" + "".join(
        f"nps,{journey_id},20{10 + n // 12}-{n % 12 + 1:02d}-01,20{10 + n // 12}-{n % 12 + 1:02d}-28,{n % 50}\n"
        for n in range(60)))
    page.set_input_files("#file", big)
    page.click("button:has-text('Upload')")
    assert "Large file: 60 lines" in page.locator(".preview").inner_text()
    page.click("button:has-text('Import in the background')")
    assert "/imports/" in page.url
    assert "Import of year.csv" in page.locator("h1").inner_text()
    # The page refreshes itself (meta refresh, no script) until the background import has run.
    page.locator(".upload-result h2.good").wait_for(timeout=30_000)
    assert "60 created" in page.locator(".upload-result").inner_text()
    import_jobs.join_worker()
