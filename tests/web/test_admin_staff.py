"""/quan-tri/can-bo, /quan-tri/nhat-ky and /dat-mat-khau (issue 13): staff administration pages,
the audit log's reader, the set-password link; and the administrators' reach to the register."""
from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner

from app.extensions import db
from app.models import AdminAuditEntry, OutboxMessage, User
from app.services import login_sessions, staff
from app.services.demo import DemoAgency
from tests.factories import birth_in, tich_son

PASSWORD = "mat-khau-thu-nghiem"


@pytest.fixture
def province(make_user, login):
    return login(make_user("admin", DemoAgency.PROVINCE))


@pytest.fixture
def city_admin(make_user):
    return make_user("admin", DemoAgency.VINH_YEN)


def last_link(user_email: str) -> str:
    message = db.session.scalars(db.select(OutboxMessage).filter_by(recipient=user_email)
                                 .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"(/dat-mat-khau/\S+)", message.body).group(1)


def invite_page(client, **overrides):
    data = {"full_name": "Trần Thị Mới", "email": "moi@motcua.example", "agency": DemoAgency.TICH_SON_DESK,
            "role": "reception"} | overrides
    return client.post("/quan-tri/can-bo", data=data)


# --- who may open the pages -----------------------------------------------------------------

PAGES = ["/quan-tri/can-bo", "/quan-tri/nhat-ky"]


@pytest.mark.parametrize("path", PAGES)
def test_a_visitor_is_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


@pytest.mark.parametrize("role, agency", [(None, None), ("reception", DemoAgency.TICH_SON_DESK),
                                          ("leader", DemoAgency.VINH_YEN)])
def test_wrong_role_gets_403(client, make_user, login, role, agency):
    official = make_user("specialist", DemoAgency.TICH_SON)
    login(make_user(role, agency))
    for path in PAGES + [f"/quan-tri/can-bo/{official.id}", f"/quan-tri/can-bo/{official.id}/khoa"]:
        assert client.get(path).status_code == 403, path
    assert invite_page(client).status_code == 403
    assert client.post(f"/quan-tri/can-bo/{official.id}/khoa").status_code == 403
    assert client.post(f"/quan-tri/can-bo/{official.id}/vai-tro", data={"giu": []}).status_code == 403
    assert db.session.get(User, official.id).active and not User.query.filter_by(email="moi@motcua.example").count()


def test_an_agency_administrator_gets_403_on_another_agencys_staff(client, login, make_user, city_admin):
    other = make_user("reception", DemoAgency.BINH_XUYEN)
    login(city_admin)
    assert client.get(f"/quan-tri/can-bo/{other.id}").status_code == 403
    for action in ("khoa", "gui-lien-ket"):
        assert client.get(f"/quan-tri/can-bo/{other.id}/{action}").status_code == 403
        assert client.post(f"/quan-tri/can-bo/{other.id}/{action}").status_code == 403
    assert client.post(f"/quan-tri/can-bo/{other.id}/vai-tro",
                       data={"co_quan": DemoAgency.TICH_SON, "vai_tro": "leader"}).status_code == 403
    # nor invite into an agency outside their reach (a forged choice: the form does not offer it)
    assert invite_page(client, agency=DemoAgency.BINH_XUYEN).status_code == 403
    db.session.refresh(other)
    assert other.active and [m.agency.code for m in other.memberships] == [DemoAgency.BINH_XUYEN]
    assert AdminAuditEntry.query.count() == 0
    page = client.get("/quan-tri/can-bo").get_data(as_text=True)
    assert other.full_name not in page and DemoAgency.BINH_XUYEN not in page


def test_missing_account_or_action_is_404(client, province):
    assert client.get("/quan-tri/can-bo/999999").status_code == 404
    assert client.post("/quan-tri/can-bo/999999/khoa").status_code == 404
    assert client.post("/quan-tri/can-bo/999999/vai-tro").status_code == 404
    assert client.get(f"/quan-tri/can-bo/{province.id}/xoa").status_code == 404


