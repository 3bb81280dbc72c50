"""Versions of reference data (issue 15): a process keeps what it built from rarely changed
data (the home page's list of agencies, the working calendar) under the data's version, and
reads that one row per request instead of the data itself; so a change made by an
administrator shows at once in every process, with nothing to invalidate.

Every change made through the session gives the data a new version in the same transaction
as the change: a flush of a row of a watched table, or an INSERT, UPDATE or DELETE statement
on one. A version is a random number, not a counter: a change rolled back after something was
built from it leaves a number that no later change reuses. Plain SQL outside the session is
not seen (as for the statistics' roll-up)."""
from __future__ import annotations

import secrets

from sqlalchemy import event, insert, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import ReferenceVersion

# table → the name of the version it moves
WATCHED = {"administrative_unit": "structure", "agency": "structure",
           "calendar_day": "calendar", "calendar_swap": "calendar"}


def number(name: str) -> int | None:
    """The data's version now (None only if its row was removed by hand: the next change puts
    it back, see _renew)."""
    return db.session.connection().execute(
        select(ReferenceVersion.number).where(ReferenceVersion.name == name)).scalar()


def _renew(connection, names: set[str]) -> None:
    for name in sorted(names):
        new = secrets.randbits(62)
        renewed = connection.execute(update(ReferenceVersion).where(ReferenceVersion.name == name).values(number=new))
        if renewed.rowcount == 0:   # the row the migration writes is gone (emptied by hand): put it back
            connection.execute(insert(ReferenceVersion).values(name=name, number=new))


def _watched(target) -> str | None:
    return WATCHED.get(getattr(target, "__tablename__", None))


@event.listens_for(Session, "before_flush")
def _flushed(session: Session, flush_context, instances) -> None:
    # a dirty object is asked whether it really changed only if its table is watched
    names = {_watched(target) for target in (*session.new, *session.deleted)} | {
        name for target in session.dirty if (name := _watched(target)) and session.is_modified(target)}
    names.discard(None)
    if names:
        _renew(session.connection(), names)


@event.listens_for(Session, "do_orm_execute")
def _statement(state) -> None:
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if (state.is_insert or state.is_update or state.is_delete) and table in WATCHED:
        _renew(state.session.connection(), {WATCHED[table]})
