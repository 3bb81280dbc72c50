"""The control slip (form 06 of TT 03/2025, 05 of TT 01/2018) and the dossier register (form 07 /
06, on screen, CSV/XLSX and PDF), read from the hand-offs and the dossiers themselves
(statistics are SQL over dated facts, never a second copy)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import dates, numbers
from app.domain import msg
from app.domain.deadlines import OFFICE_TZ
from app.domain.signing import is_electronic
from app.domain.vocabulary import Delivery
from app.domain.workflow import Status
from app.extensions import db
from app.models import Agency, Dossier, IssuedDocument
from app.models.users import utcnow
from app.services import issuing
from app.services.documents import render_pdf
from app.services.errors import ServiceError


def slip_rows(dossier: Dossier) -> list[dict]:
    """One row per hand-off (StepTask) of form 06 (TT 03/2025; 05 in TT 01/2018), LEGAL.md §8:

    - Giao: when the previous holder handed the dossier over = the step's `given_at`, the
      instant the previous step was closed (for the first row, the acceptance, when the
      applicant's papers were handed to the desk).
    - Nhận: when this holder received it. The portal forwards a dossier electronically, so it
      is received the same instant it is handed over (Decree 118/2025 Art. 18: electronic
      dossiers are forwarded at once): Nhận = Giao. This is a choice between the two the issue
      allows; "when first opened" would need a record of every opening, which the portal does
      not keep. The completion of a step (`done_at`) is never its Nhận: it is the next row's Giao.
    - Người giao: who completed the previous step (the previous row's `done_by`); for the first
      row, the applicant who handed the papers in. Người nhận: who holds this step: whoever
      completed it, else the colleague it is assigned to, else blank (held by the role).
    - Result (trước hạn / đúng hạn / quá hạn): only for a hand-off that was finished; an open
      step, or one ended by stopping the dossier (processing.stop leaves no result), shows none.
    """
    rows, previous = [], None
    for step in dossier.steps:
        giver = previous.done_by.full_name if previous is not None and previous.done_by else (
            dossier.applicant_name if previous is None else "")
        holder = step.done_by or step.assignee
        rows.append({"unit": step.agency.name, "given_at": step.given_at, "received_at": step.given_at,
                     "giver": giver, "receiver": holder.full_name if holder else "",
                     "result": step.result if step.done_at else None, "note": f"{step.name}. {step.note}".strip()})
        previous = step
    return rows


def control_slip_pdf(dossier: Dossier) -> bytes:
    """The control slip ("Phiếu kiểm soát quá trình giải quyết hồ sơ"), rendered on demand (it
    changes with every hand-off, so it is not stored). Its number is the dossier's entry in the
    desk's register (the receipt's number in the book), the same on every print. The
    electronic-signature note and captions only on an electronic (channel 2) dossier; a paper
    dossier's slip travels with the papers and has room to sign by hand (LEGAL.md §1.3)."""
    desk = dossier.receiving_agency
    resolving = dossier.resolving_agency or desk
    coordinating = sorted({s.agency.name for s in dossier.steps} - {desk.name, resolving.name})
    receipt = _receipt(dossier)
    apology = dossier.apology if dossier.apology and dossier.apology.status == "approved" else None
    context = {
        **issuing.header(desk), "centre": desk.name, "issued_at": utcnow(),
        "electronic": is_electronic(dossier.channel),
        "signed": False,  # printed on demand, never signed: no footer claiming a signature
        "number": f"{issuing.entry_number(receipt)}/PKS-{issuing.issuer_suffix(desk)}" if receipt else "",
        "code": dossier.code,
        "procedure": {"code": dossier.procedure_version.code, "name": dossier.procedure_version.name},
        "applicant": {"full_name": dossier.applicant_name}, "agency_name": resolving.name,
        "coordinating": coordinating, "received_at": dossier.received_at, "due_at": dossier.due_at,
        "apology": {"new_due_at": apology.new_due_at, "issued_at": apology.decided_at,
                    "late": apology.late} if apology else None,
        "steps": slip_rows(dossier),
    }
    return render_pdf("control_slip", context)


def _receipt(dossier: Dossier) -> IssuedDocument | None:
    return next((d for d in dossier.documents if d.kind == "receipt"), None)


@dataclass(frozen=True)
class RegisterRow:
    """A row of the register "Sổ theo dõi hồ sơ" (form 07 of TT 03/2025; 06 of TT 01/2018).
    `number` is the dossier's entry in the desk's book of that year, the Số thứ tự printed on
    its receipt (None for a dossier with no receipt); `due_at` is the ORIGINAL appointment,
    `rescheduled_due_at` the apology's new date beside it, never instead of it (LEGAL.md §8)."""

    number: int | None
    code: str
    procedure: str
    applicant: str
    contact: str
    agency: str
    received_at: datetime | None
    due_at: datetime | None
    rescheduled_due_at: datetime | None
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
            .options(selectinload(Dossier.procedure_version), selectinload(Dossier.resolving_agency),
                     selectinload(Dossier.documents))
            .order_by(Dossier.received_at, Dossier.id))