# --- the list, the invitation, the roles ------------------------------------------------------

def test_the_list_searches_and_refuses_a_forged_filter(client, province, make_user):
    ward = make_user("reception", DemoAgency.TICH_SON_DESK)
    dept = make_user("specialist", DemoAgency.JUSTICE_DEPARTMENT)
    page = client.get("/quan-tri/can-bo").get_data(as_text=True)
    assert ward.full_name in page and dept.full_name in page and '<label for="q">' in page
    page = client.get(f"/quan-tri/can-bo?co_quan={DemoAgency.TICH_SON_DESK}&vai_tro=reception").get_data(as_text=True)
    assert ward.full_name in page and dept.full_name not in page
    assert dept.full_name in client.get(f"/quan-tri/can-bo?q={dept.email}").get_data(as_text=True)
    assert "Không có tài khoản nào" in client.get("/quan-tri/can-bo?trang_thai=da-khoa").get_data(as_text=True)
    assert client.get("/quan-tri/can-bo?vai_tro=chef").status_code == 400
    assert client.get("/quan-tri/can-bo?co_quan=khong-co").status_code == 400


@pytest.mark.parametrize("overrides, field, message", [
    ({"full_name": ""}, "full_name", "Vui lòng nhập họ và tên"),
    ({"email": "khong-phai-email"}, "email", "e-mail"),
    ({"agency": ""}, "agency", "Vui lòng chọn cơ quan"),
    ({"agency": "000.99.99.H62"}, "agency", "Không có cơ quan mã"),
    ({"role": "chef"}, "role", "Vai trò không hợp lệ"),
])
def test_a_bad_invitation_is_refused_by_field(client, province, overrides, field, message):
    response = invite_page(client, **overrides)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'href="#{field}"' in page and message in page and page.count("<title>Lỗi: ") == 1
    assert User.query.filter_by(email="moi@motcua.example").count() == 0


def test_inviting_an_address_twice_is_refused_on_the_field(client, province):
    assert invite_page(client).status_code == 302
    response = invite_page(client, email="MOI@motcua.example")
    assert response.status_code == 422 and "đã có tài khoản" in response.get_data(as_text=True)
    assert OutboxMessage.query.count() == 1


def test_roles_are_added_and_withdrawn_on_the_official_page(client, province, make_user):
    official = make_user("specialist", DemoAgency.TICH_SON)
    kept = official.memberships[0]
    page = client.get(f"/quan-tri/can-bo/{official.id}").get_data(as_text=True)
    assert f'<label for="giu-{kept.id}">' in page and "Khóa tài khoản" in page
    response = client.post(f"/quan-tri/can-bo/{official.id}/vai-tro",
                           data={"giu": [str(kept.id)], "co_quan": DemoAgency.TICH_SON, "vai_tro": "leader"})
    assert response.status_code == 302
    assert {m.role for m in db.session.get(User, official.id).memberships} == {"specialist", "leader"}
    response = client.post(f"/quan-tri/can-bo/{official.id}/vai-tro", data={"co_quan": DemoAgency.TICH_SON})
    assert response.status_code == 422 and "cả cơ quan và vai trò" in response.get_data(as_text=True)
    response = client.post(f"/quan-tri/can-bo/{official.id}/vai-tro", data={})  # everything unticked
    assert response.status_code == 422 and "khóa tài khoản" in response.get_data(as_text=True)
    assert AdminAuditEntry.query.filter_by(action="user.memberships").count() == 1


# --- lock, unlock, reset ------------------------------------------------------------------------

