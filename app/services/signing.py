"""Digital signatures of the issued documents (use cases): which certificate signs which
document, the signing job's body, `flask signing check`, and the public verification.

The rules of who signs what are in app/domain/signing.py; the cryptography (pyHanko) in
app/integrations/signing.py. A document that needs signatures is rendered first (issuing.render),
then signed by this job, one signature at a time, each an incremental update of the PDF:

- personal: the leader who approved the result (document.issued_by), once rendered;
- seal: the issuing agency's certificate (document.agency), for a result only once the clerk's
  issuing step after the decision is done (processing.complete_step enqueues the job then).

`signed_at` is set once every signature the kind needs is there and verified; until then the
document is "not signed" everywhere it is shown. A key that cannot be used (expired, token
absent, PIN unset) records `signing_error` for the desk and makes the job fail loudly; a re-run
signs what is still missing, once (one DocumentSignature per role, unique).
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update

from app import dates
from app.domain import msg
from app.domain.signing import PERSONAL, SEAL, SignatureRole, is_electronic, required_signatures
from app.domain.structure import Role
from app.domain.vocabulary import Channel
from app.extensions import db
from app.integrations import signing as crypto
from app.models import DocumentSignature, Dossier, IssuedDocument, SigningCertificate, User
from app.models.users import utcnow
from app.queue import SIGN_DOCUMENT, enqueue
from app.services import citizen_store, national_sync, storage
from app.services.errors import ServiceError
from app.services.structure import agency_by_code

log = logging.getLogger(__name__)
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")
# The demo's passphrase variable (demo only: `make run` exports it, README says so).
DEMO_SECRET_ENV = "MOTCUA_DEMO_SIGNING_PASSPHRASE"


class SigningFailed(RuntimeError):
    """The signing job could not sign: it fails loudly (RQ marks it failed; inline it is logged)."""


class SigningConfigError(ServiceError):
    """A certificate configuration refused (flask signing configure)."""


# --- which signatures, by which certificate ---------------------------------------------

def required(document: IssuedDocument) -> tuple[str, ...]:
    return required_signatures(document.kind, is_electronic(document.dossier.channel))


def _seal_released(document: IssuedDocument) -> bool:
    """A result gets the agency's seal at the clerk's issuing step after the decision (vào số,
    đóng dấu); a process without such a step seals right after the decision."""
    if document.kind != "result":
        return True
    from app.services.processing import decision_position  # processing imports this module

    dossier = document.dossier
    decision = decision_position(dossier)
    clerk_steps = {i for i, step in enumerate(dossier.procedure_version.spec["process"])
                   if i > decision and step["role"] == Role.CLERK}
    return not clerk_steps or any(s.done_at is not None for s in dossier.steps if s.position in clerk_steps)


def certificate_for(document: IssuedDocument, role: str) -> SigningCertificate | None:
    if role == PERSONAL:
        if document.issued_by_id is None:
            return None
        return db.session.scalar(select(SigningCertificate).where(SigningCertificate.user_id == document.issued_by_id))
    return db.session.scalar(select(SigningCertificate).where(SigningCertificate.agency_id == document.agency_id))


def _owner_label(document: IssuedDocument, role: str) -> str:
    if role == PERSONAL:
        return document.issued_by.full_name if document.issued_by else "người ký"
    return document.agency.name


def location_of(certificate: SigningCertificate) -> crypto.KeyLocation:
    """The key's location, with its PIN or passphrase read now from the named variable."""
    return crypto.KeyLocation(
        backend=certificate.backend, secret=os.environ.get(certificate.secret_env),
        pkcs11_module=certificate.pkcs11_module, token_label=certificate.token_label, slot=certificate.slot,
        key_label=certificate.key_label, certificate_pem=certificate.certificate_pem, chain_pem=certificate.chain_pem,
        pkcs12_path=certificate.pkcs12_path)


def trust_roots() -> list:
    """The roots a signature must chain to: SIGNING_TRUST_ROOTS, and outside production the
    demo CA's root when seed-demo made one."""
    paths = list(current_app.config["SIGNING_TRUST_ROOTS"])
    demo_root = Path(current_app.config["SIGNING_DEMO_DIR"]) / "demo-root.pem"
    if current_app.config.get("ENV_NAME") != "production" and demo_root.is_file():
        paths.append(str(demo_root))
    roots = []
    for path in paths:
        roots.extend(crypto.load_pem_certificates(path))
    return roots


