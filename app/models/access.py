from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime
from app.models.users import utcnow


class DossierAccess(db.Model):
    """An official opened a citizen's dossier, one of its files or documents (issue 13, "who
    looked at my dossier"; Decree 13/2023 Art. 9: the data subject's right to know how their
    personal data is processed). Names are kept as they were, so the record outlives the account."""

    __tablename__ = "dossier_access"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    user_name: Mapped[str] = mapped_column(String(150))
    agency_name: Mapped[str] = mapped_column(String(255))
    what: Mapped[str] = mapped_column(String(20))          # AccessKind: dossier, file, document, control_slip
    object_id: Mapped[int | None] = mapped_column(Integer)  # the file's or document's id
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
