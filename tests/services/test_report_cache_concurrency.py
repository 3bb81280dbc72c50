"""Concurrent first requests for one report PDF render it once (services/report_cache.py: an
advisory lock per key on PostgreSQL, which CI runs on)."""
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.extensions import db
from app.models import RenderedReport
from app.services import documents, report_cache


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="the advisory lock is PostgreSQL's (DATABASE_URL); SQLite has one writer at a time")
def test_four_concurrent_first_requests_render_the_pdf_once(app, monkeypatch):
    renders, lock = [], threading.Lock()

    def slow_render(html: str) -> bytes:
        with lock:
            renders.append(html)
        time.sleep(0.5)                      # long enough for the others to arrive meanwhile
        return b"%PDF-1.7 the report"

    monkeypatch.setattr(documents, "render_html", lambda template, context: f"<p>{context['month']}</p>")
    monkeypatch.setattr(documents, "html_to_pdf", slow_render)
    db.session.remove()

    def request(_n: int) -> bytes:
        with app.app_context():
            try:
                return report_cache.pdf("report:province:2026-11", "monthly_report", {"month": "11/2026"})
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(request, range(4)))
    assert answers == [b"%PDF-1.7 the report"] * 4
    assert len(renders) == 1
    assert db.session.query(RenderedReport).filter_by(scope="report:province:2026-11").count() == 1
