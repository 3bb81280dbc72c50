"""Shared fixtures: one app and one database per test session, cleaned after every test.

The database is DATABASE_URL when set (CI: a fresh PostgreSQL database), else a SQLite file
in a temporary folder. Its schema is built by the Alembic migrations, not by create_all, so
every test also exercises the migrations. The demo province's units and agencies are seeded
once (they are reference data); everything else is deleted after each test.
"""
from __future__ import annotations

import contextvars
import itertools
import os

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import Table, text
from sqlalchemy import bindparam as sa_bindparam

from app import create_app
from app.config import ROOT
from app.config import database_url as normalise_url
from app.extensions import db
from app.queue import queues
from app.services import accounts, catalogue, login_sessions
from app.services.structure import seed_structure
from tests.object_store import object_store_server  # noqa: F401 - fixture
from tests.signing_helpers import configured, nss_db, nss_db_or_none, pki, signing_people, signing_setup, softhsm  # noqa: F401 - fixtures

# Reference data seeded once per session (seed_structure, and the reference versions of migration 0038);
# every other table is emptied after each test.
REFERENCE_TABLES = frozenset({"administrative_unit", "agency", "reference_version"})


def tables_depending_on(name: str) -> list[Table]:
    """`name` and every table that refers to it, directly or not, children first (delete order)."""
    reached = {name}
    for table in db.metadata.sorted_tables:  # parents before children
        if any(fk.column.table.name in reached for fk in table.foreign_keys):
            reached.add(table.name)
    return [t for t in reversed(db.metadata.sorted_tables) if t.name in reached]


PROCEDURES_DIR = str(ROOT / "procedures")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh, empty context, as in production: its own app context,
    `g`, database session and logged-in user, none of them shared with the test body."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():  # not inside a redirect followed in the request's own context
            db.session.expire_all()  # the test body re-reads what the request changed
        return response


def compile_catalogue() -> None:
    """The English catalogue's .mo from its .po when it is missing or older (make install does the
    same; the .mo is not committed), so that `pytest` alone tests the English pages."""
    po = ROOT / "app/translations/en/LC_MESSAGES/messages.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        with po.open("rb") as source:
            catalog = read_po(source, locale="en")
        with mo.open("wb") as target:
            write_mo(target, catalog)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    compile_catalogue()
    app = create_app({
        "STORAGE_DIR": str(tmp_path_factory.mktemp("files")),
        "OUTBOX_DIR": str(tmp_path_factory.mktemp("outbox")),
        "SIGNING_DEMO_DIR": str(tmp_path_factory.mktemp("signing-demo")),  # seed-demo's CA, not instance/
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": normalise_url(database_url),
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast for tests; scrypt stays the default
        "LOOKUP_RATE_LIMIT": "1000 per minute",
        "SUBMIT_RATE_LIMIT": "1000 per minute",
        "FEEDBACK_RATE_LIMIT": "1000 per minute",  # tests/security/test_limits.py sets its own
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        # Start from nothing, whatever an earlier run left in this database.
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        upgrade()
        seed_structure()
        if app.extensions["rq_queue"] is not None:
            for queue in queues(app.extensions["rq_queue"]):
                queue.empty()
        db.session.remove()
    return app


@pytest.fixture(autouse=True)
def _context_and_cleanup(app):
    """An app context for the test body; afterwards, delete what the test created."""
    ctx = app.app_context()
    ctx.push()
    yield
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):  # children first: the foreign keys decide the order
        if table.name not in REFERENCE_TABLES:
            db.session.execute(table.delete())
    db.session.commit()
    catalogue.invalidate()
    db.session.remove()
    ctx.pop()


@pytest.fixture
def run_jobs(app):
    """Run the queued jobs now, as `flask worker` would (with REDIS_URL); inline they already ran."""
    from tests.factories import run_queued_jobs

    return run_queued_jobs


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def loaded_catalogue(app):
    """The shipped procedures/ folder, published."""
    return catalogue.sync_folder(PROCEDURES_DIR)


@pytest.fixture
def vnpay_account(app, monkeypatch):
    """A VNPay merchant account (test-only secret): online payment is offered."""
    from tests.factories import VNPAY_SECRET

    for key, value in {"VNPAY_TMN_CODE": "DEMO0001", "VNPAY_HASH_SECRET": VNPAY_SECRET,
                       "VNPAY_PAY_URL": "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"}.items():
        monkeypatch.setitem(app.config, key, value)


_seq = itertools.count(1)


@pytest.fixture
def make_user(app):
    """make_user() → a citizen; make_user("reception", DemoAgency.CENTRE) → staff with that role."""
    def build(role: str | None = None, agency_code: str | None = None, password: str = "mat-khau-thu-nghiem"):
        n = next(_seq)
        grants = [accounts.Grant(role, agency_code)] if role else []
        return accounts.create_user(
            email=f"user{n}@motcua.example", password=password, full_name=f"Người dùng {n}",
            id_number=None if role else f"{n:012d}", grants=grants,
        )
    return build


@pytest.fixture
def login(client):
    """Log a user in through the session, as Flask-Login itself stores it (a browser session
    row first: the user loader finds no one without it)."""
    def do(user):
        login_sessions.start(user, "pytest", "127.0.0.1")
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user
    return do


@pytest.fixture
def structure_changes(app):
    """A test that changes the reference structure (agencies, units: issue 13's administration)
    puts it back afterwards: its other rows are emptied first, then the agencies and units it
    added are deleted and the seeded ones restored as they were."""
    agency, unit = (db.metadata.tables[name] for name in ("agency", "administrative_unit"))
    saved = {table: [dict(row._mapping) for row in db.session.execute(table.select())] for table in (agency, unit)}
    yield
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        if table.name not in REFERENCE_TABLES:
            db.session.execute(table.delete())
    db.session.execute(agency.update().values(successor_id=None, parent_id=None))
    for table in (agency, unit):  # the old rows as they were, then the new ones go
        db.session.execute(table.update().where(table.c.id == sa_bindparam("row_id")),
                           [{**row, "row_id": row["id"]} for row in saved[table]])
        db.session.execute(table.delete().where(table.c.id.not_in([row["id"] for row in saved[table]])))
    db.session.commit()
