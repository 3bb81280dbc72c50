"""Notices (issues 14, 16): one named kind per status change, its e-mail and SMS in the
recipient's language, on the channels the account chose; Zalo ZNS rows for who chose Zalo when
ZALO_APP_ID is set (written here, delivered by the Zalo adapter); account e-mails in the
account's language.

The tests that write SMS or Zalo rows stop `notify.dispatch`: inline (no Redis) it would deliver
them at once, and no Zalo adapter exists on this side (the rows stay pending, as asserted)."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import dates, numbers
from app.domain import sms
from app.domain.deadlines import OFFICE_TZ
from app.domain.notices import CHANNELS, Kind, Notice, join_channels, parse_channels
from app.extensions import db
from app.models import Dossier, OutboxMessage
from app.services import accounts, dossiers, issuing, notify, processing, staff
from app.services import feedback as feedback_service
from app.services.demo import DemoAgency
from tests.factories import BIRTH, at_counter, birth_in, land_at_counter, submitted_birth, tich_son

pytestmark = pytest.mark.usefixtures("loaded_catalogue")

NEW_DUE = datetime(2027, 1, 5, 3, 0, tzinfo=UTC)  # 10:00 office time
# Each kind with its parameters, and what its e-mail body and SMS say in Vietnamese and English.
CASES = {
    Kind.SUBMITTED: (Notice(Kind.SUBMITTED), ("Trạng thái mới:",), ("New status:",), None, None),
    Kind.RESUBMITTED: (Notice(Kind.RESUBMITTED), ("Bản bổ sung của bạn đã được gửi đến cơ quan giải quyết.",),
                       ("Your additional documents have been sent to the resolving agency.",),
                       "đã nhận bản bổ sung", "additional documents received"),
    Kind.RECEIVED: (Notice(Kind.RECEIVED), ("Ngày hẹn trả kết quả: {due_vi}.",), ("Date for the result: {due_en}.",),
                    "đã được tiếp nhận, hẹn trả kết quả {day}", "received, result due {day}"),
    Kind.SUPPLEMENT_REQUESTED: (
        Notice(Kind.SUPPLEMENT_REQUESTED, items=["Giấy chứng sinh bản chính", "Tờ khai"], reason="Bản chụp mờ"),
        ("Giấy tờ cần bổ sung:\n- Giấy chứng sinh bản chính\n- Tờ khai", "Lý do: Bản chụp mờ"),
        ("Documents to add:\n- Giấy chứng sinh bản chính\n- Tờ khai", "Reason: Bản chụp mờ"),
        "cần bổ sung giấy tờ, xem chi tiết trên cổng", "more documents needed, see the portal for details"),
    Kind.REFUSED: (Notice(Kind.REFUSED, reason="Không thuộc thẩm quyền; Thiếu chữ ký"),
                   ("Lý do: Không thuộc thẩm quyền; Thiếu chữ ký",), ("Reason: Không thuộc thẩm quyền; Thiếu chữ ký",),
                   "không được tiếp nhận, xem lý do trên cổng", "not received, see the portal for the reason"),
    Kind.FEE_REQUESTED: (Notice(Kind.FEE_REQUESTED, amount=1500000), ("Số tiền phải nộp: 1.500.000 đồng.",),
                         ("Amount to pay: 1.500.000 dong.",), "cần nộp phí, lệ phí 1.500.000 đồng",
                         "fees of 1.500.000 dong to pay"),
    Kind.PAID: (Notice(Kind.PAID, amount=50000), ("Đã nhận khoản thanh toán 50.000 đồng",),
                ("Payment of 50.000 dong received",), "đã nhận thanh toán 50.000 đồng",
                "payment of 50.000 dong received"),
    Kind.APOLOGY: (Notice(Kind.APOLOGY, new_due=NEW_DUE, reason="Chờ xác minh"),
                   ("xin lỗi vì chậm trễ", "Ngày hẹn trả kết quả mới: 10:00 ngày 05/01/2027.", "Lý do: Chờ xác minh"),
                   ("apologises for the delay", "New date for the result: 10:00, 05/01/2027.", "Reason: Chờ xác minh"),
                   "xin lỗi vì chậm trễ, hẹn trả kết quả mới 05/01/2027",
                   "sorry for the delay, new date for the result 05/01/2027"),
    Kind.RESOLVED: (Notice(Kind.RESOLVED), ("Hồ sơ đã có kết quả giải quyết.", "Hình thức nhận kết quả: Nhận kết quả "
                                            "điện tử trên cổng."),
                    ("The result of your application is ready.",), None, None),
    Kind.RETURNED: (Notice(Kind.RETURNED, delivery="post", tracking="EE123456789VN"),
                    ("Hình thức trả kết quả: Gửi qua dịch vụ bưu chính.", "Số hiệu bưu gửi: EE123456789VN."),
                    ("How the result was handed over: Send by post.", "Postal tracking number: EE123456789VN."),
                    "đã gửi kết quả qua bưu chính, số hiệu EE123456789VN",
                    "result sent by post, tracking number EE123456789VN"),
    Kind.WITHDRAWAL_REQUESTED: (Notice(Kind.WITHDRAWAL_REQUESTED),
                                ("Bộ phận Một cửa sẽ xem xét yêu cầu rút hồ sơ của bạn.",),
                                ("The one-stop desk will consider your request",), "đã gửi yêu cầu rút hồ sơ",
                                "withdrawal requested"),
    Kind.WITHDRAWAL_CANCELLED: (Notice(Kind.WITHDRAWAL_CANCELLED), ("Yêu cầu rút hồ sơ đã được hủy",),
                                ("The withdrawal request has been cancelled",), "đã hủy yêu cầu rút hồ sơ",
                                "withdrawal request cancelled"),
    Kind.WITHDRAWAL_REFUSED: (Notice(Kind.WITHDRAWAL_REFUSED, reason="Đã có quyết định"),
                              ("Yêu cầu rút hồ sơ không được chấp nhận: Đã có quyết định",),
                              ("Your request to withdraw the application was not accepted: Đã có quyết định",),
                              "yêu cầu rút hồ sơ không được chấp nhận", "withdrawal request not accepted"),
    Kind.STOPPED: (Notice(Kind.STOPPED), ("Hồ sơ đã dừng xử lý theo yêu cầu rút hồ sơ của bạn.",),
                   ("Processing of the application has stopped",), None, None),
}


def test_every_kind_has_its_case():
    assert set(CASES) == set(Kind)


@pytest.fixture
def undelivered(monkeypatch):
    """The rows are written, nothing is delivered (see the module docstring)."""
    monkeypatch.setattr(notify, "dispatch", lambda messages: None)


@pytest.fixture
def channels_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_PROVIDER", "json")
    for key, value in {"ZALO_APP_ID": "1234567890", "ZALO_SECRET_KEY": "khoa-bi-mat", "ZALO_REFRESH_TOKEN": "rt-0",
                       "ZALO_TEMPLATES": {kind.value: str(300000 + n) for n, kind in enumerate(Kind)}}.items():
        monkeypatch.setitem(app.config, key, value)
    # The longest link: a province's real address, the full national code (TT 01/2018), the secret.
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://dichvucong.vinhphuc.gov.vn")


@pytest.mark.parametrize("kind", list(Kind))
def test_each_kind_says_its_parameters_in_vietnamese_and_english(kind, make_user, channels_on, undelivered):
    dossier = birth_in("accepted", tich_son(make_user))
    notice, email_vi, email_en, sms_vi, sms_en = CASES[kind]
    due = dossier.due_at.astimezone(OFFICE_TZ)
    values = {"due_vi": f"{due:%H:%M} ngày {due:%d/%m/%Y}", "due_en": f"{due:%H:%M}, {due:%d/%m/%Y}",
              "day": f"{due:%d/%m/%Y}"}
    code, link = dossier.code, issuing.lookup_url(dossier)
    for language, expected_email, expected_sms, status, named in (
            ("vi", email_vi, sms_vi, "Đã được tiếp nhận", f"Hồ sơ {dossier.code}"),
            ("en", email_en, sms_en, "Received", f"Application {dossier.code}")):
        subject = notify.render(dossier, notice, "subject", language)
        body = notify.render(dossier, notice, "email", language)
        text = notify.render(dossier, notice, "sms", language)
        assert subject == f"[{'Một cửa' if language == 'vi' else 'One-stop'}] {named}: {status}"
        assert body.startswith("Kính gửi Nguyễn Văn An," if language == "vi" else "Dear Nguyễn Văn An,")
        assert link in body and "\n\n\n" not in body
        for part in expected_email:
            assert part.format(**values) in body, (language, part)
        assert text.startswith(f"[{'Một cửa' if language == 'vi' else 'One-stop'}] {named}: ")
        assert (expected_sms.format(**values) if expected_sms else status) in text
        assert code in text and link in text and "\n" not in text
        assert sms.fits(text), (language, sms.length(text))
    assert "Trạng thái mới" not in notify.render(dossier, notice, "email", "en")


def test_before_receipt_a_dossier_is_named_by_its_reference_without_a_link(make_user, channels_on, undelivered):
    dossier = submitted_birth(tich_son(make_user).citizen)
    body = notify.render(dossier, Notice(Kind.SUBMITTED), "email", "vi")
    assert f"Hồ sơ mã tham chiếu {dossier.reference}" in body and "/tra-cuu" not in body
    assert "Mã hồ sơ sẽ được cấp khi Bộ phận Một cửa tiếp nhận hồ sơ." in body
    assert notify.render(dossier, Notice(Kind.SUBMITTED), "sms", "en") == \
        f"[One-stop] Application reference {dossier.reference}: Sent, waiting to be received."


def zalo_rows(dossier):
    return db.session.scalars(select(OutboxMessage).filter_by(dossier_id=dossier.id, channel="zalo")
                              .order_by(OutboxMessage.id)).all()


def test_each_change_sends_its_notice_with_its_parameters(make_user, channels_on, undelivered):
    office = tich_son(make_user)
    office.citizen.notify_channels = "email,sms,zalo"
    db.session.commit()
    dossier = submitted_birth(office.citizen)
    dossiers.request_supplement(dossier, office.desk, ["Giấy chứng sinh bản chính"], "Bản chụp không rõ")
    dossiers.resubmit(dossier, office.citizen)
    dossiers.accept(dossier, office.desk)
    dossiers.request_withdrawal(dossier, office.citizen, "Nộp nhầm")
    dossiers.cancel_withdrawal(dossier, office.citizen)
    dossiers.request_withdrawal(dossier, office.citizen, "Nộp nhầm")
    processing.decline_withdrawal(dossier, office.desk, "Kết quả đã được quyết định")
    processing.draft_apology(dossier, office.leader, dossier.due_at + timedelta(days=7), "Chờ xác minh", issue=True)
    processing.complete_step(dossier, office.specialist, "Đủ điều kiện")
    processing.resolve(dossier, office.leader, "approved")
    while dossier.current_step.role != "reception":
        processing.complete_step(dossier, office.clerk)
    processing.return_result(dossier, office.desk, "post", "EE123456789VN")

    rows = zalo_rows(dossier)
    assert [r.subject for r in rows] == ["submitted", "supplement_requested", "resubmitted", "received",
                                         "withdrawal_requested", "withdrawal_cancelled", "withdrawal_requested",
                                         "withdrawal_refused", "apology", "resolved", "returned"]
    assert {r.recipient for r in rows} == {"84912345678"}
    assert all(r.sent_at is None and r.attempts == 0 for r in rows)  # pending: for the Zalo adapter
    params = [json.loads(r.body) for r in rows]
    assert set(params[0]) == {"ma_ho_so", "ten", "trang_thai", "link"}
    assert params[0]["ma_ho_so"] == dossier.reference and params[0]["link"] == ""
    assert params[1]["giay_to"] == "Giấy chứng sinh bản chính" and params[1]["ly_do"] == "Bản chụp không rõ"
    assert params[3] == {"ma_ho_so": dossier.code, "ten": "Nguyễn Văn An", "trang_thai": "Đã được tiếp nhận",
                         "link": issuing.lookup_url(dossier), "ngay_hen": dates.date(dossier.due_at)}
    assert params[7]["ly_do"] == "Kết quả đã được quyết định"
    assert params[8]["ngay_hen_moi"] == dates.date(dossier.rescheduled_due_at) and params[8]["ly_do"] == "Chờ xác minh"
    assert "ly_do" not in params[9]
    assert params[10]["hinh_thuc"] == "Gửi qua dịch vụ bưu chính" and params[10]["so_hieu"] == "EE123456789VN"
    assert '"ten": "Nguyễn Văn An"' in rows[3].body  # ensure_ascii=False: the template's text as written

    mails = db.session.scalars(select(OutboxMessage).filter_by(dossier_id=dossier.id, channel="email")
                               .order_by(OutboxMessage.id)).all()
    assert len(mails) == len(rows) and "Giấy tờ cần bổ sung:\n- Giấy chứng sinh bản chính" in mails[1].body
    assert "Ngày hẹn trả kết quả mới: " in mails[8].body and "Số hiệu bưu gửi: EE123456789VN." in mails[10].body


def test_refusal_stop_fee_and_payment_send_theirs(make_user, channels_on, undelivered):
    office = tich_son(make_user)
    office.citizen.notify_channels = "zalo"
    db.session.commit()
    refused = dossiers.refuse(submitted_birth(office.citizen), office.desk, ["Không thuộc thẩm quyền", "Thiếu"])
    stopped = submitted_birth(office.citizen)
    dossiers.request_withdrawal(stopped, office.citizen, "Nộp nhầm")
    processing.stop(stopped, office.desk)
    owing = processing.request_fee(land_at_counter(office.citizen, office.desk), office.specialist)
    processing.record_payment(owing, office.desk, processing.fee_total(owing), "BL-1")
    assert [(r.subject, json.loads(r.body).get("ly_do")) for r in zalo_rows(refused)] == [
        ("submitted", None), ("refused", "Không thuộc thẩm quyền; Thiếu")]
    assert [r.subject for r in zalo_rows(stopped)] == ["submitted", "withdrawal_requested", "stopped"]
    amount = numbers.number(processing.fee_total(owing))
    assert [(r.subject, json.loads(r.body)["so_tien"]) for r in zalo_rows(owing)] == [
        ("fee_requested", amount), ("paid", amount)]  # received at the counter: a walk-in then, no Zalo
    assert db.session.scalars(select(OutboxMessage).filter_by(dossier_id=refused.id, channel="email")).all() == []


def test_a_long_reason_is_cut_in_the_zalo_parameter(make_user, channels_on, undelivered):
    office = tich_son(make_user)
    office.citizen.notify_channels = "zalo"
    dossier = birth_in("submitted", office)
    params = notify.zalo_params(dossier, Notice(Kind.REFUSED, reason="Thiếu giấy tờ " * 20))
    assert len(params["ly_do"]) == notify.ZALO_TEXT_MAX and params["ly_do"].endswith("…")


def channels_of(dossier):
    return sorted(m.channel for m in db.session.scalars(select(OutboxMessage).filter_by(dossier_id=dossier.id)))


@pytest.mark.parametrize(("chosen", "written"), [
    ("email", ["email"]), ("sms", ["sms"]), ("email,sms", ["email", "sms"]), ("zalo", ["zalo"]),
    ("email,sms,zalo", ["email", "sms", "zalo"])])
def test_only_the_chosen_channels_are_written(make_user, channels_on, undelivered, chosen, written):
    office = tich_son(make_user)
    office.citizen.notify_channels = chosen
    db.session.commit()
    assert channels_of(submitted_birth(office.citizen)) == written


def test_the_email_stands_in_when_no_chosen_channel_can_carry_it(make_user, app, undelivered, monkeypatch):
    office = tich_son(make_user)
    office.citizen.notify_channels = "sms,zalo"
    db.session.commit()
    monkeypatch.setitem(app.config, "SMS_PROVIDER", None)
    monkeypatch.setitem(app.config, "ZALO_APP_ID", "")
    assert channels_of(submitted_birth(office.citizen)) == ["email"]
    monkeypatch.setitem(app.config, "SMS_PROVIDER", "json")
    assert channels_of(submitted_birth(office.citizen)) == ["sms"]


def test_no_zalo_without_zalo_configured_a_template_or_a_usable_phone(make_user, app, channels_on, undelivered,
                                                                      monkeypatch):
    office = tich_son(make_user)
    office.citizen.notify_channels = "email,sms,zalo"
    db.session.commit()
    monkeypatch.setitem(app.config, "ZALO_APP_ID", "")
    assert channels_of(submitted_birth(office.citizen)) == ["email", "sms"]
    monkeypatch.setitem(app.config, "ZALO_APP_ID", "1234567890")
    monkeypatch.setitem(app.config, "ZALO_TEMPLATES", {"received": "300001"})  # none for "submitted"
    assert channels_of(submitted_birth(office.citizen)) == ["email", "sms"]
    dossier = submitted_birth(office.citizen)
    dossier.applicant_phone = "12345"
    assert notify.zalo_message(dossier, Notice(Kind.SUBMITTED)) is None


def test_a_walk_in_gets_email_and_sms_in_vietnamese_and_no_zalo(make_user, channels_on, undelivered):
    office = tich_son(make_user)
    dossier = at_counter(BIRTH, office.citizen, office.desk)  # the owner is set after the intake
    messages = db.session.scalars(select(OutboxMessage).filter_by(dossier_id=dossier.id)).all()
    assert sorted(m.channel for m in messages) == ["email", "sms"]
    assert all("tiếp nhận" in m.body for m in messages)
    assert notify.recipient_of(Dossier(owner=None)) == ("vi", frozenset({"email", "sms"}))


def test_an_english_account_is_told_in_english(make_user, channels_on, undelivered):
    office = tich_son(make_user)
    office.citizen.language = "en"
    db.session.commit()
    dossier = dossiers.accept(submitted_birth(office.citizen), office.desk)
    mail, text = (db.session.scalars(select(OutboxMessage).filter_by(dossier_id=dossier.id, channel=c)
                                     .order_by(OutboxMessage.id.desc())).first() for c in ("email", "sms"))
    due = dossier.due_at.astimezone(OFFICE_TZ)
    assert mail.subject == f"[One-stop] Application {dossier.code}: Received"
    assert f"Date for the result: {due:%H:%M}, {due:%d/%m/%Y}." in mail.body and "Birth registration" in mail.body
    assert "This email was sent automatically" in mail.body
    assert f"received, result due {due:%d/%m/%Y}" in text.body
    zalo = notify.zalo_params(dossier, Notice(Kind.RECEIVED))
    assert zalo["trang_thai"] == "Đã được tiếp nhận"  # ZNS templates are Vietnamese


def test_the_stored_channels_are_a_known_comma_list():
    assert join_channels(["zalo", "email"]) == "email,zalo" and parse_channels("zalo,fax,email") == {"email", "zalo"}
    assert parse_channels(join_channels(CHANNELS)) == set(CHANNELS) and parse_channels(None) == frozenset()
    with pytest.raises(ValueError):
        join_channels(["fax"])


# --- account e-mails in the account's language ------------------------------------------------

def last_mail(recipient):
    return db.session.scalars(select(OutboxMessage).filter_by(recipient=recipient)
                              .order_by(OutboxMessage.id.desc())).first()


def test_verification_and_reset_follow_the_account_language(make_user):
    citizen = make_user()
    citizen.email_verified_at = None
    citizen.language = "en"
    db.session.commit()
    accounts.resend_verification(citizen)
    mail = last_mail(citizen.email)
    assert mail.subject == "[One-stop] Confirm your email address"
    assert mail.body.startswith(f"Dear {citizen.full_name},") and "/xac-nhan-email/" in mail.body
    assert re.search(r"valid for \d+ hours", mail.body) and "This email was sent automatically" in mail.body
    accounts.request_password_reset(citizen.email)
    assert "The link works once, within" in last_mail(citizen.email).body
    citizen.language = "vi"
    db.session.commit()
    accounts.request_password_reset(citizen.email)
    mail = last_mail(citizen.email)
    assert mail.subject == "[Một cửa] Đặt lại mật khẩu" and "Liên kết chỉ dùng được một lần" in mail.body


def test_a_staff_reset_link_follows_the_account_language(make_user):
    admin, official = make_user("admin", DemoAgency.PROVINCE), make_user("leader", DemoAgency.TICH_SON)
    official.language = "en"
    db.session.commit()
    message = staff.reset_password(admin, official)
    assert "Đặt lại" not in message.subject and "Kính gửi" not in message.body
    assert message.body.startswith(f"Dear {official.full_name},") and "/dat-mat-khau/" in message.body


def test_feedback_e_mails_follow_the_sender_account_language(make_user):
    citizen = make_user()
    citizen.language = "en"
    db.session.commit()
    item = feedback_service.send(citizen, category="procedure", subject="procedure", procedure_code=BIRTH,
                                 title="Thời hạn khai sinh",
                                 text="Thời hạn giải quyết ghi trên cổng khác với thời hạn niêm yết tại bộ phận.")
    mail = last_mail(citizen.email)
    assert mail.subject.startswith(f"[One-stop] Feedback {item.reference}: ")
    assert f"{item.agency.name} has received your feedback." in mail.body and "Follow your feedback:" in mail.body
    officer = make_user("specialist", DemoAgency.PROVINCE)
    feedback_service.act(officer, item, "ask_info", text="Cho biết ngày bạn nộp hồ sơ.")
    assert "The agency asks you for more information: Cho biết ngày bạn nộp hồ sơ." in last_mail(citizen.email).body
