"""Accounts: citizen registration and e-mail verification, staff accounts made by an admin,
logging in (with a per-account lockout), changing and resetting a password, signing out
everywhere (the browser sessions themselves: services/login_sessions.py).

Passwords are hashed with scrypt (werkzeug's default KDF), never stored in clear, and checked
against the common-password rules of app/domain/passwords.py. The links sent by e-mail are
signed, timed and read by tokens.read_link; the reset link also carries the password stamp, so
it works once: the password it sets changes the stamp.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app import i18n
from app.domain import N_, msg, notices
from app.domain.passwords import weakness
from app.domain.structure import Role
from app.extensions import db
from app.models import Membership, User
from app.models.users import utcnow
from app.services import login_sessions, notify, tokens
from app.services.errors import ServiceError
from app.services.issuing import public_url
from app.services.structure import agency_by_code

# A real hash to compare against when the e-mail is unknown, so that a wrong e-mail and a
# wrong password take the same time (no account enumeration by timing).
_DUMMY_HASH = generate_password_hash("not-a-password")


class AccountError(ServiceError):
    """A rule about accounts broken by the input."""


@dataclass(frozen=True)
class Grant:
    role: str
    agency_code: str


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def check_password(password: str, *personal: str | None) -> None:
    """Refuse a new password that is too short, too long or easy to guess (domain.passwords);
    `personal` are the account's own words (e-mail, name, ID number, phone)."""
    if problem := weakness(password, tuple(p for p in personal if p)):
        raise AccountError.on("password", problem)


def _set_password(user: User, password: str) -> None:
    user.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _new_user(email: str, password: str, full_name: str, id_number: str | None, phone: str | None) -> User:
    email = email.strip().lower()
    if find_by_email(email):
        raise AccountError.on("email", "Địa chỉ e-mail này đã được đăng ký.")
    if id_number and db.session.scalar(select(User.id).where(User.id_number == id_number)):
        raise AccountError.on("id_number", "Số định danh cá nhân này đã được đăng ký.")
    user = User(email=email, full_name=full_name.strip(), id_number=id_number or None, phone=phone or None)
    _set_password(user, password)
    db.session.add(user)
    return user


def register_citizen(*, email: str, password: str, full_name: str, id_number: str, phone: str,
                     language: str = i18n.DEFAULT) -> User:
    """A citizen registers with a 12-digit personal identification number
    (Law on Identification 2023 Art. 12; Decree 69/2024 for e-ID). The address is not verified
    yet: a verification e-mail goes out, and submitting waits for its link (drafts do not).
    `language`: the page's, the account's first choice for its messages (its verification e-mail
    too); the account's "Nhận thông báo" page changes it."""
    check_password(password, email, full_name, id_number, phone)
    user = _new_user(email, password, full_name, id_number, phone)
    user.language = language if language in i18n.LANGUAGES else i18n.DEFAULT
    db.session.flush()
    message = _verification_email(user)
    db.session.commit()
    notify.dispatch(message)
    return user


def create_user(*, email: str, password: str, full_name: str, grants: list[Grant] = (),
                id_number: str | None = None, phone: str | None = None) -> User:
    """An admin creates an account; staff get one membership per (role, agency) grant."""
    for grant in grants:
        if not Role.known(grant.role):
            raise AccountError.on("role", msg("Vai trò không hợp lệ: %(role)s", role=grant.role))
    user = _new_user(email, password, full_name, id_number, phone)
    user.email_verified_at = utcnow()  # the admin who made the account vouches for its address
    for grant in grants:
        agency = agency_by_code(grant.agency_code)
        if agency is None:
            db.session.rollback()
            raise AccountError.on("agency", msg("Không có cơ quan mã %(code)s", code=grant.agency_code))
        user.memberships.append(Membership(agency=agency, role=grant.role))
    db.session.commit()
    return user


def _locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and now < user.locked_until


