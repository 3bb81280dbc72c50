"""Outgoing HTTP to the portal's counterparts (the SMS gateway, Zalo, the national portal):
requests, imported on the first message sent, not when the portal starts (issue 15: some 5 MB
that a web worker, which only queues messages, never uses). The callers handle the answer
and requests' own errors (retried by the outbox)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from requests import Response


def post(url: str, **options) -> Response:
    """requests.post(url, **options)."""
    import requests

    return requests.post(url, **options)
