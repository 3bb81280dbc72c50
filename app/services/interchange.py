"""Carrying history over from another system: `flask dossiers import` and `flask dossiers
export`, one JSON Lines shape for both (docs/interchange.md, field by field).

The shape is modelled on the national portal's dossier synchronisation record (LEGAL.md §4:
MaHoSo, MaTTHC, NgayTiepNhan, NgayHenTra, NgayKetThucXuLy, TrangThaiHoSo 1–10, KenhThucHien,
DonViXuLy, the status history, supplement requests, fee lines and payment channel, result
file flags), with what our statistics also need (the receiving desk, the procedure version,
the applicant, the decision). `DossierRecord` validates one line; its errors name the field.

Import: one transaction per line (a line is committed, or rolled back and reported with its
line number and reason), so one bad line never costs the file; a code already present is
skipped and counted, never overwritten, so importing a file twice changes nothing. An
imported dossier keeps its code, dates and history (DossierEvent rows at the imported
times, noted as imported), is marked `imported`, and gets its statistics stamps from the same
pure rules as any other (processing.stamp → domain/timeline.py).

Not verifiable from a source we could read: the national record's exact field list and
names beyond those LEGAL.md §4 quotes; the extra fields here (CoQuanTiepNhan, PhienBanTTHC,
ChuHoSo, KetQuaGiaiQuyet, YeuCauBoSung's keys, the file flags' names) are ours.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.domain.deadlines import OFFICE_TZ, extend_for_pause
from app.domain.workflow import HistoryError, Status, replay
from app.extensions import db
from app.models import Dossier, DossierEvent, Payment, ProcedureVersion
from app.models.users import utcnow
from app.services import dossiers, processing
from app.services.calendar import work_calendar
from app.services.stats import Scope
from app.services.structure import agency_by_code

IMPORTED_NOTE = "Nhập từ hệ thống cũ"
INTAKE, PROCESSING = "tiep_nhan", "xu_ly"
_CHANNEL_DELIVERY = {1: "counter", 2: "online", 3: "post"}


class _FieldError(ValueError):
    """A coherence rule of DossierRecord broken, naming the field it is about."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Applicant(_Shape):
    HoTen: str = Field("", max_length=150)
    SoDinhDanh: str = Field("", max_length=12)
    DiaChi: str = Field("", max_length=300)
    SoDienThoai: str = Field("", max_length=15)
    Email: str = Field("", max_length=254)


class StatusEntry(_Shape):
    TrangThai: int = Field(ge=1, le=10)
    ThoiDiem: AwareDatetime
    GhiChu: str = ""


class SupplementRequest(_Shape):
    GiaiDoan: Literal["tiep_nhan", "xu_ly"]
    NgayYeuCau: AwareDatetime
    NgayBoSung: AwareDatetime | None = None


class FeeLine(_Shape):
    SoTien: int = Field(gt=0)
    HinhThucThanhToan: Literal["counter", "national_portal", "provincial_gateway"]
    NgayThanhToan: AwareDatetime
    SoBienLai: str = Field("", max_length=60)


