"""What the browser tests share: Chromium (Debian's /usr/bin/chromium; without it every browser
test is skipped with a reason that `make test` prints), logging in through the real form, and
axe-core's check of a page.

axe-core comes from the npm package pinned in package.json (package-lock.json), installed by
`npm ci` (`make test` runs it when node_modules is older than the lock file), never from a CDN:
its file is injected into the page with Playwright's add_script_tag. The portal's
Content-Security-Policy allows no inline script, so the contexts that run axe bypass it
(`bypass_csp`); the pages themselves have no script this could hide."""
from __future__ import annotations

import shutil
from asyncio import events
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.config import ROOT

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
needs_chromium = pytest.mark.skipif(not shutil.which(CHROMIUM),
                                    reason="Chromium (/usr/bin/chromium) not installed: the browser tests were NOT run")

AXE = Path(ROOT) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")  # the impacts that fail a page; minor and moderate are not checked here
# axe's violations of impact serious or critical, each with its id, help text and the elements.
RUN_AXE = """async (blocking) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => blocking.includes(v.impact)).map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
  }));
}"""


def log_in(page, base, email, password):
    """Log in through the form; returns once the next page has loaded."""
    page.goto(f"{base}/dang-nhap")
    page.fill("#email", email)
    page.fill("#password", password)
    click_and_wait(page, "button[type=submit]")


def click_and_wait(page, selector: str) -> None:
    """Click a link or a submit button and wait until the page it leads to has loaded."""
    with page.expect_navigation():
        page.click(selector)


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run `npm ci` in the project root (`make test` does; needs Node.js and npm)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(RUN_AXE, list(BLOCKING))
    return [f"{v['impact']} {v['id']} ({v['help']}): {', '.join(v['targets'])}" for v in found]


@contextmanager
def beside_playwright():
    """Run code that calls asyncio.run (the queued jobs: pyHanko signs through it) in the thread
    where Playwright's sync API keeps its own asyncio loop marked as running: asyncio.run refuses
    to start inside a running loop, so the mark is lifted meanwhile. The jobs never run like this
    in production, where `flask worker` is a process of its own."""
    loop = events._get_running_loop()
    events._set_running_loop(None)
    try:
        yield
    finally:
        events._set_running_loop(loop)
