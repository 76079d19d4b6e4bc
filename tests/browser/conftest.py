"""Browser fixtures: the app served on a free local port, and Chromium driven by Playwright.

The tests run in the Chromium that is already installed (Debian's /usr/bin/chromium, or the
path in $CHROMIUM); Playwright never downloads a browser. Without Chromium every test here is
reported as skipped, with the reason.

Browser tests run on SQLite only: `database_url` is overridden below without the top-level
conftest's backend parameters (the pages sit on the same operations that the API tests already
run on PostgreSQL), so no PostgreSQL variant is collected here at all.
"""
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = Path(os.environ.get("CHROMIUM") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
TIMEOUT_MS = 15_000  # generous for a loaded CI machine; every wait is Playwright's auto-wait, never a sleep
REPORT = pytest.StashKey[dict]()


@pytest.fixture(scope="session", autouse=True)
def chromium_path() -> Path:
    """The Chromium executable, or a skip of every browser test saying why."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"Chromium not found at {CHROMIUM} (set CHROMIUM to its path): browser tests skipped")
    return CHROMIUM


@pytest.fixture
def database_url(sqlite_template, tmp_path) -> str:
    """A private copy of the seeded SQLite database (overrides the backend-parametrized fixture)."""
    path = tmp_path / "minxu.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def live_server(app):
    """The test's app served on 127.0.0.1 in a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless Chromium for the whole run (contexts keep the tests apart)."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser, live_server, request, tmp_path):
    """A page in a fresh context (no cookies: signed out, default language) on the live server.

    Paths such as page.goto("/login") are relative to the live server. When the test fails, a
    screenshot of where it stood is saved as failure.png in the test's tmp_path.
    """
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        call = request.node.stash.get(REPORT, {}).get("call")
        if call is not None and call.failed and not page.is_closed():
            shot = tmp_path / "failure.png"
            try:
                page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot of the failed page: {shot} ({page.url})")
            except Exception as err:  # a screenshot is a courtesy: never mask the real failure
                print(f"no failure screenshot: {err}")
        context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the test item, so `page` knows whether the test failed."""
    report = yield
    item.stash.setdefault(REPORT, {})[report.when] = report
    return report