class DossierRecord(_Shape):
    """One line of the file: one dossier as the national synchronisation record describes it."""

    MaHoSo: str = Field(min_length=1, max_length=60, pattern=r"^\S+$")
    MaTTHC: str = Field(min_length=1, max_length=20)
    PhienBanTTHC: int | None = Field(None, ge=1)
    CoQuanTiepNhan: str = Field(min_length=1, max_length=35)
    DonViXuLy: str | None = Field(None, min_length=1, max_length=35)
    KenhThucHien: Literal[1, 2, 3]
    TrangThaiHoSo: int = Field(ge=1, le=10)
    NgayNopHoSo: AwareDatetime | None = None
    NgayTiepNhan: AwareDatetime | None = None
    NgayHenTra: AwareDatetime | None = None
    NgayHenTraMoi: AwareDatetime | None = None
    NgayKetThucXuLy: AwareDatetime | None = None
    NgayTraKetQua: AwareDatetime | None = None
    KetQuaGiaiQuyet: Literal["approved", "denied"] | None = None
    ChuHoSo: Applicant = Field(default_factory=Applicant)
    QuaTrinhXuLy: list[StatusEntry] = Field(min_length=1)
    YeuCauBoSung: list[SupplementRequest] = []
    PhiLePhi: list[FeeLine] = []
    CoTepDinhKem: bool = False
    # A fully signed electronic result file exists (domain.timeline.is_electronic_result): an
    # unsigned page is not an e-result for the indices and is not carried over.
    CoKetQuaDienTu: bool = False
    KhongHaiLong: bool = False

    @field_validator("MaHoSo")
    @classmethod
    def _canonical_code(cls, value: str) -> str:
        """Codes are stored as the rest of the portal writes them (upper case, as dossiers.by_code
        finds them): "…h62-…" and "…H62-…" are one dossier, not two."""
        return value.upper()

    @property
    def status(self) -> Status:
        return Status.from_national_code(self.TrangThaiHoSo)

    @model_validator(mode="after")
    def _coherent(self) -> DossierRecord:
        status = self.status
        received = status not in (Status.SUBMITTED, Status.REFUSED)
        ended = status in (Status.STOPPED, Status.RESOLVED, Status.RETURNED)
        decided = status in (Status.RESOLVED, Status.RETURNED)
        for name, needed, present in (
                ("NgayTiepNhan", received, self.NgayTiepNhan),
                ("NgayHenTra", self.NgayTiepNhan is not None, self.NgayHenTra),
                ("NgayKetThucXuLy", ended, self.NgayKetThucXuLy), ("KetQuaGiaiQuyet", decided, self.KetQuaGiaiQuyet),
                ("NgayTraKetQua", status is Status.RETURNED, self.NgayTraKetQua)):
            if needed and present is None:
                raise _FieldError(name, f"bắt buộc khi TrangThaiHoSo = {self.TrangThaiHoSo}")
        if self.NgayKetThucXuLy is not None and not ended and status is not Status.REFUSED:
            raise _FieldError("NgayKetThucXuLy", f"hồ sơ ở trạng thái {self.TrangThaiHoSo} chưa kết thúc xử lý")
        if self.KetQuaGiaiQuyet is not None and not decided:
            raise _FieldError("KetQuaGiaiQuyet", f"hồ sơ ở trạng thái {self.TrangThaiHoSo} chưa có kết quả giải quyết")
        if self.NgayTiepNhan and self.NgayKetThucXuLy and self.NgayKetThucXuLy < self.NgayTiepNhan:
            raise _FieldError("NgayKetThucXuLy", "trước NgayTiepNhan")
        if self.QuaTrinhXuLy[-1].TrangThai != self.TrangThaiHoSo:
            raise _FieldError("QuaTrinhXuLy", "trạng thái cuối cùng phải là TrangThaiHoSo")
        times = [entry.ThoiDiem for entry in self.QuaTrinhXuLy]
        if times != sorted(times):
            raise _FieldError("QuaTrinhXuLy", "các mốc phải theo thứ tự thời gian")
        # The history must be a walk through our own workflow table and guards, and its
        # supplement requests (one at intake, one during processing at most) the ones listed.
        try:
            walked = replay([Status.from_national_code(entry.TrangThai) for entry in self.QuaTrinhXuLy])
        except HistoryError as error:
            raise _FieldError(f"QuaTrinhXuLy.{error.step}", str(error)) from None
        for stage, count in ((INTAKE, walked.intake_supplements), (PROCESSING, walked.processing_supplements)):
            if sum(r.GiaiDoan == stage for r in self.YeuCauBoSung) != count:
                raise _FieldError("YeuCauBoSung", f"số yêu cầu bổ sung giai đoạn {stage} phải bằng số lần chuyển sang "
                                                  f"trạng thái 5 từ giai đoạn đó trong QuaTrinhXuLy ({count})")
        for request in self.YeuCauBoSung:
            if request.NgayBoSung is not None and request.NgayBoSung < request.NgayYeuCau:
                raise _FieldError("YeuCauBoSung", "NgayBoSung trước NgayYeuCau")
        if self.CoKetQuaDienTu and not decided:
            raise _FieldError("CoKetQuaDienTu", f"hồ sơ ở trạng thái {self.TrangThaiHoSo} chưa có kết quả giải quyết")
        return self


