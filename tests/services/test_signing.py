"""Digital signatures through the real process: an electronic birth dossier accepted (receipt,
the desk's seal), approved by the leader (result, personal certificate) and issued by the clerk
(the agency's seal), each signature checked by pyHanko's validator and by poppler's pdfsig; the
SoftHSM2 token; an expired key; a paper dossier; the verification of a file and of a tampered copy."""
from __future__ import annotations

import re
from io import BytesIO

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from app.extensions import db
from app.integrations import signing as crypto
from app.models import IssuedDocument
from app.services import dossiers, processing, signing, storage
from tests.factories import TICH_SON_DESK, submitted_birth
from tests.signing_helpers import (
    PIN,
    PIN_ENV,
    SOFTHSM_MODULE,
    TICH_SON_COMMITTEE,
    TOKEN,
    document,
    issue_result,
    pdf_of,
    pdfsig,
    through_the_process,
)


def widgets(pdf: bytes) -> dict[str, tuple[int, list[float]]]:
    """Signature field name → (page, rectangle) of its visible widget."""
    reader = PdfFileReader(BytesIO(pdf))
    found = {}
    for index in range(len(reader.root["/Pages"]["/Kids"])):
        page = reader.root["/Pages"]["/Kids"][index].get_object()
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/FT") == "/Sig":
                found[str(annot["/T"])] = (index, [float(v) for v in annot["/Rect"]])
    return found


def test_receipt_and_result_of_an_electronic_dossier_are_signed_in_order(configured, tmp_path, nss_db_or_none,
                                                                         run_jobs):
    people = configured
    dossier = through_the_process(people, run_jobs)
    receipt = document(dossier, "receipt")
    assert receipt.signed_at is not None and [s.role for s in receipt.signatures] == ["seal"]
    assert receipt.signatures[0].signer == "Bộ phận Một cửa phường Tích Sơn" and receipt.signatures[0].level == "B-B"

    result = document(dossier, "result")
    assert [s.role for s in result.signatures] == ["personal"]       # the leader's, not yet the seal
    assert result.signed_at is None and result.signing_error is None  # waits for the clerk
    assert signing.state(result, people.desk).label == "Đang chờ ký số"
    issue_result(people, dossier, run_jobs)                         # vào số, đóng dấu
    result = document(dossier, "result")
    assert [s.role for s in result.signatures] == ["personal", "seal"]
    assert result.signed_at is not None and signing.state(result, people.desk).label == "Đã ký số"

    pdf = pdf_of(result)
    reports = crypto.validate(pdf, signing.trust_roots())
    assert [(r.signer, r.ok, r.covers_whole_file) for r in reports] == [
        ("Phan Văn Tuấn", True, True), ("Ủy ban nhân dân phường Tích Sơn", True, True)]
    # Both stamps are visible, on the last page, inside the right signature column, the seal below.
    boxes = widgets(pdf)
    (page_p, personal), (page_s, seal) = boxes[f"personal-{result.id}"], boxes[f"seal-{result.id}"]
    assert page_p == page_s and personal[2] - personal[0] > 150 and personal[0] > 297  # right half of A4
    assert seal[3] <= personal[1] + 1

    path = tmp_path / "result.pdf"
    path.write_bytes(pdf)
    out = pdfsig(path, nss_db_or_none)
    assert out.count("Signature Validation: Signature is Valid.") == 2, out
    assert "Signer Certificate Common Name: Phan Văn Tuấn" in out
    assert "Signer Certificate Common Name: Ủy ban nhân dân phường Tích Sơn" in out
    assert "Signature Type: ETSI.CAdES.detached" in out
    if nss_db_or_none is not None:
        assert out.count("Certificate Validation: Certificate is Trusted.") == 2, out
    receipt_path = tmp_path / "receipt.pdf"
    receipt_path.write_bytes(pdf_of(receipt))
    out = pdfsig(receipt_path, nss_db_or_none)
    assert "Signature is Valid." in out and "Common Name: Bộ phận Một cửa phường Tích Sơn" in out, out


