"""Paying online from the dossier page, VNPay's return page and its IPN."""
from urllib.parse import parse_qsl, urlsplit

import pytest

from app.extensions import db
from app.models import PaymentOrder
from app.services import payments
from app.services.demo import DemoAgency
from tests.factories import TICH_SON_DESK, owing_dossier
from tests.factories import vnpay_answer as answer


@pytest.fixture
def owing(make_user, loaded_catalogue):
    return owing_dossier(make_user(), make_user("reception", TICH_SON_DESK),
                         make_user("specialist", DemoAgency.TICH_SON))


def test_the_applicant_pays_online_and_comes_back_to_the_result(client, login, vnpay_account, owing):
    login(owing.owner)
    page = client.get(f"/ho-so/{owing.id}").get_data(as_text=True)
    assert "Thanh toán trực tuyến" in page
    response = client.post(f"/ho-so/{owing.id}/thanh-toan")
    assert response.status_code == 302 and response.location.startswith("https://sandbox.vnpayment.vn/")
    params = dict(parse_qsl(urlsplit(response.location).query))
    assert params["vnp_ReturnUrl"].endswith("/thanh-toan/ket-qua")
    order = db.session.scalar(db.select(PaymentOrder))
    back = client.get("/thanh-toan/ket-qua", query_string=answer(order))
    assert back.status_code == 200 and "Đã thanh toán" in back.get_data(as_text=True)
    ipn = client.get("/thanh-toan/vnpay-ipn", query_string=answer(order))
    assert ipn.get_json() == {"RspCode": "02", "Message": "Order already confirmed"}
    assert "Thanh toán trực tuyến" not in client.get(f"/ho-so/{owing.id}").get_data(as_text=True)


def test_ipn_first_then_a_forged_return(client, vnpay_account, owing):
    payments.start(owing, owing.owner, "https://x/ret", "127.0.0.1")
    order = db.session.scalar(db.select(PaymentOrder))
    assert client.get("/thanh-toan/vnpay-ipn", query_string=answer(order)).get_json()["RspCode"] == "00"
    forged = client.get("/thanh-toan/ket-qua", query_string=answer(order, secret="forged"))
    assert forged.status_code == 400 and "Không xác nhận được giao dịch" in forged.get_data(as_text=True)
    assert client.get("/thanh-toan/vnpay-ipn").get_json()["RspCode"] == "97"


def test_pay_wrong_user_and_missing_404_and_no_button_without_an_account(client, login, make_user, owing):
    login(owing.owner)
    assert "Thanh toán trực tuyến" not in client.get(f"/ho-so/{owing.id}").get_data(as_text=True)  # no merchant account
    not_offered = client.post(f"/ho-so/{owing.id}/thanh-toan", follow_redirects=True)
    assert "không ở bước nộp phí" in not_offered.get_data(as_text=True)
    assert client.post("/ho-so/999999/thanh-toan").status_code == 404
    login(make_user())
    assert client.post(f"/ho-so/{owing.id}/thanh-toan").status_code == 404
