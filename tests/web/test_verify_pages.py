"""The public verification (/xac-thuc, POST /api/v1/verify) and the signing state on the
dossier pages and in the documents API."""
from __future__ import annotations

from io import BytesIO

import pytest

from app.extensions import limiter
from app.services import dossiers
from app.services.demo import DemoAgency
from tests.factories import submitted_birth
from tests.signing_helpers import document, issue_result, pdf_of, through_the_process


@pytest.fixture
def signed(configured, run_jobs):
    dossier = through_the_process(configured, run_jobs)
    issue_result(configured, dossier, run_jobs)
    return dossier


def tampered(pdf: bytes) -> bytes:
    offset = pdf.index(b"/Type /Page") + 2
    return pdf[:offset] + bytes([pdf[offset] ^ 0x01]) + pdf[offset + 1:]


def upload(client, data: bytes, name="ket-qua.pdf"):
    return client.post("/xac-thuc", data={"file": (BytesIO(data), name)}, content_type="multipart/form-data")


def test_the_page_says_valid_for_the_issued_result_and_receipt(client, signed):
    page = client.get("/xac-thuc")
    assert page.status_code == 200 and 'for="file"' in page.get_data(as_text=True)
    result = document(signed, "result")
    html = upload(client, pdf_of(result)).get_data(as_text=True)
    assert "Văn bản hợp lệ" in html and "trùng khớp từng byte" in html
    assert "Phan Văn Tuấn" in html and "Ủy ban nhân dân phường Tích Sơn" in html
    assert signed.code in html and result.number in html
    html = upload(client, pdf_of(document(signed, "receipt"))).get_data(as_text=True)
    assert "Văn bản hợp lệ" in html and "Bộ phận Một cửa phường Tích Sơn" in html


def test_the_page_says_not_valid_for_a_tampered_copy(client, signed):
    response = upload(client, tampered(pdf_of(document(signed, "result"))))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Văn bản không hợp lệ" in html and "không trùng với văn bản nào" in html and "Văn bản hợp lệ" not in html


def test_the_page_checks_a_document_named_by_code_and_number(client, signed):
    result = document(signed, "result")
    html = client.post("/xac-thuc", data={"ma": signed.code, "so": result.number}).get_data(as_text=True)
    assert "Văn bản hợp lệ" in html
    missing = client.post("/xac-thuc", data={"ma": signed.code, "so": "999/KQ-UBND"})
    assert missing.status_code == 404 and "Không có văn bản" in missing.get_data(as_text=True)


@pytest.mark.parametrize("data, name, status, message", [
    (b"MZ\x90\x00" + b"\x00" * 60, "virus.exe", 415, "Chỉ nhận tệp PDF."),
    (b"", "trong.pdf", 400, "Chọn tệp PDF."),
])
def test_the_page_refuses_what_is_not_a_pdf(client, app, data, name, status, message):
    response = upload(client, data, name)
    html = response.get_data(as_text=True)
    assert response.status_code == status and message in html and 'href="#file"' in html


def test_nothing_given_is_a_400_linked_to_the_fields(client, app):
    response = client.post("/xac-thuc", data={})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#ma"' in html and 'href="#so"' in html


