"""The one-stop desk's pages: queue, decision, counter intake — right role, wrong role, missing."""
from io import BytesIO

import pytest

from app.extensions import db
from app.models import Dossier
from app.services.demo import DemoAgency
from tests.factories import (
    BIRTH,
    BIRTH_FORM,
    PDF,
    PNG,
    TICH_SON_DESK,
    submitted_birth,
)


@pytest.fixture
def desk(make_user, login, loaded_catalogue):
    return login(make_user("reception", TICH_SON_DESK))


def test_queue_shows_waiting_dossiers_oldest_first(client, desk, make_user):
    assert "Không có hồ sơ nào đang chờ" in client.get("/mot-cua/").get_data(as_text=True)
    first, second = submitted_birth(make_user()), submitted_birth(make_user())
    elsewhere = submitted_birth(make_user(), DemoAgency.LIEN_BAO_DESK)
    page = client.get("/mot-cua/").get_data(as_text=True)
    # Not received yet: listed by their submission references.
    assert page.index(first.reference) < page.index(second.reference) and elsewhere.reference not in page


@pytest.mark.parametrize("role, agency",
                         [(None, None), ("specialist", DemoAgency.TICH_SON), ("admin", DemoAgency.PROVINCE)])
def test_wrong_role_gets_403_everywhere(client, make_user, login, loaded_catalogue, role, agency):
    dossier = submitted_birth(make_user())
    login(make_user(role, agency))
    for url in ("/mot-cua/", f"/mot-cua/ho-so/{dossier.id}", "/mot-cua/tiep-nhan", f"/mot-cua/tiep-nhan/{BIRTH}",
                f"/mot-cua/ho-so/{dossier.id}/tep/{dossier.files[0].id}"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/mot-cua/ho-so/{dossier.id}", data={"action": "accept"}).status_code == 403


def test_reception_of_another_desk_gets_404_on_the_dossier(client, make_user, login, loaded_catalogue):
    dossier = submitted_birth(make_user())
    login(make_user("reception", DemoAgency.LIEN_BAO_DESK))
    assert client.get(f"/mot-cua/ho-so/{dossier.id}").status_code == 404
    assert client.post(f"/mot-cua/ho-so/{dossier.id}", data={"action": "accept"}).status_code == 404


def test_missing_dossier_file_procedure_is_404(client, desk, make_user):
    dossier = submitted_birth(make_user())
    for url in ("/mot-cua/ho-so/999999", f"/mot-cua/ho-so/{dossier.id}/tep/999999",
                f"/mot-cua/ho-so/{dossier.id}/van-ban/999999", "/mot-cua/tiep-nhan/9.999999"):
        assert client.get(url).status_code == 404, url


def test_accept_from_the_page_then_open_the_receipt(client, desk, make_user, run_jobs):
    dossier = submitted_birth(make_user())
    page = client.get(f"/mot-cua/ho-so/{dossier.id}").get_data(as_text=True)
    assert "Tiếp nhận hồ sơ" in page and "to-khai.pdf" in page
    response = client.post(f"/mot-cua/ho-so/{dossier.id}",
                           data={"action": "accept", "lock_version": dossier.lock_version,
                                 "checked": ["to_khai", "giay_chung_sinh"]})
    assert response.status_code == 302
    run_jobs()
    db.session.refresh(dossier)
    assert dossier.status == "accepted"
    receipt = dossier.documents[0]
    pdf = client.get(f"/mot-cua/ho-so/{dossier.id}/van-ban/{receipt.id}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    # A second click on the same decision, with the old lock: refused, nothing doubled.
    again = client.post(f"/mot-cua/ho-so/{dossier.id}",
                        data={"action": "accept", "lock_version": 1, "checked": ["to_khai", "giay_chung_sinh"]})
    assert again.status_code in (409, 422)
    db.session.refresh(dossier)
    assert len(dossier.documents) == 1


def test_supplement_needs_items_and_reason(client, desk, make_user):
    dossier = submitted_birth(make_user())
    bad = client.post(f"/mot-cua/ho-so/{dossier.id}", data={"action": "request_supplement", "items": "", "reason": ""})
    assert bad.status_code == 422 and "Cần ghi đủ" in bad.get_data(as_text=True)
    ok = client.post(f"/mot-cua/ho-so/{dossier.id}",
                     data={"action": "request_supplement", "items": "Giấy chứng sinh bản chính\nTờ khai có chữ ký",
                                                          "reason": "Thiếu chữ ký"})
    assert ok.status_code == 302
    db.session.refresh(dossier)
    assert dossier.status == "supplement_requested"
    assert dossier.documents[-1].content["items"] == ["Giấy chứng sinh bản chính", "Tờ khai có chữ ký"]


def test_refuse_from_the_page(client, desk, make_user):
    dossier = submitted_birth(make_user())
    url = f"/mot-cua/ho-so/{dossier.id}"
    no_reason = client.post(url, data={"action": "refuse", "reasons": "", "confirm": "yes"})
    assert no_reason.status_code == 422
    assert '<a href="#refuse-reason">Cần ghi rõ lý do từ chối.</a>' in no_reason.get_data(as_text=True)
    unconfirmed = client.post(url, data={"action": "refuse", "reasons": "Không thuộc thẩm quyền"})
    page = unconfirmed.get_data(as_text=True)
    assert unconfirmed.status_code == 422 and '<a href="#refuse-confirm">' in page
    assert 'id="refuse-confirm" name="confirm" value="yes" aria-invalid="true"' in page
    assert ">Không thuộc thẩm quyền</textarea>" in page  # what was typed is kept
    db.session.refresh(dossier)
    assert dossier.status == "submitted"
    client.post(url, data={"action": "refuse", "reasons": "Không thuộc thẩm quyền", "confirm": "yes"})
    db.session.refresh(dossier)
    assert dossier.status == "refused"


def test_counter_intake_through_the_pages(client, desk):
    start = client.get(f"/mot-cua/tiep-nhan?thu_tuc={BIRTH}")
    assert start.status_code == 302 and start.headers["Location"].endswith(f"/mot-cua/tiep-nhan/{BIRTH}")
    missing = client.get("/mot-cua/tiep-nhan?thu_tuc=9.999999")
    assert missing.status_code == 200 and "Không có thủ tục nào có mã hoặc tên khớp “9.999999”" in missing.get_data(
        as_text=True)
    data = {"agency": TICH_SON_DESK, "channel": "1", "sets": "2", "applicant_full_name": "Lê Thị Hoa",
            "applicant_id_number": "026190005678",
            "applicant_address": "Phường Tích Sơn", "applicant_phone": "0987654321", "applicant_email": "",
            "delivery": "counter", "doc_to_khai": (BytesIO(PDF), "scan-to-khai.pdf"),
            "doc_giay_chung_sinh": (BytesIO(PNG), "scan-chung-sinh.png"),
            "checked": ["to_khai", "giay_chung_sinh"]} | {f"f_{k}": v for k, v in BIRTH_FORM.items()}
    response = client.post(f"/mot-cua/tiep-nhan/{BIRTH}", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    dossier = db.session.query(Dossier).one()
    assert dossier.status == "accepted" and dossier.channel == 1 and dossier.applicant_name == "Lê Thị Hoa"
    assert dossier.sets == 2  # counted at the counter, printed on the receipt


def test_counter_intake_missing_items_are_named_and_nothing_is_created(client, desk):
    data = {"agency": TICH_SON_DESK, "channel": "3", "sets": "0", "applicant_full_name": "Lê Thị Hoa",
            "delivery": "post"}
    response = client.post(f"/mot-cua/tiep-nhan/{BIRTH}", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'href="#doc_to_khai"' in page and 'href="#f_child_full_name"' in page and "Lê Thị Hoa" in page
    assert 'href="#sets"' in page and "Nhập số bộ hồ sơ là số nguyên từ 1 đến 99." in page
    assert db.session.query(Dossier).count() == 0


def test_the_desk_records_at_receipt_that_a_marriage_must_be_verified(client, desk, make_user):
    """The accept form offers the longer limit only where the procedure file has one (Civil
    Status Law 2014 Art. 18(2)); ticking it gives the 5-working-day appointment."""
    from datetime import timedelta

    from app.services import catalogue, dossiers
    from tests.factories import complete_input

    version = catalogue.current_version("1.000894")
    marriage = dossiers.submit_new(make_user(), version, TICH_SON_DESK, complete_input(version.spec))
    page = client.get(f"/mot-cua/ho-so/{marriage.id}").get_data(as_text=True)
    assert 'name="verification"' in page and "không quá 5 ngày làm việc" in page
    birth = submitted_birth(make_user())
    assert 'name="verification"' not in client.get(f"/mot-cua/ho-so/{birth.id}").get_data(as_text=True)
    response = client.post(f"/mot-cua/ho-so/{marriage.id}",
                           data={"action": "accept", "lock_version": marriage.lock_version, "verification": "yes",
                                 "checked": [d["key"] for d in version.spec["documents"] if d["required"]]})
    assert response.status_code == 302
    marriage = db.session.get(Dossier, marriage.id)
    assert marriage.needs_verification and marriage.due_at > marriage.received_at + timedelta(days=5)


def test_a_resubmitted_dossier_is_marked_in_the_queue(client, desk, make_user):
    from app.services import dossiers
    from tests.factories import birth_input, upload

    citizen = make_user()
    answered, fresh = submitted_birth(citizen), submitted_birth(make_user())
    dossiers.request_supplement(answered, desk, ["Bản chính giấy chứng sinh"], "Ảnh chụp mờ")
    waiting = client.get("/mot-cua/").get_data(as_text=True)
    assert answered.reference not in waiting and "Đã bổ sung" not in waiting  # with the applicant now
    dossiers.save_draft(answered, citizen, birth_input(uploads={"giay_chung_sinh": [upload()]}), answered.lock_version)
    dossiers.resubmit(answered, citizen)
    page = client.get("/mot-cua/").get_data(as_text=True)
    rows = {ref: page[page.index(ref):].split("</tr>")[0] for ref in (answered.reference, fresh.reference)}
    assert "Đã bổ sung, gửi lại" in rows[answered.reference] and "Đã bổ sung" not in rows[fresh.reference]
    assert "đã bổ sung hồ sơ theo phiếu yêu cầu bổ sung" in client.get(f"/mot-cua/ho-so/{answered.id}").get_data(
        as_text=True)
    assert "đã bổ sung hồ sơ" not in client.get(f"/mot-cua/ho-so/{fresh.id}").get_data(as_text=True)


def test_counter_intake_finds_the_procedure_by_name_without_diacritics(client, desk):
    """Issue 14: "khai sinh" lists the birth registrations (the catalogue's folded search), as
    links to their intake forms, only those the commune desk receives; no JavaScript needed."""
    import re

    response = client.get("/mot-cua/tiep-nhan", query_string={"thu_tuc": "khai sinh"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    links = dict(re.findall(r'<a href="/mot-cua/tiep-nhan/([\d.]+)">([^<]+)</a>', page))
    assert links == {BIRTH: "Thủ tục đăng ký khai sinh", "1.004884": "Thủ tục đăng ký lại khai sinh"}
    assert "2 thủ tục khớp “khai sinh”" in page
    # Accents and case do not matter; the listed link opens the form.
    again = client.get("/mot-cua/tiep-nhan", query_string={"thu_tuc": "ĐĂNG KÝ LẠI KHAI SINH"}).get_data(as_text=True)
    assert "/mot-cua/tiep-nhan/1.004884" in again and f"/mot-cua/tiep-nhan/{BIRTH}\"" not in again
    assert client.get("/mot-cua/tiep-nhan/1.004884").status_code == 200
    # A commune desk is not offered what only a district desk receives.
    assert "/mot-cua/tiep-nhan/" not in client.get("/mot-cua/tiep-nhan",
                                                    query_string={"thu_tuc": "ho kinh doanh"}).get_data(as_text=True)


def test_a_district_desk_finds_what_the_district_receives(client, make_user, login, loaded_catalogue):
    from app.services import catalogue

    login(make_user("reception", DemoAgency.VINH_YEN_DESK))
    district = [x for x in catalogue.listings() if x.receiving_level == "district"][0]
    page = client.get("/mot-cua/tiep-nhan", query_string={"thu_tuc": district.name}).get_data(as_text=True)
    assert f"/mot-cua/tiep-nhan/{district.code}" in page
    assert f"/mot-cua/tiep-nhan/{BIRTH}" not in client.get(
        "/mot-cua/tiep-nhan", query_string={"thu_tuc": "khai sinh"}).get_data(as_text=True)


def test_the_desk_ticks_each_required_paper_before_accepting(client, desk, make_user, run_jobs, tmp_path):
    """Issue 14: the accept form is a checklist of the procedure's papers; an unticked required
    paper stops the receipt, named and linked from the error summary; what was ticked is kept
    with the dossier and is what form 01's table lists."""
    from tests.pdf_helpers import text_of, write

    dossier = submitted_birth(make_user())
    url = f"/mot-cua/ho-so/{dossier.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="accept-checked" name="checked" value="to_khai"' in page
    assert 'id="accept-checked-giay_chung_sinh" name="checked" value="giay_chung_sinh"' in page
    half = client.post(url, data={"action": "accept", "lock_version": dossier.lock_version, "checked": ["to_khai"]})
    text = half.get_data(as_text=True)
    assert half.status_code == 422 and '<a href="#accept-checked">' in text and "Giấy chứng sinh" in text
    assert 'name="checked" value="to_khai" checked' in text  # what was ticked stays ticked
    unknown = client.post(url, data={"action": "accept", "lock_version": dossier.lock_version,
                                     "checked": ["to_khai", "giay_chung_sinh", "bia"]})
    assert unknown.status_code == 422 and "không thuộc thủ tục này: bia" in unknown.get_data(as_text=True)
    db.session.refresh(dossier)
    assert dossier.status == "submitted" and dossier.checked_documents is None and not dossier.documents
    ok = client.post(url, data={"action": "accept", "lock_version": dossier.lock_version,
                                "checked": ["giay_chung_sinh", "to_khai"]})
    assert ok.status_code == 302
    dossier = db.session.get(Dossier, dossier.id)
    assert dossier.checked_documents == ["to_khai", "giay_chung_sinh"]  # in the procedure file's order
    assert "đã kiểm tra khi tiếp nhận" in client.get(url).get_data(as_text=True)
    run_jobs()
    receipt = client.get(f"{url}/van-ban/{dossier.documents[0].id}").data
    assert "Giấy chứng sinh" in text_of(write(tmp_path, "receipt", receipt))


def test_the_receipt_lists_the_papers_ticked_at_the_counter(client, desk, run_jobs, tmp_path):
    """An optional paper shown at the counter and ticked is on form 01; one not ticked is not."""
    from app.services import catalogue, issuing
    from tests.pdf_helpers import text_of, write

    spec = catalogue.current_version(BIRTH).spec
    optional = [d for d in spec["documents"] if not d["required"]]
    required = [d["key"] for d in spec["documents"] if d["required"]]
    assert optional, "the birth registration file lists an optional paper"
    data = {"agency": TICH_SON_DESK, "channel": "1", "sets": "1", "applicant_full_name": "Lê Thị Hoa",
            "applicant_id_number": "026190005678", "applicant_address": "Phường Tích Sơn",
            "applicant_phone": "0987654321", "delivery": "counter",
            "doc_to_khai": (BytesIO(PDF), "scan-to-khai.pdf"), "doc_giay_chung_sinh": (BytesIO(PNG), "chung-sinh.png"),
            } | {f"f_{k}": v for k, v in BIRTH_FORM.items()}
    unticked = client.post(f"/mot-cua/tiep-nhan/{BIRTH}", data=data | {"checked": required[:1]},
                           content_type="multipart/form-data")
    page = unticked.get_data(as_text=True)
    assert unticked.status_code == 422 and 'href="#checked"' in page and "Chưa đánh dấu đã kiểm tra" in page
    assert f'id="checked" name="checked" value="{required[0]}" checked' in page
    assert db.session.query(Dossier).count() == 0
    data = data | {"doc_to_khai": (BytesIO(PDF), "scan-to-khai.pdf"),
                   "doc_giay_chung_sinh": (BytesIO(PNG), "chung-sinh.png")}
    response = client.post(f"/mot-cua/tiep-nhan/{BIRTH}", data=data | {"checked": [*required, optional[0]["key"]]},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    dossier = db.session.query(Dossier).one()
    assert dossier.checked_documents == [d["key"] for d in spec["documents"]
                                         if d["required"] or d["key"] == optional[0]["key"]]
    run_jobs()
    db.session.refresh(dossier)
    listed = [paper["name"] for paper in issuing.context(dossier.documents[0])["documents"]]
    assert listed == [d["name"] for d in spec["documents"] if d["required"] or d["key"] == optional[0]["key"]]
    pdf = client.get(f"/mot-cua/ho-so/{dossier.id}/van-ban/{dossier.documents[0].id}").data
    receipt = text_of(write(tmp_path, "receipt", pdf))
    first_words = {d["key"]: " ".join(d["name"].split()[:4]) for d in optional}
    assert first_words[optional[0]["key"]] in receipt
    assert not [words for key, words in first_words.items() if key != optional[0]["key"] and words in receipt]
