"""Paying a dossier's fees online through the province's payment gateway (VNPay), the
"thanh toán trực tuyến" of a level-4 service (Decree 45/2020 Art. 3; Decision 766 index 3.6).

The applicant starts a PaymentOrder and is sent to VNPay; VNPay answers twice with the same
signed fields: in the applicant's browser (return URL) and server to server (IPN). Whichever
comes first settles the order, once: a paid order records the payment and processing resumes;
the other answer finds it settled. Nothing here trusts an answer whose signature, order or
amount does not match."""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.domain.notices import Kind, Notice
from app.extensions import db
from app.models import Dossier, Payment, PaymentOrder, User
from app.models.users import utcnow
from app.services import notify, processing, vnpay
from app.services.transitions import DossierError, commit, commit_then_dispatch

CHANNEL = "provincial_gateway"


def offered(dossier: Dossier, user: User) -> bool:
    """Whether the applicant can pay this dossier online now."""
    return (configured() and dossier.status == "fee_requested" and dossier.owner_id == user.id
            and processing.fee_total(dossier) > 0)


def configured() -> bool:
    return bool(current_app.config["VNPAY_TMN_CODE"] and current_app.config["VNPAY_HASH_SECRET"])


def start(dossier: Dossier, user: User, return_url: str, client_ip: str, now: datetime | None = None) -> str:
    """A new order for the dossier's fees, and the URL that sends the applicant to pay it."""
    now = now or utcnow()
    if dossier.owner_id != user.id:
        raise DossierError("Chỉ người nộp hồ sơ được thanh toán trực tuyến cho hồ sơ này.", status=403)
    if not offered(dossier, user):
        raise DossierError("Hồ sơ này không ở bước nộp phí, lệ phí trực tuyến.", status=409)
    order = PaymentOrder(dossier=dossier, txn_ref=f"{dossier.id}-{secrets.token_hex(6)}",
                         amount=processing.fee_total(dossier), created_at=now)
    db.session.add(order)
    commit()
    config = current_app.config
    return vnpay.pay_url(config["VNPAY_PAY_URL"], tmn_code=config["VNPAY_TMN_CODE"], secret=config["VNPAY_HASH_SECRET"],
                         txn_ref=order.txn_ref, amount=order.amount, info=f"Nộp phí, lệ phí hồ sơ {dossier.code}",
                         return_url=return_url, client_ip=client_ip, now=now)


@dataclass(frozen=True)
class Settlement:
    """VNPay's IPN answer code and message (its protocol), and the order if one was found."""

    code: str
    message: str
    order: PaymentOrder | None = None


def settle(answer: Mapping[str, str], now: datetime | None = None) -> Settlement:
    """Settle the order VNPay's signed `answer` is about, once. If the dossier changed at the
    same moment (the other answer, or staff), nothing is kept: "02" when the other answer has
    settled the order, else "99", and VNPay sends its answer again."""
    now = now or utcnow()
    fields = vnpay.verified(answer, current_app.config["VNPAY_HASH_SECRET"] or "") if configured() else None
    if fields is None:
        return Settlement("97", "Invalid signature")
    txn_ref = fields.get("vnp_TxnRef", "")
    try:
        return _settle(txn_ref, fields, now)
    except (DossierError, StaleDataError):
        db.session.rollback()
        order = _order(txn_ref)
        if order is not None and order.status != "pending":
            return Settlement("02", "Order already confirmed", order)
        return Settlement("99", "Try again", order)


def _order(txn_ref: str, lock: bool = False) -> PaymentOrder | None:
    query = select(PaymentOrder).where(PaymentOrder.txn_ref == txn_ref)
    return db.session.scalar(query.with_for_update() if lock else query)


def _settle(txn_ref: str, fields: dict[str, str], now: datetime) -> Settlement:
    order = _order(txn_ref, lock=True)
    if order is None:
        return Settlement("01", "Order not found")
    if fields.get("vnp_Amount") != str(order.amount * 100):
        return Settlement("04", "Invalid amount", order)
    if order.status != "pending":
        return Settlement("02", "Order already confirmed", order)
    order.settled_at, order.response_code = now, fields.get("vnp_ResponseCode", "")
    order.gateway_ref = fields.get("vnp_TransactionNo", "")[:40]
    success = fields.get("vnp_ResponseCode") == vnpay.PAID and fields.get("vnp_TransactionStatus",
                                                                          vnpay.PAID) == vnpay.PAID
    order.status = "paid" if success else "failed"
    dossier, messages, reference = order.dossier, [], f"VNPay {order.gateway_ref}"
    # Every settlement writes the dossier, so two at once meet its optimistic lock (SQLite has
    # no row lock for the order).
    dossier.updated_at = now
    if success and dossier.status == "fee_requested":
        processing.paid(dossier, None, order.amount, CHANNEL, reference, now)
        messages = notify.messages(dossier, Notice(Kind.PAID, amount=order.amount))
    elif success:  # paid at the counter meanwhile: the money is on record, for the agency to refund
        db.session.add(Payment(dossier=dossier, amount=order.amount, channel=CHANNEL, receipt_number=reference,
                               paid_at=now))
        current_app.logger.warning("online payment %s for dossier %s arrived in status %s: to be refunded",
                                   order.txn_ref, dossier.code, dossier.status)
    commit_then_dispatch(messages=messages)
    return Settlement("00", "Confirm Success", order)
