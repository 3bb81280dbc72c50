"""The applicant's pages: start, draft, submit, detail, files, withdraw — and who may see them."""
from io import BytesIO

import pytest

from app.extensions import db
from app.models import Dossier
from app.services import catalogue, dossiers
from app.services.demo import DemoAgency
from tests.factories import (
    BIRTH,
    BIRTH_FORM,
    EXE,
    PDF,
    PNG,
    TICH_SON_DESK,
    birth_input,
    submitted_birth,
)


@pytest.fixture
def citizen(make_user, login, loaded_catalogue):
    return login(make_user())


def form_data(dossier, **extra):
    data = {"applicant_full_name": "Nguyễn Văn An", "applicant_id_number": "026090001234",
            "applicant_address": "Phường Tích Sơn", "applicant_phone": "0912345678",
            "applicant_email": "an@motcua.example", "delivery": "online", "lock_version": str(dossier.lock_version)}
    data |= {f"f_{k}": v for k, v in BIRTH_FORM.items()}
    return data | extra


def test_start_lists_the_desks_of_the_receiving_level_and_opens_a_draft(client, citizen):
    page = client.get(f"/thu-tuc/{BIRTH}/nop").get_data(as_text=True)
    assert "Bộ phận Một cửa phường Tích Sơn" in page and "Trung tâm Phục vụ" not in page
    response = client.post(f"/thu-tuc/{BIRTH}/nop", data={"agency": TICH_SON_DESK})
    assert response.status_code == 302
    dossier = db.session.query(Dossier).one()
    assert response.headers["Location"] == f"/ho-so/{dossier.id}/sua"


def test_start_with_a_wrong_desk_says_so(client, citizen):
    response = client.post(f"/thu-tuc/{BIRTH}/nop", data={"agency": DemoAgency.CENTRE})
    assert response.status_code == 422 and "không phù hợp" in response.get_data(as_text=True)


def test_start_needs_log_in_and_unknown_procedure_is_404(client, loaded_catalogue, login, make_user):
    assert client.get(f"/thu-tuc/{BIRTH}/nop").status_code == 302
    login(make_user())
    assert client.get("/thu-tuc/9.999999/nop").status_code == 404


def test_staff_cannot_start_an_online_dossier(client, make_user, login, loaded_catalogue):
    login(make_user("reception", TICH_SON_DESK))
    assert client.get(f"/thu-tuc/{BIRTH}/nop").status_code == 403


