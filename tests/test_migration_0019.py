"""Migration 0019 gives every existing dossier its own lookup secret (the receipt's QR link)."""
from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests.test_migration_0009 import _insert_dossier


def test_migration_0019_gives_each_existing_dossier_a_distinct_secret(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"})
    with app.app_context():
        upgrade(revision="0018")
        with db.engine.begin() as conn:
            for n in range(1, 4):
                _insert_dossier(conn, n, f"001.10.21.H62-261101-000{n}", "accepted")
        upgrade(revision="0019")
        with db.engine.connect() as conn:
            secrets = conn.execute(text("SELECT lookup_secret FROM dossier ORDER BY id")).scalars().all()
        assert len(secrets) == 3 and len(set(secrets)) == 3 and all(len(s) >= 20 for s in secrets)
        db.engine.dispose()
