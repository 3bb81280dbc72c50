"""Reports drawn up on demand (the monthly report PDF), rendered by WeasyPrint once for every
request that would get the very same PDF (issue 18: 10 anonymous requests a second for the
monthly report each ran WeasyPrint and slowed the home page to 0.64 s).

Keyed by content, never invalidated by hand. Each request still gathers the report's figures
(SQL, milliseconds) and renders its HTML (Jinja, milliseconds); the key is the SHA-256 of that
HTML and of the layout's identity (documents.layout_identity: the stylesheet and templates
under templates/documents, WeasyPrint's version). The HTML is what the PDF prints — every
figure, name, date, the template's text and the filters' formatting — so a change to a dossier
that moves a figure, a renamed agency, an edited template or stylesheet gives another key and
a new PDF. No code path has to remember to invalidate, which an explicit invalidation on every
action that stamps a fact of the statistics (finish, rating, payment, import...) would need.

`key_context` lets a caller leave out of the key what may differ from the stored PDF without
making it wrong: the monthly report of a closed month leaves out its date of issue, so the PDF
first drawn up with these figures is served, dated the day it was drawn up (still true: its
figures have not changed since).

Stored in the database (table `rendered_report`), which every web process of every host
shares, and where a PDF needs no file kept alive against storage.prune. A scope (one report
for one agency or the province, one month) keeps one row: storing a new digest deletes the
others of its scope. Two processes rendering at once store the same digest once (INSERT … ON
CONFLICT DO NOTHING). If storing fails (a locked SQLite file), the PDF is served anyway.

Concurrent requests for one PDF not stored yet render it once (issue 15: many processes): on
PostgreSQL the first takes a transaction-scoped advisory lock on the key and renders; the others
wait on that lock, then find the stored PDF. The lock ends with the transaction that stores the
PDF (or with a failed render's rollback). SQLite has one writer at a time and no such lock: there
two concurrent first requests may both render, as before."""
from __future__ import annotations

import hashlib
import logging

from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db, dialect_insert
from app.models import RenderedReport
from app.services import documents

log = logging.getLogger(__name__)
LOCK_SPACE = 0x4D43  # the advisory locks' first key ("MC"): the report cache's, apart from others


def digest_of(html: str) -> str:
    """The key of the PDF this HTML would give with today's layout."""
    return hashlib.sha256(f"{documents.layout_identity()}\0{html}".encode()).hexdigest()


def pdf(scope: str, template: str, context: dict, key_context: dict | None = None) -> bytes:
    """The PDF of templates/documents/<template>.html with `context`: the stored one when its
    key — the HTML rendered with `key_context` (default: `context`) — is known, else rendered
    by WeasyPrint and stored under `scope`. Commits its own row (a GET with nothing else in
    its session)."""
    keyed = documents.render_html(template, context if key_context is None else key_context)
    key = digest_of(keyed)
    stored = db.session.get(RenderedReport, key)
    if stored is None and _wait_for_renderer(key):
        stored = db.session.get(RenderedReport, key, populate_existing=True)
    if stored is not None:
        return stored.pdf
    html = keyed if key_context is None else documents.render_html(template, context)
    made = documents.html_to_pdf(html)
    _keep(scope, key, made)
    return made


def _wait_for_renderer(key: str) -> bool:
    """PostgreSQL: take the key's advisory lock (waiting while another transaction renders the
    same PDF); True when the lock was taken, so the store is worth reading again."""
    if db.session.get_bind().dialect.name != "postgresql":
        return False
    db.session.execute(select(func.pg_advisory_xact_lock(LOCK_SPACE, int(key[:7], 16))))
    return True


def _keep(scope: str, key: str, made: bytes) -> None:
    try:
        db.session.execute(dialect_insert(db.session)(RenderedReport).values(digest=key, scope=scope, pdf=made)
                           .on_conflict_do_nothing(index_elements=[RenderedReport.digest]))
        db.session.execute(delete(RenderedReport).where(RenderedReport.scope == scope, RenderedReport.digest != key))
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("report_cache: could not store %s (%s); served without keeping it", scope, key, exc_info=True)
