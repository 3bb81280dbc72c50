"""The administrative structure: units (GSO codes) and the agencies that serve them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.structure import AgencyKind, Level
from app.extensions import db
from app.models.types import UTCDateTime


class AdministrativeUnit(db.Model):
    """A province, district or commune. A tree of any depth: on the 2025 two-tier model a
    commune's parent is the province itself (Law 72/2025/QH15)."""

    __tablename__ = "administrative_unit"
    __table_args__ = (
        CheckConstraint("level IN ('province', 'district', 'commune')", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)  # GSO code (QĐ 124/2004/QĐ-TTg)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(10), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("administrative_unit.id"), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    parent: Mapped[AdministrativeUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[AdministrativeUnit]] = relationship(back_populates="parent",
                                                              order_by="AdministrativeUnit.code")

    @property
    def level_enum(self) -> Level:
        return Level(self.level)


class Agency(db.Model):
    """An agency with its official identifier (QĐ 20/2020/QĐ-TTg), e.g. `000.00.26.H62`."""

    __tablename__ = "agency"
    __table_args__ = (
        CheckConstraint("kind IN ('one_stop', 'department', 'committee')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(35), unique=True)  # at most 35 characters (QĐ 20/2020)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(12), index=True)
    # The field of a specialised department (justice, construction, ...): how a procedure's
    # competent agency is found among the departments of a level.
    sector: Mapped[str | None] = mapped_column(String(30))
    unit_id: Mapped[int] = mapped_column(ForeignKey("administrative_unit.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    # Its lifecycle (issue 13): the dates of the decision that set it up or ends it; once
    # retired (merged, dissolved, its competence moved) the row stays, so past dossiers keep
    # its name, and `successor` is the agency that took over its open dossiers and new ones.
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)

    unit: Mapped[AdministrativeUnit] = relationship()
    parent: Mapped[Agency | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    successor: Mapped[Agency | None] = relationship(remote_side=[id], foreign_keys=[successor_id])

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    def in_force(self, day: date) -> bool:
        """Serving on `day`: not retired, and within its validity dates."""
        return (not self.retired and (self.valid_from is None or self.valid_from <= day)
                and (self.valid_to is None or day <= self.valid_to))

    @property
    def current(self) -> Agency:
        """The agency serving in its place now: itself, or the end of its successor chain."""
        agency, seen = self, {self.id}
        while agency.retired and agency.successor is not None and agency.successor.id not in seen:
            agency = agency.successor
            seen.add(agency.id)
        return agency

    @property
    def level(self) -> str:
        return self.unit.level

    @property
    def kind_enum(self) -> AgencyKind:
        return AgencyKind(self.kind)
