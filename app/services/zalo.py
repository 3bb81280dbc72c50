"""The Zalo channel of the outbox (issue 16): ZNS template messages, and the Official
Account's tokens they are sent with. Zalo's calls and answers: app/integrations/zalo.py.

A Zalo message is a row OutboxMessage(channel="zalo", recipient=<the phone, international
digits: "84912345678">, subject=<the notice kind: "received", "supplement", "fee", …>,
body=<a JSON object of the template's parameters, strings>). ZALO_TEMPLATES names the ZNS
template (approved by Zalo for the OA) of each kind; a kind without one, or a body that is not
such an object, is given up at once with the reason (no retry can fix the configuration of a
row already written). The outbox id goes as Zalo's `tracking_id` (outbox-<id>).

Tokens. ZNS wants the OA access token (about 25 hours); it is renewed from the refresh token,
which Zalo lets be used once: each renewal returns the next one, and losing it means the OA's
administrator must authorise the app again. So the chain lives in the database (ZaloToken, one
row per app), started from ZALO_REFRESH_TOKEN and restarted when that variable changes (its
SHA-256 is kept to notice), and each renewal is committed at once in a session of its own:
the new refresh token is kept whatever becomes of the message, and no commit in the middle of
a send releases the outbox row's lock that `notify.deliver` holds until it records the result.
The access token is renewed REFRESH_MARGIN before it expires, and when Zalo rejects it (then
the message is sent once more with the new one). Two workers never spend one refresh token:
the renewal holds the row's lock (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises its
writers), and the second, once it has the row, finds the token renewed and uses it. Left
open: a renewal Zalo performed but whose answer never arrived (a timeout) leaves the old
refresh token here, already spent; the next renewal is refused and the OA must be authorised
again (a new ZALO_REFRESH_TOKEN).

Encryption. Both tokens are stored as Fernet tokens (AES-128-CBC with HMAC-SHA256, the
`cryptography` package) under ZALO_TOKEN_KEY if it is set, otherwise under a key derived from
SECRET_KEY with HKDF-SHA256 (info "mot-cua/zalo-token-store/v1"), so the database alone does
not give the tokens away. A row the key cannot open (the key changed) is started again from
ZALO_REFRESH_TOKEN.
"""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import outbox
from app.extensions import db, dialect_insert
from app.integrations import zalo
from app.models import OutboxMessage, ZaloToken
from app.models.users import utcnow

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

REFRESH_MARGIN = timedelta(minutes=5)
KEY_INFO = b"mot-cua/zalo-token-store/v1"


def configured() -> bool:
    """Whether Zalo messages can be sent: the app and the refresh token it was authorised with."""
    config = current_app.config
    return bool(config["ZALO_APP_ID"] and config["ZALO_SECRET_KEY"] and config["ZALO_REFRESH_TOKEN"])


def _fernet() -> Fernet:
    # cryptography (~8 MB) is imported by the first Zalo delivery, not by every web process.
    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = current_app.config["ZALO_TOKEN_KEY"]
    if not key:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(
            current_app.config["SECRET_KEY"].encode())
        key = base64.urlsafe_b64encode(derived)
    return Fernet(key)


def _seal(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode("ascii")


def _open(sealed: str | None) -> str | None:
    """The plaintext of `sealed`; None when there is none or the key cannot open it."""
    from cryptography.fernet import InvalidToken

    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode("ascii")).decode()
    except InvalidToken:
        return None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _usable(row: ZaloToken | None, now: datetime, rejected: str | None) -> str | None:
    """The row's access token if it is of the configured chain, lives past the margin and is
    not the one Zalo just `rejected`."""
    if row is None or row.seed_digest != _sha256(current_app.config["ZALO_REFRESH_TOKEN"]):
        return None
    if row.expires_at is None or row.expires_at - REFRESH_MARGIN <= now:
        return None
    token = _open(row.access_token)
    return token if token and token != rejected else None


def _locked_row(session: Session) -> ZaloToken:
    """The app's token row, locked for this session's transaction; created, or started again,
    from ZALO_REFRESH_TOKEN when missing, of another chain, or unreadable with the key."""
    config = current_app.config
    seed = config["ZALO_REFRESH_TOKEN"]
    session.execute(dialect_insert(session)(ZaloToken).values(app_id=config["ZALO_APP_ID"], refresh_token=_seal(seed),
                                             seed_digest=_sha256(seed), updated_at=utcnow())
                    .on_conflict_do_nothing(index_elements=[ZaloToken.app_id]))
    row = session.scalar(select(ZaloToken).where(ZaloToken.app_id == config["ZALO_APP_ID"]).with_for_update())
    if row.seed_digest != _sha256(seed) or _open(row.refresh_token) is None:
        row.refresh_token, row.seed_digest = _seal(seed), _sha256(seed)
        row.access_token = row.expires_at = None
    return row


def access_token(rejected: str | None = None) -> str:
    """The OA access token to send with, renewed (and the renewal committed) when it is about
    to expire or is the one Zalo `rejected`. Raises zalo.RenewalRefused or a network error."""
    config = current_app.config
    now = utcnow()
    with Session(db.engine) as session:
        current = _usable(session.get(ZaloToken, config["ZALO_APP_ID"]), now, rejected)
    if current:
        return current
    with Session(db.engine) as session, session.begin():
        row = _locked_row(session)
        current = _usable(row, now, rejected)   # another worker renewed it while this one waited
        if current:
            return current
        refresh = _open(row.refresh_token)
        renewal = zalo.renew(config["ZALO_OAUTH_URL"], app_id=config["ZALO_APP_ID"],
                             secret_key=config["ZALO_SECRET_KEY"], refresh_token=refresh,
                             timeout=config["ZALO_TIMEOUT"])
        row.access_token = _seal(renewal.access_token)
        row.refresh_token = _seal(renewal.refresh_token or refresh)
        row.expires_at = utcnow() + timedelta(seconds=renewal.expires_in)
    return renewal.access_token


def template_data(message: OutboxMessage) -> tuple[str, dict[str, str]]:
    """The ZNS template id of the message's notice kind, and its parameters; outbox.Permanent
    when ZALO_TEMPLATES has no id for the kind or the body is not a flat object of strings."""
    template_id = current_app.config["ZALO_TEMPLATES"].get(message.subject)
    if not template_id:
        raise outbox.Permanent(f"Zalo: no ZNS template id for the notice kind {message.subject!r} "
                               f"in ZALO_TEMPLATES")
    try:
        data = json.loads(message.body)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise outbox.Permanent("Zalo: the message body is not a JSON object of string parameters")
    return template_id, data


class ZaloZns:
    """The outbox's adapter for channel "zalo" (notify.adapter)."""

    def deliver(self, message: OutboxMessage) -> None:
        config = current_app.config
        template_id, data = template_data(message)

        def send(token: str) -> None:
            zalo.send_template(config["ZALO_ZNS_URL"], token, phone=message.recipient, template_id=template_id,
                               data=data, tracking_id=f"outbox-{message.id}", timeout=config["ZALO_TIMEOUT"])

        token = access_token()
        try:
            send(token)
        except zalo.TokenRejected:
            # Renewed once and sent again; rejected again, the error goes to the outbox's backoff.
            send(access_token(rejected=token))
