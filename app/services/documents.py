"""The official one-stop forms as PDF: Jinja templates (templates/documents/) rendered by WeasyPrint.

Pure rendering: no database, no commit, no clock. The caller gathers the data (dossier,
procedure, official, ...) into a plain dict and gets PDF bytes back. `render_pdf` must run inside
a Flask app context (it uses flask.render_template and the app's template folder).

Forms (LEGAL.md 2.2, the QĐ 3621/QĐ-BYT wording of the TT 03/2025/TT-VPCP forms):

    "receipt"             Form 01  GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ
    "supplement_request"  Form 02  PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ
    "refusal"             Form 03  PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ

and, each with its own keys described at the top of its template: "apology" (form 04),
"control_slip" (form 05), "register" (form 06), "stop_notice", "result", "monthly_report".

Context contract (one dict for every form; a form ignores the keys it does not print).
Strings are printed as given (HTML-escaped), except `managing_body` and `issuer`, which the
header upper-cases. Every datetime must be timezone-aware; it is printed in office time
(Asia/Ho_Chi_Minh). A naive datetime is an error (ValueError), never guessed.

    managing_body   str   "UBND TỈNH VĨNH PHÚC"                    header, left, upper-case
    issuer          str   "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"      header, left, bold upper-case
    centre          str   optional: the receiving unit's full name in running text, e.g.
                          "Trung tâm Phục vụ hành chính công tỉnh Vĩnh Phúc" (forms 01 and 03);
                          defaults to `issuer`
    number          str   "12/PTN-TTPVHCC"                          printed "Số: 12/PTN-TTPVHCC"
    place           str   "Vĩnh Phúc"                               "Vĩnh Phúc, ngày 02 tháng 3 năm 2026"
    issued_at       datetime (aware)                                the date of that line
    electronic      bool  True: digital-signature captions and the footer note
                          "Văn bản điện tử được ký số theo quy định."
    signed          bool  optional, defaults to `electronic`: whether the PDF will carry digital
                          signatures (the footer note); False for forms printed on demand
    signature_slots [str] optional: on an electronic form, the signatures' stamp slots in the
                          signature block, in signing order ("personal", "seal"), anchored
                          "sig-<role>" for the signing job
    code            str | None   dossier code; None on a refusal or supplement before a code exists
    procedure       {"code": "1.001193", "name": "..."}             Nội dung yêu cầu giải quyết
    applicant       {"full_name", "id_number", "address", "phone", "email"}
                          the person (or organisation) who submits; empty values print as blank
    represented     None | {"full_name", "id_number", "address", "phone", "email", "authorisation"}
                          form 01: the principal (người ủy quyền) when the applicant acts for
                          someone; "authorisation" (the authorisation document) is optional
    documents       [{"name", "copy": "Bản chính" | "Bản sao" | ..., "count": 1}]   form 01 table
    sets            int   số bộ hồ sơ (form 01)
    processing_time str   "15 ngày làm việc" (form 01)
    received_at     datetime (aware)   form 01, "09 giờ 05 phút, ngày 02/03/2026"
    due_at          datetime (aware)   form 01, same format
    pickup          str   where the result is collected (form 01)
    register        {"book": "01", "entry": 12}   form 01: Sổ theo dõi hồ sơ, quyển số / số thứ tự;
                          None or missing prints the line without numbers
    official        {"full_name", "phone"}   the receiving official (forms 01, 03) or the guiding
                          official and contact person (form 02)
    lookup_url      str   public lookup page, printed small under the QR code (form 01)
    qr              str | None   an image URI for the QR code (see qr_svg_data_uri); when falsy
                          and `lookup_url` is set, render_pdf builds it from `lookup_url`
    items           [str]  form 02: what to add or correct, numbered
    reason          str    form 02: Lý do
    reasons         [str]  form 03: the specific reasons, numbered (a lone `reason` is used
                          when `reasons` is empty)

render_pdf adds two callables to the context, so the templates need no app-wide filters:

    fmt_time(dt)  -> "09 giờ 05 phút, ngày 02/03/2026"   (form 01 times; "" for None)
    fmt_day(dt)   -> "02/03/2026"
    fmt_date(dt)  -> "ngày 02 tháng 3 năm 2026"          (date line; Decree 30/2020/NĐ-CP,
                     Appendix I: a day below 10 and the months 1 and 2 get a leading zero)
"""
from __future__ import annotations

import functools
import hashlib
import re
from datetime import date, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import segno
from flask import current_app, render_template
from flask_babel import force_locale

from app import dates
from app.i18n import DEFAULT