def test_locking_asks_first_then_ends_the_officials_sessions_at_once(app, client, province, make_user, login):
    official = make_user("reception", DemoAgency.TICH_SON_DESK)
    theirs = app.test_client()
    login_sessions.start(official)
    with theirs.session_transaction() as session:
        session["_user_id"] = official.get_id()
    assert theirs.get("/mot-cua/").status_code == 200
    page = client.get(f"/quan-tri/can-bo/{official.id}/khoa").get_data(as_text=True)
    assert "Khóa tài khoản: " in page and "Hủy, quay lại" in page
    assert db.session.get(User, official.id).active  # the page only asks
    assert client.post(f"/quan-tri/can-bo/{official.id}/khoa").status_code == 302
    assert client.post(f"/quan-tri/can-bo/{official.id}/khoa").status_code == 302  # a double click: no harm
    assert theirs.get("/mot-cua/").status_code == 302  # sent to log in: their session ended
    response = theirs.post("/dang-nhap", data={"email": official.email, "password": PASSWORD})
    assert response.status_code == 401
    assert AdminAuditEntry.query.filter_by(action="user.deactivate").count() == 1
    page = client.get(f"/quan-tri/can-bo/{official.id}").get_data(as_text=True)
    assert "Đã khóa" in page and "Mở khóa tài khoản" in page
    assert client.post(f"/quan-tri/can-bo/{official.id}/mo-khoa").status_code == 302
    assert theirs.post("/dang-nhap", data={"email": official.email, "password": PASSWORD}).status_code == 302


def test_an_official_who_leaves_keeps_their_name_on_past_events(client, province, make_user, loaded_catalogue):
    dossier = birth_in("accepted", tich_son(make_user))
    desk = db.session.get(User, dossier.events[-1].actor_id)
    client.post(f"/quan-tri/can-bo/{desk.id}/khoa")
    db.session.expire_all()
    assert db.session.get(User, desk.id) is not None
    assert db.session.get(type(dossier), dossier.id).events[-1].actor.full_name == desk.full_name


def test_a_reset_sends_a_link_and_the_administrator_never_types_a_password(client, province, make_user):
    official = make_user("leader", DemoAgency.TICH_SON)
    page = client.get(f"/quan-tri/can-bo/{official.id}/gui-lien-ket").get_data(as_text=True)
    assert 'type="password"' not in page
    assert client.post(f"/quan-tri/can-bo/{official.id}/gui-lien-ket").status_code == 302
    assert client.get(last_link(official.email)).status_code == 200


def test_the_administrator_cannot_lock_themselves(client, province):
    assert client.post(f"/quan-tri/can-bo/{province.id}/khoa").status_code == 403
    assert db.session.get(User, province.id).active


# --- the set-password page ----------------------------------------------------------------------

def test_the_set_password_page_refuses_bad_input_then_sets_it_once(client, province):
    invite_page(client)
    link = last_link("moi@motcua.example")
    visitor = client.application.test_client()
    page = visitor.get(link).get_data(as_text=True)
    assert "Đặt mật khẩu" in page and 'autocomplete="new-password"' in page
    response = visitor.post(link, data={"password": "ngan", "confirm": "ngan"})
    assert response.status_code == 422 and "10 đến 128 ký tự" in response.get_data(as_text=True)
    response = visitor.post(link, data={"password": "mot-mat-khau-dai", "confirm": "khac-mat-khau-dai"})
    assert response.status_code == 422 and "không khớp" in response.get_data(as_text=True)
    response = visitor.post(link, data={"password": "mot-mat-khau-dai", "confirm": "mot-mat-khau-dai"})
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]
    used = visitor.get(link)  # tokens.read_link's mapping: used → 404, like a forged link
    assert used.status_code == 404 and "đã được dùng" in used.get_data(as_text=True)
    assert visitor.post(link, data={"password": "x" * 12, "confirm": "x" * 12}).status_code == 404


def test_an_expired_or_forged_link_is_a_clear_page(client, province, monkeypatch):
    sent = int(time.time())  # the signer's clock (the session cookie's too: kept within its life)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: sent)
    invite_page(client)
    link = last_link("moi@motcua.example")
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: sent + staff.SET_PASSWORD_MAX_AGE + 1)
    expired = client.get(link)
    assert expired.status_code == 410 and "hết hạn" in expired.get_data(as_text=True)
    forged = client.get("/dat-mat-khau/khong-phai-lien-ket")
    assert forged.status_code == 404 and "không hợp lệ" in forged.get_data(as_text=True)


