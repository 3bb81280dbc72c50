"""The words of the catalogue, each value declared once with the label people read.

Pure: no Flask, no database. An enum member is declared as ``VALUE = "value", "Nhãn"``: the
value is what files, the database and the API carry, `.label` what every page and PDF prints
(the top complaint in OpenCPS was labels that differed by screen). The procedure schema takes
its allowed values from these enums (`literal`), so a value added here is accepted there.
"""
from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Any, Literal

from app.domain import N_


class Vocabulary(StrEnum):
    """A StrEnum whose members carry their Vietnamese label, and any further words a subclass
    names by a property over `more` (a sector's district office)."""

    label: str
    more: tuple[str, ...]

    def __new__(cls, value: str, label: str, *more: str):
        member = str.__new__(cls, value)
        member._value_, member.label, member.more = value, label, more
        return member

    @classmethod
    def known(cls, value: object) -> bool:
        """Whether `value` is one of the values (a plain string from a form or the database)."""
        return value in cls._value2member_map_


class Channel(IntEnum):
    """How a dossier came in: Decision 766's channel codes (KenhThucHien)."""

    label: str

    def __new__(cls, value: int, label: str):
        member = int.__new__(cls, value)
        member._value_, member.label = value, label
        return member

    COUNTER = 1, N_("Trực tiếp")
    ONLINE = 2, N_("Trực tuyến")
    POST = 3, N_("Bưu chính")


class DayKind(Vocabulary):
    """A day the calendar changes: an extra day off, or a weekend day worked in exchange, as
    the Government swaps them (official_calendar.yaml) or the province's administrator sets them."""

    DAY_OFF = "day_off", N_("Ngày nghỉ bổ sung"), N_("Ngày nghỉ (hoán đổi)")
    WORKING_DAY = "working_day", N_("Ngày làm việc bù"), N_("Ngày làm việc bù (hoán đổi)")

    @property
    def official_label(self) -> str:
        """The label of a Government swap (official_calendar.yaml), not the administrator's."""
        return self.more[0]


def literal(*members: StrEnum) -> Any:
    """The Literal type of these members' values (plain strings once parsed, so a procedure's
    model_dump and fingerprint carry no enum reprs)."""
    return Literal[tuple(m.value for m in members)]


class OnlineLevel(Vocabulary):
    """Level of the online public service (Decree 42/2022/NĐ-CP Art. 11, as amended by Decree
    118/2025 Art. 40(7)); `none`: offered only at the counter or by post."""

    FULL = "full", N_("Toàn trình")
    PARTIAL = "partial", N_("Một phần")
    NONE = "none", N_("Không trực tuyến")


class Method(Vocabulary):
    """Method of submission (cách thức thực hiện, Decree 63/2010 Art. 8)."""

    COUNTER = "counter", N_("Trực tiếp")
    POST = "post", N_("Qua dịch vụ bưu chính")
    ONLINE = "online", N_("Trực tuyến")


class Subject(Vocabulary):
    """Who may carry out the procedure (đối tượng thực hiện)."""

    CITIZEN = "citizen", N_("Công dân Việt Nam")
    ORGANISATION = "organisation", N_("Tổ chức")


class CopyKind(Vocabulary):
    """Which paper of a dossier component is handed in (bản chính / bản sao)."""

    ORIGINAL = "original", N_("Bản chính")
    COPY = "copy", N_("Bản sao")
    ORIGINAL_OR_COPY = "original_or_copy", N_("Bản chính hoặc bản sao")


class SourceTopic(Vocabulary):
    """What a procedure file's `sources` entry checked."""

    PROCESSING_TIME = "processing_time", N_("Thời hạn giải quyết")
    LEVEL = "level", N_("Cấp thực hiện")
    LEGAL_BASIS = "legal_basis", N_("Căn cứ pháp lý")
    FEES = "fees", N_("Phí, lệ phí")


class Delivery(Vocabulary):
    """How the applicant receives the result (form 01's "hình thức nhận kết quả"), with the words
    the desk records when it hands the result over (`return_label`)."""

    COUNTER = "counter", N_("Nhận trực tiếp tại Bộ phận Một cửa"), N_("Trả trực tiếp tại Bộ phận Một cửa")
    POST = "post", N_("Nhận qua dịch vụ bưu chính"), N_("Gửi qua dịch vụ bưu chính")
    ONLINE = "online", N_("Nhận kết quả điện tử trên cổng"), N_("Trả kết quả điện tử trên cổng")

    @property
    def return_label(self) -> str:
        return self.more[0]


class RatingValue(Vocabulary):
    """The applicant's rating of a returned dossier (index 5.4 of Decision 766 counts them)."""

    SATISFIED = "satisfied", N_("Hài lòng")
    ACCEPTABLE = "acceptable", N_("Chấp nhận được")
    NOT_SATISFIED = "not_satisfied", N_("Không hài lòng")


class AccessKind(Vocabulary):
    """What an official opened of a citizen's dossier (the access log, issue 13)."""

    DOSSIER = "dossier", N_("Xem hồ sơ")
    FILE = "file", N_("Mở giấy tờ đã nộp")
    DOCUMENT = "document", N_("Mở văn bản đã ban hành")
    CONTROL_SLIP = "control_slip", N_("Mở phiếu kiểm soát quá trình giải quyết")
