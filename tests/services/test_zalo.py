"""The Zalo channel on the real HTTP path: `notify.deliver` sends outbox rows to a local server
that answers as Zalo documents its two calls (app/integrations/zalo.py) — POST
/message/template with the OA access token, POST /v4/oa/access_token renewing it from a
single-use refresh token — and the outbox retries what may pass later, gives up what cannot,
sends each message once, and keeps the token chain, encrypted, in the database."""
from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from cryptography.fernet import Fernet

from app.extensions import db
from app.models import OutboxMessage, ZaloToken
from app.models.users import utcnow
from app.services import notify, zalo

TIMEOUT = 0.3
APP_ID, SECRET = "4291763606161179100", "khoa-bi-mat-ung-dung"
PARAMS = {"ho_ten": "Nguyễn Văn An", "ma_ho_so": "000.00.26.H62-261204-0001", "ngay_hen": "11/12/2026"}

# Zalo's answers to /message/template (integrations/zalo.py cites where they come from).
ZNS = {"ok": {"error": 0, "message": "Success", "data": {"msg_id": "5c4ee6a0", "sent_time": "1733300000000"}},
       "timeout": {"error": 0, "message": "Success", "data": {"msg_id": "late"}},
       "-100": {"error": -100, "message": "Unknown error"},
       "-115": {"error": -115, "message": "Out of quota"},
       "-108": {"error": -108, "message": "Phone number invalid"},
       "-118": {"error": -118, "message": "Zalo account not existed"},
       "rejected": {"error": -124, "message": "Access token invalid"}}


class Zalo(ThreadingHTTPServer):
    """Zalo's two endpoints. The OAuth one honours each refresh token once and issues the next
    (rt-1, rt-2, …) with an access token (at-1, …); the ZNS one accepts only the newest access
    token, and answers, message by message, with `script` ("expire": Zalo has revoked the
    token, so -124; "500": an HTTP 500; then "ok" for ever)."""
    daemon_threads = True

    def __init__(self, first_refresh: str = "rt-0"):
        super().__init__(("127.0.0.1", 0), Handler)
        self.script: list[str] = []
        self.sends: list[tuple[dict, dict]] = []
        self.renewals: list[tuple[dict, dict]] = []
        self.refresh_valid, self.access_valid, self.issued = {first_refresh}, set(), 0
        self.renew_delay = 0.0
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def renew(self, form: dict) -> tuple[int, dict]:
        if self.renew_delay:
            time.sleep(self.renew_delay)
        with self.lock:
            token = form.get("refresh_token")
            honoured = (form.get("app_id"), form.get("grant_type")) == (APP_ID, "refresh_token")
            if not honoured or token not in self.refresh_valid:
                # Zalo's refusal names the error; the code stands for any refusal of the token.
                return 200, {"error": -14014, "error_name": "Invalid refresh token",
                             "error_description": "refresh token is invalid or has been used"}
            self.refresh_valid.discard(token)
            self.issued += 1
            self.refresh_valid.add(f"rt-{self.issued}")
            self.access_valid = {f"at-{self.issued}"}
            return 200, {"access_token": f"at-{self.issued}", "refresh_token": f"rt-{self.issued}",
                         "expires_in": "90000"}

    def send(self, token: str | None) -> tuple[int, dict, str]:
        step = self.script.pop(0) if self.script else "ok"
        if step == "expire":
            self.access_valid = set()
        if token not in self.access_valid:
            return 200, ZNS["rejected"], step
        if step == "500":
            return 500, {"error": "Internal Server Error"}, step
        return 200, ZNS["ok" if step == "expire" else step], step


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        server: Zalo = self.server
        raw = self.rfile.read(int(self.headers["Content-Length"])).decode()
        headers = {k.lower(): v for k, v in self.headers.items()}
        if self.path == "/v4/oa/access_token":
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            server.renewals.append((form, headers))
            if headers.get("secret_key") != SECRET:
                status, answer = 200, {"error": -14002, "error_name": "Invalid secret key"}
            else:
                status, answer = server.renew(form)
        else:
            server.sends.append((json.loads(raw), headers))
            status, answer, step = server.send(headers.get("access_token"))
            if step == "timeout":
                time.sleep(TIMEOUT * 3)
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        try:
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):   # the client gave up waiting
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server(app, monkeypatch):
    server = Zalo()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for key, value in {"ZALO_ZNS_URL": server.url("/message/template"),
                       "ZALO_OAUTH_URL": server.url("/v4/oa/access_token"),
                       "ZALO_APP_ID": APP_ID, "ZALO_SECRET_KEY": SECRET, "ZALO_REFRESH_TOKEN": "rt-0",
                       "ZALO_TEMPLATES": {"received": "231234", "fee": "231240"},
                       "ZALO_TOKEN_KEY": None, "ZALO_TIMEOUT": TIMEOUT}.items():
        monkeypatch.setitem(app.config, key, value)
    yield server
    server.shutdown()
    server.server_close()


