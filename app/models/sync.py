"""The national portal's synchronisation of one dossier (issue 16; services/national_sync.py).

A table of its own, not columns of the dossier: its state changes with every delivery of a
record, in the delivering job, and a change to the dossier row moves its optimistic lock
(`lock_version`), which would refuse the next action of an official whose page was loaded
before the job ran. The one fact index 1.4 counts — the receipt date the national portal
acknowledged — is stamped on the dossier itself (`Dossier.national_received_at`), so the
statistics still read the dossier table alone; it changes once per dossier in practice."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime
from app.models.users import utcnow


class DossierSync(db.Model):
    """pending: a record waits (or is being retried); synced: the latest record was acknowledged;
    failed: the latest record was given up (`last_error` says the receiver's answer)."""

    __tablename__ = "dossier_sync"

    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[str] = mapped_column(String(8), index=True, default="pending")
    last_error: Mapped[str] = mapped_column(Text, default="")
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # the last acknowledged record
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