# --- the job ----------------------------------------------------------------------------

def dispatch(document: IssuedDocument) -> None:
    """After the commit: sign in a job (inline without Redis)."""
    enqueue(SIGN_DOCUMENT, document.id)


def dispatch_seal(dossier: Dossier) -> None:
    """A step after the decision is committed: seal the dossier's result (a job) if it is due;
    `sign` applies the seal only once the clerk's issuing step is done (_seal_released)."""
    for document in dossier.documents:
        if document.kind == "result" and required(document) and document.signed_at is None:
            dispatch(document)


def sign(document_id: int, now: datetime | None = None) -> None:
    """The job's body: apply, in order, every signature that is due and missing; set
    `signed_at` when all are there and verified. Idempotent: a re-run adds nothing that is there."""
    document = db.session.get(IssuedDocument, document_id)
    if document is None or document.sha256 is None or document.signed_at is not None:
        return  # gone, not rendered yet (the render job's chain signs it), or done
    roles = required(document)
    if not roles:
        return
    done = {s.role for s in document.signatures}
    for role in roles:
        if role in done:
            continue
        if role == SEAL and not _seal_released(document):
            return  # waits for the clerk's issuing step
        who = f"{SignatureRole(role).label} ({_owner_label(document, role)})"
        try:
            _apply(document, role, now or utcnow())
        except crypto.SigningUnavailable as error:
            _fail(document_id, f"{who}: {error}")
        except Exception as error:  # noqa: BLE001 - whatever broke, the desk must see it unsigned
            log.exception("signing document %s", document_id)
            _fail(document_id, f"{who}: lỗi khi ký ({type(error).__name__}).")
        done.add(role)
        document = db.session.get(IssuedDocument, document_id)
    _finish(document_id, roles, now or utcnow())


def _fail(document_id: int, message: str) -> None:
    db.session.rollback()
    db.session.execute(update(IssuedDocument).where(IssuedDocument.id == document_id).values(signing_error=message))
    db.session.commit()
    log.error("signing document %s failed: %s", document_id, message)
    raise SigningFailed(message)


def _apply(document: IssuedDocument, role: str, now: datetime) -> None:
    certificate = certificate_for(document, role)
    if certificate is None:
        raise crypto.SigningUnavailable("chưa cấu hình chứng thư số (flask signing configure).")
    before = document.sha256
    pdf = storage.read(before)
    timestamper, context = _timestamping()
    with crypto.open_signer(location_of(certificate)) as signer:
        crypto.check_usable(signer.signing_cert, now)
        facts = crypto.describe(signer.signing_cert)
        box = crypto.anchor_box(pdf, f"sig-{role}")
        signed = crypto.sign_pdf(
            pdf, signer, field_name=f"{role}-{document.id}", box=box,
            stamp_lines=_stamp_lines(facts, role, now), reason=_reason(document, role),
            location=document.agency.name, timestamper=timestamper, validation_context=context)
    after = storage.store_bytes(signed, "application/pdf").sha256
    changed = db.session.execute(update(IssuedDocument).where(IssuedDocument.id == document.id,
                                                             IssuedDocument.sha256 == before)
                                 .values(sha256=after, signing_error=None)).rowcount
    if changed != 1:  # another run signed it meanwhile: keep its version
        db.session.rollback()
        return
    db.session.add(DocumentSignature(
        document_id=document.id, role=role, signer=facts["common_name"], subject=facts["subject"],
        issuer=facts["issuer"], certificate_fingerprint=facts["sha256"], level="B-LT" if timestamper else "B-B",
        signed_at=now, sha256=after))
    db.session.commit()
    db.session.expire_all()


def _timestamping():
    """With TSA_URL: an RFC 3161 timestamp and the chain's validation data (B-LT), revocation
    data fetched from the CAs' CRL/OCSP addresses; without it: none (B-B)."""
    url = current_app.config["TSA_URL"]
    if not url:
        return None, None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url), crypto.validation_context(trust_roots(), fetching=True)


