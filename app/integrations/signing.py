"""PAdES signatures with pyHanko: a key on a PKCS#11 token (USB token, HSM, SoftHSM2 in the
tests) or in a PKCS#12 file, a visible stamp box at the form's signature block, an RFC 3161
timestamp and validation data when a TSA is configured, and validation with
pyhanko-certvalidator. No use case and no database here: services/signing.py decides who signs
what; this module only turns bytes and a key location into signed bytes, and back into a report.

Levels (ETSI EN 319 142-1): without a TSA a signature is PAdES B-B (the signing time is the one
the signer's machine claims, inside the signed attributes); with one it is B-T, and with the
chain's certificates and revocation data stored in the document (DSS) it is B-LT, checkable
after the certificates expire.
"""
from __future__ import annotations

import contextlib
import hashlib
import html
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import pem, x509

from app import dates

# pyHanko and WeasyPrint are imported where a signature is made or checked, not when the portal
# starts: a web worker that signs nothing is some 40 MB smaller without them (issue 15).
if TYPE_CHECKING:
    from pyhanko.sign import signers
    from pyhanko_certvalidator import ValidationContext

SIGNATURE_SPACE = 16_384  # bytes reserved for the CMS; a B-LT one with its chain fits


class SigningUnavailable(Exception):
    """The key cannot be used: module or file missing, token absent, wrong PIN, key or
    certificate not found, certificate not valid now. The message is shown to the desk."""


@dataclass(frozen=True)
class KeyLocation:
    """Where a key lives; never the key itself. `secret` is the PIN (PKCS#11) or the file's
    passphrase (PKCS#12), read from the environment by the caller."""
    backend: str                         # "pkcs11" | "pkcs12"
    secret: str | None = None
    pkcs11_module: str | None = None
    token_label: str | None = None
    slot: int | None = None
    key_label: str | None = None
    certificate_pem: str | None = None   # PKCS#11: the signer's certificate when not on the token
    chain_pem: str | None = None         # intermediate certificates, PEM, optional
    pkcs12_path: str | None = None


@dataclass(frozen=True)
class Box:
    """A rectangle on a page, in PDF points from the bottom-left corner."""
    page: int
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass
class SignatureReport:
    """What a person checking a document needs to know about one of its signatures."""
    field_name: str
    signer: str                   # the certificate subject's common name
    subject: str
    issuer: str
    signed_at: datetime | None    # the time the signer claims (B-B), or the TSA's (B-T and above)
    timestamped: bool
    intact: bool                  # the signed bytes are unchanged
    valid: bool                   # the CMS signature checks out with the certificate
    trusted: bool                 # the certificate chains to a trusted root
    covers_whole_file: bool       # nothing but allowed additions (a later signature) after it
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted


def _certs_from_pem(text: str | None) -> list[x509.Certificate]:
    if not text:
        return []
    data = text.encode()
    return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]


def load_pem_certificates(path: str | Path) -> list[x509.Certificate]:
    return _certs_from_pem(Path(path).read_text())


@contextlib.contextmanager
def open_signer(location: KeyLocation) -> Iterator[signers.Signer]:
    """A pyHanko signer for the key; a PKCS#11 session is closed on the way out. Every failure
    to reach the key is a SigningUnavailable with a message a desk can act on."""
    from pyhanko.sign import signers

    if location.backend == "pkcs12":
        path = location.pkcs12_path or ""
        if not Path(path).is_file():
            raise SigningUnavailable(f"Không tìm thấy tệp khóa PKCS#12 “{path}”.")
        passphrase = location.secret.encode() if location.secret is not None else None
        try:
            signer = signers.SimpleSigner.load_pkcs12(
                path, passphrase=passphrase, ca_chain_files=None)
        except Exception as error:  # pyHanko logs and re-raises crypto errors of many kinds
            raise SigningUnavailable(f"Không mở được tệp khóa PKCS#12 (sai mật khẩu?): {error}") from None
        if signer is None:
            raise SigningUnavailable("Không mở được tệp khóa PKCS#12 (sai mật khẩu hoặc tệp hỏng).")
        signer.cert_registry.register_multiple(_certs_from_pem(location.chain_pem))
        yield signer
        return
    if location.backend != "pkcs11":
        raise SigningUnavailable(f"Kiểu lưu khóa không hỗ trợ: {location.backend}.")
    from pkcs11 import PKCS11Error
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    module = location.pkcs11_module or ""
    if not Path(module).is_file():
        raise SigningUnavailable(f"Không tìm thấy thư viện PKCS#11 “{module}”.")
    if location.secret is None:
        raise SigningUnavailable("Chưa có mã PIN của thiết bị ký (biến môi trường chưa đặt).")
    try:
        session = open_pkcs11_session(
            module, slot_no=location.slot,
            token_criteria=TokenCriteria(label=location.token_label) if location.token_label else None,
            user_pin=location.secret)
    except (PKCS11Error, OSError) as error:
        raise SigningUnavailable(f"Không mở được thiết bị ký PKCS#11: {type(error).__name__} {error}".strip()) from None
    try:
        certificate = _certs_from_pem(location.certificate_pem)
        signer = PKCS11Signer(session, key_label=location.key_label,
                              cert_label=None if certificate else location.key_label,
                              signing_cert=certificate[0] if certificate else None,
                              ca_chain=_certs_from_pem(location.chain_pem))
        try:
            loaded = signer.signing_cert  # loads the certificate now, so a missing one fails here
        except Exception as error:
            raise SigningUnavailable(
                f"Không tìm thấy chứng thư số “{location.key_label}” trên thiết bị ký: {error}") from None
        # ECDSA keys: hash here and ask the token for raw ECDSA (CKM_ECDSA), which every token
        # has; many (SoftHSM2 among them) lack the combined CKM_ECDSA_SHA256.
        signer.use_raw_mechanism = loaded.public_key.algorithm == "ec"
        try:
            yield signer
        except PKCS11Error as error:
            raise SigningUnavailable(
                f"Thiết bị ký PKCS#11 từ chối ký: {type(error).__name__} {error}".strip()) from None
    finally:
        session.close()


