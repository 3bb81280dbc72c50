"""Dossiers (hồ sơ): the dossier, its files, its append-only history, the documents issued
for it, the counters that number them, and the messages sent about it."""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.eform import APPLICANT_COLUMNS
from app.domain.timeline import is_electronic_result
from app.extensions import db
from app.models.catalogue import ProcedureVersion
from app.models.types import UTCDateTime
from app.models.units import Agency
from app.models.users import User, utcnow

STATUS_VALUES = ("draft", "submitted", "accepted", "refused", "processing", "supplement_requested",
                 "fee_requested", "withdrawal_requested", "stopped", "resolved", "returned")


class Counter(db.Model):
    """An atomic sequence per (scope, period): dossier codes per receiving agency per day
    (Circular 01/2018/TT-VPCP Art. 19), document numbers per agency per year. Incremented
    with one INSERT … ON CONFLICT DO UPDATE … RETURNING, never an in-process lock."""

    __tablename__ = "counter"

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Dossier(db.Model):
    __tablename__ = "dossier"
    __table_args__ = (
        CheckConstraint(f"status IN {STATUS_VALUES!r}", name="status"),
        CheckConstraint("channel IN (1, 2, 3)", name="channel"),
        CheckConstraint("delivery IN ('counter', 'post', 'online')", name="delivery"),
        # the worklist's join of open steps to dossiers in a working status, index-only (0035)
        Index("ix_dossier_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The dossier code (mã hồ sơ) is given when the desk RECEIVES the dossier (its YYMMDD is
    # the date received, Circular 01/2018 Art. 19); until then an online submission is known by
    # its reference, given at submission (app/domain/codes.py). A refused dossier was never
    # received and keeps only its reference. A counter dossier is received at once: its
    # reference is its code.
    code: Mapped[str | None] = mapped_column(String(60), unique=True)
    reference: Mapped[str | None] = mapped_column(String(60), unique=True)
    # The receipt's QR link carries it (issue 13): with it, or the applicant's ID number's last 4
    # digits, the public lookup shows the procedure and the history; the code alone, sequential
    # per desk and day, shows only the status, the dates and the masked name. Rows written
    # outside the ORM (bulk loads) may have none: their QR link then unlocks nothing.
    lookup_secret: Mapped[str | None] = mapped_column(String(32), default=lambda: secrets.token_urlsafe(16))
    procedure_version_id: Mapped[int] = mapped_column(ForeignKey("procedure_version.id"), index=True)
    receiving_agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    # The competent agency (the one whose leader decides), set when processing starts; kept
    # apart from the receiving desk (LEGAL.md §6), so statistics count each dossier once per role.
    resolving_agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)  # None: walk-in
    status: Mapped[str] = mapped_column(String(24), index=True, default="draft")
    previous_status: Mapped[str | None] = mapped_column(String(24))
    channel: Mapped[int] = mapped_column(Integer)  # KenhThucHien: 1 counter, 2 online, 3 post
    delivery: Mapped[str] = mapped_column(String(10), default="counter")  # how the result goes back

    # Applicant snapshot (form 01): kept as submitted even if the account changes later.
    # The lengths are the e-form rules' (app/domain/eform.APPLICANT_COLUMNS), checked before a row is written.
    applicant_name: Mapped[str] = mapped_column(String(APPLICANT_COLUMNS["full_name"]), default="")
    applicant_id_number: Mapped[str] = mapped_column(String(APPLICANT_COLUMNS["id_number"]), default="")
    applicant_address: Mapped[str] = mapped_column(String(APPLICANT_COLUMNS["address"]), default="")
    applicant_phone: Mapped[str] = mapped_column(String(APPLICANT_COLUMNS["phone"]), default="")
    applicant_email: Mapped[str] = mapped_column(String(APPLICANT_COLUMNS["email"]), default="")
    represented: Mapped[dict | None] = mapped_column(JSON)  # the principal, when applying for someone
    form_data: Mapped[dict] = mapped_column(JSON, default=dict)
    # Số bộ hồ sơ (form 01): the sets of papers handed in; counted at the counter, 1 online.
    # The desk recorded at receipt that the facts must be verified: the procedure's longer limit
    # applied (verification_days; Civil Status Law 2014 Art. 18(2), 34(2)).
    needs_verification: Mapped[bool] = mapped_column(default=False)
    sets: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The dated columns the statistics compare with a period's cut keep their former value when
    # changed (active_history), so the roll-up drops only the periods the change moves
    # (services/stats.py, _invalidate); the four without an index of their own before are
    # indexed for the day's changes the open period adds to its roll-up (stats._open, 0037).
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True, active_history=True)
    # the original appointment
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True, active_history=True)
    # The deadline in force: due_at moved later by supplement pauses during processing (time
    # already used still counts). Statistics use due_at (Decision 766: waiting time subtracted).
    effective_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True, active_history=True)
    rescheduled_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # apology (form 04), once
    # The one supplement pause during processing: from the request to the applicant's answer.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True, active_history=True)
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True, active_history=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True,  # resolved or stopped
                                                         active_history=True)
    # Stamped when the dossier finishes, for the statistics (Decision 766 index 2.1, 2.2):
    # early | on_time | late against the deadline in force, and the office minutes it took.
    result_class: Mapped[str | None] = mapped_column(String(8))
    # ThoiGianGiaiQuyet (2.2): minutes of the procedure's own clock (office minutes for working
    # days and hours, elapsed minutes for calendar days), supplement wait subtracted.
    processing_minutes: Mapped[int | None] = mapped_column(Integer)
    # Stamped at the supplement request during processing: the dossier's 2.1 verdict if the
    # applicant never answers (Decision 766: a dossier waiting for a supplement ends at the
    # request; more than one request = late). domain/timeline.py.
    paused_class: Mapped[str | None] = mapped_column(String(8))
    # Carried over from another system (`flask dossiers import`): code, dates and history as
    # the file gave them, stamps computed here by the same rules.
    imported: Mapped[bool] = mapped_column(default=False)
    # Facts stamped by the action that makes them true, so the statistics count one table
    # (bench/dashboard.py: per-row EXISTS over child tables cost 8 s at 1,000,000 dossiers).
    has_files: Mapped[bool] = mapped_column(default=False)      # inputs digitised (4.2)
    # A signed electronic result exists (3.3, 4.1, 4.2): set with IssuedDocument.signed_at,
    # by domain.timeline.is_electronic_result (the listener at the end of this module).
    has_e_result: Mapped[bool] = mapped_column(default=False)
    paid_online: Mapped[bool] = mapped_column(default=False)    # fee paid on a portal (3.6)
    rated_poor: Mapped[bool] = mapped_column(default=False)     # rated "not satisfied" (5.4)
    # A component taken from the applicant's store (4.3, DuocTaiSuDung), one whose paper came from
    # the national store (4.4, DuocLayTuKhoDMQG), a feedback about this dossier (5.4's complaints).
    reused_component: Mapped[bool] = mapped_column(default=False, server_default=false())
    from_national_store: Mapped[bool] = mapped_column(default=False, server_default=false())
    has_complaint: Mapped[bool] = mapped_column(default=False, server_default=false())
    # NgayTiepNhan as the national portal acknowledged it in a synchronisation record (index 1.4:
    # the dossier counts as synchronised when it equals received_at); services/national_sync.py.
    national_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(10))  # approved | denied
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_method: Mapped[str | None] = mapped_column(String(10))  # counter | post | online
    tracking_number: Mapped[str | None] = mapped_column(String(60))
    intake_supplements: Mapped[int] = mapped_column(Integer, default=0)
    # The papers (document keys of the procedure file) the desk ticked as checked when it
    # received the dossier: form 01 lists them. None: received with no checklist (the API, an
    # import, a dossier from before migration 0015).
    checked_documents: Mapped[list | None] = mapped_column(JSON)
    processing_supplements: Mapped[int] = mapped_column(Integer, default=0)
    lock_version: Mapped[int] = mapped_column(Integer)
    # Optimistic lock: a stale draft or a second click on a decision fails instead of
    # silently overwriting (StaleDataError, turned into a clear message by the service).
    __mapper_args__ = {"version_id_col": lock_version}

    procedure_version: Mapped[ProcedureVersion] = relationship()
    receiving_agency: Mapped[Agency] = relationship(foreign_keys=[receiving_agency_id])
    resolving_agency: Mapped[Agency | None] = relationship(foreign_keys=[resolving_agency_id])
    owner: Mapped[User | None] = relationship()
    files: Mapped[list[DossierFile]] = relationship(back_populates="dossier", order_by="DossierFile.id",
                                                    cascade="all, delete-orphan")
    events: Mapped[list[DossierEvent]] = relationship(back_populates="dossier", order_by="DossierEvent.id")
    documents: Mapped[list[IssuedDocument]] = relationship(back_populates="dossier", order_by="IssuedDocument.id")
    steps: Mapped[list[StepTask]] = relationship(back_populates="dossier", order_by="StepTask.id")
    payments: Mapped[list[Payment]] = relationship(back_populates="dossier", order_by="Payment.id")
    rating: Mapped[Rating | None] = relationship(back_populates="dossier", uselist=False)
    apologies: Mapped[list[Apology]] = relationship(back_populates="dossier", order_by="Apology.id")

    @property
    def identifier(self) -> str | None:
        """What names the dossier to people: its code once received, its reference before."""
        return self.code or self.reference

    @property
    def resubmitted(self) -> bool:
        """Back at the desk with the answer to its one intake supplement request (the queue marks it)."""
        return self.status == "submitted" and self.intake_supplements > 0

    @property
    def current_step(self) -> StepTask | None:
        return next((s for s in reversed(self.steps) if s.done_at is None), None)

    @property
    def due_in_force(self) -> datetime | None:
        """The appointment the applicant holds now: the new date of the issued apology (form 04)
        once there is one, else the deadline moved later by an answered supplement pause, else
        the original appointment. Not the statistics' date: Decision 766 judges a dossier by
        `due_at` with the supplement wait subtracted (`effective_due_at`), never by an
        apology's new date (services/stats.py, processing.stamp; LEGAL.md §8)."""
        return self.rescheduled_due_at or self.effective_due_at or self.due_at

    @property
    def apology(self) -> Apology | None:
        """The live apology: the pending draft or the approved one (rejected drafts are history)."""
        return next((a for a in reversed(self.apologies) if a.status != "rejected"), None)


