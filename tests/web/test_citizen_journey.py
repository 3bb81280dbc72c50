"""The citizen's guided journey (issue 14, items 4 and 5): check the answers, send once, read
what happens next; after a failed submit the title says "Lỗi:" and the summary takes the focus;
the dossier page tells the story (next step, then history, then files); a rating without a
choice keeps its comment."""
import re
from html import unescape

import pytest

from app.dates import datetime as format_datetime
from app.domain.vocabulary import RatingValue
from app.extensions import db
from app.forms.dynamic import typed_fields
from app.models import Dossier, DossierEvent, Rating
from app.models.users import utcnow
from app.services import catalogue, dossiers, guidance
from app.services.calendar import expected_due
from tests.factories import BIRTH, BIRTH_FORM, TICH_SON_DESK, birth_in, birth_input, tich_son


@pytest.fixture
def office(make_user, login, loaded_catalogue):
    office = tich_son(make_user)
    login(office.citizen)
    return office


def draft(office, **overrides):
    dossier = dossiers.start_draft(office.citizen, catalogue.current_version(BIRTH), TICH_SON_DESK)
    return dossiers.save_draft(dossier, office.citizen, birth_input(**overrides), dossier.lock_version)


def title(page: str) -> str:
    return unescape(re.search(r"<title>(.*?)</title>", page, re.S)[1]).strip()


def summaries(page: str) -> list[str]:
    return re.findall(r'<div class="error-summary"[^>]*>', page)


def test_review_lists_every_answer_and_file_with_a_link_to_its_field(client, office):
    dossier = draft(office)
    page = client.get(f"/ho-so/{dossier.id}/kiem-tra").get_data(as_text=True)
    assert title(page).startswith("Kiểm tra thông tin") and "<h1>Kiểm tra thông tin</h1>" in page
    spec = dossier.procedure_version.spec
    expected = (["applicant_full_name", "applicant_id_number", "applicant_address", "applicant_phone",
                 "applicant_email", "on_behalf"] + [f"f_{f['key']}" for f in typed_fields(spec)]
                + [f"doc_{d['key']}" for d in spec["documents"]] + ["delivery"])
    links = re.findall(rf'href="/ho-so/{dossier.id}/sua#([\w-]+)">Sửa<', page)
    assert links == expected  # one "Sửa" per answer, in the form's order
    edit = client.get(f"/ho-so/{dossier.id}/sua").get_data(as_text=True)
    for field_id in expected:  # each link lands on its field
        assert f'id="{field_id}"' in edit, field_id
    # Answers as a person reads them: the values typed, a select's label, a date day first, the files.
    for shown in ("Nguyễn Văn An", "026090001234", "Phường Tích Sơn, thành phố Vĩnh Yên", "Nguyễn Minh Khôi",
                  "20/11/2025", "Bệnh viện Sản Nhi tỉnh Vĩnh Phúc", "Trần Thị Bình", "to-khai.pdf", "chung-sinh.png",
                  "Nhận kết quả điện tử trên cổng"):
        assert shown in page, shown
    assert re.search(r"<dt>Quan hệ với người được khai sinh</dt>\s*<dd>\s*Cha", page)
    assert "2025-11-20" not in page
    assert f'action="/ho-so/{dossier.id}/nop"' in page and ">Nộp hồ sơ</button>" in page
    assert f'name="lock_version" value="{dossier.lock_version}"' in page


def test_review_of_an_incomplete_draft_links_each_gap_and_offers_no_submit(client, office):
    dossier = draft(office, uploads={})
    page = client.get(f"/ho-so/{dossier.id}/kiem-tra").get_data(as_text=True)
    assert title(page).startswith("Lỗi: ") and len(summaries(page)) == 1
    assert f'href="/ho-so/{dossier.id}/sua#doc_giay_chung_sinh"' in page and "Chưa đính kèm (bắt buộc)" in page
    assert f'action="/ho-so/{dossier.id}/nop"' not in page


