"""Feedback and complaints (phản ánh, kiến nghị): one row per feedback with the instants its
limits are judged on (domain/feedback.py), and its dated steps."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.feedback import FeedbackStatus
from app.extensions import db
from app.models.types import UTCDateTime
from app.models.units import Agency
from app.models.users import User, utcnow


class Feedback(db.Model):
    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("category IN ('regulation', 'procedure', 'conduct')", name="category"),
        CheckConstraint("subject IN ('procedure', 'agency', 'dossier')", name="subject"),
        CheckConstraint("status IN ('received', 'info_requested', 'accepted', 'refused', 'answered', 'published')",
                        name="status"),
        CheckConstraint("rating IS NULL OR rating IN ('satisfied', 'not_satisfied')", name="rating"),
        # The staff queue (agency, status) and the statistics (received in a period).
        Index("ix_feedback_agency_status", "agency_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    # The sender's contact as given (kept when the account goes; never published).
    sender_name: Mapped[str] = mapped_column(String(150))
    sender_email: Mapped[str] = mapped_column(String(254), default="")
    sender_phone: Mapped[str] = mapped_column(String(15), default="")
    category: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(10))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedure.id"))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id", ondelete="SET NULL"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))  # who holds it now
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="received")
    # An earlier answered feedback of the same sender on the same subject (5.3's repeat).
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # by the agency holding it
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    info_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    info_provided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str] = mapped_column(Text, default="")            # to the sender
    public_answer: Mapped[str] = mapped_column(Text, default="")     # published, personal data removed
    public_question: Mapped[str] = mapped_column(Text, default="")   # the question as published, redacted
    rating: Mapped[str | None] = mapped_column(String(14))
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sender: Mapped[User | None] = relationship()
    agency: Mapped[Agency] = relationship(lazy="joined")
    events: Mapped[list[FeedbackEvent]] = relationship(
        back_populates="feedback", order_by="FeedbackEvent.id", cascade="all, delete-orphan")

    @property
    def status_label(self) -> str:
        return FeedbackStatus(self.status).label

    @property
    def reference(self) -> str:
        """What the sender quotes: PA-2026-000123 (year sent, then the row's number)."""
        return f"PA-{self.sent_at.year}-{self.id:06d}"


class FeedbackEvent(db.Model):
    """One dated step: who did what, with the text they wrote (the reason, the question...)."""

    __tablename__ = "feedback_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(14))  # FeedbackAction, or "send" / "rate"
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(150))
    agency_name: Mapped[str] = mapped_column(String(255), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    feedback: Mapped[Feedback] = relationship(back_populates="events")


class PendingFeedback(db.Model):
    """Feedback sent without an account, waiting for the code e-mailed to its sender (issue 17):
    it becomes a Feedback once the code is typed, within its time and its attempts."""

    __tablename__ = "pending_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)  # in the confirmation page's address
    payload: Mapped[dict] = mapped_column(JSON)                   # what the sender typed, checked
    email: Mapped[str] = mapped_column(String(254))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