@dataclass(frozen=True)
class Refusal:
    line: int
    field: str
    message: str


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


# Pydantic's error types in Vietnamese; any other type falls back to pydantic's own message.
_MESSAGES = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không có trong cấu trúc (docs/interchange.md)",
    "timezone_aware": "thời điểm phải có múi giờ, ví dụ 2026-02-03T09:00:00+07:00",
    "datetime_from_date_parsing": "không phải thời điểm ISO 8601 có múi giờ",
    "datetime_parsing": "không phải thời điểm ISO 8601 có múi giờ",
    "datetime_type": "không phải thời điểm ISO 8601 có múi giờ",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "greater_than": "phải lớn hơn {gt}",
    "literal_error": "giá trị không hợp lệ; chỉ nhận {expected}",
    "int_parsing": "phải là số nguyên",
    "int_type": "phải là số nguyên",
    "string_type": "phải là chuỗi",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "list_type": "phải là một danh sách",
    "too_short": "không được để trống",
    "string_too_short": "không được để trống",
    "string_too_long": "dài quá {max_length} ký tự",
    "string_pattern_mismatch": "không được chứa khoảng trắng",
    "json_invalid": "dòng không phải JSON hợp lệ",
    "model_type": "phải là một đối tượng JSON",
}


def _refusals(number: int, error: ValidationError) -> list[Refusal]:
    refusals = []
    for item in error.errors():
        cause = (item.get("ctx") or {}).get("error")
        if isinstance(cause, _FieldError):
            refusals.append(Refusal(number, cause.name, str(cause)))
            continue
        template = _MESSAGES.get(item["type"])
        message = template.format(**(item.get("ctx") or {})) if template else item["msg"]
        refusals.append(Refusal(number, ".".join(str(part) for part in item["loc"]) or "(dòng)", message))
    return refusals


class _Unknown(Exception):
    def __init__(self, refusals: list[Refusal]):
        super().__init__(refusals)
        self.refusals = refusals


def import_lines(lines: Iterable[str], now: datetime | None = None) -> ImportReport:
    """Import a JSON Lines file, one transaction per line; see the module docstring."""
    now = now or utcnow()
    report = ImportReport()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = DossierRecord.model_validate_json(raw)
        except ValidationError as error:
            report.refused += _refusals(number, error)
            continue
        if dossiers.by_code(record.MaHoSo) is not None:
            report.skipped.append(record.MaHoSo)
            continue
        try:
            _store(record, number, now)
            db.session.commit()
        except _Unknown as unknown:
            db.session.rollback()
            report.refused += unknown.refusals
        except IntegrityError:  # the same code stored meanwhile by another import
            db.session.rollback()
            report.skipped.append(record.MaHoSo)
        else:
            report.imported.append(record.MaHoSo)
    return report


def _version(record: DossierRecord, number: int) -> ProcedureVersion | Refusal:
    """The version the line names, else the version in force when the dossier was received
    (or submitted), else the procedure's latest."""
    versions = list(db.session.scalars(select(ProcedureVersion).where(ProcedureVersion.code == record.MaTTHC)
                                       .order_by(ProcedureVersion.number)))
    if not versions:
        return Refusal(number, "MaTTHC", f"không có thủ tục mã {record.MaTTHC} trong danh mục")
    if record.PhienBanTTHC is not None:
        chosen = next((v for v in versions if v.number == record.PhienBanTTHC), None)
        return chosen or Refusal(number, "PhienBanTTHC",
                                 f"thủ tục {record.MaTTHC} không có phiên bản {record.PhienBanTTHC}")
    moment = record.NgayTiepNhan or record.NgayNopHoSo or record.QuaTrinhXuLy[0].ThoiDiem
    in_force = [v for v in versions if v.published_at <= moment and (v.valid_to is None or moment < v.valid_to)]
    return (in_force or versions)[-1]