def _count_failure(user: User, now: datetime) -> None:
    """One more failed log-in. A run of failures ends after LOGIN_LOCK_WINDOW seconds without
    one (counted from the end of a lock); from the LOGIN_LOCK_AFTER-th on, each failure locks
    the account for twice as long as the one before (OWASP Authentication Cheat Sheet,
    "Account Lockout"; NIST SP 800-63B §5.2.2, rate limiting per account)."""
    config = current_app.config
    quiet_since = max(filter(None, (user.last_failed_login_at, user.locked_until)), default=None)
    if quiet_since is None or now - quiet_since > timedelta(seconds=config["LOGIN_LOCK_WINDOW"]):
        user.failed_logins = 0
    user.failed_logins = (user.failed_logins or 0) + 1
    user.last_failed_login_at = now
    beyond = user.failed_logins - config["LOGIN_LOCK_AFTER"]
    if beyond >= 0:
        seconds = min(config["LOGIN_LOCK_SECONDS"] * 2 ** min(beyond, 20), config["LOGIN_LOCK_MAX_SECONDS"])
        user.locked_until = now + timedelta(seconds=seconds)


def _clear_failures(user: User) -> None:
    user.failed_logins, user.last_failed_login_at, user.locked_until = 0, None, None


def authenticate(email: str, password: str, now: datetime | None = None) -> User | None:
    """The account, if the password is right and the account active and not locked; None
    otherwise, the same None whatever the reason, so that the answer (and the time it takes:
    a hash is always checked) tells nobody whether the e-mail has an account or is locked.
    Failures are counted on the account, in the database: the lock holds across processes."""
    now = now or utcnow()
    user = find_by_email(email)
    if user is None or _locked(user, now):
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        _count_failure(user, now)
        db.session.commit()
        return None
    if not user.active:
        return None
    if user.failed_logins:
        _clear_failures(user)
        db.session.commit()
    return user


def issue_token(email: str, password: str, label: str = "") -> str | None:
    """POST /api/v1/auth/token: a new stored token for the right e-mail and password."""
    user = authenticate(email, password)
    return tokens.issue(user, label) if user else None


# --- links sent by e-mail -------------------------------------------------------------------

RESET, VERIFY = "password-reset", "email-verify"


def _verification_email(user: User):
    link = public_url("auth.verify_email", token=tokens.sign_link(VERIFY, user, stamped=False, e=user.email))
    hours = current_app.config["EMAIL_VERIFY_MAX_AGE"] // 3600
    with notify.speaking(user):
        return notify.account_email(user.email, _("Xác nhận địa chỉ e-mail"), [
            _("Kính gửi %(name)s,", name=user.full_name), "",
            _("Để nộp hồ sơ trực tuyến, vui lòng xác nhận địa chỉ e-mail của tài khoản bằng cách mở liên kết sau:"),
            link, "",
            _("Liên kết có hiệu lực trong %(hours)s giờ. Nếu bạn không đăng ký tài khoản, hãy bỏ qua thư này.",
              hours=hours)])


def resend_verification(user: User) -> None:
    """A new verification e-mail ("Gửi lại thư xác nhận"); nothing for a verified address."""
    if user.email_verified:
        return
    message = _verification_email(user)
    db.session.commit()
    notify.dispatch(message)


def verify_email(token: str, now: datetime | None = None) -> User:
    """The link of the verification e-mail: the address is the account's (once is enough; a
    link for an address the account no longer has is refused)."""
    user, data = tokens.read_link(VERIFY, token, current_app.config["EMAIL_VERIFY_MAX_AGE"], stamped=False)
    if data.get("e") != user.email:
        raise tokens.LinkError.invalid()
    if not user.email_verified:
        user.email_verified_at = now or utcnow()
        db.session.commit()
    return user


