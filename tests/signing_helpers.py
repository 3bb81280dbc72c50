"""Signing fixtures: the demo CA once per test session (real X.509, app/integrations/demo_ca),
a SoftHSM2 token holding one of its keys (a real PKCS#11 module), poppler's pdfsig with an NSS
database that trusts the demo root, and the configuration of certificates for a test's users.

SoftHSM2 (softhsm2-util), OpenSC (pkcs11-tool) and pdfsig are required: without them these
tests FAIL, they never skip (CI installs softhsm2, opensc and poppler-utils, .ci/run). Only the
NSS database needs certutil (libnss3-tools); without it the trust part of pdfsig cannot be
set up, which `nss_db` reports as a skip naming the package, never as a pass.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.integrations import demo_ca
from app.models import IssuedDocument
from app.services import dossiers, processing, signing, storage
from app.services.demo import DemoAgency
from tests.factories import TICH_SON_DESK, submitted_birth

SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
PASSPHRASE = "test-only-passphrase"
PASSPHRASE_ENV = "MOTCUA_TEST_SIGNING_PASSPHRASE"
PIN, SO_PIN, TOKEN = "246810", "13579111", "motcua-test"
PIN_ENV = "MOTCUA_TEST_TOKEN_PIN"
TICH_SON_COMMITTEE = DemoAgency.TICH_SON   # Ủy ban nhân dân phường Tích Sơn: the birth result's agency


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} not found: apt-get install softhsm2 opensc poppler-utils (the signing tests never skip)")
    return path


@dataclass(frozen=True)
class Pki:
    folder: Path
    root: Path
    desk_seal: demo_ca.Issued        # Bộ phận Một cửa phường Tích Sơn
    committee_seal: demo_ca.Issued   # Ủy ban nhân dân phường Tích Sơn
    leader: demo_ca.Issued           # the leader's personal certificate
    expired: demo_ca.Issued          # valid for one day, two years ago


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    _, root = demo_ca.root(folder)
    return Pki(
        folder, root,
        demo_ca.issue(folder, "desk", "Bộ phận Một cửa phường Tích Sơn", "UBND phường Tích Sơn", PASSPHRASE),
        demo_ca.issue(folder, "committee", "Ủy ban nhân dân phường Tích Sơn", "UBND phường Tích Sơn", PASSPHRASE),
        demo_ca.issue(folder, "leader", "Phan Văn Tuấn", "UBND phường Tích Sơn", PASSPHRASE),
        demo_ca.issue(folder, "expired", "Chứng thư hết hạn", "UBND phường Tích Sơn", PASSPHRASE,
                      now=datetime.now(UTC) - timedelta(days=730), days=1))


@pytest.fixture(scope="session")
def softhsm(pki, tmp_path_factory):
    """A SoftHSM2 token in a temporary folder with the committee's seal key (label "seal",
    id 01) and its certificate written as a token object (pkcs11-tool)."""
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read by the module when it is first loaded
    util, tool = need("softhsm2-util"), need("pkcs11-tool")
    run = lambda *args: subprocess.run(args, check=True, capture_output=True, text=True)  # noqa: E731
    run(util, "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN)
    run(util, "--import", str(pki.committee_seal.key_path), "--token", TOKEN, "--label", "seal", "--id", "01",
        "--pin", PIN)
    der = folder / "seal.der"
    der.write_bytes(_pem_to_der(pki.committee_seal.certificate_path))
    run(tool, "--module", SOFTHSM_MODULE, "--token-label", TOKEN, "--login", "--pin", PIN,
        "--write-object", str(der), "--type", "cert", "--label", "seal", "--id", "01")
    return folder


def _pem_to_der(path: Path) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_pem_x509_certificate(path.read_bytes()).public_bytes(Encoding.DER)


@pytest.fixture(scope="session")
def nss_db(pki, tmp_path_factory) -> Path:
    """An NSS database (what pdfsig reads) trusting the demo root as a CA."""
    certutil = shutil.which("certutil")
    if certutil is None:
        if os.environ.get("CI"):
            pytest.fail("certutil not found: CI installs libnss3-tools (.ci/run)")
        pytest.skip("certutil (libnss3-tools) not installed here: pdfsig's trust check against the demo root NOT run")
    folder = tmp_path_factory.mktemp("nss")
    subprocess.run([certutil, "-N", "-d", f"sql:{folder}", "--empty-password"], check=True, capture_output=True)
    subprocess.run([certutil, "-A", "-d", f"sql:{folder}", "-n", "motcua-demo-root", "-t", "C,C,C",
                    "-i", str(pki.root)], check=True, capture_output=True)
    return folder


def pdfsig(path: Path, nss: Path | None = None) -> str:
    args = [need("pdfsig")] + (["-nssdir", f"sql:{nss}"] if nss else []) + [str(path)]
    return subprocess.run(args, capture_output=True, text=True).stdout


@pytest.fixture
def signing_setup(app, pki, monkeypatch):
    """The demo root trusted, the passphrase in its variable; `configure(agency=..., user=...)`
    points an agency or an official at one of the session's PKCS#12 files."""
    monkeypatch.setenv(PASSPHRASE_ENV, PASSPHRASE)
    monkeypatch.setitem(app.config, "SIGNING_TRUST_ROOTS", [str(pki.root)])

    def configure(issued: demo_ca.Issued, agency: str | None = None, user=None):
        return signing.configure(agency_code=agency, user_email=user.email if user else None, backend="pkcs12",
                                 secret_env=PASSPHRASE_ENV, pkcs12_path=str(issued.pkcs12_path))
    return configure