def test_submit_from_the_review_twice_makes_one_dossier_and_both_land_on_the_confirmation(client, office):
    dossier = draft(office)
    reviewed = {"lock_version": dossier.lock_version}
    first = client.post(f"/ho-so/{dossier.id}/nop", data=reviewed)
    second = client.post(f"/ho-so/{dossier.id}/nop", data=reviewed)  # the double click
    for response in (first, second):
        assert response.status_code == 302 and response.headers["Location"] == f"/ho-so/{dossier.id}/da-gui"
    assert db.session.query(Dossier).count() == 1
    db.session.refresh(dossier)
    assert dossier.status == "submitted"
    assert db.session.query(DossierEvent).filter_by(dossier_id=dossier.id, action="submit").count() == 1


def test_a_draft_changed_since_the_review_is_not_sent_unseen(client, office):
    dossier = draft(office)
    reviewed = dossier.lock_version
    changed = birth_input(uploads={}, form_data=dict(BIRTH_FORM, child_full_name="Nguyễn Minh Khang"))
    dossiers.save_draft(dossier, office.citizen, changed, dossier.lock_version)  # in another tab
    response = client.post(f"/ho-so/{dossier.id}/nop", data={"lock_version": reviewed})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "tải lại trang" in page
    assert title(page).startswith("Lỗi: ") and "autofocus" in summaries(page)[0]
    db.session.refresh(dossier)
    assert dossier.status == "draft"
    assert f'name="lock_version" value="{dossier.lock_version}"' in page and "Nguyễn Minh Khang" in page


def test_the_review_and_submit_answer_a_supplement_request_too(client, office):
    dossier = birth_in("supplement_requested", office)
    page = client.get(f"/ho-so/{dossier.id}/kiem-tra").get_data(as_text=True)
    assert ">Nộp bổ sung hồ sơ</button>" in page
    response = client.post(f"/ho-so/{dossier.id}/nop", data={"lock_version": dossier.lock_version})
    assert response.headers["Location"] == f"/ho-so/{dossier.id}/da-gui"
    db.session.refresh(dossier)
    assert dossier.status == "submitted"
    assert "Đã gửi bổ sung hồ sơ" in client.get(f"/ho-so/{dossier.id}/da-gui").get_data(as_text=True)


def test_another_user_cannot_review_or_send(client, office, make_user, login):
    dossier = draft(office)
    login(make_user())
    assert client.get(f"/ho-so/{dossier.id}/kiem-tra").status_code == 404
    assert client.post(f"/ho-so/{dossier.id}/nop", data={"lock_version": dossier.lock_version}).status_code == 404
    db.session.refresh(dossier)
    assert dossier.status == "draft"


def test_the_confirmation_says_what_happens_next_when_and_how_to_follow(client, office):
    dossier = draft(office)
    client.post(f"/ho-so/{dossier.id}/nop", data={"lock_version": dossier.lock_version})
    db.session.refresh(dossier)
    page = client.get(f"/ho-so/{dossier.id}/da-gui").get_data(as_text=True)
    assert title(page).startswith("Đã gửi hồ sơ") and dossier.reference in page
    assert "Việc tiếp theo" in page and "yêu cầu bổ sung" in page and "an@motcua.example" in page
    # The estimate: the procedure's time limit counted from a receipt today, said as such.
    due = expected_due(dossier.procedure_version, utcnow(), paper=False)
    assert f"Nếu hồ sơ được tiếp nhận hôm nay, kết quả dự kiến vào <strong>{format_datetime(due)}</strong>" in page
    assert "ngày ước tính, tính từ khi hồ sơ được tiếp nhận" in page and "nhận đủ hồ sơ hợp lệ" in page
    assert guidance.expected_result(dossier)[1] is True
    for link in (f'href="/ho-so/{dossier.id}"', 'href="/ho-so"', 'href="/tra-cuu"'):
        assert link in page, link
    # A draft has nothing to confirm.
    other = draft(office)
    assert client.get(f"/ho-so/{other.id}/da-gui").headers["Location"] == f"/ho-so/{other.id}"


