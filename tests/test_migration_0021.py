"""Migration 0021: accounts that existed before the e-mail verification count as verified (nobody
already submitting is stopped), with no failed log-in and no API token."""
from __future__ import annotations

from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db


def test_migration_0021_counts_existing_accounts_as_verified(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}"})
    with app.app_context():
        upgrade(revision="0028")  # the revision before 0021 in the chain
        with db.engine.begin() as conn:
            for n in (1, 2):
                conn.execute(text(
                    "INSERT INTO user_account (id, email, full_name, password_hash, active, session_version,"
                    " created_at) VALUES (:id, :email, 'Người cũ', 'x', 1, 0, '2026-01-0' || :id || ' 08:00:00')"),
                    {"id": n, "email": f"cu{n}@motcua.example"})
        upgrade(revision="0021")
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT email_verified_at, created_at, failed_logins, locked_until"
                                     " FROM user_account ORDER BY id")).all()
            assert conn.execute(text("SELECT count(*) FROM api_token")).scalar() == 0
        assert [(r.email_verified_at == r.created_at, r.failed_logins, r.locked_until) for r in rows] == [
            (True, 0, None), (True, 0, None)]
        db.engine.dispose()
