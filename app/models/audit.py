from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime
from app.models.units import Agency
from app.models.users import User, utcnow


class AdminAuditEntry(db.Model):
    """One administrative change (issue 13): who, what, on which object, before → after, when.
    Append-only: the application never updates or deletes a row (guarded below). The actor's
    name is kept as it was, so an official who leaves keeps their name on past entries."""

    __tablename__ = "admin_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    actor_name: Mapped[str] = mapped_column(String(150))
    action: Mapped[str] = mapped_column(String(60), index=True)       # "user.invite", "agency.rename", ...
    target_type: Mapped[str] = mapped_column(String(30))              # "user", "agency", "procedure", ...
    target_id: Mapped[str] = mapped_column(String(60))
    # The agency the change is about (scope of an agency administrator's view); None: province-wide.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="SET NULL"), index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()
    agency: Mapped[Agency | None] = relationship()


class AppendOnly(RuntimeError):
    """An attempt to change or remove an audit entry."""


@event.listens_for(AdminAuditEntry, "before_update")
@event.listens_for(AdminAuditEntry, "before_delete")
def _append_only(_mapper, _connection, entry: AdminAuditEntry) -> None:
    raise AppendOnly(f"admin audit entry {entry.id} is append-only")