def test_a_failed_submit_titles_the_page_lỗi_and_focuses_the_one_summary(client, office):
    dossier = draft(office, uploads={})
    data = {"applicant_full_name": "Nguyễn Văn An", "delivery": "online", "review": "1",
            "lock_version": str(dossier.lock_version)}
    response = client.post(f"/ho-so/{dossier.id}/sua", data=data, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and title(page).startswith("Lỗi: Khai hồ sơ")
    [summary] = summaries(page)  # the service's message and the fields' errors in one summary
    assert 'tabindex="-1"' in summary and "autofocus" in summary
    assert "Hồ sơ chưa đủ để gửi." in page and 'href="#doc_giay_chung_sinh"' in page
    assert not title(client.get(f"/ho-so/{dossier.id}/sua").get_data(as_text=True)).startswith("Lỗi")
    # The other pages with a summary: the same macro, the same title.
    start = client.post(f"/thu-tuc/{BIRTH}/nop", data={"agency": "000.00.01.H62"}).get_data(as_text=True)
    assert title(start).startswith("Lỗi: ") and "autofocus" in summaries(start)[0] and 'href="#agency"' in start


def test_the_supplement_items_come_first_then_the_history_then_the_files(client, office):
    dossier = dossiers.request_supplement(birth_in("submitted", office), office.desk,
                                          ["Giấy chứng sinh bản chính", "Văn bản ủy quyền có chứng thực"],
                                          "Bản chụp không rõ")
    page = client.get(f"/ho-so/{dossier.id}").get_data(as_text=True)
    order = [page.index(text) for text in ("Bạn cần bổ sung:", "Giấy chứng sinh bản chính",
                                           "Văn bản ủy quyền có chứng thực", "Lý do: Bản chụp không rõ",
                                           "Quá trình xử lý", "Giấy tờ đã nộp")]
    assert order == sorted(order)
    assert f'href="/ho-so/{dossier.id}/sua">Bổ sung hồ sơ' in page


def test_the_result_link_comes_first_then_the_history_then_the_files(client, office, run_jobs):
    dossier = birth_in("returned", office)
    run_jobs()
    db.session.refresh(dossier)
    result = next(d for d in dossier.documents if d.kind == "result")
    assert result.sha256
    page = client.get(f"/ho-so/{dossier.id}").get_data(as_text=True)
    link = re.search(rf'<a href="/ho-so/{dossier.id}/van-ban/{result.id}"[^>]*>tải về<', page)
    assert link, "the result's download link"
    order = [page.index("<strong>Kết quả:</strong>"), link.start(), page.index("Quá trình xử lý"),
             page.index("Giấy tờ đã nộp")]
    assert order == sorted(order)


def test_the_next_step_is_the_workflows(office):
    """guidance.next_step reads the available actions: a draft, a supplement, a withdrawal."""
    from app.services.transitions import available_actions

    def step(dossier):
        return guidance.next_step(dossier, office.citizen, available_actions(dossier, office.citizen)).step

    assert step(draft(office)) is guidance.Step.DRAFT
    assert step(birth_in("supplement_requested", office)) is guidance.Step.SUPPLEMENT
    submitted = birth_in("submitted", office)
    assert step(submitted) is guidance.Step.WAIT
    dossiers.request_withdrawal(submitted, office.citizen, "Nộp nhầm")
    assert step(submitted) is guidance.Step.WITHDRAWAL
    assert step(birth_in("refused", office)) is guidance.Step.CLOSED
    assert step(birth_in("resolved", office)) is guidance.Step.RESULT


def test_a_rating_without_a_choice_keeps_the_typed_comment(client, office):
    dossier = birth_in("returned", office)
    response = client.post(f"/ho-so/{dossier.id}/danh-gia", data={"comment": "Cán bộ hướng dẫn rất tận tình"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and title(page).startswith("Lỗi: ")
    assert re.search(r'<textarea id="comment"[^>]*>Cán bộ hướng dẫn rất tận tình</textarea>', page)
    first = next(iter(RatingValue)).value
    assert f'href="#value-{first}"' in page and 'id="value-error"' in page and "Chọn một mức đánh giá." in page
    assert 'aria-describedby="value-error"' in page
    assert db.session.query(Rating).count() == 0