def qr_svg_data_uri(url: str) -> str:
    """The QR code of `url` (error correction level M) as an SVG data: URI for <img src=...>.

    The SVG has a viewBox and no fixed size, so CSS sets the printed size."""
    if not url:
        raise ValueError("qr_svg_data_uri needs a URL")
    return segno.make(url, error="m", micro=False).svg_data_uri(omitsize=True, border=4)


def fmt_time(value: datetime | None) -> str:
    """'hh giờ mm phút, ngày dd/mm/yyyy' in office time (form 01); '' when None."""
    return dates.pattern(value, "HH 'giờ' mm 'phút', 'ngày' dd/MM/yyyy") if value is not None else ""


def fmt_day(value: datetime | None) -> str:
    """'dd/mm/yyyy' in office time; '' when None."""
    return dates.date(value)


def fmt_short(value: datetime | None) -> str:
    """'hh:mm dd/mm/yyyy' in office time, for the narrow columns of the register; '' when None."""
    return dates.short_datetime(value)


def fmt_date(value: date | datetime | None) -> str:
    """'ngày 02 tháng 3 năm 2026' (the place-and-date line), office time for datetimes.

    Decree 30/2020/NĐ-CP Appendix I: days below 10 and the months 1 and 2 take a leading zero."""
    if value is None:
        return ""
    month = "MM" if dates.pattern(value, "M") in ("1", "2") else "M"
    return dates.pattern(value, f"'ngày' dd 'tháng' {month} 'năm' yyyy")


def _documents_folder() -> Path:
    folder = Path(current_app.template_folder)
    if not folder.is_absolute():
        folder = Path(current_app.root_path) / folder
    return (folder / "documents").resolve()


def _weasyprint():
    """WeasyPrint, imported when a PDF is first made, not when the portal starts: a web worker
    that renders no PDF is some 40 MB smaller without it (issue 15)."""
    import weasyprint
    return weasyprint


def _local_fetcher(folder: Path):
    """WeasyPrint's URL fetcher limited to data: URIs and files inside `folder` (templates/
    documents): the forms never fetch from the network, whatever a field contains (the
    templates escape every value anyway). Errors stop the rendering (a missing stylesheet must
    not give an unstyled official form)."""
    return _fetcher_class()(folder)


@functools.cache
def _fetcher_class() -> type:
    class LocalFetcher(_weasyprint().URLFetcher):
        def __init__(self, folder: Path):
            super().__init__(allowed_protocols=("data", "file"), fail_on_errors=True)
            self._folder = folder

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if not path.is_relative_to(self._folder):
                    raise ValueError(f"documents: refusing to read {url!r}")
            return super().fetch(url, headers)
    return LocalFetcher


def render_html(template: str, context: dict) -> str:
    """The HTML that `render_pdf` hands to WeasyPrint: templates/documents/<template>.html with
    `context` and the formatting callables. Cheap (Jinja only); report_cache keys on it."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", template) or template == "base":
        raise ValueError(f"not a document template: {template!r}")
    data = dict(context)
    if not data.get("qr") and data.get("lookup_url"):
        data["qr"] = qr_svg_data_uri(data["lookup_url"])
    data.setdefault("centre", data.get("issuer"))
    data.update(fmt_time=fmt_time, fmt_short=fmt_short, fmt_day=fmt_day, fmt_date=fmt_date)
    # An official form is Vietnamese whatever the language of the page that asked for it
    # (app/i18n.py): the filters that follow the page's language (datetime_vn) give Vietnamese.
    with force_locale(DEFAULT):
        return render_template(f"documents/{template}.html", **data)


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint: the costly step (a monthly report takes a large part of a second). Files are
    fetched from templates/documents only (see _local_fetcher)."""
    folder = _documents_folder()
    return _weasyprint().HTML(
        string=html, base_url=folder.as_uri() + "/", url_fetcher=_local_fetcher(folder),
    ).write_pdf()


def render_pdf(template: str, context: dict) -> bytes:
    """Render templates/documents/<template>.html with `context` (see the module docstring)
    and return the PDF. Needs a Flask app context."""
    return html_to_pdf(render_html(template, context))


def layout_identity() -> str:
    """What, besides the HTML, decides the PDF WeasyPrint makes of it: every file under
    templates/documents (the stylesheet it links, the templates) and WeasyPrint's version, as
    one SHA-256. The folder is a few dozen KB, hashed on each call, so an edited stylesheet
    counts at once, also while templates auto-reload. The system fonts are not in it."""
    folder = _documents_folder()
    digest = hashlib.sha256(f"weasyprint {_weasyprint().__version__}".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(b"\0" + path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