# --- the audit log's reader ---------------------------------------------------------------------

def test_the_audit_log_filters_and_an_agency_administrator_reads_their_reach(client, login, province, make_user,
                                                                             city_admin):
    ward = make_user("reception", DemoAgency.TICH_SON_DESK)
    other = make_user("reception", DemoAgency.BINH_XUYEN)
    client.post(f"/quan-tri/can-bo/{ward.id}/khoa")
    client.post(f"/quan-tri/can-bo/{other.id}/khoa")
    page = client.get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert page.count("Khóa tài khoản") >= 2 and province.full_name in page
    page = client.get(f"/quan-tri/nhat-ky?co_quan={DemoAgency.BINH_XUYEN}").get_data(as_text=True)
    assert f"Tài khoản #{other.id}" in page and f"Tài khoản #{ward.id}" not in page
    page = client.get(f"/quan-tri/nhat-ky?nguoi={province.email}&thao_tac=user.deactivate&doi_tuong=user"
                      "&tu=01/01/2020&den=31/12/2099").get_data(as_text=True)
    assert f"Tài khoản #{other.id}" in page and f"Tài khoản #{ward.id}" in page
    assert "Không có mục nào" in client.get("/quan-tri/nhat-ky?tu=01/01/2020&den=02/01/2020").get_data(as_text=True)
    page = client.get(f"/quan-tri/nhat-ky?doi_tuong=user&ma={ward.id}").get_data(as_text=True)
    assert f"Tài khoản #{ward.id}" in page and f"Tài khoản #{other.id}" not in page
    assert client.get("/quan-tri/nhat-ky?thao_tac=user.reactivate").status_code == 200  # known, none yet
    unknown = client.get("/quan-tri/nhat-ky?nguoi=khong-co@motcua.example")
    assert unknown.status_code == 422 and "Không có tài khoản nào" in unknown.get_data(as_text=True)
    assert client.get("/quan-tri/nhat-ky?tu=31/02/2027").status_code == 400
    assert client.get("/quan-tri/nhat-ky?den=31/12/9999").status_code == 400  # past the span, not a 500
    assert client.get("/quan-tri/nhat-ky?tu=02/01/2027&den=01/01/2027").status_code == 400
    assert client.get("/quan-tri/nhat-ky?thao_tac=user.nothing").status_code == 400

    login(city_admin)
    page = client.get("/quan-tri/nhat-ky").get_data(as_text=True)
    assert f"Tài khoản #{ward.id}" in page and f"Tài khoản #{other.id}" not in page
    assert client.get(f"/quan-tri/nhat-ky?co_quan={DemoAgency.BINH_XUYEN}").status_code == 400


# --- the register (issue 13: "an administrator gets 403 on the register") ------------------------

def test_administrators_read_the_register_of_the_desks_in_their_reach(client, login, make_user, loaded_catalogue,
                                                                      city_admin):
    accepted = birth_in("accepted", tich_son(make_user))
    login(make_user("admin", DemoAgency.PROVINCE))
    assert 'href="/mot-cua/so-theo-doi"' in client.get("/quan-tri/can-bo").get_data(as_text=True)
    page = client.get(f"/mot-cua/so-theo-doi?co_quan={DemoAgency.TICH_SON_DESK}").get_data(as_text=True)
    assert accepted.code in page and DemoAgency.CENTRE in page  # every desk is offered
    login(city_admin)
    page = client.get(f"/mot-cua/so-theo-doi?co_quan={DemoAgency.TICH_SON_DESK}").get_data(as_text=True)
    assert accepted.code in page and DemoAgency.CENTRE not in page and DemoAgency.VINH_YEN_DESK in page
    login(make_user("specialist", DemoAgency.TICH_SON))
    assert client.get("/mot-cua/so-theo-doi").status_code == 403


