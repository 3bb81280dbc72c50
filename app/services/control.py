"""The control slip (form 05) and the dossier register (form 06, on screen, CSV/XLSX and PDF), read from the hand-offs and
the dossiers themselves (statistics are SQL over dated facts, never a second copy)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.domain.deadlines import OFFICE_TZ
from app.domain.workflow import Status
from app.extensions import db
from app.models import Agency, Dossier
from app.models.users import utcnow
from app.services.documents import render_pdf
from app.services.dossiers import DELIVERIES
from app.services.errors import ServiceError


def control_slip_pdf(dossier: Dossier) -> bytes:
    """Form 05 "Phiếu kiểm soát quá trình giải quyết hồ sơ": one row per hand-off, rendered on
    demand (it changes with every hand-off, so it is not stored)."""
    desk = dossier.receiving_agency
    resolving = dossier.resolving_agency or desk
    coordinating = sorted({s.agency.name for s in dossier.steps} - {desk.name, resolving.name})
    apology = dossier.apology if dossier.apology and dossier.apology.status == "approved" else None
    context = {
        "managing_body": (desk.parent.name if desk.parent else desk.name).upper(), "issuer": desk.name.upper(),
        "centre": desk.name, "number": "", "place": desk.unit.name, "issued_at": utcnow(), "electronic": True,
        "signed": False,  # printed on demand, never signed: no footer claiming a signature
        "code": dossier.code, "procedure": {"code": dossier.procedure_version.code, "name": dossier.procedure_version.name},
        "applicant": {"full_name": dossier.applicant_name}, "agency_name": resolving.name,
        "coordinating": coordinating, "received_at": dossier.received_at, "due_at": dossier.due_at,
        "apology": {"new_due_at": apology.new_due_at, "issued_at": apology.decided_at, "late": apology.late} if apology else None,
        "steps": [{"unit": s.agency.name, "given_at": s.given_at, "received_at": s.done_at,
                   "giver": s.given_by.full_name if s.given_by else "", "receiver": s.done_by.full_name if s.done_by else "",
                   "result": s.result, "note": f"{s.name}. {s.note}".strip()} for s in dossier.steps],
    }
    return render_pdf("control_slip", context)


@dataclass(frozen=True)
class RegisterRow:
    """A row of form 06 "Sổ theo dõi hồ sơ"."""

    number: int
    code: str
    procedure: str
    applicant: str
    contact: str
    agency: str
    received_at: datetime | None
    due_at: datetime | None
    returned_at: datetime | None
    method: str
    status: str


def _register_query(desk: Agency, start: date, end: date):
    """The dossiers a desk received between two dates (inclusive, Vietnam time), with what a
    row shows loaded in the same round trips (no query per row)."""
    since = datetime.combine(start, time(0), tzinfo=OFFICE_TZ)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=OFFICE_TZ)
    return (select(Dossier).where(Dossier.receiving_agency_id == desk.id, Dossier.received_at >= since,
                                  Dossier.received_at < until)
            .options(selectinload(Dossier.procedure_version), selectinload(Dossier.resolving_agency))
            .order_by(Dossier.received_at, Dossier.id))


def _rows(dossiers, desk: Agency, first: int = 1) -> list[RegisterRow]:
    return [RegisterRow(n, d.code, d.procedure_version.name, d.applicant_name,
                        ", ".join(filter(None, [d.applicant_address, d.applicant_phone])),
                        (d.resolving_agency or desk).name, d.received_at, d.rescheduled_due_at or d.due_at,
                        d.returned_at, DELIVERIES[d.return_method or d.delivery], Status(d.status).citizen_label)
            for n, d in enumerate(dossiers, start=first)]


def register(desk: Agency, start: date, end: date) -> list[RegisterRow]:
    """Every row of the period (for CSV/XLSX)."""
    return _rows(db.session.scalars(_register_query(desk, start, end)), desk)


def register_page(desk: Agency, start: date, end: date, page: int, per_page: int):
    """One page of the period on screen: (the pagination, its rows numbered from the period's start)."""
    pagination = db.paginate(_register_query(desk, start, end), page=page, per_page=per_page, error_out=False)
    return pagination, _rows(pagination.items, desk, first=(pagination.page - 1) * per_page + 1)


# WeasyPrint lays out about 100 register rows a second (this machine): a PDF is rendered in
# the request, so a period with more rows is refused with a clear message, not a timeout.
REGISTER_PDF_MAX_ROWS = 1000


def register_pdf(desk: Agency, start: date, end: date) -> bytes:
    """Form 06 "Sổ theo dõi hồ sơ" of a desk over a period, printed (A4 landscape) with a column
    for the applicant's signature on collecting the result."""
    rows = register(desk, start, end)
    if len(rows) > REGISTER_PDF_MAX_ROWS:
        raise ServiceError(f"Kỳ này có {len(rows):,} hồ sơ; bản PDF in tối đa {REGISTER_PDF_MAX_ROWS:,} dòng. "
                           "Hãy chọn kỳ ngắn hơn, hoặc tải CSV/XLSX.".replace(",", "."))
    context = {
        "managing_body": (desk.parent.name if desk.parent else desk.name).upper(), "issuer": desk.name.upper(),
        "number": "", "place": desk.unit.name, "issued_at": utcnow(), "electronic": False,
        "period_label": f"từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}", "rows": rows,
    }
    return render_pdf("register", context)


REGISTER_COLUMNS = ["STT", "Mã hồ sơ", "Tên thủ tục", "Người nộp", "Địa chỉ, điện thoại", "Cơ quan chủ trì giải quyết",
                    "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả", "Hình thức nhận kết quả", "Trạng thái"]


def register_table(rows: list[RegisterRow]) -> list[list]:
    return [[r.number, r.code, r.procedure, r.applicant, r.contact, r.agency, r.received_at, r.due_at, r.returned_at,
             r.method, r.status] for r in rows]
