"""The browser tests' fixtures: one Chromium for the session (Debian's /usr/bin/chromium, never
a downloaded browser) and the portal served on a free port for each test, with its real CSRF
tokens. The helpers the tests share (logging in, axe-core, screenshots) are in pages.py."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.pages import CHROMIUM, FLAGS


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


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()
