"""The CEO opens the decision register, keeps the realised decisions and reads one's trace."""
from tests import factories
from tests.steering import register_world

PHONE = {"width": 390, "height": 844}


def _fits(page, width):
    page.wait_for_load_state("load")  # with its stylesheets: a page seen before its CSS is wider
    scrolled = page.evaluate("() => Math.max(document.body.scrollWidth, document.documentElement.scrollWidth)")
    assert scrolled <= width + 2


def test_the_ceo_filters_the_register_and_reads_a_trace(app, live_server, sign_in):
    register_world.build(app)
    with app.app_context():
        ceo = factories.create_user(role="executive", name="The CEO")
    page = sign_in(ceo)
    page.click("nav >> text=Decisions")
    page.wait_for_url("**/decisions")
    assert page.locator("#decision-count").inner_text() == "11 decisions."

    page.select_option("#outcome", "realised")
    page.click("button:has-text('Filter')")
    page.wait_for_url("**outcome=realised**")
    rows = page.locator("main table tbody tr")
    assert rows.count() == 1 and "Realised" in rows.first.inner_text()
    assert page.locator("#outcome").input_value() == "realised"

    page.click("main table tbody tr >> a")
    page.wait_for_url("**/decisions/*")
    main = page.locator("main")
    headings = main.locator("h2").all_inner_texts()
    assert headings == ["1. Meeting", "2. Decision", "3. Initiative and its lifecycle", "4. Approved business case",
                        "5. Impacts", "6. Actual to date", "7. Reviews"]
    assert "Board in September" in page.locator("#meeting").inner_text()
    assert "12,000.00" in page.locator("#impacts").inner_text()
    assert "€3,000.00" in page.locator("#actual").inner_text()
    reviews = page.locator("#reviews").inner_text()
    assert "The value came." in reviews and "Lea Leader" in reviews


def test_the_trace_reads_on_a_phone(app, live_server, sign_in):
    world = register_world.build(app)
    page = sign_in("executive", viewport=PHONE)
    page.goto(f"{live_server}/decisions/{world['decisions']['realised']}")
    assert page.locator("#reviews").is_visible()
    _fits(page, PHONE["width"])
    page.goto(f"{live_server}/decisions")
    _fits(page, PHONE["width"])
