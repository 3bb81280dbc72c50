"""People: a user, and the roles they hold in agencies. A citizen has no membership."""
from __future__ import annotations

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.notices import parse_channels
from app.extensions import db
from app.models.types import UTCDateTime
from app.models.units import Agency


def utcnow() -> datetime:
    return datetime.now(UTC)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    full_name: Mapped[str] = mapped_column(String(150))
    # Số định danh cá nhân: 12 digits (Law on Identification 2023 Art. 12). Required of citizens.
    id_number: Mapped[str | None] = mapped_column(String(12), unique=True)
    phone: Mapped[str | None] = mapped_column(String(15))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the owner opened the link of the verification e-mail; a citizen who registered
    # online may keep drafts before it, not submit one (issue 13). Staff made by an admin and
    # accounts from before the check count as verified.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Failed log-ins in a row (services.accounts.authenticate): past a threshold the account
    # refuses log-ins until `locked_until`, a period that doubles with each further failure.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failed_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the notices and account e-mails are written in (app/i18n.LANGUAGES), and the
    # channels the account is told on about its dossiers (domain/notices.CHANNELS, a comma list).
    language: Mapped[str] = mapped_column(String(2), default="vi", server_default="vi")
    notify_channels: Mapped[str] = mapped_column(String(20), default="email,sms", server_default="email,sms")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # The browser session (LoginSession) this object was loaded or logged in for: set by
    # services.login_sessions, never stored on the account.
    login_key = None
    login_session_id = None

    def get_id(self) -> str:
        """Flask-Login's id for the session and the remember-me cookie: "<id>.<login key>", the
        secret of one LoginSession row (Flask-Login's "alternative tokens"), so ending the row
        ends that browser's session and remember-me cookie server-side."""
        if self.login_key is None:
            raise RuntimeError("login_sessions.start() before login_user(): no browser session to log in")
        return f"{self.id}.{self.login_key}"

    # UserMixin compares get_id(), which names a browser session: the account is the same
    # whichever session it was loaded for.
    def __eq__(self, other):
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__  # by identity, as SQLAlchemy's identity map expects

    @property
    def is_active(self) -> bool:  # Flask-Login: a deactivated account cannot log in
        return self.active

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_citizen(self) -> bool:
        return not self.memberships

    @property
    def channels(self) -> frozenset[str]:
        return parse_channels(self.notify_channels)

    def has_role(self, role: str) -> bool:
        return any(m.role == role for m in self.memberships)


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("user_id", "agency_id", "role", name="uq_membership_user_agency_role"),
        CheckConstraint("role IN ('reception', 'specialist', 'leader', 'clerk', 'admin')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    role: Mapped[str] = mapped_column(String(12))

    user: Mapped[User] = relationship(back_populates="memberships")
    agency: Mapped[Agency] = relationship(lazy="joined")


class ApiToken(db.Model):
    """An API token, stored by id so that it can be listed and revoked. Only a SHA-256 of its
    secret is kept (the secret is shown once, when issued). `password_stamp` is a digest of the
    password hash at issue: a password changed by any path (change, reset, an admin) ends it.
    It holds no role: the account's memberships are read when the token is used."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    password_stamp: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginSession(db.Model):
    """One browser's log-in (issue 13, "Phiên đăng nhập"): listed to its owner, ended alone
    (log-out, "Đăng xuất phiên này") or with all the others (sign out everywhere, a new
    password, a deactivation). The browser keeps a random key in its session and remember-me
    cookies (User.get_id); the table keeps only its SHA-256. The user agent is kept short and
    the address truncated to its network (/24, /48): enough to recognise a device, not to
    track a person."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(50), default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
