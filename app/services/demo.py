"""`flask seed-demo`: the demo province, its demo accounts and the procedure catalogue.

Idempotent: running it again adds only what is missing and keeps every existing row.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select

from app.extensions import db
from app.integrations import demo_ca
from app.models import SigningCertificate
from app.services import accounts, catalogue, signing
from app.services.signing import DEMO_SECRET_ENV
from app.services.structure import agency_by_code, seed_structure

# Demo-only: printed in README; never use on a real deployment.
DEMO_PASSWORD = "demo-only-password"
# Demo-only passphrase of the demo CA's PKCS#12 files, read from $MOTCUA_DEMO_SIGNING_PASSPHRASE
# when signing (`make run` exports it); never on a real deployment.
DEMO_SIGNING_PASSPHRASE = "demo-only-passphrase"
DEMO_DOMAIN = "motcua.example"


class DemoAgency(StrEnum):
    """The demo province's agencies that the demo accounts, the tests and the benchmarks name, each
    code written once (the codes follow services/structure.agency_rows, QĐ 20/2020/QĐ-TTg)."""

    PROVINCE = "000.00.00.H62"  # Ủy ban nhân dân tỉnh Vĩnh Phúc
    CENTRE = "000.00.01.H62"  # Trung tâm Phục vụ hành chính công tỉnh
    JUSTICE_DEPARTMENT = "000.00.02.H62"  # Sở Tư pháp
    ENVIRONMENT_DEPARTMENT = "000.00.05.H62"  # Sở Tài nguyên và Môi trường
    VINH_YEN = "000.00.21.H62"  # Ủy ban nhân dân thành phố Vĩnh Yên
    VINH_YEN_DESK = "000.01.21.H62"  # Bộ phận Một cửa thành phố Vĩnh Yên
    VINH_YEN_JUSTICE = "000.02.21.H62"  # Phòng Tư pháp thành phố Vĩnh Yên
    VINH_YEN_URBAN = "000.03.21.H62"  # Phòng Quản lý đô thị thành phố Vĩnh Yên
    VINH_YEN_ENVIRONMENT = "000.05.21.H62"  # Phòng Tài nguyên và Môi trường thành phố Vĩnh Yên
    TICH_SON = "000.10.21.H62"  # Ủy ban nhân dân phường Tích Sơn
    TICH_SON_DESK = "001.10.21.H62"  # Bộ phận Một cửa phường Tích Sơn
    LIEN_BAO = "000.11.21.H62"  # Ủy ban nhân dân phường Liên Bảo
    LIEN_BAO_DESK = "001.11.21.H62"  # Bộ phận Một cửa phường Liên Bảo
    BINH_XUYEN = "000.00.26.H62"  # Ủy ban nhân dân huyện Bình Xuyên


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    grants: tuple[tuple[str, str], ...]  # (role, agency code)
    id_number: str | None = None
    phone: str | None = None  # demo-only numbers: a form 02 prints the contact official's phone


# Province: the Public Administration Service Centre and Sở Tư pháp; district: Vĩnh Yên city;
# commune: Tích Sơn ward (codes from services/structure.py).
DEMO_ACCOUNTS = [
    DemoAccount("admin", "Quản trị hệ thống", (("admin", DemoAgency.PROVINCE),)),  # the province administrator
    # An agency administrator (issue 13): the city's staff and those of its wards.
    DemoAccount("quantri.huyen", "Lý Thị Quyên", (("admin", DemoAgency.VINH_YEN),)),
    DemoAccount("tiepnhan.tinh", "Nguyễn Thị Lan", (("reception", DemoAgency.CENTRE),), phone="02113860101"),
    DemoAccount("chuyenvien.tinh", "Trần Văn Minh", (("specialist", DemoAgency.JUSTICE_DEPARTMENT),),
                phone="02113860102"),
    DemoAccount("lanhdao.tinh", "Lê Quang Huy", (("leader", DemoAgency.JUSTICE_DEPARTMENT),), phone="02113860103"),
    DemoAccount("vanthu.tinh", "Phạm Thị Hoa", (("clerk", DemoAgency.JUSTICE_DEPARTMENT),), phone="02113860104"),
    DemoAccount("tiepnhan.huyen", "Hoàng Văn Nam", (("reception", DemoAgency.VINH_YEN_DESK),), phone="02113860105"),
    DemoAccount("chuyenvien.huyen", "Đỗ Thị Thu", (("specialist", DemoAgency.VINH_YEN_JUSTICE),), phone="02113860106"),
    DemoAccount("lanhdao.huyen", "Vũ Đức Thắng", (("leader", DemoAgency.VINH_YEN),), phone="02113860107"),
    DemoAccount("vanthu.huyen", "Bùi Thị Mai", (("clerk", DemoAgency.VINH_YEN),), phone="02113860108"),
    DemoAccount("tiepnhan.xa", "Ngô Văn Bình", (("reception", DemoAgency.TICH_SON_DESK),), phone="02113860109"),
    DemoAccount("chuyenvien.xa", "Đặng Thị Hạnh", (("specialist", DemoAgency.TICH_SON),), phone="02113860110"),
    DemoAccount("lanhdao.xa", "Phan Văn Tuấn", (("leader", DemoAgency.TICH_SON),), phone="02113860111"),
    DemoAccount("vanthu.xa", "Trịnh Thị Nga", (("clerk", DemoAgency.TICH_SON),), phone="02113860112"),
    DemoAccount("congdan", "Nguyễn Văn An", (), id_number="026090001234"),
]


def seed_demo(procedures_dir: str) -> dict[str, int]:
    units, agencies = seed_structure()
    users = 0
    for account in DEMO_ACCOUNTS:
        email = f"{account.email}@{DEMO_DOMAIN}"
        if accounts.find_by_email(email):
            continue
        accounts.create_user(
            email=email, password=DEMO_PASSWORD, full_name=account.full_name, id_number=account.id_number,
            phone=account.phone,
            grants=[accounts.Grant(role, code) for role, code in account.grants],
        )
        users += 1
    report = catalogue.sync_folder(procedures_dir)
    return {"units": units, "agencies": agencies, "users": users, "procedures_published": len(report.published)}


def seed_signing(folder: str | Path) -> int:
    """The demo CA (demo only) under `folder`: a seal certificate for every agency of a demo
    account and a personal one for every demo leader, each configured as a PKCS#12 file whose
    passphrase is in $MOTCUA_DEMO_SIGNING_PASSPHRASE. Idempotent: existing files and
    configurations are kept. Returns the number of configurations added."""
    folder = Path(folder)
    added = 0
    for account in DEMO_ACCOUNTS:
        for role, code in account.grants:
            agency = agency_by_code(code)
            if not db.session.scalar(select(SigningCertificate).where(SigningCertificate.agency_id == agency.id)):
                issued = demo_ca.issue(folder, f"seal-{code}", agency.name, agency.name, DEMO_SIGNING_PASSPHRASE)
                signing.configure(agency_code=code, backend="pkcs12", pkcs12_path=str(issued.pkcs12_path),
                                  secret_env=DEMO_SECRET_ENV)
                added += 1
            user = accounts.find_by_email(f"{account.email}@{DEMO_DOMAIN}")
            if role == "leader" and not db.session.scalar(
                    select(SigningCertificate).where(SigningCertificate.user_id == user.id)):
                issued = demo_ca.issue(folder, f"personal-{account.email}", account.full_name, agency.name,
                                       DEMO_SIGNING_PASSPHRASE)
                signing.configure(user_email=user.email, backend="pkcs12", pkcs12_path=str(issued.pkcs12_path),
                                  secret_env=DEMO_SECRET_ENV)
                added += 1
    return added