def check_usable(certificate: x509.Certificate, now: datetime) -> None:
    """A certificate outside its validity period must not sign (Decree 130/2018 Art. 9: a
    signature is valid only while the certificate is)."""
    validity = certificate["tbs_certificate"]["validity"]
    not_before, not_after = validity["not_before"].native, validity["not_after"].native
    if now < not_before:
        raise SigningUnavailable(f"Chứng thư số chưa có hiệu lực (từ {dates.date(not_before)}).")
    if now > not_after:
        raise SigningUnavailable(f"Chứng thư số đã hết hạn ngày {dates.date(not_after)}.")


def describe(certificate: x509.Certificate) -> dict:
    """Subject, issuer and validity of a certificate, as plain data."""
    validity = certificate["tbs_certificate"]["validity"]
    return {"subject": certificate.subject.human_friendly, "issuer": certificate.issuer.human_friendly,
            "common_name": common_name(certificate),
            "not_before": validity["not_before"].native, "not_after": validity["not_after"].native,
            "serial": format(certificate.serial_number, "x"),
            "sha256": hashlib.sha256(certificate.dump()).hexdigest()}


def common_name(certificate: x509.Certificate) -> str:
    return certificate.subject.native.get("common_name") or certificate.subject.human_friendly


# The stamp box: the size of the template's `.sig-slot` (templates/documents/documents.css, 60 x 16 mm).
STAMP_SIZE = (60 / 25.4 * 72, 16 / 25.4 * 72)


def anchor_box(pdf: bytes, name: str) -> Box | None:
    """Where the template put the element with id `name`: WeasyPrint writes every id as a named
    destination (page, left, top); the stamp box of STAMP_SIZE hangs from that corner. None when
    the form has no such slot."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(pdf), strict=False)
    names = reader.root.get("/Names")
    tree = names.get("/Dests") if names is not None else None
    pages = [ref.idnum for ref in _page_refs(reader.root["/Pages"])]

    def find(node):
        node = node.get_object()
        entries = node.get("/Names") or []
        for i in range(0, len(entries) - 1, 2):
            if str(entries[i]) == name:
                return entries[i + 1]
        for kid in node.get("/Kids") or []:
            found = find(kid)
            if found is not None:
                return found
        return None

    destination = find(tree) if tree is not None else None
    if destination is None:
        return None
    page_ref, left, top = destination.raw_get(0), float(destination[2]), float(destination[3])
    width, height = STAMP_SIZE
    return Box(pages.index(page_ref.idnum), left, top - height, left + width, top)


def _page_refs(node) -> list:
    refs = []
    kids = node.get_object()["/Kids"]
    for i in range(len(kids)):
        kid = kids.raw_get(i)  # the reference, not the resolved page
        refs.extend(_page_refs(kid) if kid.get_object().get("/Type") == "/Pages" else [kid])
    return refs


def sign_pdf(pdf: bytes, signer: signers.Signer, *, field_name: str, box: Box | None, stamp_lines: list[str],
             reason: str, location: str, timestamper=None,
             validation_context: ValidationContext | None = None) -> bytes:
    """Append one PAdES signature (an incremental update: earlier signatures stay intact) in a
    new field, visible in `box` with `stamp_lines`. With a timestamper, the signature gets an
    RFC 3161 timestamp and, with a validation context, the chain's validation data (B-LT)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.stamp import StaticStampStyle

    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=box.page if box else 0,
                               box=(box.x1, box.y1, box.x2, box.y2) if box else None)
    fields.append_signature_field(writer, spec)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, reason=reason, location=location, subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        embed_validation_info=timestamper is not None and validation_context is not None,
        validation_context=validation_context if timestamper is not None else None,
        use_pades_lta=False)
    with tempfile.TemporaryDirectory() as folder:
        appearance = Path(folder) / "stamp.pdf"
        appearance.write_bytes(stamp_pdf(stamp_lines))
        style = StaticStampStyle.from_pdf_file(str(appearance), border_width=0)
        pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=timestamper, stamp_style=style)
        out = BytesIO()
        pdf_signer.sign_pdf(writer, output=out, bytes_reserved=SIGNATURE_SPACE)
    return out.getvalue()


