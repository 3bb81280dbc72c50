"""Atomic sequences in the database (dossier codes, document numbers).

One statement increments and returns the value, so 50 submissions at once on PostgreSQL get
50 different numbers without any lock held by the application (ANCHORS.md, OpenCPS lesson:
in-process locks break with several workers)."""
from __future__ import annotations

from app.extensions import db, dialect_insert
from app.models import Counter


def next_value(scope: str, period: str) -> int:
    """The next number of (scope, period), starting at 1. Runs in the caller's transaction."""
    statement = dialect_insert(db.session)(Counter).values(scope=scope, period=period, value=1)
    statement = statement.on_conflict_do_update(
        index_elements=[Counter.scope, Counter.period], set_={"value": Counter.value + 1}
    ).returning(Counter.value)
    return db.session.execute(statement).scalar_one()
