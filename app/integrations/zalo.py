"""Zalo Notification Service (ZNS): the two calls a ZNS sender makes, and what Zalo's answers
mean. No database, no Flask: services/zalo.py keeps the tokens and is the outbox's adapter.

Sources (what was found, and what was not)
    Sending: POST https://business.openapi.zalo.me/message/template, header `access_token`
    (the OA access token), JSON body {phone, template_id, template_data, tracking_id}; the
    answer is JSON {error, message, data: {msg_id, sent_time, quota…}}, `error` 0 = sent.
    Zalo's page for it (developers.zalo.me/docs/zalo-notification-service/, "Gửi ZNS") was not
    in the reference corpus here; the fields were checked against ZNS clients that cite it:
    the endpoint list of the @warriorteam/redai-zalo-sdk package; eTelecom's Zalo Cloud "Send
    ZNS" page (`tracking_id` is the sender's own id, "for reconciliation"); the zalo-mcp tool's
    schema (phone "in international format without +, e.g. 84912345678"); Zalo's error table
    below accepts 84xxx and 0xxx. NXCLOUD's webhook page quotes Zalo's answers: {"error": 0,
    "message": "Success", "data": {"msg_id", "sent_time", "quota"}} and {"error": -118,
    "message": "Zalo account not existed"}. That Zalo drops a repeated `tracking_id` is NOT
    documented anywhere found: the outbox's exactly-once rests on its row lock
    (services/notify.deliver); tracking_id = outbox-<id> lets a repeat be recognised in
    Zalo's reports.

    Error codes: Zalo Cloud's ZNS guide, "Cách xử lý mã lỗi",
    https://zalo.cloud/zns/guidelines/handle-error-code. The part of it read here: 0 Success;
    -100 Unknown error ("vui lòng thử lại sau": try again later); -101 Application invalid;
    -102 Application not existed; -103 Application not activated; -104 App secret key
    invalid; -105 Application not link to any OA; -106 Method unsupported; -107 Message ID
    invalid; -108 Phone number invalid; -109 Template ID invalid; -110 Zalo version
    unsupported; -111 Template data empty; -112 Template data invalid. The
    rest of the table was not readable in the corpus; getfly.vn's copy lists, in order and
    without numbers, "QR code cannot be generated", "Button invalid", "User is inactive, or
    reject the message…", "Out of quota" (ZNS account has insufficient balance), "Text
    invalid", "OA or App does not have permission to access this template", "Zalo account not
    existed", "Account can not receive ZNS"… -118 "Zalo account not existed" is confirmed by
    the webhook sample above; -115 for "Out of quota" and -124 for "Access token invalid" are
    the numbers of Zalo's table as commonly quoted, NOT verified here. -216 ("access token is
    invalid") and -220 ("access_token is expired or removed") are the OA API's codes for the
    same cases, which integrations report from /message/template too.

    What we do with them: every code but those of RETRIED and TOKEN_REJECTED is a refusal of the
    request itself (the app, the template, the data, the phone, the user not on Zalo or not
    receiving): given up at once (outbox.Permanent), shown on the outbox page. -100 (Zalo says
    try again later) and -115 (out of quota: the province tops up the ZNS balance, then the
    next attempt goes) are retried with the outbox's backoff. A token code makes the caller
    renew the access token and send once more. An unknown code is given up too, with Zalo's
    message: a refusal we cannot read is not fixed by repeating it.

    Token: POST https://oauth.zaloapp.com/v4/oa/access_token with header `secret_key` (the
    app's secret key) and the form app_id, refresh_token, grant_type=refresh_token; the answer
    is {access_token, refresh_token, expires_in} (seconds, sent as a string: "90000", 25 hours),
    or {error, error_name, error_description}. Zalo's page (developers.zalo.me/docs/
    official-account/bat-dau/xac-thuc-va-uy-quyen-cho-ung-dung-new) was not in the corpus
    either; read here from integrations citing it, which agree on the form, the header and
    the answer's fields, on an access token of 25 hours and a refresh token of three months
        that can be used once: the answer's new one replaces it.

    Network errors, timeouts, HTTP 5xx and 429 of either call are retried.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain import outbox
from app.integrations import http

if TYPE_CHECKING:
    from requests import Response

SUCCESS = 0
# Zalo says try again later (-100), or the OA's ZNS balance is out (-115): the backoff retries.
RETRIED = {-100: "Unknown error", -115: "Out of quota"}
# The access token is invalid or expired: renew it and send once more.
TOKEN_REJECTED = {-124: "Access token invalid", -216: "Access token is invalid",
                  -220: "Access token is expired or removed"}


class TokenRejected(Exception):
    """Zalo refused the access token (invalid, expired, revoked): renew it, then try again."""


class Temporary(Exception):
    """A failure a later attempt may not meet again (Zalo's own hiccup; the quota, once topped up)."""


class RenewalRefused(Exception):
    """Zalo would not renew the access token (the refresh token is spent, expired or revoked,
    the app's secret key is wrong). Not given up at once: the OA's administrator authorises
    the app again and sets the new ZALO_REFRESH_TOKEN, and the next attempt goes through."""


@dataclass(frozen=True)
class Renewal:
    access_token: str
    refresh_token: str | None   # the next refresh token (single-use chain); None if Zalo sent none
    expires_in: int             # seconds


def _answer(response: Response, who: str) -> dict:
    """The JSON object of a 2xx answer; a 5xx or 429 is retried, another 4xx given up."""
    if response.status_code >= 500 or response.status_code == 429:
        raise ConnectionError(f"{who}: HTTP {response.status_code}: {response.text[:500]}")
    if response.status_code >= 400:
        raise outbox.Permanent(f"{who}: HTTP {response.status_code}: {response.text[:500]}")
    try:
        answer = response.json()
    except ValueError:
        raise ConnectionError(f"{who}: not JSON: {response.text[:500]}") from None
    if not isinstance(answer, dict):
        raise ConnectionError(f"{who}: not a JSON object: {response.text[:500]}")
    return answer


def _code(answer: dict) -> int | None:
    try:
        return int(answer.get("error", SUCCESS))
    except (TypeError, ValueError):
        return None


def send_template(url: str, access_token: str, *, phone: str, template_id: str, data: dict[str, str],
                  tracking_id: str, timeout: float) -> dict:
    """Send one ZNS message; Zalo's `data` ({msg_id, sent_time, …}) when it took it. Raises
    TokenRejected, Temporary, outbox.Permanent, or the network's own errors (retried)."""
    response = http.post(url, headers={"access_token": access_token},
                         json={"phone": phone, "template_id": template_id, "template_data": data,
                               "tracking_id": tracking_id}, timeout=timeout)
    answer = _answer(response, "Zalo ZNS")
    code = _code(answer)
    if code == SUCCESS:
        return answer.get("data") or {}
    said = f"Zalo ZNS {answer.get('error')}: {answer.get('message', '')}"
    if code in TOKEN_REJECTED:
        raise TokenRejected(said)
    if code in RETRIED:
        raise Temporary(said)
    raise outbox.Permanent(said)


def renew(url: str, *, app_id: str, secret_key: str, refresh_token: str, timeout: float) -> Renewal:
    """A new access token (and the next refresh token) for `refresh_token`. Raises
    RenewalRefused when Zalo refuses it, the network's own errors otherwise."""
    response = http.post(url, headers={"secret_key": secret_key},
                         data={"app_id": app_id, "refresh_token": refresh_token,
                               "grant_type": "refresh_token"}, timeout=timeout)
    if 400 <= response.status_code < 500 and response.status_code != 429:
        raise RenewalRefused(f"Zalo OAuth: HTTP {response.status_code}: {response.text[:500]}")
    answer = _answer(response, "Zalo OAuth")
    if _code(answer) != SUCCESS or not answer.get("access_token"):
        reason = answer.get("error_description") or answer.get("error_name") or answer.get("message", "")
        raise RenewalRefused(f"Zalo OAuth {answer.get('error')}: {reason}")
    try:
        expires_in = int(answer.get("expires_in", 0))
    except (TypeError, ValueError):
        expires_in = 0
    return Renewal(str(answer["access_token"]), answer.get("refresh_token") or None, expires_in)
