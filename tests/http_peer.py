"""A local HTTP server that answers as a remote service documents (an SMS provider, Zalo, the
national portal's integration platform), for the adapters' tests on the real HTTP path.

`Peer(answers, script)`: each request takes the next step of `script` (then "ok" for ever) and is
answered with `answers[step]`: (HTTP status, JSON body) or (status, body, extra headers); the
step "timeout" first sleeps past the client's timeout, then answers `answers["timeout"]`. Every
request is kept in `received` as (body, headers), the body parsed from JSON or a form as its
Content-Type says. A peer with more to it (`Zalo` below: its token chain) overrides `respond`.
`serving(peer)` runs one in a thread and stops it."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

TIMEOUT = 0.3  # what the tests give the adapters as their timeout


class Peer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answers: dict | None = None, script: list | None = None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers, self.script, self.received = answers or {}, list(script or ()), []

    def url(self, path: str = "/send") -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def bodies(self) -> list:
        return [body for body, _headers in self.received]

    def respond(self, path: str, body, headers: dict) -> tuple:
        step = self.script.pop(0) if self.script else "ok"
        if step == "timeout":
            time.sleep(TIMEOUT * 3)
        return self.answers[step]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        server: Peer = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        form = "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or "")
        body, headers = dict(parse_qsl(raw)) if form else json.loads(raw or "null"), dict(self.headers)
        server.received.append((body, headers))
        status, answer, *extra = server.respond(self.path, body, headers)
        payload = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", "Content-Length": str(len(payload)),
                            **(extra[0] if extra else {})}.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
            pass

    def log_message(self, *args):
        pass


# --- Zalo (app/integrations/zalo.py cites where its answers come from) ----------------------

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


class Zalo(Peer):
    """Zalo's two endpoints. The OAuth one honours each refresh token once and issues the next
    (rt-1, rt-2, …) with an access token (at-1, …); the ZNS one accepts only the newest access
    token, and answers, message by message, with `script` ("expire": Zalo has revoked the
    token, so -124; "500": an HTTP 500; then "ok" for ever)."""

    def __init__(self, first_refresh: str = "rt-0"):
        super().__init__()
        self.sends: list[tuple[dict, dict]] = []
        self.renewals: list[tuple[dict, dict]] = []
        self.refresh_valid, self.access_valid, self.issued = {first_refresh}, set(), 0
        self.renew_delay = 0.0
        self.lock = threading.Lock()

    def respond(self, path: str, body, headers: dict) -> tuple[int, dict]:
        headers = {k.lower(): v for k, v in headers.items()}
        if path == "/v4/oa/access_token":
            self.renewals.append((body, headers))
            if headers.get("secret_key") != SECRET:
                return 200, {"error": -14002, "error_name": "Invalid secret key"}
            return self.renew(body)
        self.sends.append((body, headers))
        status, answer, step = self.send(headers.get("access_token"))
        if step == "timeout":
            time.sleep(TIMEOUT * 3)
        return status, answer

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


def configure_zalo(app, monkeypatch, zalo: Zalo, templates: dict[str, str]) -> None:
    """The portal's settings pointing at `zalo`, with these ZNS template ids per notice kind."""
    for key, value in {"ZALO_ZNS_URL": zalo.url("/message/template"), "ZALO_OAUTH_URL": zalo.url("/v4/oa/access_token"),
                       "ZALO_APP_ID": APP_ID, "ZALO_SECRET_KEY": SECRET, "ZALO_REFRESH_TOKEN": "rt-0",
                       "ZALO_TEMPLATES": templates, "ZALO_TOKEN_KEY": None, "ZALO_TIMEOUT": TIMEOUT}.items():
        monkeypatch.setitem(app.config, key, value)


@contextmanager
def serving(peer: Peer) -> Iterator[Peer]:
    threading.Thread(target=peer.serve_forever, daemon=True).start()
    try:
        yield peer
    finally:
        peer.shutdown()
        peer.server_close()
