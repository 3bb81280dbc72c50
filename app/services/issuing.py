"""Forms issued for a dossier: number them in the transaction of the decision, render their
PDF in a job after the commit (Circular 01/2018/TT-VPCP forms 01–03; fields per LEGAL.md §2.2)."""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app, url_for
from sqlalchemy import select, update

from app import dates, numbers
from app.domain import N_, checklist
from app.domain.deadlines import OFFICE_TZ, SAME_DAY_UNITS, TimeUnit
from app.domain.signing import is_electronic, required_signatures
from app.domain.structure import AgencyKind, Level, signing_capacity
from app.domain.text import date_in_words
from app.domain.vocabulary import CopyKind
from app.extensions import db
from app.models import Agency, Dossier, IssuedDocument, User
from app.queue import RENDER_DOCUMENT, enqueue
from app.services import storage
from app.services.claims import claim
from app.services.counters import next_value
from app.services.documents import qr_svg_data_uri, render_pdf

# The titles are Vietnamese (the PDFs print them); pages translate them where they show them.
KINDS = {
    "receipt": ("GTN", "receipt", N_("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")),
    "supplement_request": ("PBS", "supplement_request", N_("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")),
    "refusal": ("PTC", "refusal", N_("Phiếu từ chối tiếp nhận giải quyết hồ sơ")),
    "apology": ("PXL", "apology", N_("Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết")),
    "stop_notice": ("TBD", "stop_notice", N_("Thông báo dừng giải quyết hồ sơ")),
    "result": ("KQ", "result", N_("Kết quả giải quyết thủ tục hành chính")),
}


def issuer_suffix(agency: Agency) -> str:
    if agency.kind == AgencyKind.ONE_STOP:
        return "TTPVHCC" if agency.level == Level.PROVINCE else "BPMC"
    return {"committee": "UBND", "department": "CQCM"}[agency.kind]


def issue(dossier: Dossier, kind: str, staff: User | None, now: datetime, content: dict | None = None,
          agency: Agency | None = None) -> IssuedDocument:
    """Number the form (a sequence per issuing agency, per kind, per year) and record it; the
    caller commits. The desk issues forms 01–03 and the stop notice; the competent agency the
    apology and the result."""
    agency = agency or dossier.receiving_agency
    # The year of the book is the office year: 00:30 on 1 January in Vietnam is still the 31st in UTC.
    sequence = next_value(f"doc:{kind}:{agency.code}", str(now.astimezone(OFFICE_TZ).year))
    document = IssuedDocument(dossier=dossier, kind=kind, number=f"{sequence}/{KINDS[kind][0]}-{issuer_suffix(agency)}",
                              agency=agency, issued_by=staff, content=content or {}, created_at=now)
    db.session.add(document)
    return document


def dispatch(document: IssuedDocument) -> None:
    """After the commit: render the PDF in a job (inline without Redis)."""
    enqueue(RENDER_DOCUMENT, document.id)


def title(document: IssuedDocument) -> str:
    return KINDS[document.kind][2]


def entry_number(document: IssuedDocument) -> int:
    """The sequence of a form in its book: a receipt's is the dossier's entry (số thứ tự) in the
    desk's Sổ theo dõi hồ sơ of that year (form 01; the register numbers its rows by it)."""
    return int(document.number.split("/", 1)[0])


def book_of(document: IssuedDocument) -> str:
    """The register book (quyển số) a form was entered in: the office year it was issued."""
    return str(document.created_at.astimezone(OFFICE_TZ).year)


def template_of(document: IssuedDocument) -> str:
    """The layout of a form: a result uses the procedure's `result_template` (procedure file,
    checked against templates/documents/result_<name>.html when loaded), else the generic one."""
    approved = document.kind == "result" and document.content.get("outcome") == "approved"
    # A denial is no birth extract: it is the generic page with its reason.
    name = document.dossier.procedure_version.spec.get("result_template") if approved else None
    return f"result_{name}" if name else KINDS[document.kind][1]