def test_an_oversized_file_is_a_413(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_MAX_SIZE", 1000)
    response = upload(client, b"%PDF-1.7\n" + b"0" * 2000)
    assert response.status_code == 413 and "Tệp quá lớn" in response.get_data(as_text=True)


def test_the_api_verifies_files_and_references(client, signed):
    result = document(signed, "result")
    body = client.post("/api/v1/verify", data={"file": (BytesIO(pdf_of(result)), "kq.pdf")},
                       content_type="multipart/form-data").get_json()
    assert body["valid"] and body["issued_by_portal"] and body["document"]["dossier_code"] == signed.code
    assert [s["signer"] for s in body["signatures"]] == ["Phan Văn Tuấn", "Ủy ban nhân dân phường Tích Sơn"]
    body = client.post("/api/v1/verify", data={"file": (BytesIO(tampered(pdf_of(result))), "kq.pdf")},
                       content_type="multipart/form-data").get_json()
    assert body["valid"] is False and body["issued_by_portal"] is False
    assert client.post("/api/v1/verify", json={"code": signed.code, "number": result.number}).get_json()["valid"]
    assert client.post("/api/v1/verify", json={"code": signed.code, "number": "0/KQ"}).status_code == 404
    assert client.post("/api/v1/verify", json=["x"]).status_code == 400
    assert client.post("/api/v1/verify", json={}).status_code == 400
    wrong = client.post("/api/v1/verify", data={"file": (BytesIO(b"GIF89a...."), "a.gif")},
                        content_type="multipart/form-data")
    assert wrong.status_code == 415 and wrong.get_json()["fields"]["file"]


def test_verification_is_rate_limited(client, app):
    app.config["LOOKUP_RATE_LIMIT"] = "2 per minute"
    limiter.reset()
    try:
        codes = [client.post("/api/v1/verify", json={}).status_code for _ in range(3)]
        assert codes == [400, 400, 429]
        assert [client.post("/xac-thuc", data={}).status_code for _ in range(3)] == [400, 400, 429]
        assert client.get("/xac-thuc").status_code == 200  # the page itself is not limited
    finally:
        app.config["LOOKUP_RATE_LIMIT"] = "1000 per minute"
        limiter.reset()


def test_dossier_pages_and_api_show_who_signed_and_when(client, login, signed, configured):
    login(configured.citizen)
    page = client.get(f"/ho-so/{signed.id}").get_data(as_text=True)
    assert "Đã ký số" in page and "Phan Văn Tuấn" in page and "PAdES B-B" in page
    token = client.post("/api/v1/auth/token", json={"email": configured.citizen.email,
                                                      "password": "mat-khau-thu-nghiem"}).get_json()["token"]
    items = client.get(f"/api/v1/dossiers/{signed.code}/documents",
                       headers={"Authorization": f"Bearer {token}"}).get_json()
    result = next(i for i in items if i["kind"] == "result")
    assert result["signed"] and result["signed_at"] and result["needs_signature"]
    assert [(s["role"], s["signer"]) for s in result["signatures"]] == [
        ("personal", "Phan Văn Tuấn"), ("seal", "Ủy ban nhân dân phường Tích Sơn")]
    login(configured.clerk)
    work = client.get(f"/xu-ly/ho-so/{signed.id}").get_data(as_text=True)
    assert "Văn bản đã ban hành" in work and "Đã ký số" in work


def test_the_desk_sees_a_failed_signature_in_vietnamese(client, login, configured, pki, signing_setup, run_jobs):
    signing_setup(pki.expired, agency=DemoAgency.TICH_SON_DESK)
    dossier = dossiers.accept(submitted_birth(configured.citizen), configured.desk)
    run_jobs()
    login(configured.desk)
    page = client.get(f"/mot-cua/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Chưa ký số được" in page and "đã hết hạn" in page and "chưa có giá trị là văn bản điện tử" in page
    login(configured.citizen)
    page = client.get(f"/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Chưa ký số được" in page and "đã hết hạn" not in page  # the citizen is told it is pending, not why


def test_document_pages_keep_their_roles(client, login, signed, configured, make_user):
    """The pages that now show signatures still answer 403 to a wrong role and 404 to a missing dossier."""
    login(make_user("reception", DemoAgency.CENTRE))
    assert client.get(f"/xu-ly/ho-so/{signed.id}").status_code == 404
    login(configured.clerk)
    assert client.get("/xu-ly/ho-so/999999").status_code == 404
    login(make_user())
    assert client.get(f"/ho-so/{signed.id}").status_code in (403, 404)


def test_the_desk_sees_why_a_form_could_not_be_rendered_and_the_citizen_that_it_is_pending(
        client, login, configured, monkeypatch, run_jobs):
    def overran(*args):
        raise TimeoutError("Task exceeded maximum timeout value (120 seconds)")

    monkeypatch.setattr("app.services.issuing.render_pdf", overran)
    dossier = dossiers.accept(submitted_birth(configured.citizen), configured.desk)
    run_jobs()
    login(configured.desk)
    page = client.get(f"/mot-cua/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Không tạo được bản PDF: Task exceeded maximum timeout value (120 seconds)" in page
    assert "flask jobs replay --failed" in page
    login(configured.citizen)
    page = client.get(f"/ho-so/{dossier.id}").get_data(as_text=True)
    assert "đang tạo bản PDF" in page and "timeout" not in page
