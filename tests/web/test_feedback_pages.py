"""Feedback pages: the public answers, the sender's form and follow-up, the staff's queue and
steps — each route for the right user, the wrong one (403) and a missing feedback (404)."""
import pytest

from app.domain.feedback import FeedbackAction as A
from app.extensions import db
from app.models import Agency
from app.services import feedback as service
from app.services.demo import DemoAgency
from tests.factories import BIRTH

pytestmark = pytest.mark.usefixtures("loaded_catalogue")

TEXT = "Thời hạn giải quyết ghi trên cổng khác với thời hạn niêm yết tại bộ phận một cửa."


def sent(citizen):
    return service.send(citizen, category="procedure", subject="procedure", procedure_code=BIRTH,
                        title="Thời hạn khai sinh", text=TEXT)


def test_a_citizen_sends_feedback_about_a_procedure(client, login, make_user):
    citizen = login(make_user())
    page = client.get(f"/phan-anh/gui?thu_tuc={BIRTH}")
    assert page.status_code == 200 and "Gửi phản ánh" in page.text and BIRTH in page.text
    answer = client.post("/phan-anh/gui", data={"subject": "procedure", "target": BIRTH, "category": "procedure",
                                                "title": "Thời hạn khai sinh", "text": TEXT})
    assert answer.status_code == 302
    follow = client.get(answer.headers["Location"])
    assert follow.status_code == 200 and "Chờ tiếp nhận" in follow.text and TEXT in follow.text
    assert "PA-" in client.get("/phan-anh/cua-toi").text
    assert citizen.email not in follow.text  # the sender's own page does not echo contact details


def test_a_failed_send_keeps_what_was_typed_and_names_the_fields(client, login, make_user):
    login(make_user())
    answer = client.post("/phan-anh/gui", data={"subject": "procedure", "target": BIRTH, "category": "",
                                                "title": "Thời hạn khai sinh", "text": "ngắn"})
    assert answer.status_code == 422
    assert "<title>Lỗi:" in answer.text and 'href="#category"' in answer.text
    assert "Thời hạn khai sinh" in answer.text


def test_feedback_about_someone_elses_dossier_is_forbidden(client, login, make_user):
    from tests.factories import birth_in, tich_son
    office = tich_son(make_user)
    dossier = birth_in("accepted", office)
    login(make_user())
    answer = client.post("/phan-anh/gui", data={"subject": "dossier", "target": str(dossier.id),
                                                "category": "conduct", "title": "Thái độ", "text": TEXT})
    assert answer.status_code == 403


def test_staff_take_it_to_a_published_answer_and_the_public_reads_it(client, login, make_user):
    item = sent(make_user())
    officer = make_user("specialist", DemoAgency.PROVINCE)
    login(officer)
    queue = client.get("/phan-anh/tiep-nhan")
    assert queue.status_code == 200 and item.reference in queue.text
    page = client.get(f"/phan-anh/{item.id}")
    assert page.status_code == 200 and "Tiếp nhận" in page.text and item.sender_email in page.text
    assert client.post(f"/phan-anh/{item.id}/thao-tac/accept", data={}).status_code == 302
    assert client.post(f"/phan-anh/{item.id}/thao-tac/answer",
                       data={"text": "Thời hạn đúng là 03 ngày làm việc."}).status_code == 302
    assert client.post(f"/phan-anh/{item.id}/thao-tac/publish",
                       data={"text": "Thời hạn đúng là 03 ngày làm việc."}).status_code == 302
    public = client.get("/phan-anh?q=ngày làm việc")
    assert public.status_code == 200 and "Thời hạn đúng là 03 ngày làm việc." in public.text
    assert item.sender_name not in public.text


def test_a_step_out_of_turn_or_without_text_is_refused_on_the_page(client, login, make_user):
    item = sent(make_user())
    login(make_user("specialist", DemoAgency.PROVINCE))
    empty = client.post(f"/phan-anh/{item.id}/thao-tac/refuse", data={"text": "", "confirm": "y"})
    assert empty.status_code == 422 and "<title>Lỗi:" in empty.text and 'href="#text"' in empty.text
    unconfirmed = client.post(f"/phan-anh/{item.id}/thao-tac/refuse", data={"text": "Không thuộc phạm vi."})
    assert unconfirmed.status_code == 422 and 'href="#confirm"' in unconfirmed.text
    early = client.post(f"/phan-anh/{item.id}/thao-tac/publish", data={"text": "Công khai sớm."})
    assert early.status_code == 302  # out of turn: a message, the page again
    db.session.refresh(item)
    assert item.status == "received"
    assert client.post(f"/phan-anh/{item.id}/thao-tac/nonsense", data={}).status_code == 404


