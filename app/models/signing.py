"""Signing: where each agency's seal key and each official's personal key lives, and the
signatures applied to issued documents. The portal stores the key's LOCATION (a PKCS#11 module,
token and key label, or a PKCS#12 file) and the public certificate, never a private key or a
PIN: the PIN or passphrase is read from the environment variable named in `secret_env`."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.dossiers import IssuedDocument
from app.models.types import UTCDateTime
from app.models.units import Agency
from app.models.users import User, utcnow


class SigningCertificate(db.Model):
    """One certificate per agency (its seal, chứng thư số cơ quan) or per official (personal,
    chứng thư số cá nhân); replacing a certificate updates the row."""

    __tablename__ = "signing_certificate"
    __table_args__ = (
        CheckConstraint("(agency_id IS NULL) <> (user_id IS NULL)", name="one_owner"),
        CheckConstraint("backend IN ('pkcs11', 'pkcs12')", name="backend"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    backend: Mapped[str] = mapped_column(String(8))
    pkcs11_module: Mapped[str | None] = mapped_column(String(500))  # e.g. /usr/lib/x86_64-linux-gnu/libvgca.so
    token_label: Mapped[str | None] = mapped_column(String(64))
    slot: Mapped[int | None] = mapped_column(Integer)
    key_label: Mapped[str | None] = mapped_column(String(64))
    pkcs12_path: Mapped[str | None] = mapped_column(String(500))
    certificate_pem: Mapped[str | None] = mapped_column(Text)  # public; read from the token/file when empty
    chain_pem: Mapped[str | None] = mapped_column(Text)        # intermediate CA certificates, public
    secret_env: Mapped[str] = mapped_column(String(64))         # NAME of the variable holding the PIN
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency | None] = relationship()
    user: Mapped[User | None] = relationship()

    @property
    def kind(self) -> str:
        return "seal" if self.agency_id else "personal"


class DocumentSignature(db.Model):
    """A signature applied to an issued document: who (a snapshot of the certificate's
    subject), when, at which PAdES level, and the SHA-256 of the PDF it produced (earlier
    versions stay recognisable to the verification page)."""

    __tablename__ = "document_signature"
    __table_args__ = (
        UniqueConstraint("document_id", "role"),  # a re-run signs once
        CheckConstraint("role IN ('personal', 'seal')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("issued_document.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10))
    signer: Mapped[str] = mapped_column(String(200))          # the certificate's common name
    subject: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str] = mapped_column(Text)
    certificate_fingerprint: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(8))             # "B-B" or "B-LT"
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sha256: Mapped[str] = mapped_column(String(64), index=True)

    document: Mapped[IssuedDocument] = relationship(back_populates="signatures")