def zalo_message(kind: str = "received", phone: str = "84912345678", params: dict | None = None) -> OutboxMessage:
    message = OutboxMessage(channel="zalo", recipient=phone, subject=kind,
                            body=json.dumps(params or PARAMS, ensure_ascii=False))
    db.session.add(message)
    db.session.commit()
    return message


def deliver(message: OutboxMessage, fails: bool = False) -> OutboxMessage:
    """notify.deliver, as the job runs it; the row read back as the next job would."""
    if fails:
        with pytest.raises(Exception):  # noqa: B017 - deliver re-raises whatever the adapter raised
            notify.deliver(message.id)
    else:
        notify.deliver(message.id)
    db.session.expire_all()
    return db.session.get(OutboxMessage, message.id)


def stored() -> ZaloToken:
    db.session.expire_all()
    return db.session.get(ZaloToken, APP_ID)


def test_a_message_goes_with_its_template_and_a_token_renewed_from_the_refresh_token(server, app):
    message = deliver(zalo_message())
    assert message.sent_at is not None and message.attempts == 1 and message.failed_at is None

    [(form, headers)] = server.renewals
    assert form == {"app_id": APP_ID, "refresh_token": "rt-0", "grant_type": "refresh_token"}
    assert headers["secret_key"] == SECRET
    [(body, headers)] = server.sends
    assert headers["access_token"] == "at-1"
    assert body == {"phone": "84912345678", "template_id": "231234", "template_data": PARAMS,
                    "tracking_id": f"outbox-{message.id}"}

    # Delivered: a second job for the row sends nothing (exactly once).
    deliver(message)
    assert len(server.sends) == 1

    # The next message uses the stored token: no renewal while it lives.
    deliver(zalo_message("fee"))
    assert len(server.renewals) == 1 and [h["access_token"] for _b, h in server.sends] == ["at-1", "at-1"]
    assert server.sends[1][0]["template_id"] == "231240"


def test_the_tokens_are_stored_encrypted_and_the_rotated_refresh_token_is_used_next(server, app):
    deliver(zalo_message())
    row = stored()
    for plaintext in ("at-1", "rt-1", "rt-0"):
        assert plaintext not in row.access_token and plaintext not in row.refresh_token
    # The key derived from SECRET_KEY (no ZALO_TOKEN_KEY) opens them.
    assert zalo._open(row.access_token) == "at-1" and zalo._open(row.refresh_token) == "rt-1"
    assert row.expires_at > utcnow() + timedelta(hours=24)
    assert zalo._open(Fernet(Fernet.generate_key()).encrypt(b"rt-1").decode()) is None  # another key's: unreadable

    # Within five minutes of expiry the token is renewed before sending, with the stored rt-1.
    row.expires_at = utcnow() + timedelta(minutes=4)
    db.session.commit()
    message = deliver(zalo_message())
    assert message.sent_at is not None
    assert [form["refresh_token"] for form, _h in server.renewals] == ["rt-0", "rt-1"]
    assert server.sends[-1][1]["access_token"] == "at-2" and len(server.sends) == 2
    assert zalo._open(stored().refresh_token) == "rt-2"


def test_an_own_token_key_encrypts_them(server, app, monkeypatch):
    key = Fernet.generate_key().decode()
    monkeypatch.setitem(app.config, "ZALO_TOKEN_KEY", key)
    deliver(zalo_message())
    assert Fernet(key).decrypt(stored().refresh_token.encode()) == b"rt-1"


def test_a_token_zalo_rejects_is_renewed_and_the_message_sent_once_more(server, app):
    deliver(zalo_message())
    server.script = ["expire"]                 # Zalo revoked at-1 before it expired
    message = deliver(zalo_message())
    assert message.sent_at is not None and message.attempts == 1
    assert [h["access_token"] for _b, h in server.sends] == ["at-1", "at-1", "at-2"]
    assert [form["refresh_token"] for form, _h in server.renewals] == ["rt-0", "rt-1"]
    assert zalo._open(stored().access_token) == "at-2"


