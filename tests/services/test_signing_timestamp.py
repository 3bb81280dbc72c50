"""PAdES B-LT: with TSA_URL, each signature carries an RFC 3161 timestamp and the PDF stores the
chain's validation data (DSS). The TSA is pyHanko's DummyTimeStamper (its test tooling) behind a
small HTTP server on 127.0.0.1, with an RSA time-stamping certificate under the demo root: the
portal reaches it through pyHanko's ordinary HTTPTimeStamper, as it would a real TSA."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import BytesIO

import pytest
from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import DummyTimeStamper

from app.integrations import signing as crypto
from app.services import signing
from tests.signing_helpers import document, issue_result, pdf_of, pdfsig, through_the_process


@pytest.fixture(scope="module")
def tsa_url(pki):
    root_key = serialization.load_pem_private_key((pki.folder / "demo-root.key.pem").read_bytes(), None)
    root = x509.load_pem_x509_certificate(pki.root.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Mot cua DEMO TSA (test only)")]))
        .issuer_name(root.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(root_key, hashes.SHA256()))
    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())))
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            requests.append(request)
            body = stamper.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/tsa", requests
    server.shutdown()


def test_with_a_tsa_the_signatures_are_timestamped_with_validation_data(app, configured, run_jobs, tsa_url,
                                                                        monkeypatch, tmp_path):
    url, requests = tsa_url
    monkeypatch.setitem(app.config, "TSA_URL", url)
    dossier = through_the_process(configured, run_jobs)
    issue_result(configured, dossier, run_jobs)
    result = document(dossier, "result")
    assert result.signed_at and [s.level for s in result.signatures] == ["B-LT", "B-LT"]
    assert len(requests) >= 2
    pdf = pdf_of(result)
    reports = crypto.validate(pdf, signing.trust_roots())
    assert [(r.ok, r.timestamped) for r in reports] == [(True, True), (True, True)]
    root = PdfFileReader(BytesIO(pdf)).root
    assert "/DSS" in root and len(root["/DSS"]["/Certs"]) >= 2   # the chain, stored for later checks
    path = tmp_path / "b-lt.pdf"
    path.write_bytes(pdf)
    assert pdfsig(path).count("Signature is Valid.") == 2
