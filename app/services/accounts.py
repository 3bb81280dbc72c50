"""Accounts: citizen registration, staff accounts made by an admin, logging in.

Passwords are hashed with scrypt (werkzeug's default KDF), never stored in clear.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.domain.structure import Role
from app.extensions import db
from app.models import Membership, User
from app.services.errors import ServiceError
from app.services.structure import agency_by_code

# A real hash to compare against when the e-mail is unknown, so that a wrong e-mail and a
# wrong password take the same time (no account enumeration by timing).
_DUMMY_HASH = generate_password_hash("not-a-password")


class AccountError(ServiceError):
    """A rule about accounts broken by the input."""


@dataclass(frozen=True)
class Grant:
    role: str
    agency_code: str


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def _new_user(email: str, password: str, full_name: str, id_number: str | None, phone: str | None) -> User:
    email = email.strip().lower()
    if find_by_email(email):
        raise AccountError.on("email", "Địa chỉ e-mail này đã được đăng ký.")
    if id_number and db.session.scalar(select(User.id).where(User.id_number == id_number)):
        raise AccountError.on("id_number", "Số định danh cá nhân này đã được đăng ký.")
    user = User(
        email=email, full_name=full_name.strip(), id_number=id_number or None, phone=phone or None,
        password_hash=generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"]),
    )
    db.session.add(user)
    return user


def register_citizen(*, email: str, password: str, full_name: str, id_number: str, phone: str) -> User:
    """A citizen registers with a 12-digit personal identification number
    (Law on Identification 2023 Art. 12; Decree 69/2024 for e-ID)."""
    user = _new_user(email, password, full_name, id_number, phone)
    db.session.commit()
    return user


def create_user(*, email: str, password: str, full_name: str, grants: list[Grant] = (),
                id_number: str | None = None, phone: str | None = None) -> User:
    """An admin creates an account; staff get one membership per (role, agency) grant."""
    for grant in grants:
        if not Role.known(grant.role):
            raise AccountError.on("role", f"Vai trò không hợp lệ: {grant.role}")
    user = _new_user(email, password, full_name, id_number, phone)
    for grant in grants:
        agency = agency_by_code(grant.agency_code)
        if agency is None:
            db.session.rollback()
            raise AccountError.on("agency", f"Không có cơ quan mã {grant.agency_code}")
        user.memberships.append(Membership(agency=agency, role=grant.role))
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    user = find_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def end_sessions(user: User) -> None:
    """Log-out ends the account's sessions server-side: every session and remember-me cookie
    issued before now stops working, wherever it was copied to (OWASP Session Management:
    invalidate on log-out)."""
    user.session_version = (user.session_version or 0) + 1
    db.session.commit()
