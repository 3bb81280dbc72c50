"""The citizen's "Nhận thông báo" page (issues 14, 16): the language and the channels of the
account's notices; saving it switches the site to that language. An account registered on an
English page starts in English."""
from __future__ import annotations

from app.extensions import db
from app.models import OutboxMessage, User
from app.services import accounts
from app.services.demo import DemoAgency

PAGE = "/tai-khoan/nhan-thong-bao"


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


def test_staff_choose_the_language_only(client, make_user, login):
    """Staff get e-mails too (a password reset link): they choose its language; the channels are
    for applicants' dossier notices, so the page has none and a posted choice changes nothing."""
    staff = login(make_user("reception", DemoAgency.TICH_SON_DESK))
    page = client.get(PAGE)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "<legend>Ngôn ngữ của thư và tin nhắn</legend>" in body
    assert 'name="channels"' not in body and "Nhận thông báo về hồ sơ qua" not in body
    assert "đường dẫn đặt lại mật khẩu" in body
    response = client.post(PAGE, data={"language": "en", "channels": ["zalo"]})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{PAGE}?lang=en")
    db.session.refresh(staff)
    assert (staff.language, staff.notify_channels) == ("en", "email,sms")
    refused = client.post(PAGE, data={"language": "fr"})
    assert refused.status_code == 422 and "Chọn một ngôn ngữ trong danh sách." in refused.get_data(as_text=True)


def test_a_staff_password_reset_is_written_in_the_chosen_language(client, make_user, login):
    staff = login(make_user("reception", DemoAgency.TICH_SON_DESK))
    assert client.post(PAGE, data={"language": "en"}).status_code == 302
    accounts.request_password_reset(staff.email)
    mail = OutboxMessage.query.filter_by(recipient=staff.email).one()
    assert mail.subject == "[One-stop] Reset password" and "Dear " in mail.body


def test_a_citizen_sees_the_choice_with_labels_and_saves_it(client, make_user, login):
    citizen = login(make_user())
    page = client.get(PAGE).get_data(as_text=True)
    assert "<legend>Ngôn ngữ của thư và tin nhắn</legend>" in page and "Nhận thông báo về hồ sơ qua" in page
    for value, label in (("email", "E-mail"), ("sms", "Tin nhắn SMS"), ("zalo", "Zalo")):
        assert f'value="{value}"' in page and f'for="channels-{("email", "sms", "zalo").index(value)}">{label}' in page
    assert '<input checked id="language" name="language" type="radio" value="vi">' in page  # the account's
    assert '<input checked id="channels-1" name="channels" type="checkbox" value="sms">' in page
    assert '<input id="channels-2" name="channels" type="checkbox" value="zalo">' in page
    response = client.post(PAGE, data={"language": "en", "channels": ["email", "zalo"]})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{PAGE}?lang=en")
    db.session.refresh(citizen)
    assert (citizen.language, citizen.notify_channels, citizen.channels) == ("en", "email,zalo", {"email", "zalo"})
    after = client.get(response.headers["Location"])
    assert "lang=en" in after.headers.get("Set-Cookie", "")
    assert "Notification settings saved." in after.get_data(as_text=True)
    assert "Notifications" in client.get(PAGE).get_data(as_text=True)  # the cookie keeps English


def test_bad_input_is_422_with_its_message_and_nothing_changes(client, make_user, login):
    citizen = login(make_user())
    for data, message in (({"language": "vi"}, "Chọn ít nhất một cách nhận thông báo."),
                          ({"language": "fr", "channels": ["email"]}, "Chọn một ngôn ngữ trong danh sách."),
                          ({"language": "vi", "channels": ["email", "fax"]},
                           "Chọn trong các cách nhận thông báo được liệt kê.")):
        response = client.post(PAGE, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code == 422 and message in body and 'class="error-summary"' in body, data
        assert "<title>Lỗi: " in body
    db.session.refresh(citizen)
    assert (citizen.language, citizen.notify_channels) == ("vi", "email,sms")


def test_the_english_page_says_the_refusal_in_english(client, make_user, login):
    login(make_user())
    response = client.post(f"{PAGE}?lang=en", data={"language": "en"})
    assert response.status_code == 422 and "Choose at least one way to be notified." in response.get_data(as_text=True)


def test_the_sessions_page_links_to_it_for_every_account(client, make_user, login):
    login(make_user())
    assert f'href="{PAGE}"' in client.get("/phien-dang-nhap").get_data(as_text=True)
    login(make_user("reception", DemoAgency.TICH_SON_DESK))
    assert f'href="{PAGE}"' in client.get("/phien-dang-nhap").get_data(as_text=True)


def test_registering_on_an_english_page_makes_an_english_account(client):
    data = {"full_name": "Nguyễn Thị Bích", "id_number": "026190001111", "email": "bich@motcua.example",
            "phone": "0912345678", "password": "mot-cau-de-nho-lau", "confirm": "mot-cau-de-nho-lau"}
    assert client.post("/dang-ky?lang=en", data=data).status_code == 302
    user = User.query.filter_by(email="bich@motcua.example").one()
    mail = OutboxMessage.query.filter_by(recipient=user.email).one()
    assert user.language == "en" and mail.subject == "[One-stop] Confirm your email address"