def _store(record: DossierRecord, number: int, now: datetime) -> Dossier:
    version = _version(record, number)
    agencies = {code: agency_by_code(code)
                for code in {record.CoQuanTiepNhan, record.DonViXuLy} - {None}}
    refusals = [version] if isinstance(version, Refusal) else []
    refusals += [Refusal(number, name, f"không có cơ quan mã định danh {code}")
                 for name, code in (("CoQuanTiepNhan", record.CoQuanTiepNhan), ("DonViXuLy", record.DonViXuLy))
                 if code is not None and agencies[code] is None]
    if refusals:
        raise _Unknown(refusals)
    pause = next((r for r in record.YeuCauBoSung if r.GiaiDoan == PROCESSING), None)
    paused_at, resumed_at = (pause.NgayYeuCau, pause.NgayBoSung) if pause else (None, None)
    due = record.NgayHenTra
    applicant = record.ChuHoSo
    history = record.QuaTrinhXuLy
    statuses = [Status.from_national_code(entry.TrangThai).value for entry in history]
    dossier = Dossier(
        code=record.MaHoSo, procedure_version=version, receiving_agency=agencies[record.CoQuanTiepNhan],
        resolving_agency=agencies.get(record.DonViXuLy), owner=None, status=record.status.value,
        previous_status=statuses[-2] if len(statuses) > 1 else None, channel=record.KenhThucHien,
        delivery=_CHANNEL_DELIVERY[record.KenhThucHien], imported=True,
        applicant_name=applicant.HoTen, applicant_id_number=applicant.SoDinhDanh, applicant_address=applicant.DiaChi,
        applicant_phone=applicant.SoDienThoai, applicant_email=applicant.Email, form_data={},
        created_at=history[0].ThoiDiem, updated_at=now,
        submitted_at=record.NgayNopHoSo or history[0].ThoiDiem, received_at=record.NgayTiepNhan, due_at=due,
        # the deadline in force: moved later by the answered processing pause, as resume_after_supplement does
        effective_due_at=(extend_for_pause(due, paused_at, resumed_at, work_calendar()) if due and resumed_at else due),
        rescheduled_due_at=record.NgayHenTraMoi, paused_at=paused_at, resumed_at=resumed_at,
        finished_at=record.NgayKetThucXuLy, outcome=record.KetQuaGiaiQuyet, returned_at=record.NgayTraKetQua,
        intake_supplements=sum(r.GiaiDoan == INTAKE for r in record.YeuCauBoSung),
        processing_supplements=1 if pause else 0,
        has_files=record.CoTepDinhKem, has_e_result=record.CoKetQuaDienTu, rated_poor=record.KhongHaiLong,
        paid_online=any(fee.HinhThucThanhToan in processing.ONLINE_PAYMENT_CHANNELS for fee in record.PhiLePhi),
    )
    db.session.add(dossier)
    for previous, entry, status in zip([None, *statuses], history, statuses, strict=False):
        db.session.add(DossierEvent(dossier=dossier, action="import", from_status=previous, to_status=status,
                                    at=entry.ThoiDiem, note=_note(entry.GhiChu)))
    for fee in record.PhiLePhi:
        db.session.add(Payment(dossier=dossier, amount=fee.SoTien, channel=fee.HinhThucThanhToan,
                               receipt_number=fee.SoBienLai, paid_at=fee.NgayThanhToan))
    if dossier.received_at is not None:
        processing.stamp(dossier, dossier.finished_at or now)
    return dossier


def _note(note: str) -> str:
    return f"{IMPORTED_NOTE}. {note}" if note else IMPORTED_NOTE