class StepTask(db.Model):
    """One hand-off of the internal process (a row of the control slip, form 05): the step,
    the agency and role that hold it, who gave it and when, its due time, when it was done and
    whether early, on time or late."""

    __tablename__ = "step_task"
    __table_args__ = (
        # One open step per dossier, whatever two clicks do at once.
        Index("uq_step_task_open", "dossier_id", unique=True,
              sqlite_where=text("done_at IS NULL"), postgresql_where=text("done_at IS NULL")),
        Index("ix_step_task_open_at", "agency_id", "role", "done_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # index in the version's process
    name: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(12))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(String(8))  # early | on_time | late
    note: Mapped[str] = mapped_column(Text, default="")

    dossier: Mapped[Dossier] = relationship(back_populates="steps")
    agency: Mapped[Agency] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    given_by: Mapped[User | None] = relationship(foreign_keys=[given_by_id])
    done_by: Mapped[User | None] = relationship(foreign_keys=[done_by_id])

    @property
    def key(self) -> str:
        return f"s{self.position + 1}"


class Apology(db.Model):
    """The apology and proposed new date (form 04) of a dossier going to be late: drafted by
    whoever holds the step (reason, new date), approved or sent back by a leader of the
    competent agency. Only the approval issues form 04 (under the head's name) and sets
    `Dossier.rescheduled_due_at`; `late` records an approval after the deadline "no later than
    1 working day before the due date" (Decree 61/2018 Art. 21; domain/deadlines.apology_deadline).
    A rejected draft stays as history; at most one draft or approved apology per dossier (the
    partial unique index), so a dossier is rescheduled once."""

    __tablename__ = "apology"
    __table_args__ = (
        CheckConstraint("status IN ('drafted', 'approved', 'rejected')", name="status"),
        Index("uq_apology_live", "dossier_id", unique=True,
              sqlite_where=text("status != 'rejected'"), postgresql_where=text("status != 'rejected'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="drafted")
    reason: Mapped[str] = mapped_column(Text)
    new_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")  # why a draft was sent back
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the last on-time instant, at drafting
    late: Mapped[bool | None] = mapped_column()  # set at approval: issued after the deadline

    dossier: Mapped[Dossier] = relationship(back_populates="apologies")
    drafted_by: Mapped[User] = relationship(foreign_keys=[drafted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Rating(db.Model):
    """The applicant's rating of a returned dossier, once (feeds Decision 766 index 5.4)."""

    __tablename__ = "rating"
    __table_args__ = (CheckConstraint("value IN ('satisfied', 'acceptable', 'not_satisfied')", name="value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), unique=True)
    value: Mapped[str] = mapped_column(String(14))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    dossier: Mapped[Dossier] = relationship(back_populates="rating")


class Payment(db.Model):
    """A fee paid during processing: recorded by staff at the counter, or by a settled
    PaymentOrder paid through the province's gateway (`provincial_gateway`)."""

    __tablename__ = "payment"
    __table_args__ = (CheckConstraint("channel IN ('counter', 'national_portal', 'provincial_gateway')",
                                      name="channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    amount: Mapped[int] = mapped_column(Integer)  # VND
    channel: Mapped[str] = mapped_column(String(20), default="counter")
    receipt_number: Mapped[str] = mapped_column(String(60), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)

    dossier: Mapped[Dossier] = relationship(back_populates="payments")


class PaymentOrder(db.Model):
    """An online payment asked of the province's gateway (VNPay): made before the applicant is
    sent there, settled once by the gateway's signed answer (return or IPN, whichever comes
    first). A paid order records its Payment."""

    __tablename__ = "payment_order"
    __table_args__ = (CheckConstraint("status IN ('pending', 'paid', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    txn_ref: Mapped[str] = mapped_column(String(40), unique=True)      # vnp_TxnRef, ours
    amount: Mapped[int] = mapped_column(Integer)                        # VND
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    gateway_ref: Mapped[str] = mapped_column(String(40), default="")    # vnp_TransactionNo
    response_code: Mapped[str] = mapped_column(String(4), default="")   # vnp_ResponseCode

    dossier: Mapped[Dossier] = relationship()


class DossierFile(db.Model):
    """An uploaded file, stored by content hash; the original name is only a label."""

    __tablename__ = "dossier_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    component: Mapped[str] = mapped_column(String(60))  # the procedure's document key
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Taken from the applicant's store instead of uploaded (Decision 766 index 4.3's reuse flag,
    # DuocTaiSuDung); the paper it came from, while the store keeps it.
    reused: Mapped[bool] = mapped_column(default=False, server_default=false())
    stored_paper_id: Mapped[int | None] = mapped_column(ForeignKey("stored_paper.id", ondelete="SET NULL"))

    dossier: Mapped[Dossier] = relationship(back_populates="files")


class DossierEvent(db.Model):
    """The audit trail and the control slip: appended, never updated or deleted."""

    __tablename__ = "dossier_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str | None] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    note: Mapped[str] = mapped_column(Text, default="")

    dossier: Mapped[Dossier] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()
    agency: Mapped[Agency | None] = relationship()


class IssuedDocument(db.Model):
    """A form issued for a dossier (01 receipt, 02 supplement request, 03 refusal, ...).
    Its PDF is rendered by a job after the commit; `sha256` is empty until then. Numbers restart
    every year (the counter's period), as official numbering does, so they are unique per
    agency, kind and year by construction, not by a constraint on the text."""

    __tablename__ = "issued_document"
    __table_args__ = (
        CheckConstraint("kind IN ('receipt', 'supplement_request', 'refusal', 'apology', 'stop_notice', 'result')",
                        name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    number: Mapped[str] = mapped_column(String(60))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    content: Mapped[dict] = mapped_column(JSON, default=dict)  # items, reasons: what the form says
    sha256: Mapped[str | None] = mapped_column(String(64))
    # When the PDF stored under `sha256` became fully signed (every signature its kind needs,
    # checked after signing); empty = not signed. Only a signed result is an electronic result
    # (Decree 45/2020 Art. 25; Decision 766 indices 3.3, 4.1, 4.2).
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the last signing attempt failed (an expired certificate, an unreachable token), shown
    # to the desk; empty once signed. A document that needs a signature and lacks it is never
    # presented as signed.
    signing_error: Mapped[str | None] = mapped_column(Text)
    # Why rendering the PDF failed (too slow: the job's time limit; a template error), shown to
    # staff; `flask jobs replay` leaves it until `--failed` says the cause was fixed.
    render_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="documents")
    agency: Mapped[Agency] = relationship()
    issued_by: Mapped[User | None] = relationship()
    signatures: Mapped[list[DocumentSignature]] = relationship(  # noqa: F821 - app/models/signing.py
        back_populates="document", order_by="DocumentSignature.id", cascade="all, delete-orphan")


class OutboxMessage(db.Model):
    """A message to send (e-mail, SMS), delivered by a job with retries (domain/outbox.py):
    `sent_at` set once delivered; after a failure `next_attempt_at` says when it is due again,
    and `failed_at` that it was given up (the outbox page can send it again)."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str] = mapped_column(String(10), default="email")
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dossier: Mapped[Dossier | None] = relationship()


@event.listens_for(IssuedDocument.signed_at, "set")
def _stamp_e_result(document: IssuedDocument, signed_at, _old, _initiator) -> None:
    """Whoever records that a document became fully signed (the signing job, an import) stamps
    the dossier's e-result fact with it, so the statistics count one column."""
    if document.dossier is not None and is_electronic_result(document.kind, signed_at):
        document.dossier.has_e_result = True
