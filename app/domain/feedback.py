"""Feedback and complaints (phản ánh, kiến nghị — PAKN) about administrative regulations,
procedures and the conduct of officials: what may happen to one, by whom, and by when.

Pure: no Flask, no database. A service loads a ``FeedbackTimes``/status, asks ``next_status``
and the limits here, then writes.

Legal basis
    Decree 20/2008/NĐ-CP on receiving and handling feedback on administrative regulations
    (amended by Decrees 48/2013 and 92/2017): Art. 5 (what feedback may be about), Art. 9 (the
    receiving procedure: accept, refuse, ask for what is missing), Art. 14 (the handling
    procedure), Art. 13 and 19 (the answers are made public).
    Decision 766/QĐ-TTg (2022) index 5.1 classifies feedback by what it is about, index 5.2
    counts feedback handled on time against four limits in working days — refuse within 2,
    ask for more information within 5, handle (answer) within 15, publish the answer within
    2 — and index 5.3 the satisfaction with it: (total − disliked − late − repeat complaints) /
    total (LEGAL.md §4). The article numbers are those of the Decree's outline (Bộ pháp điển,
    đề mục 44.12); the four limits as the Decision 766 formula document transcribes them.

Our readings, where the texts leave a choice (each one a project choice, cited in the note):
    - The limits count from the moment the agency now holding the feedback received it: a
      feedback forwarded to the competent agency starts its limits anew there (Art. 9 puts the
      duty on the agency that receives it); 5.2 judges each item where it ended.
    - The time the sender takes to send the information asked for does not count against the
      15 days (the dossier rule of Decree 61/2018 Art. 21 for a supplement, applied alike).
    - Publishing is counted from the answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, time

from app.domain import msg
from app.domain.deadlines import TimeUnit, WorkCalendar, due_at, extend_for_pause
from app.domain.indices import FEEDBACK_INDICES, IndexValue, points, rate
from app.domain.vocabulary import Vocabulary


class Category(Vocabulary):
    """What the feedback is about (index 5.1's classification; Decree 20/2008 Art. 5)."""

    REGULATION = "regulation", "Quy định hành chính, chính sách"
    PROCEDURE = "procedure", "Thủ tục hành chính, việc giải quyết hồ sơ"
    CONDUCT = "conduct", "Hành vi, thái độ của cán bộ, công chức"


class Subject(Vocabulary):
    """Where the feedback points: a procedure, an agency, or the sender's own dossier."""

    PROCEDURE = "procedure", "Một thủ tục hành chính"
    AGENCY = "agency", "Một cơ quan"
    DOSSIER = "dossier", "Hồ sơ của tôi"


class FeedbackStatus(Vocabulary):
    RECEIVED = "received", "Chờ tiếp nhận"
    INFO_REQUESTED = "info_requested", "Cần bổ sung thông tin"
    ACCEPTED = "accepted", "Đang xử lý"
    REFUSED = "refused", "Không được tiếp nhận"
    ANSWERED = "answered", "Đã trả lời"
    PUBLISHED = "published", "Đã trả lời và công khai"


class FeedbackAction(Vocabulary):
    """Staff's actions (the receiving or competent agency), and the sender's one."""

    ACCEPT = "accept", "Tiếp nhận"
    REFUSE = "refuse", "Từ chối tiếp nhận"
    ASK_INFO = "ask_info", "Yêu cầu bổ sung thông tin"
    FORWARD = "forward", "Chuyển cơ quan có thẩm quyền"
    ANSWER = "answer", "Trả lời"
    PUBLISH = "publish", "Công khai kết quả"
    PROVIDE_INFO = "provide_info", "Gửi thông tin bổ sung"


class Limit(Vocabulary):
    """The four limits of index 5.2, in working days."""

    REFUSE = "refuse", "Từ chối tiếp nhận"
    ASK_INFO = "ask_info", "Yêu cầu bổ sung thông tin"
    ANSWER = "answer", "Xử lý, trả lời"
    PUBLISH = "publish", "Công khai kết quả"


LIMIT_DAYS = {Limit.REFUSE: 2, Limit.ASK_INFO: 5, Limit.ANSWER: 15, Limit.PUBLISH: 2}

S, A = FeedbackStatus, FeedbackAction
TRANSITIONS: dict[tuple[FeedbackStatus, FeedbackAction], FeedbackStatus] = {
    (S.RECEIVED, A.ACCEPT): S.ACCEPTED,
    (S.RECEIVED, A.REFUSE): S.REFUSED,
    (S.RECEIVED, A.ASK_INFO): S.INFO_REQUESTED,
    (S.RECEIVED, A.FORWARD): S.RECEIVED,
    (S.ACCEPTED, A.ASK_INFO): S.INFO_REQUESTED,
    (S.ACCEPTED, A.FORWARD): S.RECEIVED,
    (S.ACCEPTED, A.ANSWER): S.ANSWERED,
    (S.ANSWERED, A.PUBLISH): S.PUBLISHED,
    (S.INFO_REQUESTED, A.PROVIDE_INFO): S.ACCEPTED,
}
SENDER_ACTIONS = frozenset({A.PROVIDE_INFO})
# The actions that need a text: the reason, the question, the answer, the public answer.
TEXT_REQUIRED = frozenset({A.REFUSE, A.ASK_INFO, A.ANSWER, A.PUBLISH, A.PROVIDE_INFO})
RATABLE = frozenset({S.ANSWERED, S.PUBLISHED})
del S, A


class FeedbackError(ValueError):
    """The action is not possible now; the message says why, in Vietnamese."""


def next_status(status: str, action: str, *, info_asked_before: bool = False) -> FeedbackStatus:
    """The status after `action`; FeedbackError if it may not happen now. More information is
    asked once (Decree 20/2008 Art. 9 asks for what is missing in one request, as the dossier's
    supplement rule)."""
    if not (FeedbackStatus.known(status) and FeedbackAction.known(action)):
        raise FeedbackError("Thao tác không hợp lệ.")
    after = TRANSITIONS.get((FeedbackStatus(status), FeedbackAction(action)))
    if after is None:
        raise FeedbackError(msg("Không thể «%(action)s» khi phản ánh đang ở trạng thái «%(status)s».",
                                action=msg(FeedbackAction(action).label), status=msg(FeedbackStatus(status).label)))
    if action == FeedbackAction.ASK_INFO and info_asked_before:
        raise FeedbackError("Chỉ yêu cầu bổ sung thông tin một lần.")
    return after


def allowed_actions(status: str, *, info_asked_before: bool = False) -> list[FeedbackAction]:
    """The staff actions a page offers now (the service asks `next_status` again)."""
    return [action for (at, action) in TRANSITIONS if at == status and action not in SENDER_ACTIONS
            and not (action == FeedbackAction.ASK_INFO and info_asked_before)]


@dataclass(frozen=True)
class FeedbackTimes:
    """The instants that decide 5.2 for one feedback (all timezone-aware; None = not yet)."""

    received_at: datetime                 # at the agency that holds it now
    refused_at: datetime | None = None
    info_requested_at: datetime | None = None
    info_provided_at: datetime | None = None
    answered_at: datetime | None = None
    published_at: datetime | None = None


def limit_due(limit: Limit, times: FeedbackTimes, calendar: WorkCalendar) -> datetime | None:
    """When `limit` runs out for this feedback (None: it does not apply yet — publishing is
    due only once answered). Working days count as a dossier's do (Civil Code 2015 Art. 147;
    the same calendar and the same cut-off). The answer's limit moves by the time the sender
    took to send what was asked; while they have not, it is suspended (None)."""
    if limit == Limit.PUBLISH:
        if times.answered_at is None:
            return None
        # The 15:00 cut-off is a rule of receipt (Decree 118/2025 Art. 17): an answer given at
        # 16:00 starts its 2 days the next day like any other (Civil Code 2015 Art. 147).
        return due_at(times.answered_at, LIMIT_DAYS[limit], TimeUnit.WORKING_DAYS, replace(calendar, cutoff=time.max))
    due = due_at(times.received_at, LIMIT_DAYS[limit], TimeUnit.WORKING_DAYS, calendar)
    if limit == Limit.ANSWER and times.info_requested_at is not None:
        if times.info_provided_at is None:
            return None
        due = extend_for_pause(due, times.info_requested_at, times.info_provided_at, calendar)
    return due


def late_limits(times: FeedbackTimes, now: datetime, calendar: WorkCalendar) -> list[Limit]:
    """The limits this feedback broke by `now` (the end of the period for statistics): a step
    taken after its limit, or a step still awaited when its limit has passed. A refusal is
    judged against its 2 days, a request for information against its 5; everything not refused
    against the 15 days of the answer; everything answered against the 2 days of publishing.
    A feedback still waiting at `now` for a decision is judged on the answer's limit only (it
    may still be refused on time, or asked about)."""
    late: list[Limit] = []

    def check(limit: Limit, done: datetime | None) -> None:
        due = limit_due(limit, times, calendar)
        if due is not None and (done or now) > due:
            late.append(limit)

    if times.refused_at is not None:
        check(Limit.REFUSE, times.refused_at)
        return late
    if times.info_requested_at is not None:
        check(Limit.ASK_INFO, times.info_requested_at)
    check(Limit.ANSWER, times.answered_at)
    check(Limit.PUBLISH, times.published_at)
    return late


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_NUMBER = re.compile(r"(?<!\d)(\+?84|0)?\d[\d .-]{7,14}\d(?!\d)")  # phones, 9/12-digit IDs


def redact(text: str, names: list[str]) -> str:
    """`text` with personal data removed before an answer is published (Decree 13/2023 on
    personal data: the public sees the answer, not who asked): the given names, e-mail
    addresses and runs of digits that may be a phone or an ID number become "***". Staff read
    and correct the result before publishing: this is a first pass, not a guarantee."""
    text = _EMAIL.sub("***", text)
    text = _NUMBER.sub("***", text)
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        text = re.sub(re.escape(name), "***", text, flags=re.IGNORECASE)
    return text


@dataclass(frozen=True)
class FeedbackCounts:
    """What the SQL side provides for one scope and period (feedback received in it).

    ``by_category``: how many of each Category (5.1); ``total``: all of them; ``on_time``:
    those that broke no limit by the end of the period (5.2, open ones judged as they stand,
    as 2.1 judges open dossiers); ``answered``: those answered (5.3's total); ``disliked``,
    ``late_answered``, ``repeated``: of the answered, those rated "not satisfied", those that
    broke a limit, and those the same sender complained about again (5.3)."""

    by_category: dict[str, int]
    total: int
    on_time: int
    answered: int
    disliked: int
    late_answered: int
    repeated: int


def indices(counts: FeedbackCounts) -> dict[str, IndexValue]:
    """Indices 5.1 (one share per category: "5.1.<category>"), 5.2 and 5.3 (LEGAL.md §4):

    - 5.1 share of a category = feedback of that category / feedback received. Not scored.
    - 5.2 handled on time = on_time / total.
    - 5.3 satisfaction with feedback = (answered − disliked − late − repeated) / answered,
      clamped at 0 (one answer may be late, disliked and repeated: it counts in each term, as
      the formula subtracts each count). Our reading of "total": the feedback answered — an
      unanswered one has nothing to be satisfied with yet.
    N/A on empty denominators."""
    values = [IndexValue(f"5.1.{category.value}", rate(counts.by_category.get(category.value, 0), counts.total),
                         None, counts.by_category.get(category.value, 0), counts.total) for category in Category]
    values.append(_rated("5.2", counts.on_time, counts.total))
    satisfied = max(0, counts.answered - counts.disliked - counts.late_answered - counts.repeated)
    values.append(_rated("5.3", satisfied, counts.answered))
    return {value.id: value for value in values}


def _rated(index_id: str, numerator: int, denominator: int) -> IndexValue:
    value = rate(numerator, denominator)
    return IndexValue(index_id, value, points(FEEDBACK_INDICES[index_id], value), numerator, denominator)
