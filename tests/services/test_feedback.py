"""Feedback (PAKN) through the service: sending, handling to a published answer across a holiday
and a weekend, who may act, the sender's e-mails, rating, repeats and indices 5.1–5.3."""
import re
from datetime import datetime

import pytest

from app.domain.deadlines import OFFICE_TZ
from app.domain.feedback import FeedbackAction as A
from app.extensions import db
from app.models import Agency, OutboxMessage
from app.services import feedback as service
from app.services.demo import DemoAgency
from app.services.feedback import FeedbackServiceError
from tests.factories import BIRTH, birth_in, tich_son

pytestmark = pytest.mark.usefixtures("loaded_catalogue")


def at(month, day, hour=9):
    return datetime(2026, month, day, hour, 0, tzinfo=OFFICE_TZ)


def agency(code):
    return db.session.query(Agency).filter_by(code=code).one()


def about_procedure(sender, now=None, **overrides):
    values = dict(category="procedure", subject="procedure", procedure_code=BIRTH, title="Thời hạn khai sinh",
                  text="Thời hạn giải quyết ghi trên cổng khác với thời hạn niêm yết tại bộ phận một cửa.")
    values.update(overrides)
    return service.send(sender, now=now, **values)


def test_feedback_goes_from_sending_to_a_published_answer_within_its_limits(make_user):
    citizen = make_user()
    officer = make_user("specialist", DemoAgency.PROVINCE)
    item = about_procedure(citizen, now=at(4, 29, 10))  # Wed, before 30/4, 1/5 and the weekend
    assert item.agency.code == DemoAgency.PROVINCE and item.status == "received"
    service.act(officer, item, A.ACCEPT, now=at(5, 4))
    service.act(officer, item, A.ASK_INFO, text="Cho biết ngày bạn nộp hồ sơ.", now=at(5, 8, 16))
    service.act(citizen, item, A.PROVIDE_INFO, text="Tôi nộp ngày 20/4/2026.", now=at(5, 11))
    service.act(officer, item, A.ANSWER, text="Thời hạn đúng là 03 ngày làm việc; cổng đã được sửa.", now=at(5, 25))
    draft = service.public_answer_draft(item)
    service.act(officer, item, A.PUBLISH, text=draft, now=at(5, 27, 16))
    assert item.status == "published"
    assert service.late(item, now=at(6, 30)) == []
    assert [e.action for e in item.events] == ["send", "accept", "ask_info", "provide_info", "answer", "publish"]
    mails = db.session.query(OutboxMessage).filter_by(recipient=citizen.email).all()
    assert len(mails) == 5  # sent, accepted, asked, answered, published — nothing for the sender's own step
    assert any("Cho biết ngày bạn nộp hồ sơ." in m.body for m in mails)
    assert item in service.published("thời hạn").items


def test_a_late_answer_is_marked_late(make_user):
    citizen, officer = make_user(), make_user("leader", DemoAgency.PROVINCE)
    item = about_procedure(citizen, now=at(4, 29, 10))
    service.act(officer, item, A.ACCEPT, now=at(5, 4))
    service.act(officer, item, A.ANSWER, text="Đã kiểm tra và sửa thông tin.", now=at(5, 25))  # due 22/5
    assert [limit.value for limit in service.late(item, now=at(5, 26))] == ["answer"]
    assert [limit.value for limit in service.late(item, now=at(6, 30))] == ["answer", "publish"]  # never published


def test_only_the_agency_holding_it_handles_it_and_only_the_sender_answers(make_user):
    citizen, other = make_user(), make_user()
    outsider = make_user("specialist", DemoAgency.VINH_YEN)
    officer = make_user("specialist", DemoAgency.PROVINCE)
    item = about_procedure(citizen)
    with pytest.raises(FeedbackServiceError) as refused:
        service.act(outsider, item, A.ACCEPT)
    assert refused.value.status == 403
    with pytest.raises(FeedbackServiceError) as peek:
        service.view(other, item.id)
    assert peek.value.status == 403
    service.act(officer, item, A.ASK_INFO, text="Bổ sung số hồ sơ liên quan.")
    with pytest.raises(FeedbackServiceError) as impostor:
        service.act(other, item, A.PROVIDE_INFO, text="Không phải của tôi.")
    assert impostor.value.status == 403
    with pytest.raises(FeedbackServiceError) as missing:
        service.view(citizen, 987654)
    assert missing.value.status == 404


