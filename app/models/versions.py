"""The version numbers of reference data (issue 15): one row per kind of rarely changed data
the pages are built from (the units and agencies; the working calendar's overrides and
swaps), given a new random number by every change, in the change's transaction
(services/versions.py), so a process keeps what it built from that data under the number and
reads one small row per request to know it is still current."""
from __future__ import annotations

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class ReferenceVersion(db.Model):
    __tablename__ = "reference_version"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)   # services/versions.py WATCHED
    number: Mapped[int] = mapped_column(BigInteger, default=0)
