"""Feedback (PAKN): the workflow, the four limits of index 5.2 around a weekend and a holiday,
redaction before publishing, and indices 5.1–5.3."""
from datetime import datetime
from decimal import Decimal

import pytest

from app.domain import feedback as fb
from app.domain.deadlines import OFFICE_TZ, WorkCalendar
from app.domain.feedback import FeedbackAction as A
from app.domain.feedback import FeedbackStatus as S
from app.domain.feedback import Limit

CAL = WorkCalendar()
# Wednesday 29/04/2026, the day before two public holidays (30/4 and 1/5) and a weekend.
RECEIVED = datetime(2026, 4, 29, 10, 0, tzinfo=OFFICE_TZ)


def at(month, day, hour=9, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=OFFICE_TZ)


def test_the_workflow_goes_from_receipt_to_publication():
    status = S.RECEIVED
    for action in (A.ACCEPT, A.ANSWER, A.PUBLISH):
        status = fb.next_status(status, action)
    assert status == S.PUBLISHED


@pytest.mark.parametrize(("status", "action"), [
    (S.RECEIVED, A.ANSWER), (S.REFUSED, A.ACCEPT), (S.PUBLISHED, A.ANSWER), (S.ANSWERED, A.REFUSE),
    (S.ACCEPTED, A.PROVIDE_INFO), ("nonsense", A.ACCEPT), (S.RECEIVED, "nonsense")])
def test_an_action_out_of_turn_is_refused_with_a_reason(status, action):
    with pytest.raises(fb.FeedbackError):
        fb.next_status(status, action)


def test_more_information_is_asked_once():
    assert fb.next_status(S.RECEIVED, A.ASK_INFO) == S.INFO_REQUESTED
    assert fb.next_status(S.INFO_REQUESTED, A.PROVIDE_INFO) == S.ACCEPTED
    with pytest.raises(fb.FeedbackError, match="một lần"):
        fb.next_status(S.ACCEPTED, A.ASK_INFO, info_asked_before=True)
    assert A.ASK_INFO not in fb.allowed_actions(S.ACCEPTED, info_asked_before=True)
    assert A.PROVIDE_INFO not in fb.allowed_actions(S.INFO_REQUESTED)


def test_limits_count_working_days_over_the_holidays_and_the_weekend():
    times = fb.FeedbackTimes(received_at=RECEIVED)
    # 30/4, 1/5 holidays, 2–3/5 weekend: day 1 is Monday 4/5.
    assert fb.limit_due(Limit.REFUSE, times, CAL) == at(5, 5, 17)
    assert fb.limit_due(Limit.ASK_INFO, times, CAL) == at(5, 8, 17)
    assert fb.limit_due(Limit.ANSWER, times, CAL) == at(5, 22, 17)
    assert fb.limit_due(Limit.PUBLISH, times, CAL) is None  # nothing to publish yet


def test_the_senders_time_does_not_count_against_the_answer():
    asked = fb.FeedbackTimes(received_at=RECEIVED, info_requested_at=at(5, 4))
    assert fb.limit_due(Limit.ANSWER, asked, CAL) is None  # suspended while waiting
    # Two working days waiting (Mon 9:00 → Wed 9:00): the answer is due two working days later.
    answered = fb.FeedbackTimes(received_at=RECEIVED, info_requested_at=at(5, 4), info_provided_at=at(5, 6),
                                answered_at=at(5, 25, 16))
    assert fb.limit_due(Limit.ANSWER, answered, CAL) == at(5, 26, 17)
    assert fb.late_limits(answered, at(6, 30), CAL) == [Limit.PUBLISH]  # published never, due 27/5


def test_publishing_is_due_two_working_days_after_the_answer_over_a_weekend():
    times = fb.FeedbackTimes(received_at=RECEIVED, answered_at=at(5, 22, 16), published_at=at(5, 26, 16, 59))
    assert fb.limit_due(Limit.PUBLISH, times, CAL) == at(5, 26, 17)  # Fri → Mon, Tue
    assert fb.late_limits(times, at(6, 30), CAL) == []
    late = fb.FeedbackTimes(received_at=RECEIVED, answered_at=at(5, 22, 16), published_at=at(5, 27, 8))
    assert fb.late_limits(late, at(6, 30), CAL) == [Limit.PUBLISH]


@pytest.mark.parametrize(("refused", "late"), [(at(5, 5, 16, 59), []), (at(5, 6, 8), [Limit.REFUSE])])
def test_a_refusal_is_judged_against_its_two_days(refused, late):
    assert fb.late_limits(fb.FeedbackTimes(received_at=RECEIVED, refused_at=refused), at(6, 30), CAL) == late


def test_a_request_for_information_is_judged_against_its_five_days():
    times = fb.FeedbackTimes(received_at=RECEIVED, info_requested_at=at(5, 11), info_provided_at=at(5, 12),
                             answered_at=at(5, 20), published_at=at(5, 21))
    assert fb.late_limits(times, at(6, 30), CAL) == [Limit.ASK_INFO]


def test_an_open_feedback_is_late_once_its_answer_is_overdue():
    times = fb.FeedbackTimes(received_at=RECEIVED)
    assert fb.late_limits(times, at(5, 22, 16), CAL) == []
    assert fb.late_limits(times, at(5, 25, 8), CAL) == [Limit.ANSWER]


def test_redaction_removes_names_contacts_and_numbers():
    text = ("Ông Nguyễn Văn An (0912 345 678, an.nguyen@example.vn, CCCD 001203004005) phản ánh việc "
            "trả kết quả chậm 3 ngày.")
    redacted = fb.redact(text, ["Nguyễn Văn An"])
    assert "Nguyễn Văn An" not in redacted and "0912" not in redacted and "@" not in redacted
    assert "001203004005" not in redacted
    assert "chậm 3 ngày" in redacted  # short numbers stay


def test_indices_5_1_to_5_3():
    counts = fb.FeedbackCounts(by_category={"regulation": 1, "procedure": 2, "conduct": 1}, total=4, on_time=3,
                               answered=3, disliked=1, late_answered=1, repeated=0)
    values = fb.indices(counts)
    assert values["5.1.procedure"].rate == Decimal("0.5")
    assert values["5.1.conduct"].numerator == 1
    assert values["5.2"].rate == Decimal("0.75")
    assert values["5.3"].rate == Decimal("0.3333")


def test_indices_are_na_without_feedback_and_5_3_never_negative():
    empty = fb.indices(fb.FeedbackCounts(by_category={}, total=0, on_time=0, answered=0, disliked=0,
                                         late_answered=0, repeated=0))
    assert all(value.na for value in empty.values())
    worst = fb.indices(fb.FeedbackCounts(by_category={"procedure": 1}, total=1, on_time=0, answered=1,
                                         disliked=1, late_answered=1, repeated=1))
    assert worst["5.3"].rate == 0
