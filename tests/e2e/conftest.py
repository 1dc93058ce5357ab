"""Browser tests: Playwright driving Debian's Chromium against the app served on 127.0.0.1.

Each test gets a fresh database (the `app` fixture), the app served by a real WSGI server in
a thread, and a new browser context. A failing test leaves a screenshot in test-artifacts/.
"""
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from cxgov.extensions import db
from tests import factories

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            # A module's tests stay on one worker (its module-scoped fixtures, like the accessibility
            # module's demo, are built once); the modules spread over the workers, each of which
            # starts one browser.
            item.add_marker(pytest.mark.xdist_group(f"e2e-{item.module.__name__.rsplit('.', 1)[-1]}"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The app served over HTTP on 127.0.0.1 (a free port); yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    # Wait for the requests still being answered (a page's script may have fetched something as
    # the test ended): the next test's database replaces this one's file, and a connection still
    # open on it would meet the new file's journal ("disk I/O error").
    server.server_close()


@pytest.fixture
def new_page(browser, request):
    """`new_page(viewport=PHONE)` → a page in a fresh browser context."""
    contexts = []

    def _new(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _new
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for index, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for number, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{index}-{number}.png"), full_page=True)
        context.close()


@pytest.fixture
def sign_in(app, live_server, new_page):
    """`sign_in(user_or_role, viewport=…)` → a page signed in through the real /login form."""

    def _sign_in(user="member", viewport=DESKTOP):
        with app.app_context():
            if isinstance(user, str):
                user = factories.create_user(role=user)
            email = db.session.merge(user).email
        page = new_page(viewport)
        page.goto(f"{live_server}/login")
        page.fill("#email", email)
        page.fill("#password", factories.PASSWORD)
        page.click("button[type=submit]")
        # A sign-in hashes the password (argon2) and renders a first page: on 2 cores running the
        # suite's other worker too it has taken more than the pages' usual 10 s.
        page.wait_for_url(f"{live_server}/", timeout=30_000)
        return page

    return _sign_in