@pytest.fixture(scope="session")
def nss_db_or_none(request) -> Path | None:
    """The NSS database when certutil is there; None otherwise (pdfsig then checks the signature
    but reports the issuer as not trusted, and the test says so by not asserting trust)."""
    if shutil.which("certutil") is None and not os.environ.get("CI"):
        return None
    return request.getfixturevalue("nss_db")


@pytest.fixture
def signing_people(make_user, loaded_catalogue):
    """The Tích Sơn desk and the ward committee's specialist, leader and clerk, and a citizen."""
    class People:
        citizen = make_user()
        desk = make_user("reception", TICH_SON_DESK)
        specialist = make_user("specialist", TICH_SON_COMMITTEE)
        leader = make_user("leader", TICH_SON_COMMITTEE)
        clerk = make_user("clerk", TICH_SON_COMMITTEE)
    return People


@pytest.fixture
def configured(signing_people, pki, signing_setup):
    """`signing_people`, with the desk's and the committee's seals and the leader's certificate configured."""
    signing_setup(pki.desk_seal, agency=TICH_SON_DESK)
    signing_setup(pki.committee_seal, agency=TICH_SON_COMMITTEE)
    signing_setup(pki.leader, user=signing_people.leader)
    return signing_people


def document(dossier, kind) -> IssuedDocument:
    db.session.expire_all()
    return next(d for d in dossier.documents if d.kind == kind)


def pdf_of(doc: IssuedDocument) -> bytes:
    return storage.path_for(doc.sha256).read_bytes()


def through_the_process(people, run_jobs):
    """An electronic birth dossier accepted, appraised and approved (the clerk's step still to
    do), its jobs run after each step (inline they already ran; with REDIS_URL, as a worker)."""
    dossier = dossiers.accept(submitted_birth(people.citizen), people.desk)
    run_jobs()
    processing.complete_step(dossier, people.specialist)
    processing.resolve(dossier, people.leader, "approved")
    run_jobs()
    return dossier


def issue_result(people, dossier, run_jobs):
    """The clerk's issuing step (vào số, đóng dấu), and its seal job run."""
    processing.complete_step(dossier, people.clerk)
    run_jobs()
    return dossier