def stamp_pdf(lines: list[str]) -> bytes:
    """The stamp box's appearance: a one-page PDF of STAMP_SIZE drawn by WeasyPrint in the
    forms' serif face (every Vietnamese diacritic), red frame and text as a seal's ink."""
    import weasyprint

    body = "<br>".join(html.escape(line) for line in lines)
    return weasyprint.HTML(string=(
        "<style>@page { size: 60mm 16mm; margin: 0 }"
        " body { margin: 0; font-family: 'Liberation Serif', 'Times New Roman', serif; font-size: 8.5pt;"
        " line-height: 1.25; color: #b00000 }"
        " div { box-sizing: border-box; height: 16mm; border: 0.75pt solid #b00000; padding: 1mm 1.5mm;"
        " overflow: hidden }</style>"
        f"<div>{body}</div>")).write_pdf()


def validation_context(trust_roots: list[x509.Certificate], *, crls=(), fetching: bool = False,
                       moment: datetime | None = None) -> ValidationContext:
    """Trust only the given roots (the province's CA, the national root; the demo root in the
    demo). Revocation is checked when data is at hand (embedded, given, or fetched when
    `fetching`); a missing CRL does not fail a B-B signature ("soft-fail")."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(trust_roots=trust_roots, crls=list(crls), allow_fetching=fetching,
                             revocation_mode="soft-fail", moment=moment)


def validate(pdf: bytes, trust_roots: list[x509.Certificate]) -> list[SignatureReport]:
    """Check every signature of the file: intact, valid, trusted, and whether the file was
    changed after it other than by a later signature. A file pyHanko cannot read raises ValueError."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature

    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as error:
        raise ValueError(f"not a readable PDF: {error}") from None
    reports = []
    for signature in embedded:
        problems = []
        try:
            status = validate_pdf_signature(signature, validation_context(trust_roots))
        except Exception as error:  # a corrupted CMS blob: invalid, not a crash
            certificate = None
            try:
                certificate = signature.signer_cert
            except Exception:
                pass
            reports.append(SignatureReport(
                field_name=signature.field_name, signer=common_name(certificate) if certificate else "",
                subject=certificate.subject.human_friendly if certificate else "",
                issuer=certificate.issuer.human_friendly if certificate else "", signed_at=None,
                timestamped=False, intact=False, valid=False, trusted=False, covers_whole_file=False,
                problems=[f"Không đọc được chữ ký: {error}"]))
            continue
        certificate = status.signing_cert
        trusted = status.trusted
        if not trusted:
            problems.append("Chứng thư số không chuỗi được tới tổ chức chứng thực tin cậy.")
        if not status.intact:
            problems.append("Nội dung đã bị thay đổi sau khi ký.")
        elif not status.valid:
            problems.append("Chữ ký không khớp với chứng thư số.")
        whole = status.docmdp_ok is not False and status.coverage is not None and status.coverage.name in (
            "ENTIRE_FILE", "ENTIRE_REVISION") and (status.diff_result is None or getattr(
                status.diff_result, "modification_level", None) is None or status.diff_result.modification_level.name
                in ("NONE", "LTA_UPDATES", "FORM_FILLING"))
        if not whole:
            problems.append("Tệp có thay đổi sau chữ ký này ngoài các chữ ký được phép.")
        stamp = status.timestamp_validity
        reports.append(SignatureReport(
            field_name=signature.field_name, signer=common_name(certificate),
            subject=certificate.subject.human_friendly, issuer=certificate.issuer.human_friendly,
            signed_at=stamp.timestamp if stamp else status.signer_reported_dt, timestamped=stamp is not None,
            intact=status.intact, valid=status.valid, trusted=trusted, covers_whole_file=whole, problems=problems))
    return reports
