"""Rendered reports kept for the next request that would draw the very same PDF
(app/services/report_cache.py): one row per report and scope, replaced when what it prints changes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime
from app.models.users import utcnow


class RenderedReport(db.Model):
    __tablename__ = "rendered_report"

    # SHA-256 of what the PDF was made from (its HTML and the layout's identity): a change to
    # anything it prints is another digest, so a row is never served for other figures.
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    # "monthly_report:2026-03:*" (the province) or "…:000.10.21.H62" (one agency): rows of a
    # scope other than the newest are deleted when it is stored, so a scope holds one row.
    scope: Mapped[str] = mapped_column(String(120), index=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
