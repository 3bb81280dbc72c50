"""A job's claim on the row it works on, so that two jobs for one row (the sweeper re-queued it
while the first still waited or ran) do the work once."""
from __future__ import annotations

from typing import TypeVar

from sqlalchemy import ColumnElement, select

from app.extensions import db

Row = TypeVar("Row", bound=db.Model)


def claim(model: type[Row], id_: int, *unfinished: ColumnElement[bool]) -> Row | None:
    """The row `id_` of `model` if its work is `unfinished`, locked until this job's transaction
    ends (PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED); None when it is done, missing, or held by
    another job. A worker that dies drops its connection and so its lock. SQLite, where jobs run
    inline one at a time, takes no row lock (its writes are serialised anyway)."""
    return db.session.scalar(select(model).where(model.id == id_, *unfinished)
                             .with_for_update(skip_locked=True).execution_options(populate_existing=True))