def _row(d: Dossier, desk: Agency) -> RegisterRow:
    # The book's own number (the receipt's entry), whatever period or page is shown: a row is
    # the same line of the same book on the screen, in the PDF and in CSV/XLSX.
    receipt = _receipt(d)
    return RegisterRow(issuing.entry_number(receipt) if receipt else None, d.code, d.procedure_version.name,
                       d.applicant_name, ", ".join(filter(None, [d.applicant_address, d.applicant_phone])),
                       (d.resolving_agency or desk).name, d.received_at, d.due_at, d.rescheduled_due_at,
                       d.returned_at, Delivery(d.return_method or d.delivery).label, Status(d.status).citizen_label)


def register(desk: Agency, start: date, end: date) -> list[RegisterRow]:
    """Every row of the period (for CSV/XLSX and the PDF)."""
    return [_row(d, desk) for d in db.session.scalars(_register_query(desk, start, end))]


def register_page(desk: Agency, start: date, end: date, page: int, per_page: int):
    """One page of the period on screen: (the pagination, its rows)."""
    pagination = db.paginate(_register_query(desk, start, end), page=page, per_page=per_page, error_out=False)
    return pagination, [_row(d, desk) for d in pagination.items]


# WeasyPrint lays out about 100 register rows a second (this machine): a PDF is rendered in
# the request, so a period with more rows is refused with a clear message, not a timeout.
REGISTER_PDF_MAX_ROWS = 1000


def register_pdf(desk: Agency, start: date, end: date) -> bytes:
    """Form 06 "Sổ theo dõi hồ sơ" of a desk over a period, printed (A4 landscape) with a column
    for the applicant's signature on collecting the result."""
    rows = register(desk, start, end)
    if len(rows) > REGISTER_PDF_MAX_ROWS:
        raise ServiceError(msg("Kỳ này có %(count)s hồ sơ; bản PDF in tối đa %(max)s dòng. Hãy chọn kỳ ngắn hơn, "
                               "hoặc tải CSV/XLSX.", count=numbers.number(len(rows)),
                               max=numbers.number(REGISTER_PDF_MAX_ROWS)))
    # Số: the book (quyển số = the office year, as the receipts print it) of the period.
    book = str(start.year) if start.year == end.year else f"{start.year}-{end.year}"
    context = {
        **issuing.header(desk), "issued_at": utcnow(), "electronic": False,
        "number": f"{book}/STD-{issuing.issuer_suffix(desk)}",
        "period_label": f"từ ngày {dates.date(start)} đến ngày {dates.date(end)}", "rows": rows,
    }
    return render_pdf("register", context)


REGISTER_COLUMNS = ["STT", "Mã hồ sơ", "Tên thủ tục", "Người nộp", "Địa chỉ, điện thoại", "Cơ quan chủ trì giải quyết",
                    "Ngày tiếp nhận", "Ngày hẹn trả", "Ngày hẹn trả mới (xin lỗi)", "Ngày trả kết quả",
                    "Hình thức nhận kết quả", "Trạng thái"]


def register_table(rows: list[RegisterRow]) -> list[list]:
    return [[r.number, r.code, r.procedure, r.applicant, r.contact, r.agency, r.received_at, r.due_at,
             r.rescheduled_due_at, r.returned_at, r.method, r.status] for r in rows]
