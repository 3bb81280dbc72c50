"""Migration 0009 keeps the codes of existing dossiers: each is copied into the new reference
column, so links, e-mails and API calls that used it still find the dossier; `sets` is 1."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db

PLACEHOLDER = {"INTEGER": 1, "BOOLEAN": False, "JSON": "{}", "TEXT": "", "DATETIME": "2026-11-01 02:00:00+00:00"}


def _insert_dossier(conn, dossier_id: int, code: str | None, status: str) -> None:
    """A dossier row as revision 0007 knew it: every NOT NULL column given a plain value."""
    values = {"id": dossier_id, "code": code, "status": status, "channel": 2, "delivery": "online"}
    for column in inspect(conn).get_columns("dossier"):
        if column["name"] not in values and not column["nullable"]:
            kind = str(column["type"]).split("(")[0]
            values[column["name"]] = PLACEHOLDER.get(kind, "x")
    names = ", ".join(values)
    conn.execute(text(f"INSERT INTO dossier ({names}) VALUES ({', '.join(':' + n for n in values)})"), values)


def test_migration_0009_copies_existing_codes_into_the_reference_and_back(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"})
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.begin() as conn:
            _insert_dossier(conn, 1, "001.10.21.H62-261101-0007", "submitted")
            _insert_dossier(conn, 2, None, "draft")
        upgrade(revision="0009")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, code, reference, sets FROM dossier ORDER BY id")).all()
        assert rows == [(1, "001.10.21.H62-261101-0007", "001.10.21.H62-261101-0007", 1), (2, None, None, 1)]
        # A dossier sent after the upgrade and not yet received has a reference only: going back
        # to 0007 makes the reference its code (the only identifier 0007 has), nothing is lost.
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE dossier SET reference = 'TC-261202-000001', status = 'submitted' WHERE id = 2"))
        downgrade(revision="0007")
        with db.engine.connect() as conn:
            codes = conn.execute(text("SELECT code FROM dossier ORDER BY id")).scalars().all()
        assert codes == ["001.10.21.H62-261101-0007", "TC-261202-000001"]
        db.engine.dispose()
