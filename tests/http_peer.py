"""A local HTTP server that answers as a remote service documents (an SMS provider, Zalo, the
national portal's integration platform), for the adapters' tests on the real HTTP path.

`Peer(answers, script)`: each request takes the next step of `script` (then "ok" for ever) and is
answered with `answers[step]` = (HTTP status, JSON body); the step "timeout" first sleeps past the
client's timeout. Every request is kept in `received` as (path, body, headers), the body parsed
from JSON or a form as its Content-Type says. `serving(...)` starts one in a thread and stops it."""
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

    def __init__(self, answers: dict[str, tuple[int, dict]], script: list[str]):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answers, self.script, self.received = answers, list(script), []

    def url(self, path: str = "/send") -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def bodies(self, path: str | None = None) -> list:
        return [body for p, body, _headers in self.received if path is None or p == path]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        server: Peer = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        form = "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or "")
        server.received.append((self.path, dict(parse_qsl(raw)) if form else json.loads(raw or "null"),
                                dict(self.headers)))
        step = server.script.pop(0) if server.script else "ok"
        if step == "timeout":
            time.sleep(TIMEOUT * 3)
        status, answer = server.answers[step]
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        try:
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
            pass

    def log_message(self, *args):
        pass


@contextmanager
def serving(answers: dict[str, tuple[int, dict]], script: list[str]) -> Iterator[Peer]:
    peer = Peer(answers, script)
    threading.Thread(target=peer.serve_forever, daemon=True).start()
    try:
        yield peer
    finally:
        peer.shutdown()
        peer.server_close()
