"""The procedure catalogue: a procedure and its immutable published versions.

A version is a snapshot of one procedures/*.yaml file. Editing the file publishes a new
version and ends the previous one; a dossier keeps the version it was submitted under
(ANCHORS.md: a flow changed under running cases is the top complaint of case systems).
The current version of a procedure is the one whose `valid_to` is NULL; a procedure whose
file was removed has none (withdrawn).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime
from app.models.units import Agency
from app.models.users import utcnow


class Procedure(db.Model):
    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # national code, e.g. 1.001193
    # Published or unpublished by an administrator in the portal (/quan-tri/thu-tuc, issue 13):
    # from then on `flask procedures load` leaves it alone (services/catalogue.sync_folder), so a
    # file on disk never silently replaces or withdraws what the province published.
    managed_in_portal: Mapped[bool] = mapped_column(default=False)

    versions: Mapped[list[ProcedureVersion]] = relationship(back_populates="procedure",
                                                            order_by="ProcedureVersion.number")
    current_version: Mapped[ProcedureVersion | None] = relationship(
        primaryjoin=lambda: and_(ProcedureVersion.procedure_id == Procedure.id, ProcedureVersion.valid_to.is_(None)),
        viewonly=True, uselist=False,
    )
    offerings: Mapped[list[ProcedureOffering]] = relationship(back_populates="procedure",
                                                              cascade="all, delete-orphan")


class ProcedureOffering(db.Model):
    """How one one-stop desk offers a procedure, where it departs from the default (no row: every
    desk at the procedure's receiving level receives it, online as the procedure says):
    `received` false = the desk does not receive it; `online_level` = the level of online
    service the desk provides, 2 (information and forms online only), 3 (partly online) or
    4 (fully online) (services/catalogue.ONLINE_LEVELS), never above the procedure's own."""

    __tablename__ = "procedure_offering"
    __table_args__ = (UniqueConstraint("procedure_id", "agency_id", name="uq_procedure_offering_agency"),
                      CheckConstraint("online_level IN (2, 3, 4)", name="online_level"))

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    received: Mapped[bool] = mapped_column(default=True)
    online_level: Mapped[int]

    procedure: Mapped[Procedure] = relationship(back_populates="offerings")
    agency: Mapped[Agency] = relationship()


class ProcedureVersion(db.Model):
    """Never updated after insert, except `valid_to` when a newer version replaces it."""

    __tablename__ = "procedure_version"
    __table_args__ = (
        UniqueConstraint("procedure_id", "number", name="uq_procedure_version_number"),
        # The catalogue lists current versions (valid_to IS NULL) in name order.
        Index("ix_procedure_version_current_name", "valid_to", "name"),
        # Covering indexes: the search's COUNT (LIKE over the index alone) and the filter
        # lists (distinct fields, distinct competent agencies) never touch the table.
        Index("ix_procedure_version_current_search", "valid_to", "search_text"),
        Index("ix_procedure_version_current_field", "valid_to", "field"),
        Index("ix_procedure_version_current_agency", "valid_to", "level", "agency_kind", "sector"),
        # At most one current version per procedure, whatever two loaders do at once.
        Index("uq_procedure_version_current", "procedure_id", unique=True,
              sqlite_where=text("valid_to IS NULL"), postgresql_where=text("valid_to IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), index=True)
    number: Mapped[int]
    fingerprint: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str] = mapped_column(String(255))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Listing columns copied from the spec at publication, so the catalogue filters and lists
    # in SQL without reading the snapshot.
    code: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(500))
    name_en: Mapped[str] = mapped_column(String(500))
    field: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(10))
    receiving_level: Mapped[str] = mapped_column(String(10))
    agency_kind: Mapped[str] = mapped_column(String(12))
    sector: Mapped[str | None] = mapped_column(String(30))
    online: Mapped[str] = mapped_column(String(10))
    time_value: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    time_unit: Mapped[str] = mapped_column(String(20))
    fees: Mapped[list] = mapped_column(JSON)
    # The procedure's result is a document the agency issues (procedure_spec; Decision 766 3.3, 4.1, 4.2).
    requires_result_document: Mapped[bool] = mapped_column(default=True)
    # Lower-case, diacritics removed: "giay phep xay dung" finds "Cấp giấy phép xây dựng".
    search_text: Mapped[str] = mapped_column(Text)

    procedure: Mapped[Procedure] = relationship(back_populates="versions")
    snapshot: Mapped[ProcedureSnapshot] = relationship(cascade="all, delete-orphan", uselist=False)

    @property
    def spec(self) -> dict:
        return self.snapshot.spec


class ProcedureSnapshot(db.Model):
    """The whole validated file of a version, in a table of its own: a catalogue search scans
    narrow version rows and never reads these (bench/catalogue.py: 3-4× faster on SQLite)."""

    __tablename__ = "procedure_snapshot"

    version_id: Mapped[int] = mapped_column(ForeignKey("procedure_version.id"), primary_key=True)
    spec: Mapped[dict] = mapped_column(JSON)
