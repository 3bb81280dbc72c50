"""The procedure catalogue: a procedure and its immutable published versions.

A version is a snapshot of one procedures/*.yaml file. Editing the file publishes a new
version and ends the previous one; a dossier keeps the version it was submitted under
(ANCHORS.md: a flow changed under running cases is the top complaint of case systems).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, DateTime, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.users import utcnow


class Procedure(db.Model):
    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # national code, e.g. 1.001193
    # The published version; NULL once the file is removed from procedures/ (withdrawn).
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("procedure_version.id", use_alter=True, name="fk_procedure_current_version_id")
    )

    current_version: Mapped[ProcedureVersion | None] = relationship(foreign_keys=[current_version_id])
    versions: Mapped[list[ProcedureVersion]] = relationship(
        back_populates="procedure", foreign_keys="ProcedureVersion.procedure_id", order_by="ProcedureVersion.number"
    )


class ProcedureVersion(db.Model):
    """Never updated after insert, except `valid_to` when a newer version replaces it."""

    __tablename__ = "procedure_version"
    __table_args__ = (UniqueConstraint("procedure_id", "number", name="uq_procedure_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), index=True)
    number: Mapped[int]
    fingerprint: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(String(255))
    spec: Mapped[dict] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    # Listing columns copied from the spec at publication, so the catalogue filters in SQL.
    name: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str] = mapped_column(String(500))
    field: Mapped[str] = mapped_column(String(200), index=True)
    level: Mapped[str] = mapped_column(String(10), index=True)
    receiving_level: Mapped[str] = mapped_column(String(10))
    agency_kind: Mapped[str] = mapped_column(String(12))
    sector: Mapped[str | None] = mapped_column(String(30))
    online: Mapped[str] = mapped_column(String(10), index=True)
    time_value: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    time_unit: Mapped[str] = mapped_column(String(20))
    # Lower-case, diacritics removed: "giay phep xay dung" finds "Cấp giấy phép xây dựng".
    search_text: Mapped[str] = mapped_column(Text)

    procedure: Mapped[Procedure] = relationship(back_populates="versions", foreign_keys=[procedure_id])
