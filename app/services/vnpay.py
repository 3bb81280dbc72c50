"""VNPay's payment protocol, version 2.1.0 (VNPay's merchant integration guide, "Thanh toán
PAY"): the signed URL that sends the applicant to pay, and the check of the signed answer
VNPay sends back (to the return URL in the browser, and to the IPN URL server to server).

Signing: the `vnp_` parameters sorted by name, each `quote_plus`-encoded as key=value, joined
with "&", HMAC-SHA512 with the merchant's hash secret, hex. No I/O here: the caller passes the
secret and the clock."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta
from urllib.parse import quote_plus

from unidecode import unidecode

from app.domain.deadlines import OFFICE_TZ

VERSION = "2.1.0"
PAID = "00"          # vnp_ResponseCode and vnp_TransactionStatus of a successful payment
EXPIRES_AFTER = timedelta(minutes=15)


def _query(params: Mapping[str, str]) -> str:
    return "&".join(f"{quote_plus(key)}={quote_plus(str(value))}" for key, value in sorted(params.items()))


def signature(params: Mapping[str, str], secret: str) -> str:
    """The vnp_SecureHash of `params` (without vnp_SecureHash / vnp_SecureHashType)."""
    return hmac.new(secret.encode(), _query(params).encode(), hashlib.sha512).hexdigest()


def pay_url(base: str, *, tmn_code: str, secret: str, txn_ref: str, amount: int, info: str,
            return_url: str, client_ip: str, now: datetime) -> str:
    """The URL that sends the applicant to VNPay to pay `amount` VND for `txn_ref`.
    VNPay wants the amount in hundredths, the order information without diacritics, and its
    dates in Vietnam time."""
    local = now.astimezone(OFFICE_TZ)
    params = {
        "vnp_Version": VERSION, "vnp_Command": "pay", "vnp_TmnCode": tmn_code, "vnp_Amount": str(amount * 100),
        "vnp_CurrCode": "VND", "vnp_TxnRef": txn_ref, "vnp_OrderInfo": unidecode(info)[:255], "vnp_OrderType": "other",
        "vnp_Locale": "vn", "vnp_ReturnUrl": return_url, "vnp_IpAddr": client_ip,
        "vnp_CreateDate": f"{local:%Y%m%d%H%M%S}", "vnp_ExpireDate": f"{local + EXPIRES_AFTER:%Y%m%d%H%M%S}",
    }
    return f"{base}?{_query(params)}&vnp_SecureHash={signature(params, secret)}"


def verified(answer: Mapping[str, str], secret: str) -> dict[str, str] | None:
    """The `vnp_` fields of VNPay's answer if its signature is right, else None."""
    hash_fields = ("vnp_SecureHash", "vnp_SecureHashType")
    fields = {k: v for k, v in answer.items() if k.startswith("vnp_") and k not in hash_fields}
    given = answer.get("vnp_SecureHash", "").lower().encode("utf-8")  # bytes: any text compares, none raises
    return fields if given and hmac.compare_digest(given, signature(fields, secret).encode()) else None