def test_forwarding_moves_it_to_the_competent_agency_which_starts_its_limits_anew(make_user):
    citizen, officer = make_user(), make_user("specialist", DemoAgency.PROVINCE)
    district = make_user("specialist", DemoAgency.VINH_YEN)
    item = about_procedure(citizen, now=at(4, 29, 10))
    service.act(officer, item, A.FORWARD, to_agency_id=agency(DemoAgency.VINH_YEN).id, now=at(5, 4))
    assert item.agency.code == DemoAgency.VINH_YEN and item.status == "received"
    assert item.received_at == at(5, 4)
    service.act(district, item, A.ACCEPT, now=at(5, 5))
    with pytest.raises(FeedbackServiceError):
        service.act(officer, item, A.ANSWER, text="Không còn ở chúng tôi.")


def test_a_refusal_needs_a_reason_and_a_confirmation(make_user):
    citizen, officer = make_user(), make_user("specialist", DemoAgency.PROVINCE)
    item = about_procedure(citizen)
    with pytest.raises(FeedbackServiceError) as empty:
        service.act(officer, item, A.REFUSE, text="")
    assert "text" in empty.value.fields
    with pytest.raises(FeedbackServiceError) as unconfirmed:
        service.act(officer, item, A.REFUSE, text="Nội dung không thuộc phạm vi.", confirmed=False)
    assert "confirm" in unconfirmed.value.fields
    service.act(officer, item, A.REFUSE, text="Nội dung không thuộc phạm vi phản ánh.")
    assert item.status == "refused"
    with pytest.raises(FeedbackServiceError) as again:
        service.act(officer, item, A.ACCEPT)
    assert again.value.status == 409


def test_bad_input_is_refused_by_field(make_user):
    citizen = make_user()
    for overrides, field in (({"category": "x"}, "category"), ({"subject": "x"}, "subject"),
                             ({"title": "a"}, "title"), ({"text": "ngắn"}, "text"),
                             ({"procedure_code": "9.999999"}, "procedure")):
        with pytest.raises(FeedbackServiceError) as error:
            about_procedure(citizen, **overrides)
        assert field in error.value.fields


def test_feedback_on_a_dossier_goes_to_its_desk_and_only_from_its_applicant(make_user):
    office = tich_son(make_user)
    dossier = birth_in("accepted", office)
    item = service.send(office.citizen, category="conduct", subject="dossier", dossier_id=dossier.id,
                        title="Thái độ khi tiếp nhận", text="Cán bộ tiếp nhận không hướng dẫn rõ giấy tờ cần bổ sung.")
    assert item.agency_id == dossier.receiving_agency_id and dossier.has_complaint  # counted in its 5.4
    with pytest.raises(FeedbackServiceError) as stranger:
        service.send(make_user(), category="conduct", subject="dossier", dossier_id=dossier.id,
                     title="Thái độ khi tiếp nhận", text="Tôi không phải người nộp nhưng muốn phản ánh hồ sơ này.")
    assert stranger.value.status == 403


def test_rating_and_repeats_feed_index_5_3(make_user):
    citizen, officer = make_user(), make_user("specialist", DemoAgency.PROVINCE)
    first = about_procedure(citizen, now=at(4, 29, 10))
    service.act(officer, first, A.ACCEPT, now=at(5, 4))
    with pytest.raises(FeedbackServiceError):
        service.rate(citizen, first, "satisfied")  # not answered yet
    service.act(officer, first, A.ANSWER, text="Đã sửa thông tin trên cổng.", now=at(5, 5))
    with pytest.raises(FeedbackServiceError) as stranger:
        service.rate(make_user(), first, "satisfied")
    assert stranger.value.status == 403
    service.rate(citizen, first, "not_satisfied")
    with pytest.raises(FeedbackServiceError):
        service.rate(citizen, first, "satisfied")  # once
    second = about_procedure(citizen, now=at(5, 6), title="Vẫn chưa sửa")
    assert second.repeat_of_id == first.id
    counts = service.counts(None, at(4, 1), at(6, 1), now=at(5, 6, 12))
    assert (counts.total, counts.answered, counts.disliked, counts.repeated) == (2, 1, 1, 1)
    assert counts.by_category["procedure"] == 2 and counts.on_time == 2
    later = service.counts(None, at(4, 1), at(6, 1), now=at(6, 1))  # first never published, second unanswered
    assert later.on_time == 0 and later.late_answered == 1


