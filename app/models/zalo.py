"""The Zalo Official Account's OAuth tokens (issue 16), one row per Zalo app: ZNS sends with
the OA access token, which lives about 25 hours and is renewed with the refresh token; Zalo's
refresh token is single-use (each renewal returns the next one), so the current one must be
kept here, not in the environment. Both are stored encrypted (services/zalo.py)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime
from app.models.users import utcnow


class ZaloToken(db.Model):
    __tablename__ = "zalo_token"

    app_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # Fernet tokens (base64 text) of the OA access token and of the current refresh token.
    access_token: Mapped[str | None] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SHA-256 of the ZALO_REFRESH_TOKEN this row was started from: a different one in the
    # environment (the OA authorised again) replaces the stored chain.
    seed_digest: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
