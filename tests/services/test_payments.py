"""Online payment through VNPay: the signed URL, and the signed answers that settle an order once."""
import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import Payment, PaymentOrder
from app.services import dossiers, payments, processing, vnpay
from app.services.demo import DemoAgency
from tests.factories import (
    TICH_SON_DESK,
    VNPAY_SECRET,
    owing_dossier,
    vnpay_answer,
)

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)   # 10:00 in Vietnam


@pytest.fixture
def desk(make_user, loaded_catalogue):
    return make_user("reception", TICH_SON_DESK)


@pytest.fixture
def owing(make_user, desk):
    return owing_dossier(make_user(), desk, make_user("specialist", DemoAgency.TICH_SON))


def test_signature_is_hmac_sha512_of_the_sorted_encoded_fields():
    fields = {"vnp_TxnRef": "7-ab", "vnp_Amount": "2500000", "vnp_OrderInfo": "Nop phi ho so 1:2"}
    expected = hmac.new(VNPAY_SECRET.encode(), b"vnp_Amount=2500000&vnp_OrderInfo=Nop+phi+ho+so+1%3A2&vnp_TxnRef=7-ab",
                        hashlib.sha512).hexdigest()
    assert vnpay.signature(fields, VNPAY_SECRET) == expected
    signed = {**fields, "vnp_SecureHash": expected.upper(), "other": "ignored"}
    assert vnpay.verified(signed, VNPAY_SECRET) == fields
    assert vnpay.verified({**signed, "vnp_Amount": "2600000"}, VNPAY_SECRET) is None
    assert vnpay.verified(fields, VNPAY_SECRET) is None  # unsigned


def test_the_pay_url_carries_the_order_signed(vnpay_account, desk, owing):
    url = payments.start(owing, owing.owner, "https://motcua.example/thanh-toan/ket-qua", "203.0.113.9", now=NOW)
    order = db.session.scalar(db.select(PaymentOrder))
    assert url.startswith("https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?")
    params = dict(parse_qsl(urlsplit(url).query))
    assert params["vnp_TxnRef"] == order.txn_ref and params["vnp_Amount"] == str(order.amount * 100)
    assert order.amount == processing.fee_total(owing) > 0 and order.status == "pending"
    assert params["vnp_CreateDate"] == "20261125100000" and params["vnp_ExpireDate"] == "20261125101500"
    assert params["vnp_OrderInfo"] == f"Nop phi, le phi ho so {owing.code}"  # no diacritics for VNPay
    assert vnpay.verified(params, VNPAY_SECRET) is not None


def test_a_paid_answer_records_the_payment_once_and_processing_resumes(vnpay_account, desk, owing):
    payments.start(owing, owing.owner, "https://x/ret", "127.0.0.1")
    order = db.session.scalar(db.select(PaymentOrder))
    first = payments.settle(vnpay_answer(order))
    assert (first.code, order.status, order.gateway_ref) == ("00", "paid", "14226112")
    db.session.refresh(owing)
    assert owing.status == "processing" and owing.paid_online
    payment = db.session.scalar(db.select(Payment))
    assert (payment.channel, payment.amount, payment.recorded_by_id) == ("provincial_gateway", order.amount, None)
    assert owing.events[-1].action == "record_payment" and owing.events[-1].actor is None
    second = payments.settle(vnpay_answer(order))  # the IPN after the return, or VNPay's retry
    assert second.code == "02" and db.session.query(Payment).count() == 1


def test_answers_that_do_not_match_change_nothing(vnpay_account, desk, owing):
    payments.start(owing, owing.owner, "https://x/ret", "127.0.0.1")
    order = db.session.scalar(db.select(PaymentOrder))
    assert payments.settle(vnpay_answer(order, secret="forged")).code == "97"
    assert payments.settle(vnpay_answer(order, amount=1)).code == "04"
    assert payments.settle(vnpay_answer(order, vnp_TxnRef="someone-else")).code == "01"
    db.session.refresh(owing)
    assert owing.status == "fee_requested" and db.session.query(Payment).count() == 0


def test_a_dossier_changed_meanwhile_keeps_nothing_and_the_resent_answer_settles(vnpay_account, desk, owing):
    payments.start(owing, owing.owner, "https://x/ret", "127.0.0.1")
    order = db.session.scalar(db.select(PaymentOrder))
    # another request changes the dossier between our read and our write
    db.session.execute(text("UPDATE dossier SET lock_version = lock_version + 1 WHERE id = :id"), {"id": owing.id})
    assert payments.settle(vnpay_answer(order)).code == "99"  # VNPay sends it again
    db.session.refresh(order)
    assert order.status == "pending" and db.session.query(Payment).count() == 0
    assert payments.settle(vnpay_answer(order)).code == "00"
    assert db.session.query(Payment).count() == 1


def test_a_malformed_signature_is_refused_not_an_error(vnpay_account, owing):
    payments.start(owing, owing.owner, "https://x/ret", "127.0.0.1")
    order = db.session.scalar(db.select(PaymentOrder))
    assert payments.settle({**vnpay_answer(order), "vnp_SecureHash": "é"}).code == "97"


def test_a_failed_payment_leaves_the_fee_due_and_a_new_attempt_possible(vnpay_account, desk, owing):
    payments.start(owing, owing.owner, "https://x/ret", "127.0.0.1")
    order = db.session.scalar(db.select(PaymentOrder))
    assert payments.settle(vnpay_answer(order, code="24")).code == "00"  # 24: the applicant cancelled
    assert order.status == "failed" and owing.status == "fee_requested"
    payments.start(owing, owing.owner, "https://x/ret", "127.0.0.1")
    assert db.session.query(PaymentOrder).count() == 2


def test_paid_online_after_paying_at_the_counter_is_kept_for_a_refund(vnpay_account, desk, owing):
    payments.start(owing, owing.owner, "https://x/ret", "127.0.0.1")
    order = db.session.scalar(db.select(PaymentOrder))
    processing.record_payment(owing, desk, order.amount, "BL-9")
    assert payments.settle(vnpay_answer(order)).code == "00"
    assert [p.channel for p in owing.payments] == ["counter", "provincial_gateway"]
    assert owing.status == "processing" and not owing.paid_online  # the fee was paid at the counter


def test_only_the_applicant_pays_and_only_when_a_fee_is_due(vnpay_account, desk, owing, make_user):
    with pytest.raises(dossiers.DossierError) as error:
        payments.start(owing, make_user(), "https://x/ret", "127.0.0.1")
    assert error.value.status == 403
    processing.record_payment(owing, desk, processing.fee_total(owing), "BL-1")
    with pytest.raises(dossiers.DossierError) as error:
        payments.start(owing, owing.owner, "https://x/ret", "127.0.0.1")
    assert error.value.status == 409


def test_not_offered_without_a_merchant_account(owing):
    assert not payments.offered(owing, owing.owner)
    assert payments.settle({"vnp_TxnRef": "x", "vnp_SecureHash": "y"}).code == "97"