def _original_note(note: str) -> str:
    """The note as the file gave it (an exported imported dossier round-trips)."""
    if note == IMPORTED_NOTE:
        return ""
    return note.removeprefix(f"{IMPORTED_NOTE}. ")


# --- export ---------------------------------------------------------------------------------

def _office(moment: datetime | None) -> datetime | None:
    return moment.astimezone(OFFICE_TZ) if moment is not None else None


def record_of(dossier: Dossier) -> DossierRecord:
    """The dossier in the interchange shape (validated as an import would validate it)."""
    changes = [e for e in dossier.events if e.from_status != e.to_status]
    requests = []
    for i, event in enumerate(changes):
        if event.to_status == Status.SUPPLEMENT_REQUESTED and event.from_status == Status.SUBMITTED:
            answer = next((e.at for e in changes[i + 1:] if e.from_status == Status.SUPPLEMENT_REQUESTED), None)
            requests.append(SupplementRequest(GiaiDoan=INTAKE, NgayYeuCau=_office(event.at),
                                              NgayBoSung=_office(answer)))
    if dossier.paused_at is not None:
        requests.append(SupplementRequest(GiaiDoan=PROCESSING, NgayYeuCau=_office(dossier.paused_at),
                                          NgayBoSung=_office(dossier.resumed_at)))
    return DossierRecord(
        MaHoSo=dossier.code, MaTTHC=dossier.procedure_version.code, PhienBanTTHC=dossier.procedure_version.number,
        CoQuanTiepNhan=dossier.receiving_agency.code,
        DonViXuLy=dossier.resolving_agency.code if dossier.resolving_agency else None,
        KenhThucHien=dossier.channel, TrangThaiHoSo=Status(dossier.status).national_code,
        NgayNopHoSo=_office(dossier.submitted_at), NgayTiepNhan=_office(dossier.received_at),
        NgayHenTra=_office(dossier.due_at), NgayHenTraMoi=_office(dossier.rescheduled_due_at),
        NgayKetThucXuLy=_office(dossier.finished_at), NgayTraKetQua=_office(dossier.returned_at),
        KetQuaGiaiQuyet=dossier.outcome,
        ChuHoSo=Applicant(HoTen=dossier.applicant_name, SoDinhDanh=dossier.applicant_id_number,
                          DiaChi=dossier.applicant_address, SoDienThoai=dossier.applicant_phone,
                          Email=dossier.applicant_email),
        QuaTrinhXuLy=[StatusEntry(TrangThai=Status(e.to_status).national_code, ThoiDiem=_office(e.at),
                                  GhiChu=_original_note(e.note)) for e in changes],
        YeuCauBoSung=sorted(requests, key=lambda r: r.NgayYeuCau),
        PhiLePhi=[FeeLine(SoTien=p.amount, HinhThucThanhToan=p.channel, NgayThanhToan=_office(p.paid_at),
                          SoBienLai=p.receipt_number) for p in dossier.payments],
        CoTepDinhKem=dossier.has_files, CoKetQuaDienTu=dossier.has_e_result, KhongHaiLong=dossier.rated_poor,
    )


def export_lines(start: date, end: date) -> Iterator[str]:
    """The dossiers received (or, never received, submitted) from `start` to `end` inclusive
    (office days), one JSON line each, oldest first."""
    scope = Scope(start, end)
    moment = func.coalesce(Dossier.received_at, Dossier.submitted_at)
    query = (select(Dossier).where(Dossier.code.is_not(None), Dossier.status != Status.DRAFT,
                                   moment >= scope.since, moment < scope.until)
             .options(selectinload(Dossier.events), selectinload(Dossier.payments),
                      selectinload(Dossier.procedure_version), selectinload(Dossier.receiving_agency),
                      selectinload(Dossier.resolving_agency))
             .order_by(moment, Dossier.id))
    for dossier in db.session.scalars(query):
        yield record_of(dossier).model_dump_json()
