"""API tokens, stored by id so that they can be listed, revoked and expire (issue 13).

A token is a random secret shown once; the table keeps only its SHA-256 (a stolen copy of the
database gives no usable token; a fast hash is enough for 256 random bits). A token is refused
when revoked, expired, when its account is deactivated, or when the account's password changed
since it was issued (its `password_stamp`): a password change by any path ends every token
without its caller doing anything. A token holds no role: permissions read the account's
memberships at each request, so a role taken away is gone for the token at once.

Also the one reader of the signed one-time links sent by e-mail (sign_link / read_link): the
password reset (1 h), the staff set-password invitation or reset (72 h), the address
verification (7 days). Each is an itsdangerous signature with its purpose as salt, timed; a
"stamped" link also carries the account's password stamp, so the password it sets kills it.
One refusal, LinkError, one status mapping for every page that reads them:

    expired                                            → 410 Gone
    forged or tampered, unknown or locked account,
    already used (the password changed since)          → 404 Not Found"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update

from app.domain import N_
from app.extensions import db
from app.models import ApiToken, User
from app.models.users import utcnow
from app.services.errors import ServiceError

# A use is written at most once a minute per token: not a database write per API call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(ServiceError):
    """A token operation refused (another's token, an unknown one)."""


def password_stamp(user: User) -> str:
    """A digest of the password hash: it changes with the password, and reveals nothing of it."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(user: User, label: str = "", now: datetime | None = None) -> str:
    """A new token for `user` (already authenticated); the secret is returned once, never stored."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, label=label.strip()[:100], secret_hash=_digest(secret),
                            password_stamp=password_stamp(user), created_at=now,
                            expires_at=now + timedelta(seconds=current_app.config["API_TOKEN_MAX_AGE"])))
    db.session.commit()
    return secret


def _usable(now: datetime):
    return (ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)


def user_for(secret: str, now: datetime | None = None) -> User | None:
    """The account a bearer token stands for now, or None."""
    now = now or utcnow()
    if not secret or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.secret_hash == _digest(secret), *_usable(now)))
    if token is None:
        return None
    user = token.user
    if not user.active or token.password_stamp != password_stamp(user):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return user


def active_tokens(user: User, now: datetime | None = None) -> list[ApiToken]:
    """The account's tokens that still work, newest first ("Phiên đăng nhập")."""
    now = now or utcnow()
    stamp = password_stamp(user)
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, *_usable(now))
                              .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    return [t for t in rows if t.password_stamp == stamp]


def own_token(user: User, token_id: int) -> ApiToken:
    """One of the account's tokens: 404 for none, 403 for another account's."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise TokenError("Không có mã truy cập này.", status=404)
    if token.user_id != user.id:
        raise TokenError("Mã truy cập này không phải của bạn.", status=403)
    return token


def revoke(user: User, token_id: int, now: datetime | None = None) -> ApiToken:
    """The owner revokes one of their tokens; revoking it again changes nothing."""
    token = own_token(user, token_id)
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        db.session.commit()
    return token


def revoke_all(user: User, now: datetime | None = None) -> None:
    """Every token of the account stops working (not committed: part of the caller's change)."""
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=now or utcnow()))


# --- signed one-time links ------------------------------------------------------------------

LINK_EXPIRED = N_("Liên kết đã hết hạn. Vui lòng yêu cầu liên kết mới.")
LINK_INVALID = N_("Liên kết không hợp lệ. Vui lòng kiểm tra lại địa chỉ trong thư.")
LINK_USED = N_("Liên kết này đã được dùng hoặc mật khẩu đã thay đổi. Vui lòng yêu cầu liên kết mới.")


class LinkError(ServiceError):
    """A signed link refused (the mapping above): 410 expired, 404 anything else."""

    @classmethod
    def expired(cls) -> LinkError:
        return cls(LINK_EXPIRED, status=410)

    @classmethod
    def invalid(cls) -> LinkError:
        return cls(LINK_INVALID, status=404)

    @classmethod
    def used(cls) -> LinkError:
        return cls(LINK_USED, status=404)


def _link_serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def sign_link(purpose: str, user: User, stamped: bool, **extra: str) -> str:
    """The token of a link for `user` (its id, `extra`, and its password stamp if `stamped`)."""
    data = {"u": user.id, **extra}
    if stamped:
        data["s"] = password_stamp(user)
    return _link_serializer(purpose).dumps(data)


def read_link(purpose: str, token: str, max_age: int, stamped: bool) -> tuple[User, dict]:
    """The active account a link of `purpose` is for, younger than `max_age` seconds and, if
    `stamped`, made under its current password; with the link's data. LinkError otherwise."""
    try:
        data = _link_serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkError.expired() from None
    except BadSignature:
        raise LinkError.invalid() from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or not user.active:
        raise LinkError.invalid()
    if stamped and data.get("s") != password_stamp(user):
        raise LinkError.used()
    return user, data
