"""`flask seed-demo`: the demo province, its demo accounts and the procedure catalogue.

Idempotent: running it again adds only what is missing and keeps every existing row.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.services import accounts, catalogue
from app.services.structure import seed_structure

# Demo-only: printed in README; never use on a real deployment.
DEMO_PASSWORD = "demo-only-password"
DEMO_DOMAIN = "motcua.example"


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
    DemoAccount("admin", "Quản trị hệ thống", (("admin", "000.00.00.H62"),)),
    DemoAccount("tiepnhan.tinh", "Nguyễn Thị Lan", (("reception", "000.00.01.H62"),), phone="02113860101"),
    DemoAccount("chuyenvien.tinh", "Trần Văn Minh", (("specialist", "000.00.02.H62"),), phone="02113860102"),
    DemoAccount("lanhdao.tinh", "Lê Quang Huy", (("leader", "000.00.02.H62"),), phone="02113860103"),
    DemoAccount("vanthu.tinh", "Phạm Thị Hoa", (("clerk", "000.00.02.H62"),), phone="02113860104"),
    DemoAccount("tiepnhan.huyen", "Hoàng Văn Nam", (("reception", "000.01.21.H62"),), phone="02113860105"),
    DemoAccount("chuyenvien.huyen", "Đỗ Thị Thu", (("specialist", "000.02.21.H62"),), phone="02113860106"),
    DemoAccount("lanhdao.huyen", "Vũ Đức Thắng", (("leader", "000.00.21.H62"),), phone="02113860107"),
    DemoAccount("vanthu.huyen", "Bùi Thị Mai", (("clerk", "000.00.21.H62"),), phone="02113860108"),
    DemoAccount("tiepnhan.xa", "Ngô Văn Bình", (("reception", "001.10.21.H62"),), phone="02113860109"),
    DemoAccount("chuyenvien.xa", "Đặng Thị Hạnh", (("specialist", "000.10.21.H62"),), phone="02113860110"),
    DemoAccount("lanhdao.xa", "Phan Văn Tuấn", (("leader", "000.10.21.H62"),), phone="02113860111"),
    DemoAccount("vanthu.xa", "Trịnh Thị Nga", (("clerk", "000.10.21.H62"),), phone="02113860112"),
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
            email=email, password=DEMO_PASSWORD, full_name=account.full_name, id_number=account.id_number, phone=account.phone,
            grants=[accounts.Grant(role, code) for role, code in account.grants],
        )
        users += 1
    report = catalogue.sync_folder(procedures_dir)
    return {"units": units, "agencies": agencies, "users": users, "procedures_published": len(report.published)}
