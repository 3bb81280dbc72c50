"""Forms issued for a dossier: number them in the transaction of the decision, render their
PDF in a job after the commit (Circular 01/2018/TT-VPCP forms 01–03; fields per LEGAL.md §2.2)."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, url_for

from app.domain.structure import AgencyKind, Level
from app.extensions import db
from app.models import Agency, Dossier, IssuedDocument, User
from app.services import storage
from app.services.counters import next_value
from app.services.documents import qr_svg_data_uri, render_pdf
from app.tasks import enqueue

KINDS = {
    "receipt": ("GTN", "receipt", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "supplement_request": ("PBS", "supplement_request", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "refusal": ("PTC", "refusal", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "apology": ("PXL", "apology", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    "stop_notice": ("TBD", "stop_notice", "Thông báo dừng giải quyết hồ sơ"),
    "result": ("KQ", "result", "Kết quả giải quyết thủ tục hành chính"),
}
COPY_LABELS = {"original": "Bản chính", "copy": "Bản sao", "original_or_copy": "Bản chính hoặc bản sao"}
UNITS = {"working_days": "ngày làm việc", "working_hours": "giờ làm việc", "calendar_days": "ngày"}


def _issuer_suffix(agency: Agency) -> str:
    if agency.kind == AgencyKind.ONE_STOP:
        return "TTPVHCC" if agency.level == Level.PROVINCE else "BPMC"
    return {"committee": "UBND", "department": "CQCM"}[agency.kind]


def issue(dossier: Dossier, kind: str, staff: User | None, now: datetime, content: dict | None = None,
          agency: Agency | None = None) -> IssuedDocument:
    """Number the form (a sequence per issuing agency, per kind, per year) and record it; the
    caller commits. The desk issues forms 01–03 and the stop notice; the competent agency the
    apology and the result."""
    agency = agency or dossier.receiving_agency
    sequence = next_value(f"doc:{kind}:{agency.code}", str(now.year))
    document = IssuedDocument(dossier=dossier, kind=kind, number=f"{sequence}/{KINDS[kind][0]}-{_issuer_suffix(agency)}",
                              agency=agency, issued_by=staff, content=content or {}, created_at=now)
    db.session.add(document)
    return document


def dispatch(document: IssuedDocument) -> None:
    """After the commit: render the PDF in a job (inline without Redis)."""
    from app.tasks.documents import (
        render_issued_document,  # the job module imports this one
    )

    enqueue(render_issued_document, document.id)


def title(document: IssuedDocument) -> str:
    return KINDS[document.kind][2]


def lookup_url(dossier: Dossier) -> str:
    """Where the receipt's QR code (and the e-mails) lead: the public lookup of this dossier,
    on PUBLIC_URL — a job has no request to take the host from."""
    with current_app.test_request_context():
        path = url_for("public.lookup", ma=dossier.code)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def context(document: IssuedDocument) -> dict:
    """The plain data a form shows (services/documents.py's contract)."""
    dossier = document.dossier
    version = dossier.procedure_version
    spec = version.spec
    desk = dossier.receiving_agency
    parent = desk.parent
    value = version.time_value
    url = lookup_url(dossier) if dossier.code else None
    present = {f.component for f in dossier.files}
    return {
        "managing_body": (parent.name if parent else desk.name).upper(),
        "issuer": desk.name.upper() if desk.kind == AgencyKind.ONE_STOP else "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
        "number": document.number, "place": desk.unit.name.split(" ", 1)[-1] if desk.level == Level.PROVINCE else desk.unit.name,
        "issued_at": document.created_at, "electronic": dossier.channel == 2,
        "code": dossier.code, "procedure": {"code": version.code, "name": version.name},
        "applicant": {"full_name": dossier.applicant_name, "id_number": dossier.applicant_id_number,
                      "address": dossier.applicant_address, "phone": dossier.applicant_phone, "email": dossier.applicant_email},
        "represented": dossier.represented,
        "documents": [{"name": d["name"], "copy": COPY_LABELS[d["copy"]], "count": d["count"]}
                      for d in spec["documents"] if d["key"] in present or d["required"]],
        "sets": 1,
        "processing_time": f"{int(value) if value == value.to_integral() else value} {UNITS[version.time_unit]}",
        "received_at": dossier.received_at, "due_at": dossier.due_at,
        "pickup": {"counter": f"Tại {desk.name}", "post": "Gửi qua dịch vụ bưu chính công ích đến địa chỉ người nộp",
                   "online": "Nhận kết quả điện tử trên Cổng dịch vụ công"}[dossier.delivery],
        "register": {"book": str(document.created_at.year), "entry": int(document.number.split("/")[0])},
        "official": {"full_name": document.issued_by.full_name if document.issued_by else "",
                     "phone": document.issued_by.phone if document.issued_by and document.issued_by.phone else ""},
        "lookup_url": url, "qr": qr_svg_data_uri(url) if url and document.kind == "receipt" else None,
        "items": document.content.get("items", []), "reasons": document.content.get("reasons", []),
        "reason": document.content.get("reason", ""),
        # apology (04), stop notice, result: issued by `agency_name`, signed by `signer`
        "agency_name": document.agency.name, "signer": document.issued_by.full_name if document.issued_by else "",
        "new_due_at": _when(document.content.get("new_due_at")), "requested_at": _when(document.content.get("requested_at")),
        "outcome": document.content.get("outcome"), "result_title": spec["result"],
        "fields": [{"label": f["label"], "value": _shown(f, dossier.form_data[f["key"]])}
                   for f in spec["form"] if f["key"] in dossier.form_data],
    }


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _shown(field: dict, value) -> str:
    """An e-form value as a person reads it (a select's label, Có/Không for a checkbox)."""
    if field["type"] == "select":
        return next((c["label"] for c in field["choices"] if c["value"] == value), str(value))
    if field["type"] == "checkbox":
        return "Có" if value else "Không"
    return str(value)


def render(document_id: int) -> None:
    """The job's body: render and store the PDF once; a re-run finds it done (idempotent)."""
    document = db.session.get(IssuedDocument, document_id)
    if document is None or document.sha256:
        return
    pdf = render_pdf(KINDS[document.kind][1], context(document))
    document.sha256 = storage.store_bytes(pdf, "application/pdf").sha256
    # Not an electronic result yet: only a signed one is (domain.timeline.is_electronic_result;
    # the dossier's has_e_result is stamped when signed_at is set).
    db.session.commit()
