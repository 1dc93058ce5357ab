"""A business case edited in a browser: "Add cash flow" clicked again while the first submission
is under way adds one row, a wrong amount is said next to its field with the typed values kept,
and deleting a row asks first."""
import re
import threading

import pytest
from sqlalchemy import func, select

from cxgov import form_tokens
from cxgov.extensions import db
from cxgov.initiatives import services
from cxgov.initiatives.models import CashFlow
from tests import factories

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _flows(app, category):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(CashFlow).where(CashFlow.category == category))


def _no_sideways_scroll(page, viewport):
    page.wait_for_load_state("load")  # with its stylesheets: a page seen before its CSS is wider
    width = page.evaluate("() => Math.max(document.body.scrollWidth, document.documentElement.scrollWidth)")
    assert width <= viewport["width"] + 2


def _slow_first_submission(monkeypatch):
    """A server slow to answer the first submission: it holds it (its token already claimed)
    until the second one has arrived, as a busy server would while a person clicks again.
    Returns an event set once the first submission has reached the server."""
    first_arrived, second_arrived = threading.Event(), threading.Event()
    looks = []
    real_find, real_add = form_tokens.find, services.add_cash_flow

    def find(token):
        looks.append(token)
        first_arrived.set()
        if len(looks) == 2:
            second_arrived.set()
        return real_find(token)

    def add_cash_flow(*args, **kwargs):
        second_arrived.wait(timeout=10)
        return real_add(*args, **kwargs)

    monkeypatch.setattr(form_tokens, "find", find)
    monkeypatch.setattr(services, "add_cash_flow", add_cash_flow)
    return first_arrived


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366px", "390px"])
def test_clicking_add_twice_adds_one_cash_flow_and_a_delete_asks_first(app, live_server, sign_in, viewport,
                                                                    monkeypatch):
    with app.app_context():
        leader = factories.create_user(role="cx_leader", name="Lena Fischer")
        initiative = factories.create_initiative(title="Self-service portal")
        factories.add_cash_flow(initiative, "cost", 0, "50000", category="Build")
        url = f"{live_server}/initiatives/{initiative.id}"
    page = sign_in(leader, viewport=viewport)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/cash-flows" in r.url else None)
    page.goto(url)

    # A wrong amount: said by the field, the rest kept.
    page.select_option("#cf-kind", "benefit")
    page.fill("#cf-year", "1")
    page.fill("#cf-category", "Licence")
    page.fill("#cf-amount", "twelve thousand")
    page.click("button:has-text('Add cash flow')")
    page.wait_for_load_state()
    assert page.locator("#cf-amount").get_attribute("aria-invalid") == "true"
    assert (
        page.locator("#cf-amount-error").inner_text()
        == "Enter the amount in figures, like 1250.50 (no thousands separators or currency sign)."
    )
    assert page.locator(".error-summary a[href='#cf-amount']").is_visible()
    assert page.locator("#cf-category").input_value() == "Licence"
    assert page.locator("#cf-kind").input_value() == "benefit"
    _no_sideways_scroll(page, viewport)

    # Corrected, then sent twice: one cash flow. The same form goes twice while the server is
    # still on the first sending, as a second click on a slow page sends it: first the form's
    # own data posted from the page, then, once the server holds that one, a click on "Add".
    # (Chromium re-sends on a second click only with timing it does not promise, so the test
    # makes the two sendings itself.)
    page.fill("#cf-amount", "12000")
    posts.clear()
    first_arrived = _slow_first_submission(monkeypatch)
    page.evaluate("""() => {
        const form = document.querySelector("form[action$='/cash-flows']");
        fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin"});
    }""")
    assert first_arrived.wait(timeout=10)
    page.click("button:has-text('Add cash flow')")
    page.locator("#cash-flows tbody tr", has_text="Licence").first.wait_for()
    page.wait_for_load_state()
    assert page.url.endswith("#cash-flows")
    assert len(posts) == 2, posts  # the browser did send the form twice
    assert _flows(app, "Licence") == 1
    rows = page.locator("#cash-flows tbody tr", has_text="Licence")
    assert rows.count() == 1

    # Delete asks first; "Keep it" keeps it.
    delete = page.get_by_role("button", name=re.compile(r"^Delete the cash flow Licence, planned benefit, year 1"))
    delete.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Delete the cash flow “Licence, year 1, €12,000.00 (planned, benefit)”?"
    _no_sideways_scroll(page, viewport)
    page.get_by_role("link", name="Keep it").click()
    page.wait_for_load_state()
    assert _flows(app, "Licence") == 1 and page.locator("#cash-flows tbody tr", has_text="Licence").count() == 1

    page.get_by_role("button", name=re.compile(r"^Delete the cash flow Licence, planned benefit, year 1")).click()
    page.get_by_role("button", name="Delete the cash flow").click()
    page.wait_for_url(re.compile(r".*#cash-flows$"))
    page.wait_for_load_state()
    assert _flows(app, "Licence") == 0
    assert page.locator("#cash-flows tbody tr", has_text="Licence").count() == 0
    assert page.locator("#cash-flows tbody tr", has_text="Build").count() == 1
    assert "Cash flow deleted" in page.locator("main").inner_text()
