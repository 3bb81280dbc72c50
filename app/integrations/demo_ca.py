"""A DEMO-ONLY certificate authority (cryptography): a root, and certificates under it for the
demo desks' and agencies' seals and the demo leaders' personal signatures, each with its key in
a PKCS#12 file. A real X.509 chain, so that signing and checking run exactly as with a
province's real certificates; never use it outside the demo and the tests (every subject says
"DEMO")."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEMO_MARK = "DEMO - KHONG DUNG THAT"  # in every subject: a demo certificate is never mistaken for a real one


@dataclass(frozen=True)
class Issued:
    key_path: Path         # PKCS#8 PEM private key (unencrypted: demo only; SoftHSM2 imports it)
    certificate_path: Path  # PEM
    pkcs12_path: Path       # key + certificate + root, protected by the passphrase


def _name(common_name: str, organisation: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
             x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_MARK)]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(parts)


def _save_key(key, path: Path) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)


def root(folder: Path, now: datetime | None = None) -> tuple[Path, Path]:
    """The demo root (created once; kept if present): its key and certificate paths."""
    folder.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = folder / "demo-root.key.pem", folder / "demo-root.pem"
    if key_path.is_file() and cert_path.is_file():
        return key_path, cert_path
    now = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name("Mot cua DEMO Root CA (demo only)", "Mot cua demo")
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256()))
    _save_key(key, key_path)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def issue(folder: Path, stem: str, common_name: str, organisation: str, passphrase: str,
          now: datetime | None = None, days: int = 730) -> Issued:
    """A signing certificate under the demo root for `common_name` (a key usable for
    non-repudiation, as a document signature needs); kept if its files are already there."""
    root_key_path, root_cert_path = root(folder, now)
    issued = Issued(folder / f"{stem}.key.pem", folder / f"{stem}.pem", folder / f"{stem}.p12")
    if all(p.is_file() for p in (issued.key_path, issued.certificate_path, issued.pkcs12_path)):
        return issued
    now = now or datetime.now(UTC)
    root_key = serialization.load_pem_private_key(root_key_path.read_bytes(), None)
    root_cert = x509.load_pem_x509_certificate(root_cert_path.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder().subject_name(_name(common_name, organisation)).issuer_name(root_cert.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(root_key, hashes.SHA256()))
    _save_key(key, issued.key_path)
    issued.certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    issued.pkcs12_path.write_bytes(pkcs12.serialize_key_and_certificates(
        stem.encode(), key, certificate, [root_cert],
        serialization.BestAvailableEncryption(passphrase.encode())))
    issued.pkcs12_path.chmod(0o600)
    return issued