def test_a_rerun_signs_once(configured, run_jobs):
    dossier = through_the_process(configured, run_jobs)
    issue_result(configured, dossier, run_jobs)
    result = document(dossier, "result")
    before = (result.sha256, result.signed_at)
    signing.sign(result.id)
    signing.sign(result.id)
    result = document(dossier, "result")
    assert (result.sha256, result.signed_at) == before and len(result.signatures) == 2
    assert len(crypto.validate(pdf_of(result), signing.trust_roots())) == 2


def test_an_expired_key_fails_loudly_keeps_the_document_unsigned_and_a_rerun_signs_it_once(configured, pki,
                                                                                           signing_setup, run_jobs):
    signing_setup(pki.expired, agency=TICH_SON_DESK)
    dossier = dossiers.accept(submitted_birth(configured.citizen), configured.desk)  # the job fails: logged, not raised
    run_jobs()
    receipt = document(dossier, "receipt")
    assert receipt.signed_at is None and not receipt.signatures
    assert "hết hạn" in receipt.signing_error and "Bộ phận Một cửa phường Tích Sơn" in receipt.signing_error
    desk_view, citizen_view = signing.state(receipt, configured.desk), signing.state(receipt, configured.citizen)
    assert desk_view.label == citizen_view.label == "Chưa ký số được"
    assert desk_view.error == receipt.signing_error and citizen_view.error is None  # no key paths for the applicant
    assert citizen_view.as_json()["signing_error"] is None
    assert crypto.validate(pdf_of(receipt), signing.trust_roots()) == []   # no signature pretended
    with pytest.raises(signing.SigningFailed):
        signing.sign(receipt.id)                                          # the job itself fails loudly
    signing_setup(pki.desk_seal, agency=TICH_SON_DESK)                    # the certificate renewed
    assert [d.id for d in signing.unsigned()] == [receipt.id]
    signing.sign(receipt.id)
    signing.sign(receipt.id)
    receipt = document(dossier, "receipt")
    assert receipt.signed_at and receipt.signing_error is None and len(receipt.signatures) == 1
    assert len(crypto.validate(pdf_of(receipt), signing.trust_roots())) == 1


def test_a_missing_passphrase_or_certificate_is_an_unreachable_key(configured, monkeypatch, run_jobs):
    from tests.signing_helpers import PASSPHRASE_ENV

    monkeypatch.delenv(PASSPHRASE_ENV)
    dossier = dossiers.accept(submitted_birth(configured.citizen), configured.desk)
    run_jobs()
    receipt = document(dossier, "receipt")
    assert receipt.signed_at is None and "PKCS#12" in receipt.signing_error
    checks = signing.check()
    assert checks and not any(c.ok for c in checks)


def test_a_paper_dossier_keeps_unsigned_pdfs_that_claim_no_signature(configured, tmp_path, run_jobs):
    from app.services import catalogue
    from tests.factories import BIRTH, complete_input
    from tests.pdf_helpers import text_of, write

    version = catalogue.current_version(BIRTH)
    dossier = dossiers.counter_intake(configured.desk, version, TICH_SON_DESK, 1, complete_input(version.spec))
    run_jobs()
    receipt = document(dossier, "receipt")
    assert receipt.sha256 and not receipt.signatures and receipt.signing_error is None
    assert signing.state(receipt, configured.desk).label == "Bản giấy, không ký số"
    text = text_of(write(tmp_path, "paper", pdf_of(receipt)))
    assert "ký số" not in text and "Chữ ký số" not in text


def test_softhsm2_token_signs_through_pkcs11(configured, softhsm, monkeypatch, tmp_path, run_jobs):
    """The committee's seal key on a SoftHSM2 token (PKCS#11): certificate read from the token."""
    monkeypatch.setenv(PIN_ENV, PIN)
    signing.configure(agency_code=TICH_SON_COMMITTEE, backend="pkcs11", secret_env=PIN_ENV,
                      pkcs11_module=SOFTHSM_MODULE, token_label=TOKEN, key_label="seal")
    [check] = [c for c in signing.check() if c.kind == "seal" and "Tích Sơn" in c.owner and "PKCS#11" in c.location]
    assert check.ok and check.facts["common_name"] == "Ủy ban nhân dân phường Tích Sơn" and check.days_left > 700
    dossier = through_the_process(configured, run_jobs)
    issue_result(configured, dossier, run_jobs)
    result = document(dossier, "result")
    assert result.signed_at and [s.signer for s in result.signatures] == ["Phan Văn Tuấn",
                                                                          "Ủy ban nhân dân phường Tích Sơn"]
    path = tmp_path / "hsm.pdf"
    path.write_bytes(pdf_of(result))
    assert pdfsig(path).count("Signature is Valid.") == 2


