"""The browser tests' fixtures: one Chromium for each test module (Debian's /usr/bin/chromium,
never a downloaded browser) and the portal served on a free port for each test, with its real
CSRF tokens. The helpers the tests share (logging in, axe-core, running the jobs) are in pages.py.

Not one Chromium for the whole session: Playwright's sync API keeps an asyncio loop running in
the test's thread while it is open, and the other tests' code that calls asyncio.run (pyHanko's
signing) would fail beside it."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.pages import CHROMIUM, FLAGS, beside_playwright


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["WTF_CSRF_ENABLED"] = True  # the real forms, with their CSRF tokens
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
        server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def run_jobs(run_jobs):
    """tests/conftest.py's run_jobs, beside the open browser (see beside_playwright)."""
    def run():
        with beside_playwright():
            run_jobs()
    return run
