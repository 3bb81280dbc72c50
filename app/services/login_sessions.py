"""Browser sessions (issue 13, "Phiên đăng nhập"): one row per log-in, so that the account's
owner sees each browser and ends one of them, and every path that must end them all (sign out
everywhere, a new password by any path, an administrator's deactivation) ends the rows.

Flask's session cookie (and the remember-me cookie) carries "<user id>.<key>" (User.get_id),
the key a random secret whose SHA-256 alone is stored: the user loader (app/security.py)
finds no one for a key whose row is ended or missing, so ending a row stops that browser at
its next request, wherever the cookie was copied to (OWASP Session Management: server-side
invalidation). A row is never deleted: `ended_at` says when it stopped.

No idle or absolute lifetime is set by the configuration (the session cookie lasts as long as
the browser, the remember-me cookie Flask-Login's REMEMBER_COOKIE_DURATION): a row lives until
it is ended. Its `last_seen_at` is written at most once every LAST_SEEN_RESOLUTION, not once
per request."""
from __future__ import annotations

import hashlib
import ipaddress
import secrets
from datetime import datetime, timedelta

import ua_parser
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import LoginSession, User
from app.models.users import utcnow
from app.services.errors import ServiceError

LAST_SEEN_RESOLUTION = timedelta(minutes=5)
USER_AGENT_LENGTH = 200


class SessionError(ServiceError):
    """A session operation refused: none of the account's (404, whether missing or another's)."""


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def masked_address(address: str | None) -> str:
    """The client's network, not the address: an IPv4 /24, an IPv6 /48 ("" when unreadable)."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 48}", strict=False))


def device(user_agent: str) -> tuple[str | None, str | None]:
    """(browser, operating system) read from a User-Agent header by ua-parser (uap-core's
    regexes), each None when not recognised: a short name for the list ("Chromium", "Linux"),
    not a fingerprint."""
    found = ua_parser.parse(user_agent or "")

    def family(part):
        return part.family if part is not None and part.family != "Other" else None
    return family(found.user_agent), family(found.os)


def start(user: User, user_agent: str = "", address: str | None = None, now: datetime | None = None) -> LoginSession:
    """A new session for `user` (already authenticated), committed; `user` is then ready for
    login_user (its get_id carries the new key)."""
    now = now or utcnow()
    key = secrets.token_urlsafe(32)
    row = LoginSession(user=user, secret_hash=_digest(key), created_at=now, last_seen_at=now,
                       user_agent=(user_agent or "")[:USER_AGENT_LENGTH], address=masked_address(address))
    db.session.add(row)
    db.session.commit()
    user.login_key, user.login_session_id = key, row.id
    return row


def user_for(session_id: str, now: datetime | None = None) -> User | None:
    """The account of a session or remember-me cookie's id ("<user id>.<key>"), if its row is
    open and the account active; None otherwise (an ended row, a forged key, an id of the
    session versions used before the rows)."""
    number, _dot, key = (session_id or "").partition(".")
    if not number.isdigit() or not key or len(key) > 100:
        return None
    # the account in the same statement (its memberships follow in one more: User.memberships)
    row = db.session.scalar(select(LoginSession).where(LoginSession.secret_hash == _digest(key),
                                                       LoginSession.ended_at.is_(None))
                            .options(joinedload(LoginSession.user)))
    if row is None or row.user_id != int(number) or not row.user.active:
        return None
    now = now or utcnow()
    session = db.session
    # Loaded lazily, the user may be read in the middle of a view: never commit its pending work.
    if now - row.last_seen_at >= LAST_SEEN_RESOLUTION and not (session.new or session.dirty or session.deleted):
        row.last_seen_at = now
        session.commit()
    user = row.user
    user.login_key, user.login_session_id = key, row.id
    return user


def active(user: User) -> list[LoginSession]:
    """The account's open sessions, the most recently seen first."""
    return list(db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id,
                                                              LoginSession.ended_at.is_(None))
                                   .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())))


def own(user: User, session_id: int) -> LoginSession:
    """One of the account's sessions, open or ended; 404 for another's as for a missing one
    (a session's number tells nobody else anything)."""
    row = db.session.get(LoginSession, session_id)
    if row is None or row.user_id != user.id:
        raise SessionError("Không có phiên đăng nhập này.", status=404)
    return row


def end(user: User, session_id: int, now: datetime | None = None) -> LoginSession:
    """The owner ends one of their sessions ("Đăng xuất phiên này", or log-out for the current
    one); ending it again changes nothing."""
    row = own(user, session_id)
    if row.ended_at is None:
        row.ended_at = now or utcnow()
        db.session.commit()
    return row


def end_all(user: User, now: datetime | None = None) -> None:
    """Every open session of the account ends (not committed: part of the caller's change)."""
    db.session.execute(update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
                       .values(ended_at=now or utcnow()))