def test_softhsm2_wrong_pin_is_unreachable(configured, softhsm, monkeypatch):
    monkeypatch.setenv(PIN_ENV, "000000")
    signing.configure(agency_code=TICH_SON_COMMITTEE, backend="pkcs11", secret_env=PIN_ENV,
                      pkcs11_module=SOFTHSM_MODULE, token_label=TOKEN, key_label="seal")
    [check] = [c for c in signing.check() if "PKCS#11" in c.location]
    assert not check.ok and "PKCS#11" in check.problem


def test_verification_recognises_the_issued_file_and_refuses_a_tampered_copy(configured, run_jobs):
    dossier = through_the_process(configured, run_jobs)
    half = signing.verify_file(pdf_of(document(dossier, "result")))  # the leader's signature, no seal yet
    assert half.current and half.signatures and all(s.ok for s in half.signatures) and not half.valid
    issue_result(configured, dossier, run_jobs)
    result = document(dossier, "result")
    pdf = pdf_of(result)
    verdict = signing.verify_file(pdf)
    assert verdict.valid and verdict.current and verdict.document.id == result.id
    assert verdict.as_json()["document"]["dossier_code"] == dossier.code
    # The leader-only version is recognised as an earlier version of the same document.
    earlier = signing.verify_file(storage.path_for(result.signatures[0].sha256).read_bytes())
    assert earlier.document.id == result.id and not earlier.current and not earlier.valid
    # One byte changed inside a page's content stream (signed by both): the file still parses,
    # and each signature is found and reported as not intact.
    offset = pdf.index(b"stream\n") + len(b"stream\n") + 5
    tampered = pdf[:offset] + bytes([pdf[offset] ^ 0x01]) + pdf[offset + 1:]
    verdict = signing.verify_file(tampered)
    assert not verdict.valid and not verdict.issued_here
    assert len(verdict.signatures) == 2 and not any(s.intact for s in verdict.signatures)
    by_reference = signing.verify_reference(dossier.code, result.number)
    assert by_reference.valid


@pytest.mark.parametrize("data, status", [(b"", 400), (b"MZ\x90\x00" + b"\x00" * 40, 415)])
def test_verification_refuses_what_is_not_a_pdf(app, data, status):
    with pytest.raises(signing.VerifyError) as error:
        signing.verify_file(data)
    assert error.value.status == status


def test_configure_refuses_a_pin_instead_of_a_variable_name(configured):
    with pytest.raises(signing.SigningConfigError):
        signing.configure(agency_code=TICH_SON_DESK, backend="pkcs12", secret_env="123456", pkcs12_path="/x.p12")
    with pytest.raises(signing.SigningConfigError) as error:
        signing.configure(agency_code="000.99.99.H62", backend="pkcs12", secret_env="X", pkcs12_path="/x.p12")
    assert error.value.status == 404


def test_demo_seed_creates_a_real_chain_once(app, make_user, tmp_path, monkeypatch):
    from app.services import demo
    from app.services.demo import DEMO_SIGNING_PASSPHRASE

    for account in demo.DEMO_ACCOUNTS:  # the demo accounts themselves (as seed_demo makes them)
        from app.services import accounts
        accounts.create_user(email=f"{account.email}@{demo.DEMO_DOMAIN}", password="x" * 12,
                             full_name=account.full_name,
                             id_number=account.id_number,
                             grants=[accounts.Grant(r, c) for r, c in account.grants])
    added = demo.seed_signing(tmp_path)
    assert added == 11 and demo.seed_signing(tmp_path) == 0        # 8 agencies' seals + 3 leaders
    monkeypatch.setenv(signing.DEMO_SECRET_ENV, DEMO_SIGNING_PASSPHRASE)
    monkeypatch.setitem(app.config, "SIGNING_DEMO_DIR", str(tmp_path))
    checks = signing.check()
    assert len(checks) == 11 and all(c.ok for c in checks)
    assert all("DEMO" in c.facts["issuer"] for c in checks)
    assert {c.facts["common_name"] for c in checks if c.kind == "personal"} == {"Lê Quang Huy", "Vũ Đức Thắng",
                                                                                "Phan Văn Tuấn"}
    assert re.search(r"DEMO", crypto.describe(crypto.load_pem_certificates(tmp_path / "demo-root.pem")[0])["subject"])