def code_from_mail(address):
    mail = db.session.query(OutboxMessage).filter_by(recipient=address).order_by(OutboxMessage.id.desc()).first()
    return re.search(r"là: (\d{6})", mail.body).group(1)


ANONYMOUS = dict(name="Trần Thị Bình", email="binh@example.vn", phone="0912345678", category="regulation",
                 subject="procedure", procedure_code=BIRTH, title="Quy định về giấy chứng sinh",
                 text="Đề nghị cho phép dùng giấy chứng sinh điện tử thay bản giấy khi đăng ký khai sinh.")


def test_without_an_account_the_emailed_code_sends_the_feedback(make_user):
    waiting = service.start_anonymous(**ANONYMOUS)
    code = code_from_mail("binh@example.vn")
    with pytest.raises(FeedbackServiceError) as wrong:
        service.confirm_anonymous(waiting.token, f"{(int(code) + 1) % 10 ** 6:06d}")
    assert "code" in wrong.value.fields
    item = service.confirm_anonymous(waiting.token, code)
    assert item.sender_id is None and item.sender_name == "Trần Thị Bình" and item.status == "received"
    assert item.events[0].actor_name == "Trần Thị Bình"
    with pytest.raises(FeedbackServiceError) as used:
        service.confirm_anonymous(waiting.token, code)
    assert used.value.status == 404
    officer = make_user("specialist", DemoAgency.PROVINCE)
    service.act(officer, item, A.ACCEPT)
    service.act(officer, item, A.ANSWER, text="Giấy chứng sinh điện tử đã được chấp nhận từ năm 2025.")
    again = service.confirm_anonymous(service.start_anonymous(**ANONYMOUS).token, code_from_mail("binh@example.vn"))
    assert again.repeat_of_id == item.id  # the same address on the same procedure


def test_a_code_expires_and_wrong_codes_run_out():
    waiting = service.start_anonymous(**ANONYMOUS, now=at(5, 4, 9))
    with pytest.raises(FeedbackServiceError) as late:
        service.confirm_anonymous(waiting.token, code_from_mail("binh@example.vn"), now=at(5, 4, 10))
    assert late.value.status == 410
    waiting = service.start_anonymous(**ANONYMOUS)
    for _ in range(service.CODE_ATTEMPTS):
        with pytest.raises(FeedbackServiceError):
            service.confirm_anonymous(waiting.token, "abcdef")
    with pytest.raises(FeedbackServiceError) as spent:
        service.confirm_anonymous(waiting.token, code_from_mail("binh@example.vn"))
    assert spent.value.status == 410


def test_without_an_account_the_contact_is_checked_and_no_dossier_may_be_named():
    with pytest.raises(FeedbackServiceError) as bad:
        service.start_anonymous(**{**ANONYMOUS, "email": "khong-phai-email", "name": ""})
    assert set(bad.value.fields) == {"email", "full_name"}
    with pytest.raises(FeedbackServiceError) as dossier:
        service.start_anonymous(**{**ANONYMOUS, "subject": "dossier"})
    assert "subject" in dossier.value.fields


def test_the_statistics_show_5_1_to_5_3_and_count_a_complaint_in_5_4(make_user):
    from app.services import stats
    from app.services.structure import today

    office = tich_son(make_user)
    dossier = birth_in("returned", office)
    year = stats.Scope(today().replace(month=1, day=1), today())
    before = stats.figures(year)
    service.send(office.citizen, category="conduct", subject="dossier", dossier_id=dossier.id,
                 title="Thái độ khi trả kết quả", text="Cán bộ trả kết quả không hướng dẫn cách tra cứu bản điện tử.")
    after = stats.figures(year)
    assert after.counts.poor_or_complaint == before.counts.poor_or_complaint + 1
    assert (after.indices["5.1.conduct"].numerator, after.indices["5.2"].denominator) == (1, 1)
    assert after.indices["5.3"].na  # nothing answered yet
