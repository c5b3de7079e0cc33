"""Real-browser fixtures: the app served by a real HTTP server in a thread, and a
Playwright page in Debian's Chromium.

``live_server`` yields the base URL of the app (the test's ``app``: same database,
same config) served by werkzeug on 127.0.0.1 and a free port; ``page`` is a fresh
browser page (1280×900, Thai locale). Tests are skipped only when /usr/bin/chromium is
missing; CI installs it.
"""

from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def live_server(app):
    """The base URL of ``app`` served in a background thread (threaded werkzeug)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