def request_password_reset(email: str) -> None:
    """"Quên mật khẩu": a reset link to the address if it has an active account, nothing
    otherwise; the caller answers the same either way (no account enumeration)."""
    user = find_by_email(email)
    if user is None or not user.active:
        return
    link = public_url("auth.reset_password", token=tokens.sign_link(RESET, user, stamped=True))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    with notify.speaking(user):
        message = notify.account_email(user.email, _("Đặt lại mật khẩu"), [
            _("Kính gửi %(name)s,", name=user.full_name), "",
            _("Có yêu cầu đặt lại mật khẩu cho tài khoản của bạn. Mở liên kết sau để đặt mật khẩu mới:"),
            link, "", _("Liên kết chỉ dùng được một lần, trong %(minutes)s phút. Nếu bạn không yêu cầu, hãy bỏ "
                        "qua thư này: mật khẩu của bạn không đổi.", minutes=minutes)])
    db.session.commit()
    notify.dispatch(message)


def reset_target(token: str) -> User:
    """The account a reset link is for, if the link is still good (the form's GET)."""
    user, _data = tokens.read_link(RESET, token, current_app.config["PASSWORD_RESET_MAX_AGE"], stamped=True)
    return user


def replace_password(user: User, password: str, now: datetime | None = None) -> None:
    """A new password ends every browser session of the account and every API token."""
    now = now or utcnow()
    check_password(password, user.email, user.full_name, user.id_number, user.phone)
    _set_password(user, password)
    login_sessions.end_all(user, now)
    tokens.revoke_all(user, now)


def reset_password(token: str, password: str, now: datetime | None = None) -> User:
    """The reset form: a new password; the lockout is lifted, and the address counts as
    verified (the link reached it)."""
    now = now or utcnow()
    user = reset_target(token)
    replace_password(user, password, now)
    _clear_failures(user)
    user.email_verified_at = user.email_verified_at or now
    db.session.commit()
    return user


def change_password(user: User, current: str, password: str, now: datetime | None = None) -> User:
    """"Đổi mật khẩu": the current password first; every session of the account ends, the one
    making the change too: the caller starts a new one for it (a new key after a change of
    credentials, OWASP Session Management "Renew the Session ID"), a copy of the old cookie is dead."""
    now = now or utcnow()
    if not check_password_hash(user.password_hash, current):
        raise AccountError.on("current", "Mật khẩu hiện tại không đúng.")
    if current == password:
        raise AccountError.on("password", "Mật khẩu mới phải khác mật khẩu hiện tại.")
    replace_password(user, password, now)
    db.session.commit()
    return user


STAFF_NO_CHANNELS = N_("Cán bộ chỉ chọn ngôn ngữ: cách nhận thông báo về hồ sơ là của người nộp hồ sơ.")


def set_notice_preferences(user: User, language: str, channels: list[str] | None = None) -> User:
    """"Nhận thông báo" (issues 14, 16), the page's and the API's one rule: the language of the
    account's notices and e-mails (staff too: a password reset link is written in it) and, for a
    citizen, the channels its dossiers' notices go on (domain/notices.py), at least one.
    `channels` None keeps a citizen's as they are (the API's body may leave them out); staff are
    not told about dossiers, so channels given for a staff account are refused, not ignored."""
    if language not in i18n.LANGUAGES:
        raise AccountError.on("language", "Chọn một ngôn ngữ trong danh sách.")
    stored = user.notify_channels
    if not user.is_citizen:
        if channels is not None:
            raise AccountError.on("channels", STAFF_NO_CHANNELS)
    elif channels is not None:
        if not channels:
            raise AccountError.on("channels", "Chọn ít nhất một cách nhận thông báo.")
        try:
            stored = notices.join_channels(channels)
        except ValueError:
            raise AccountError.on("channels", "Chọn trong các cách nhận thông báo được liệt kê.") from None
    user.language, user.notify_channels = language, stored
    db.session.commit()
    return user


def end_everywhere(user: User, now: datetime | None = None) -> None:
    """"Đăng xuất khỏi mọi nơi": every browser session (this one too) and every API token end."""
    now = now or utcnow()
    login_sessions.end_all(user, now)
    tokens.revoke_all(user, now)
    db.session.commit()