# --- done when ------------------------------------------------------------------------------------

def test_done_when_an_administrator_staffs_a_commune_desk_and_sees_the_trail(app, client, province):
    """Invite the ward's desk official, give a second role, the invitee sets a password through
    the link and logs in to their queue; the audit log shows who did what."""
    response = invite_page(client, full_name="Phạm Văn Tiếp", email="tiep.tichson@motcua.example")
    assert response.status_code == 302
    invitee = User.query.filter_by(email="tiep.tichson@motcua.example").one()
    assert client.post(f"/quan-tri/can-bo/{invitee.id}/vai-tro", data={
        "giu": [str(m.id) for m in invitee.memberships], "co_quan": DemoAgency.TICH_SON,
        "vai_tro": "specialist"}).status_code == 302

    browser = app.test_client()
    link = last_link(invitee.email)
    assert browser.post(link, data={"password": "mat-khau-cua-tiep", "confirm": "mat-khau-cua-tiep"}).status_code == 302
    response = browser.post("/dang-nhap", data={"email": invitee.email, "password": "mat-khau-cua-tiep"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/mot-cua/")
    assert browser.get("/mot-cua/").status_code == 200

    page = client.get(f"/quan-tri/nhat-ky?doi_tuong=user&co_quan={DemoAgency.TICH_SON_DESK}").get_data(as_text=True)
    assert "Mời cán bộ" in page and f"reception@{DemoAgency.TICH_SON_DESK}" in page
    assert "Đặt mật khẩu qua liên kết" in page and "Phạm Văn Tiếp" in page  # the invitation taken up, by the invitee
    page = client.get("/quan-tri/nhat-ky?thao_tac=user.memberships").get_data(as_text=True)
    assert f"specialist@{DemoAgency.TICH_SON}" in page and province.full_name in page


def test_a_refusal_is_vietnamese_by_default_and_english_on_an_english_page(client, province):
    """The service's refusal (a msg with the code in it) is translated where the page shows it."""
    vietnamese = invite_page(client, agency="000.99.99.H62").get_data(as_text=True)
    assert "Không có cơ quan mã 000.99.99.H62." in vietnamese
    response = client.post("/quan-tri/can-bo?lang=en", data={
        "full_name": "Trần Thị Mới", "email": "moi@motcua.example", "agency": "000.99.99.H62", "role": "reception"})
    assert response.status_code == 422
    english = response.get_data(as_text=True)
    assert "There is no agency with code 000.99.99.H62." in english and "Không có cơ quan mã" not in english


def test_an_invitation_sent_from_an_english_page_is_in_the_new_accounts_language(client, province):
    """The e-mail is written in the recipient's language (a new account: Vietnamese), not the page's."""
    response = client.post("/quan-tri/can-bo?lang=en", data={
        "full_name": "Trần Thị Mới", "email": "moi@motcua.example", "agency": DemoAgency.TICH_SON_DESK,
        "role": "reception"})
    assert response.status_code == 302
    mail = OutboxMessage.query.filter_by(recipient="moi@motcua.example").one()
    assert mail.subject == "[Một cửa] Mời tham gia Cổng dịch vụ công Một cửa"
    assert "Kính gửi Trần Thị Mới," in mail.body and "Tên đăng nhập: moi@motcua.example" in mail.body
    assert "vui lòng không trả lời" in mail.body


def test_a_reset_link_is_in_the_language_the_official_chose(client, province, make_user):
    official = make_user("specialist", DemoAgency.TICH_SON)
    official.language = "en"
    db.session.commit()
    assert client.post(f"/quan-tri/can-bo/{official.id}/gui-lien-ket", data={}).status_code == 302
    mail = OutboxMessage.query.filter_by(recipient=official.email).one()
    assert mail.subject == "[One-stop] Reset password"
    assert "An administrator has sent you a link to reset your password." in mail.body