def test_flask_signing_check_reports_each_certificate_and_fails_on_an_expired_one(app, configured, pki, signing_setup):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["signing", "check"])
    assert result.exit_code == 0, result.output
    assert "Chứng thư số cơ quan: Bộ phận Một cửa phường Tích Sơn" in result.output
    assert f"Chứng thư số cá nhân: {configured.leader.full_name}" in result.output
    assert "Common Name: Phan Văn Tuấn" in result.output and "Mot cua DEMO Root CA" in result.output
    assert "(còn 729 ngày)" in result.output or "(còn 730 ngày)" in result.output
    assert "Khóa: dùng được" in result.output
    signing_setup(pki.expired, agency=TICH_SON_DESK)
    result = runner.invoke(args=["signing", "check"])
    assert result.exit_code == 1 and "KHÔNG dùng được: Chứng thư số đã hết hạn" in result.output


def test_flask_signing_configure_stores_a_location_not_a_secret(app, configured, softhsm):
    result = app.test_cli_runner().invoke(args=[
        "signing", "configure", "--agency", TICH_SON_COMMITTEE, "--module", SOFTHSM_MODULE, "--token-label", TOKEN,
        "--key-label", "seal", "--pin-env", PIN_ENV])
    assert result.exit_code == 0, result.output
    row = signing.certificate_for(document_stub(TICH_SON_COMMITTEE), "seal")
    assert (row.backend, row.pkcs11_module, row.key_label, row.secret_env) == ("pkcs11", SOFTHSM_MODULE, "seal",
                                                                               PIN_ENV)
    assert PIN not in repr(vars(row))
    refused = app.test_cli_runner().invoke(args=["signing", "configure", "--agency", TICH_SON_COMMITTEE,
                                                 "--pkcs12", "/x.p12", "--pin-env", "1234"])
    assert refused.exit_code != 0 and "Tên biến môi trường" in refused.output


def document_stub(agency_code: str):
    """An unsaved document of `agency_code`, to ask which seal certificate would sign it."""
    from sqlalchemy import select

    from app.models import Agency

    agency = db.session.scalar(select(Agency).where(Agency.code == agency_code))
    return IssuedDocument(agency_id=agency.id, kind="receipt")


def test_an_unsigned_result_is_not_handed_over_online(configured, pki, signing_setup, run_jobs):
    """An unsigned PDF is not an electronic result (Decree 45/2020 Art. 25): while the seal
    cannot be applied the desk cannot return the result online; once it is signed it can."""
    from tests.signing_helpers import TICH_SON_COMMITTEE

    dossier = through_the_process(configured, run_jobs)
    signing_setup(pki.expired, agency=TICH_SON_COMMITTEE)  # the committee's seal has expired
    issue_result(configured, dossier, run_jobs)            # the clerk's step: the seal job fails
    assert document(dossier, "result").signed_at is None
    with pytest.raises(dossiers.DossierError) as error:
        processing.return_result(dossier, configured.desk, "online")
    assert error.value.status == 409 and "chưa được ký số" in error.value.fields["method"]
    assert db.session.get(type(dossier), dossier.id).status == "resolved"
    signing_setup(pki.committee_seal, agency=TICH_SON_COMMITTEE)  # renewed, then re-signed
    signing.sign(document(dossier, "result").id)
    dossier = db.session.get(type(dossier), dossier.id)
    processing.return_result(dossier, configured.desk, "online")
    assert dossier.status == "returned" and dossier.has_e_result