def test_forwarding_hands_it_to_the_other_agency(client, login, make_user):
    item = sent(make_user())
    login(make_user("specialist", DemoAgency.PROVINCE))
    district = db.session.query(Agency).filter_by(code=DemoAgency.VINH_YEN).one()
    answer = client.post(f"/phan-anh/{item.id}/thao-tac/forward", data={"to_agency": str(district.id)})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/phan-anh/tiep-nhan")
    assert client.get(f"/phan-anh/{item.id}").status_code == 403


def test_the_sender_answers_a_question_and_rates_the_answer(client, login, make_user):
    citizen = make_user()
    item = sent(citizen)
    officer = make_user("specialist", DemoAgency.PROVINCE)
    service.act(officer, item, A.ASK_INFO, text="Cho biết ngày bạn nộp hồ sơ.")
    login(citizen)
    page = client.get(f"/phan-anh/{item.id}")
    assert "Cho biết ngày bạn nộp hồ sơ." in page.text
    assert client.post(f"/phan-anh/{item.id}/thao-tac/provide_info",
                       data={"text": "Tôi nộp ngày 20/4/2026."}).status_code == 302
    service.act(officer, item, A.ANSWER, text="Đã kiểm tra, thời hạn đúng là 03 ngày.")
    no_choice = client.post(f"/phan-anh/{item.id}/danh-gia", data={})
    assert no_choice.status_code == 422
    assert client.post(f"/phan-anh/{item.id}/danh-gia", data={"value": "satisfied"}).status_code == 302
    db.session.refresh(item)
    assert item.rating == "satisfied"


@pytest.mark.parametrize("path", ["/phan-anh/{id}", "/phan-anh/{id}/thao-tac/accept", "/phan-anh/{id}/danh-gia"])
def test_other_people_are_refused_and_missing_feedback_is_404(client, login, make_user, path):
    item = sent(make_user())
    method = client.get if path == "/phan-anh/{id}" else client.post
    login(make_user())
    assert method(path.format(id=item.id)).status_code == 403
    login(make_user("specialist", DemoAgency.VINH_YEN))
    assert method(path.format(id=item.id)).status_code == 403
    assert method(path.format(id=987654)).status_code == 404


def test_the_queue_is_for_staff(client, login, make_user):
    login(make_user())
    assert client.get("/phan-anh/tiep-nhan").status_code == 403


def test_the_public_page_says_when_there_is_nothing(client):
    page = client.get("/phan-anh")
    assert page.status_code == 200 and "Chưa có kết quả xử lý phản ánh nào được công khai." in page.text


def test_without_an_account_a_code_by_email_sends_it(client):
    from tests.services.test_feedback import code_from_mail

    form = {"subject": "procedure", "target": BIRTH, "category": "regulation", "title": "Giấy chứng sinh",
            "text": TEXT, "full_name": "Trần Thị Bình", "email": "binh@example.vn", "phone": ""}
    page = client.get(f"/phan-anh/gui?thu_tuc={BIRTH}")
    assert page.status_code == 200 and 'id="email"' in page.text
    bad = client.post("/phan-anh/gui", data={**form, "email": "sai"})
    assert bad.status_code == 422 and 'href="#email"' in bad.text and "<title>Lỗi:" in bad.text
    started = client.post("/phan-anh/gui", data=form)
    assert started.status_code == 302 and "/phan-anh/xac-nhan/" in started.headers["Location"]
    wrong = client.post(started.headers["Location"], data={"code": "abc"})
    assert wrong.status_code == 422 and 'href="#code"' in wrong.text
    done = client.post(started.headers["Location"], data={"code": code_from_mail("binh@example.vn")})
    assert done.status_code == 200 and "PA-" in done.text
    assert client.get(started.headers["Location"]).status_code == 404  # used
    assert client.get("/phan-anh/xac-nhan/khong-co").status_code == 404


def test_feedback_about_an_agency_names_it_by_its_identifier(client, login, make_user):
    login(make_user())
    page = client.get(f"/phan-anh/gui?co_quan={DemoAgency.VINH_YEN}")
    assert page.status_code == 200 and "thành phố Vĩnh Yên" in page.text
    answer = client.post("/phan-anh/gui", data={"subject": "agency", "target": DemoAgency.VINH_YEN,
                                                "category": "conduct", "title": "Giờ làm việc", "text": TEXT})
    assert answer.status_code == 302
    unknown = client.post("/phan-anh/gui", data={"subject": "agency", "target": "000.99.99.H62",
                                                 "category": "conduct", "title": "Giờ làm việc", "text": TEXT})
    assert unknown.status_code == 422
