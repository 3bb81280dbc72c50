"""Security at the edge: headers, what every request must be before any view reads it, and the
user loader.

Every asset is served by the app itself (no CDN), so the Content-Security-Policy can be
'self' only: no inline script, no third-party origin.

Every request is checked once, before its view: no NUL or other control character in the path,
the query, the form fields, the uploaded file names or the JSON body (PostgreSQL refuses NUL in
text, and no field of ours has a use for the others); a JSON body must be one object whose
numbers fit a 64-bit integer or a finite float. A refusal is a 400 that names the field.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Flask, Response, request
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from app.domain import msg
from app.extensions import login_manager

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


# C0 controls but tab, line feed and carriage return (typed in text areas), and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INT64 = 2**63 - 1
CONTROL_MESSAGE = "Không được chứa ký tự điều khiển (ví dụ ký tự NUL)."


class BadInput(BadRequest):
    """A 400 whose message names the field it concerns (the API's {"error", "fields"})."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(description=message)
        self.fields = {field: message} if field else {}


def _check_text(value: str, field: str | None) -> None:
    if _CONTROL.search(value):
        raise BadInput(CONTROL_MESSAGE, field)


def _check_json(value: Any, path: str) -> None:
    if isinstance(value, str):
        _check_text(value, path or None)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, path or None)
            _check_json(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{path}[{index}]")


def _parse_int(text: str) -> int:
    number = int(text)
    if abs(number) > _INT64:
        raise BadInput("Số quá lớn.")
    return number


def _parse_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise BadInput("Số quá lớn.")
    return number


def _no_constant(name: str):
    raise BadInput(msg("JSON không cho phép giá trị %(name)s.", name=name))


def check_request() -> None:
    """The edge rules above, for the request being served; raises BadInput (400)."""
    _check_text(request.path, None)
    for source in (request.args, request.form):
        for key, values in source.lists():
            _check_text(key or "", None)  # a multipart part whose name cannot be read has the key None
            for value in values:
                _check_text(value, key)
    for key, storage in request.files.items(multi=True):
        _check_text(storage.filename or "", key)
    if request.is_json and request.get_data(cache=True):
        try:  # BadInput from the number hooks is no ValueError: it goes through as it is
            body = json.loads(request.get_data(cache=True), parse_int=_parse_int, parse_float=_parse_float,
                              parse_constant=_no_constant)
        except ValueError:  # not JSON, or not UTF-8
            raise BadInput("Nội dung JSON không hợp lệ.") from None
        if not isinstance(body, dict):
            raise BadInput("Nội dung JSON phải là một đối tượng ({...}).")
        _check_json(body, "")


def _personal() -> bool:
    """A page or download for a signed-in person or an API client: never kept in a cache."""
    return "Authorization" in request.headers or (
        getattr(current_user, "is_authenticated", False) and not request.path.startswith("/static/"))


def register_security(app: Flask) -> None:
    app.before_request(check_request)

    @app.after_request
    def add_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if _personal():
            response.headers["Cache-Control"] = "no-store"
        return response


@login_manager.user_loader
def load_user(user_id: str):
    """The user of a session or remember-me cookie, if its browser session (a LoginSession row)
    is still open (services.login_sessions); an ended or unknown one finds no one."""
    from app.services import login_sessions

    return login_sessions.user_for(user_id)