def test_temporary_errors_a_timeout_and_no_quota_are_retried_and_the_message_delivered_once(server, app):
    server.script = ["500", "timeout", "-100", "-115"]
    message = zalo_message()
    message = deliver(message, fails=True)
    assert message.attempts == 1 and "HTTP 500" in message.last_error
    assert message.next_attempt_at is not None and message.failed_at is None and message.sent_at is None
    message = deliver(message, fails=True)
    assert message.attempts == 2 and "timed out" in message.last_error.lower()
    message = deliver(message, fails=True)
    assert message.attempts == 3 and message.last_error == "Zalo ZNS -100: Unknown error"
    message = deliver(message, fails=True)     # the OA's ZNS balance is out until the province tops it up
    assert message.attempts == 4 and message.last_error == "Zalo ZNS -115: Out of quota"
    assert message.next_attempt_at is not None and message.failed_at is None
    message = deliver(message)
    assert message.sent_at is not None and message.attempts == 5 and message.failed_at is None
    deliver(message)
    assert len(server.sends) == 5 and {b["tracking_id"] for b, _h in server.sends} == {f"outbox-{message.id}"}
    assert len(server.renewals) == 1           # one token for every attempt


@pytest.mark.parametrize(("answer", "said"), [("-108", "Phone number invalid"), ("-118", "Zalo account not existed")])
def test_an_invalid_phone_or_a_user_not_on_zalo_is_given_up_at_once(server, app, answer, said):
    server.script = [answer]
    message = deliver(zalo_message(phone="84000"), fails=True)
    assert message.failed_at is not None and message.next_attempt_at is None and message.sent_at is None
    assert message.last_error == f"Zalo ZNS {answer}: {said}"
    deliver(message)                            # given up: no job sends it again
    assert len(server.sends) == 1


def test_a_kind_without_a_template_id_is_given_up_without_calling_zalo(server, app):
    message = deliver(zalo_message("apology"), fails=True)
    assert message.failed_at is not None
    assert "'apology'" in message.last_error and "ZALO_TEMPLATES" in message.last_error
    for body in ("not json", "[1, 2]", '{"so_tien": 50000}'):
        bad = OutboxMessage(channel="zalo", recipient="84912345678", subject="received", body=body)
        db.session.add(bad)
        db.session.commit()
        bad = deliver(bad, fails=True)
        assert bad.failed_at is not None and "JSON object of string parameters" in bad.last_error
    assert server.sends == [] and server.renewals == []


def test_a_refused_renewal_is_retried_and_a_new_refresh_token_in_the_environment_restarts_the_chain(
        server, app, monkeypatch):
    server.refresh_valid = set()                # rt-0 was spent elsewhere: Zalo refuses it
    message = deliver(zalo_message(), fails=True)
    assert message.failed_at is None and message.next_attempt_at is not None
    assert "Zalo OAuth -14014" in message.last_error and server.sends == []

    # The OA's administrator authorises the app again and sets the new refresh token.
    server.refresh_valid = {"rt-new"}
    monkeypatch.setitem(app.config, "ZALO_REFRESH_TOKEN", "rt-new")
    message = deliver(message)
    assert message.sent_at is not None and message.attempts == 2
    assert [form["refresh_token"] for form, _h in server.renewals] == ["rt-0", "rt-new"]
    assert zalo._open(stored().refresh_token) == "rt-1"


def test_two_workers_renewing_at_once_spend_the_refresh_token_once(server, app, monkeypatch):
    monkeypatch.setitem(app.config, "ZALO_TIMEOUT", 5)
    deliver(zalo_message())                     # the chain is stored (rt-1); its access token now expires
    row = stored()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    server.renew_delay = 0.5                    # the first renewal is still under way when the second asks
    tokens, errors = [], []

    def worker():
        with app.app_context():
            try:
                tokens.append(zalo.access_token())
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == [] and tokens == ["at-2", "at-2"]
    assert [form["refresh_token"] for form, _h in server.renewals] == ["rt-0", "rt-1"]
    assert zalo._open(stored().refresh_token) == "rt-2"


def test_no_zalo_adapter_without_its_configuration(app):
    assert not zalo.configured()
    with pytest.raises(LookupError):
        notify.adapter("zalo")