def test_fill_save_and_send_through_the_pages(client, citizen, app):
    client.post(f"/thu-tuc/{BIRTH}/nop", data={"agency": TICH_SON_DESK})
    dossier = db.session.query(Dossier).one()
    edit = client.get(f"/ho-so/{dossier.id}/sua").get_data(as_text=True)
    assert citizen.full_name in edit and 'name="f_child_full_name"' in edit and 'name="doc_to_khai"' in edit
    data = form_data(dossier, save="1", doc_to_khai=(BytesIO(PDF), "to-khai.pdf"))
    assert client.post(f"/ho-so/{dossier.id}/sua", data=data, content_type="multipart/form-data").status_code == 302
    db.session.refresh(dossier)
    assert [f.name for f in dossier.files] == ["to-khai.pdf"] and dossier.status == "draft"
    # On to the review without the birth certificate: refused, named, nothing lost.
    response = client.post(f"/ho-so/{dossier.id}/sua", data=form_data(dossier, review="1"),
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'href="#doc_giay_chung_sinh"' in page and "Nguyễn Minh Khôi" in page
    db.session.refresh(dossier)
    data = form_data(dossier, review="1", doc_giay_chung_sinh=(BytesIO(PNG), "chung-sinh.png"))
    response = client.post(f"/ho-so/{dossier.id}/sua", data=data, content_type="multipart/form-data")
    assert response.status_code == 302 and response.headers["Location"] == f"/ho-so/{dossier.id}/kiem-tra"
    db.session.refresh(dossier)
    assert dossier.status == "draft"  # the review sends nothing yet
    assert "Kiểm tra thông tin" in client.get(f"/ho-so/{dossier.id}/kiem-tra").get_data(as_text=True)
    response = client.post(f"/ho-so/{dossier.id}/nop", data={"lock_version": dossier.lock_version})
    assert response.status_code == 302 and response.headers["Location"] == f"/ho-so/{dossier.id}/da-gui"
    db.session.refresh(dossier)
    assert dossier.status == "submitted" and dossier.reference and dossier.code is None
    detail = client.get(f"/ho-so/{dossier.id}").get_data(as_text=True)
    assert dossier.reference in detail and "mã hồ sơ được cấp khi Bộ phận Một cửa tiếp nhận hồ sơ" in detail
    assert "Quá trình xử lý" in detail
    # Back on the form after success (a stale tab): told, not an error page.
    again = client.post(f"/ho-so/{dossier.id}/sua", data=form_data(dossier, review="1"),
                        content_type="multipart/form-data")
    assert again.status_code == 302 and again.headers["Location"] == f"/ho-so/{dossier.id}"
    assert client.get(f"/ho-so/{dossier.id}/kiem-tra").headers["Location"] == f"/ho-so/{dossier.id}"


def test_bad_upload_keeps_the_typed_fields_and_the_good_file(client, citizen):
    client.post(f"/thu-tuc/{BIRTH}/nop", data={"agency": TICH_SON_DESK})
    dossier = db.session.query(Dossier).one()
    data = form_data(dossier, save="1", doc_to_khai=(BytesIO(PDF), "to-khai.pdf"),
                     doc_giay_chung_sinh=(BytesIO(EXE), "chung-sinh.pdf"))
    response = client.post(f"/ho-so/{dossier.id}/sua", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "không phải PDF, JPEG hoặc PNG" in page and 'href="#doc_giay_chung_sinh"' in page
    db.session.refresh(dossier)
    assert [f.name for f in dossier.files] == ["to-khai.pdf"]
    assert dossier.form_data["child_full_name"] == "Nguyễn Minh Khôi"


def test_a_refusal_with_values_is_translated_on_an_english_page(client, citizen):
    client.post(f"/thu-tuc/{BIRTH}/nop", data={"agency": TICH_SON_DESK})
    dossier = db.session.query(Dossier).one()
    data = form_data(dossier, save="1", doc_giay_chung_sinh=(BytesIO(EXE), "chung-sinh.pdf"))
    response = client.post(f"/ho-so/{dossier.id}/sua?lang=en", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "File “chung-sinh.pdf” is not a PDF, JPEG or PNG." in page and "không phải PDF" not in page


def test_a_format_error_still_keeps_the_uploaded_files(client, citizen):
    client.post(f"/thu-tuc/{BIRTH}/nop", data={"agency": TICH_SON_DESK})
    dossier = db.session.query(Dossier).one()
    data = form_data(dossier, save="1", applicant_id_number="123", doc_to_khai=(BytesIO(PDF), "to-khai.pdf"))
    response = client.post(f"/ho-so/{dossier.id}/sua", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "đúng 12 chữ số" in response.get_data(as_text=True)
    db.session.refresh(dossier)
    assert [f.name for f in dossier.files] == ["to-khai.pdf"]


def test_stale_draft_from_another_tab_is_refused(client, citizen):
    client.post(f"/thu-tuc/{BIRTH}/nop", data={"agency": TICH_SON_DESK})
    dossier = db.session.query(Dossier).one()
    old = form_data(dossier, save="1")
    client.post(f"/ho-so/{dossier.id}/sua", data=old, content_type="multipart/form-data")
    response = client.post(f"/ho-so/{dossier.id}/sua", data=old | {"f_child_full_name": "Khác"},
                           content_type="multipart/form-data")
    assert response.status_code == 409 and "tải lại trang" in response.get_data(as_text=True)


def test_my_dossiers_lists_mine_only_with_an_empty_state(client, citizen, make_user):
    assert "Bạn chưa có hồ sơ nào" in client.get("/ho-so").get_data(as_text=True)
    mine = submitted_birth(citizen)
    other = submitted_birth(make_user())
    page = client.get("/ho-so").get_data(as_text=True)
    assert mine.reference in page and other.reference not in page


def test_another_citizen_gets_404_on_every_page_and_file(client, make_user, login, loaded_catalogue):
    owner = make_user()
    dossier = submitted_birth(owner)
    file_id = dossier.files[0].id
    login(make_user())
    for url in (f"/ho-so/{dossier.id}", f"/ho-so/{dossier.id}/sua", f"/ho-so/{dossier.id}/tep/{file_id}",
                f"/ho-so/{dossier.id}/rut"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/ho-so/{dossier.id}/rut").status_code == 404


def test_missing_dossier_file_or_document_is_404(client, citizen):
    dossier = submitted_birth(citizen)
    for url in ("/ho-so/999999", "/ho-so/999999/sua", f"/ho-so/{dossier.id}/tep/999999",
                f"/ho-so/{dossier.id}/van-ban/999999"):
        assert client.get(url).status_code == 404, url


def test_the_owner_removes_a_file_from_the_draft(client, citizen, make_user, login):
    dossier = dossiers.start_draft(citizen, catalogue.current_version(BIRTH), TICH_SON_DESK)
    dossiers.save_draft(dossier, citizen, birth_input(), dossier.lock_version)
    first, second = dossier.files
    url = f"/ho-so/{dossier.id}/tep/{first.id}/xoa"
    stale = client.post(url, data={"lock_version": dossier.lock_version - 1}, follow_redirects=True)
    assert "đã được lưu ở nơi khác" in stale.get_data(as_text=True)
    assert client.post(url, data={"lock_version": dossier.lock_version}).status_code == 302
    db.session.refresh(dossier)
    assert [f.id for f in dossier.files] == [second.id]
    assert client.post(url, data={"lock_version": dossier.lock_version}).status_code == 404  # gone already
    assert client.post(f"/ho-so/999999/tep/{second.id}/xoa").status_code == 404
    login(make_user())  # another citizen
    assert client.post(f"/ho-so/{dossier.id}/tep/{second.id}/xoa").status_code == 404
    db.session.refresh(dossier)
    assert len(dossier.files) == 1


def test_owner_downloads_own_file_inline(client, citizen):
    dossier = submitted_birth(citizen)
    response = client.get(f"/ho-so/{dossier.id}/tep/{dossier.files[0].id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline")


def test_withdraw_asks_to_confirm_then_requests(client, citizen):
    dossier = submitted_birth(citizen)
    assert "Gửi yêu cầu rút hồ sơ" in client.get(f"/ho-so/{dossier.id}/rut").get_data(as_text=True)
    client.post(f"/ho-so/{dossier.id}/rut", data={"reason": "Nộp nhầm", "lock_version": dossier.lock_version})
    db.session.refresh(dossier)
    assert dossier.status == "withdrawal_requested"


def test_the_applicant_cancels_a_withdrawal_request(client, citizen, make_user, login):
    dossier = submitted_birth(citizen)
    dossiers.request_withdrawal(dossier, citizen, "Nộp nhầm")
    page = client.get(f"/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Hủy yêu cầu rút hồ sơ" in page and "Yêu cầu rút hồ sơ</a>" not in page
    stale = client.post(f"/ho-so/{dossier.id}/huy-rut", data={"lock_version": dossier.lock_version - 1},
                        follow_redirects=True)
    assert "đã được lưu ở nơi khác" in stale.get_data(as_text=True)
    db.session.refresh(dossier)
    assert dossier.status == "withdrawal_requested"
    response = client.post(f"/ho-so/{dossier.id}/huy-rut", data={"lock_version": dossier.lock_version})
    assert response.status_code == 302
    db.session.refresh(dossier)
    assert dossier.status == "submitted"
    again = client.post(f"/ho-so/{dossier.id}/huy-rut", data={"lock_version": dossier.lock_version},
                        follow_redirects=True)
    assert "Không thể thực hiện" in again.get_data(as_text=True)
    assert client.post("/ho-so/999999/huy-rut").status_code == 404
    login(make_user())  # another citizen
    assert client.post(f"/ho-so/{dossier.id}/huy-rut").status_code == 404
