"""The administrators' audit log (issue 13): every administrative change is recorded in the
transaction that makes it — who, what, on which object, before → after, when — and the
province administrator reads it, filtered. Use cases call `record` before their commit, so a
change and its entry are committed, or rolled back, together."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select

from app.domain.deadlines import OFFICE_TZ
from app.extensions import db
from app.models import AdminAuditEntry, Agency, User


def record(actor: User, action: str, target_type: str, target_id: object, *, before: dict | None = None,
           after: dict | None = None, agency: Agency | None = None) -> AdminAuditEntry:
    """Add the entry for a change `actor` makes now (the caller commits it with the change).
    `before`/`after`: the changed fields as plain JSON values; `agency`: whom it concerns."""
    entry = AdminAuditEntry(actor=actor, actor_name=actor.full_name, action=action, target_type=target_type,
                            target_id=str(target_id), agency=agency, before=before, after=after)
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    """What the reader narrows the log to; every field optional."""
    actor_id: int | None = None
    action: str | None = None           # an exact action, or a prefix ending in "." ("user.")
    target_type: str | None = None
    target_id: str | None = None
    agency_id: int | None = None
    within: tuple[int, ...] | None = None  # the agencies an agency administrator reads (their reach)
    start: datetime | None = None       # inclusive
    end: datetime | None = None         # exclusive


def office_days(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """Days as the reader names them (office time, both inclusive) → AuditFilter's start and end."""
    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), OFFICE_TZ)
    return (midnight(first) if first else None), (midnight(last + timedelta(days=1)) if last else None)


def entries(where: AuditFilter, page: int = 1, per_page: int = 50) -> Pagination:
    """The log, newest first, narrowed by `where`."""
    query = select(AdminAuditEntry)
    if where.actor_id is not None:
        query = query.where(AdminAuditEntry.actor_id == where.actor_id)
    if where.action:
        query = query.where(AdminAuditEntry.action.startswith(where.action) if where.action.endswith(".")
                            else AdminAuditEntry.action == where.action)
    if where.target_type:
        query = query.where(AdminAuditEntry.target_type == where.target_type)
    if where.target_id:
        query = query.where(AdminAuditEntry.target_id == where.target_id)
    if where.agency_id is not None:
        query = query.where(AdminAuditEntry.agency_id == where.agency_id)
    if where.within is not None:
        query = query.where(AdminAuditEntry.agency_id.in_(where.within))
    if where.start is not None:
        query = query.where(AdminAuditEntry.at >= where.start)
    if where.end is not None:
        query = query.where(AdminAuditEntry.at < where.end)
    query = query.order_by(AdminAuditEntry.at.desc(), AdminAuditEntry.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def kinds() -> tuple[list[str], list[str]]:
    """The actions and the object types the log holds, for the reader's filters."""
    actions = db.session.scalars(select(AdminAuditEntry.action).distinct().order_by(AdminAuditEntry.action))
    types = db.session.scalars(select(AdminAuditEntry.target_type).distinct().order_by(AdminAuditEntry.target_type))
    return list(actions), list(types)