def header(agency: Agency) -> dict:
    """The header of a form issued by `agency` (Decree 30/2020/NĐ-CP Appendix I: the managing
    body above the issuing agency, then the place of the date line). The desk issues forms
    01–03 and the stop notice under its own name; the competent agency issues the apology and
    the result under ITS name, never the desk's. A People's Committee heads its papers with its
    own name alone (it has no managing body above it in a header) [R: from the Appendix's
    samples as recalled]."""
    managing = "" if agency.kind == AgencyKind.COMMITTEE or agency.parent is None else agency.parent.name
    unit = agency.unit.name
    return {"managing_body": managing.upper(), "issuer": agency.name.upper(),
            "place": unit.split(" ", 1)[-1] if agency.level == Level.PROVINCE else unit}


def public_url(endpoint: str, **values) -> str:
    """A page's address on PUBLIC_URL, for what leaves the site (QR codes, e-mail links): a job
    has no request to take the host from, and a request's Host header is the client's to set."""
    with current_app.test_request_context():
        path = url_for(endpoint, **values)
    return current_app.config["PUBLIC_URL"].rstrip("/") + path


def lookup_url(dossier: Dossier) -> str:
    """Where the receipt's QR code (and the e-mails) lead: the public lookup of this dossier,
    with the dossier's secret, so that the holder of the receipt sees the procedure and the
    history (lookup.proves)."""
    return public_url("public.lookup", ma=dossier.code, k=dossier.lookup_secret)


def context(document: IssuedDocument) -> dict:
    """The plain data a form shows (services/documents.py's contract)."""
    dossier = document.dossier
    version = dossier.procedure_version
    spec = version.spec
    desk = dossier.receiving_agency
    url = lookup_url(dossier) if dossier.code else None
    present = {f.component for f in dossier.files}
    official = document.issued_by
    on_behalf, capacity = signing_capacity(document.agency.kind, document.agency.level)
    shown = {f["key"]: shown_value(f, dossier.form_data[f["key"]])
             for f in spec["form"] if f["key"] in dossier.form_data}
    slots = required_signatures(document.kind, is_electronic(dossier.channel))  # signed ⇔ it says so
    return {
        **header(document.agency),
        "number": document.number, "issued_at": document.created_at,
        "electronic": bool(slots), "signature_slots": list(slots),
        # The receiving unit's full name, as written, in the running text of forms 01 and 03.
        "centre": desk.name,
        # Only the official code: a refused or not yet received dossier has none (form 03 "if any").
        "code": dossier.code, "reference": dossier.reference if dossier.reference != dossier.code else None,
        "procedure": {"code": version.code, "name": version.name},
        "applicant": {"full_name": dossier.applicant_name, "id_number": dossier.applicant_id_number,
                      "address": dossier.applicant_address, "phone": dossier.applicant_phone,
                      "email": dossier.applicant_email},
        "represented": dossier.represented,
        "documents": [{"name": d["name"], "copy": CopyKind(d["copy"]).label, "count": int(d["count"])}
                      for d in checklist.papers_received(spec["documents"], dossier.checked_documents, present)],
        "sets": dossier.sets,
        "processing_time": TimeUnit(version.time_unit).label if version.time_unit in SAME_DAY_UNITS
        else f"{numbers.exact(version.time_value)} {TimeUnit(version.time_unit).label}",
        "received_at": dossier.received_at, "due_at": dossier.due_at,
        # The template writes "Đăng ký nhận kết quả tại: …": the place alone, no second "tại".
        "pickup": {"counter": desk.name, "post": "Dịch vụ bưu chính công ích, gửi đến địa chỉ người nộp",
                   "online": "Cổng dịch vụ công (kết quả điện tử)"}[dossier.delivery],
        "register": {"book": book_of(document),
                     "entry": entry_number(document)} if document.kind == "receipt" else None,
        "official": {"full_name": official.full_name if official else "",
                     "phone": (official.phone or "") if official else ""},
        "lookup_url": url, "qr": qr_svg_data_uri(url) if url and document.kind == "receipt" else None,
        "items": document.content.get("items", []), "reasons": document.content.get("reasons", []),
        "reason": document.content.get("reason", ""),
        # apology (04), stop notice, result: issued by `agency_name`, signed by `signer` (the
        # leader who took the step: for a result, the decision step), in `signer_capacity`
        "agency_name": document.agency.name, "signer": official.full_name if official else "",
        "signer_on_behalf": on_behalf, "signer_capacity": capacity,
        "new_due_at": _when(document.content.get("new_due_at")),
        "requested_at": _when(document.content.get("requested_at")),
        "outcome": document.content.get("outcome"), "result_title": spec["result"],
        "fields": [{"label": f["label"], "value": shown[f["key"]]} for f in spec["form"] if f["key"] in shown],
        "values": shown, "dates_in_words": _dates_in_words(spec, dossier.form_data),
    }


