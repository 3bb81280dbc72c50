"""The citizen's electronic store (kho quản lý dữ liệu điện tử của tổ chức, cá nhân; Decree
45/2020/NĐ-CP Art. 16): the papers a citizen uploaded and the signed results issued to them,
each a reference to a file in the content-addressed store (never a copy)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime
from app.models.users import utcnow


class StoredPaper(db.Model):
    __tablename__ = "stored_paper"
    __table_args__ = (
        UniqueConstraint("owner_id", "sha256", "kind", name="uq_stored_paper_owner_sha256_kind"),
        CheckConstraint("source IN ('uploaded', 'issued', 'national')", name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(60))           # a procedure document's `paper`
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(10))          # uploaded / issued (by an agency) / national
    valid_until: Mapped[date | None] = mapped_column()
    origin_dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    origin_dossier = relationship("Dossier")