def _stamp_lines(facts: dict, role: str, now: datetime) -> list[str]:
    return [f"Ký bởi: {facts['common_name']}", SignatureRole(role).label,
            "Thời gian ký: " + dates.pattern(now, "HH:mm:ss 'ngày' dd/MM/yyyy")]


def _reason(document: IssuedDocument, role: str) -> str:
    code = document.dossier.code
    what = f"số {document.number}" + (f", hồ sơ {code}" if code else "")
    return f"Phê duyệt kết quả {what}" if role == PERSONAL else f"Phát hành văn bản {what}"


def _finish(document_id: int, roles: tuple[str, ...], now: datetime) -> None:
    """Every signature is there: check the file as anyone would, then mark it signed."""
    document = db.session.get(IssuedDocument, document_id)
    if {s.role for s in document.signatures} != set(roles):
        return
    pdf = storage.read(document.sha256)
    reports = crypto.validate(pdf, trust_roots())
    if len(reports) != len(roles) or not all(r.ok and r.covers_whole_file for r in reports):
        problems = "; ".join(p for r in reports for p in r.problems) or "thiếu chữ ký"
        _fail(document_id, f"Chữ ký vừa tạo không kiểm tra được: {problems}")
    document.signed_at, document.signing_error = now, None   # and the dossier's e-result (CoKetQuaDienTu)
    citizen_store.keep_result(document, size=len(pdf))
    db.session.commit()
    national_sync.dispatch()   # the national record the e-result wrote (national_sync's commit event)


def unsigned() -> list[IssuedDocument]:
    """Rendered documents whose signing failed and that are still unsigned (`flask signing
    retry`); a result merely waiting for the clerk's step has not failed and is not here."""
    return list(db.session.scalars(select(IssuedDocument).where(
        IssuedDocument.signed_at.is_(None), IssuedDocument.sha256.is_not(None),
        IssuedDocument.signing_error.is_not(None)).order_by(IssuedDocument.id)))


def waiting(created_before: datetime) -> list[int]:
    """Ids of rendered documents, issued before `created_before`, that `sign` would sign now
    and that are not signed (`flask jobs replay`): a failed attempt, or a job that never ran.
    A result waiting for the clerk's issuing step is not waiting for a job and is not here."""
    documents = db.session.scalars(select(IssuedDocument).join(IssuedDocument.dossier).where(
        IssuedDocument.signed_at.is_(None), IssuedDocument.sha256.is_not(None),
        IssuedDocument.created_at < created_before, Dossier.channel == Channel.ONLINE).order_by(IssuedDocument.id))
    return [d.id for d in documents if _signable(d)]


def _signable(document: IssuedDocument) -> bool:
    """Whether `sign` has work to do: it applies the missing signatures in order and stops at
    a seal not yet released; with none missing, it checks and marks the file signed."""
    done = {s.role for s in document.signatures}
    missing = [role for role in required(document) if role not in done]
    return bool(required(document)) and (not missing or missing[0] != SEAL or _seal_released(document))


# --- what a page shows --------------------------------------------------------------------

@dataclass(frozen=True)
class SignatureView:
    role: str
    label: str
    signer: str
    signed_at: datetime
    level: str


@dataclass(frozen=True)
class DocumentSigning:
    """A document's signing state as the pages and the API show it."""
    needed: bool
    signed: bool
    signed_at: datetime | None
    signatures: list[SignatureView]
    error: str | None    # why signing failed, for staff only
    failed: bool

    @property
    def label(self) -> str:
        if not self.needed:
            return "Bản giấy, không ký số"
        if self.signed:
            return "Đã ký số"
        if self.failed:
            return "Chưa ký số được"
        return "Đang chờ ký số"

    def as_json(self) -> dict:
        return {"needs_signature": self.needed, "signed": self.signed, "status": self.label,
                "signed_at": self.signed_at.isoformat() if self.signed_at else None,
                "signing_error": self.error,
                "signatures": [{"role": s.role, "signer": s.signer, "signed_at": s.signed_at.isoformat(),
                                "level": s.level} for s in self.signatures]}