def _dates_in_words(spec: dict, data: dict) -> dict[str, str]:
    """The e-form's dates in words, for layouts that print them (a birth extract)."""
    words = {}
    for f in spec["form"]:
        if f["type"] == "date" and data.get(f["key"]):
            try:
                words[f["key"]] = date_in_words(date.fromisoformat(data[f["key"]]))
            except ValueError:
                continue
    return words


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def shown_value(field: dict, value) -> str:
    """An e-form value as a person reads it: a select's label, Có/Không for a checkbox, a date
    as dd/mm/yyyy (Decree 30/2020 writes dates day first), a number without trailing zeros.
    The pages show the e-form through it too (the `form_value` template global)."""
    if field["type"] == "select":
        return next((c["label"] for c in field["choices"] if c["value"] == value), str(value))
    if field["type"] == "checkbox":
        return "Có" if value else "Không"
    if field["type"] == "date" and isinstance(value, str):
        try:
            return dates.date(value)
        except ValueError:
            return value
    if field["type"] == "number" and value not in (None, ""):
        try:
            return numbers.exact(value)
        except ArithmeticError:
            return str(value)
    return str(value)


def unrendered(created_before: datetime, failed: bool = False) -> list[int]:
    """Ids of documents issued before `created_before` whose PDF was never stored (`flask jobs
    replay`): a render that never ran or whose worker died; with `failed`, also those whose
    render failed, once whoever runs it says the cause is fixed (their error is cleared)."""
    where = [IssuedDocument.sha256.is_(None), IssuedDocument.created_at < created_before]
    ids = list(db.session.scalars(select(IssuedDocument.id).where(
        *where, *([] if failed else [IssuedDocument.render_error.is_(None)])).order_by(IssuedDocument.id)))
    if failed and ids:
        db.session.execute(update(IssuedDocument).where(IssuedDocument.id.in_(ids)).values(render_error=None))
        db.session.commit()
    return ids


def render(document_id: int) -> None:
    """The job's body: render and store the PDF once; a re-run finds it done (idempotent), and
    a job racing another for the same document finds it taken (`claim`).

    A render that fails (its time limit: RQ raises JobTimeoutException in the job; a template
    error) records why on the document for staff and re-raises so RQ records the failure;
    `flask jobs replay` leaves it until the cause is fixed (`--failed`)."""
    document = claim(IssuedDocument, document_id, IssuedDocument.sha256.is_(None))
    if document is None:
        return
    try:
        pdf = render_pdf(template_of(document), context(document))
    except Exception as error:
        db.session.rollback()
        db.session.execute(update(IssuedDocument).where(IssuedDocument.id == document_id).values(
            render_error=(str(error) or type(error).__name__)[:2000]))
        db.session.commit()
        raise
    document.sha256 = storage.store_bytes(pdf, "application/pdf").sha256
    document.render_error = None
    # Not an electronic result yet: only a signed one is (domain.timeline.is_electronic_result;
    # the dossier's has_e_result is stamped when signed_at is set).
    db.session.commit()
