"""The bare baseline of bench/http.py: Flask + Flask-SQLAlchemy and one indexed query, nothing
else (no templates, no session, no security headers), on the same database, under the same
gunicorn as the portal: `gunicorn bench.bare:app` with DATABASE_URL set."""
from __future__ import annotations

import os

from flask import Flask, jsonify
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text

from app.config import database_url

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = database_url(os.environ["DATABASE_URL"])
db = SQLAlchemy(app)


@app.get("/dossier/<code>")
def dossier(code: str):
    """One dossier's status by its code: the unique index on dossier.code."""
    row = db.session.execute(text("SELECT code, status, received_at, due_at FROM dossier WHERE code = :code"),
                             {"code": code}).first()
    return jsonify(None if row is None else {"code": row.code, "status": row.status,
                                             "received_at": row.received_at.isoformat(),
                                             "due_at": row.due_at.isoformat()})