def state(document: IssuedDocument, viewer: User) -> DocumentSigning:
    """The signing state `viewer` may see: staff see why signing failed (the desk must act on
    it); the applicant only that it is pending (the error names certificates and key files)."""
    return DocumentSigning(
        needed=bool(required(document)), signed=document.signed_at is not None, signed_at=document.signed_at,
        signatures=[SignatureView(s.role, SignatureRole(s.role).label, s.signer, s.signed_at,
                                  s.level) for s in document.signatures],
        error=document.signing_error if not viewer.is_citizen else None,
        failed=document.signing_error is not None)


# --- flask signing check / configure ------------------------------------------------------

@dataclass
class CertificateCheck:
    owner: str          # the agency or the official
    kind: str           # seal | personal
    location: str
    facts: dict | None = None
    days_left: int | None = None
    reachable: bool = False
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.reachable and self.problem is None


def check(now: datetime | None = None) -> list[CertificateCheck]:
    """Open every configured key (as signing would) and report its certificate."""
    now = now or utcnow()
    results = []
    for certificate in db.session.scalars(select(SigningCertificate).order_by(SigningCertificate.id)):
        user = certificate.user
        owner = certificate.agency.name if certificate.agency else f"{user.full_name} <{user.email}>"
        where = (f"PKCS#11 {certificate.pkcs11_module} token={certificate.token_label or '-'} slot={certificate.slot}"
                 f" key={certificate.key_label}" if certificate.backend == "pkcs11"
                 else f"PKCS#12 {certificate.pkcs12_path}")
        result = CertificateCheck(owner, certificate.kind, f"{where} (PIN: ${certificate.secret_env})")
        try:
            with crypto.open_signer(location_of(certificate)) as signer:
                result.reachable = True
                result.facts = crypto.describe(signer.signing_cert)
                result.days_left = (result.facts["not_after"] - now).days
                crypto.check_usable(signer.signing_cert, now)
        except crypto.SigningUnavailable as error:
            result.problem = str(error)
        results.append(result)
    return results


def configure(*, agency_code: str | None = None, user_email: str | None = None, backend: str, secret_env: str,
              pkcs11_module: str | None = None, token_label: str | None = None, slot: int | None = None,
              key_label: str | None = None, pkcs12_path: str | None = None, certificate_pem: str | None = None,
              chain_pem: str | None = None) -> SigningCertificate:
    """Record where an agency's seal key or an official's personal key lives (replacing the
    previous configuration). Only locations and public certificates are stored."""
    if (agency_code is None) == (user_email is None):
        raise SigningConfigError("Chỉ định đúng một: cơ quan (--agency) hoặc cán bộ (--user).")
    if not _ENV_NAME.fullmatch(secret_env or ""):
        raise SigningConfigError("Tên biến môi trường chứa mã PIN/mật khẩu không hợp lệ (chữ in hoa, số, _).")
    if backend == "pkcs11" and not (pkcs11_module and key_label):
        raise SigningConfigError("PKCS#11 cần đường dẫn thư viện (--module) và nhãn khóa (--key-label).")
    if backend == "pkcs12" and not pkcs12_path:
        raise SigningConfigError("PKCS#12 cần đường dẫn tệp (--pkcs12).")
    if backend not in ("pkcs11", "pkcs12"):
        raise SigningConfigError("Kiểu lưu khóa phải là pkcs11 hoặc pkcs12.")
    if agency_code is not None:
        owner = agency_by_code(agency_code)
        if owner is None:
            raise SigningConfigError(msg("Không có cơ quan mã %(code)s.", code=agency_code), status=404)
        row = db.session.scalar(select(SigningCertificate).where(SigningCertificate.agency_id == owner.id))
        row = row or SigningCertificate(agency=owner)
    else:
        owner = db.session.scalar(select(User).where(User.email == user_email.lower()))
        if owner is None:
            raise SigningConfigError(msg("Không có tài khoản %(email)s.", email=user_email), status=404)
        row = db.session.scalar(select(SigningCertificate).where(SigningCertificate.user_id == owner.id))
        row = row or SigningCertificate(user=owner)
    row.backend, row.secret_env = backend, secret_env
    row.pkcs11_module, row.token_label, row.slot, row.key_label = pkcs11_module, token_label, slot, key_label
    row.pkcs12_path, row.certificate_pem, row.chain_pem = pkcs12_path, certificate_pem, chain_pem
    db.session.add(row)
    db.session.commit()
    return row


# --- public verification --------------------------------------------------------------------

class VerifyError(ServiceError):
    """A verification request refused (no file, not a PDF, too large, unknown document)."""


@dataclass
class Verification:
    """What the verification page says about a file."""
    sha256: str
    document: IssuedDocument | None          # the issued document this file is, when it is one
    current: bool                            # it is the document's latest version (all signatures)
    signatures: list[crypto.SignatureReport] = field(default_factory=list)

    @property
    def issued_here(self) -> bool:
        return self.document is not None

    @property
    def valid(self) -> bool:
        """Exactly the issued document as it now stands, carrying every signature its kind
        needs, each intact, valid, trusted and covering the whole file. A file signed by the
        leader but not yet sealed (or an earlier version) is not a valid electronic document."""
        document = self.document
        return (self.current and document is not None and document.signed_at is not None
                and len(self.signatures) == len(required(document))
                and all(s.ok and s.covers_whole_file for s in self.signatures))

    def as_json(self) -> dict:
        document = self.document
        return {
            "valid": self.valid, "sha256": self.sha256, "issued_by_portal": self.issued_here,
            "latest_version": self.current,
            "document": None if document is None else {
                "dossier_code": document.dossier.code, "number": document.number, "kind": document.kind,
                "agency": document.agency.name, "issued_at": document.created_at.isoformat()},
            "signatures": [{"signer": s.signer, "subject": s.subject, "issuer": s.issuer,
                            "signed_at": s.signed_at.isoformat() if s.signed_at else None,
                            "timestamped": s.timestamped, "intact": s.intact, "valid": s.valid,
                            "trusted": s.trusted, "covers_whole_file": s.covers_whole_file,
                            "problems": s.problems} for s in self.signatures],
        }


def verify_file(data: bytes) -> Verification:
    """Is this exactly a file the portal issued (its SHA-256), and is each signature in it
    intact, valid and trusted? The file is read in memory and never stored."""
    if not data:
        raise VerifyError("Chọn tệp PDF cần xác thực.", status=400, fields={"file": "Chọn tệp PDF."})
    if len(data) > current_app.config["VERIFY_MAX_SIZE"]:
        raise VerifyError("Tệp quá lớn để xác thực.", status=413, fields={"file": "Tệp quá lớn."})
    if storage.sniff(data[:16]) != "application/pdf":
        raise VerifyError("Tệp không phải PDF.", status=415, fields={"file": "Chỉ nhận tệp PDF."})
    digest = storage.digest(data)
    document = db.session.scalar(select(IssuedDocument).where(IssuedDocument.sha256 == digest))
    current = document is not None
    if document is None:
        earlier = db.session.scalar(select(DocumentSignature).where(DocumentSignature.sha256 == digest))
        document = earlier.document if earlier else None
    try:
        reports = crypto.validate(data, trust_roots())
    except ValueError:
        reports = []
    return Verification(digest, document, current, reports)


def verify_request(upload, code: str = "", number: str = "") -> Verification:
    """A verification request from the page or the API: an uploaded file (read up to the size
    limit, never stored) or else a dossier code and document number."""
    if upload is not None and upload.filename:
        # +1: verify_file says "too large"
        return verify_file(upload.stream.read(current_app.config["VERIFY_MAX_SIZE"] + 1))
    return verify_reference(code, number)


def verify_reference(code: str, number: str) -> Verification:
    """The same check for a document named by its dossier code and number (the stored file)."""
    code, number = (code or "").strip(), (number or "").strip()
    missing = {k: m for k, m, v in (("code", "Nhập mã hồ sơ.", code), ("number", "Nhập số văn bản.", number)) if not v}
    if missing:
        raise VerifyError("Nhập mã hồ sơ và số văn bản, hoặc chọn tệp PDF.", status=400, fields=missing)
    from app.services.dossiers import by_code  # dossiers imports processing, which imports this module

    dossier = by_code(code)
    document = next((d for d in dossier.documents if d.number == number and d.sha256), None) if dossier else None
    if document is None:
        raise VerifyError("Không có văn bản với mã hồ sơ và số này.", status=404)
    data = storage.read(document.sha256)
    return Verification(document.sha256, document, True, crypto.validate(data, trust_roots()))

