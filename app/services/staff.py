"""Staff administration (issue 13): invite an official by e-mail, set their roles per agency,
deactivate, reactivate, send a new set-password link, list and search.

Who may do it is permissions.can(actor, "admin.user", user) (the province administrator:
everyone; an agency administrator: the staff of their agency and of the agencies below it).
Every change is written to the audit log (audit.record, before → after) in the transaction that
makes it. Deactivation never deletes: an official who leaves keeps their name on past events.

The set-password link is signed and timed (SET_PASSWORD_MAX_AGE, 72 h), read by the one link
reader (tokens.read_link); it is one-time because it carries a digest of the account's current
password hash, which setting the password changes. The admin never types or sees a password."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import date

from flask import current_app, url_for
from flask_babel import gettext  # the e-mails only, under notify.speaking (refusals stay Vietnamese)
from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import generate_password_hash

from app.domain import N_, eform, msg
from app.domain.structure import Role
from app.extensions import db
from app.models import Agency, Membership, OutboxMessage, User
from app.services import accounts, audit, login_sessions, notify, structure, tokens
from app.services.errors import ServiceError
from app.services.permissions import administers, can, province_admin

SET_PASSWORD_MAX_AGE = 72 * 3600  # seconds: the invitation's and the reset's link (issue 13)


class StaffError(ServiceError):
    """A staff administration request refused (403: out of the actor's reach, 404: no such account)."""


@dataclass(frozen=True)
class StaffFilter:
    """What the list is narrowed to; every field optional."""
    q: str = ""                      # part of the name or of the e-mail
    agency_id: int | None = None
    role: str | None = None
    active: bool | None = None


# --- the set-password link ---------------------------------------------------------------------

SET_PASSWORD = "set-password"


def password_link(user: User) -> str:
    """The absolute URL of the page where `user` sets a password, valid SET_PASSWORD_MAX_AGE."""
    return url_for("set_password.page", token=tokens.sign_link(SET_PASSWORD, user, stamped=True), _external=True)


def user_for_link(token: str) -> User:
    """The account a set-password link is for; tokens.LinkError otherwise (410 expired, 404
    forged, used or for a locked account)."""
    user, _data = tokens.read_link(SET_PASSWORD, token, SET_PASSWORD_MAX_AGE, stamped=True)
    return user


def set_password(token: str, password: str) -> User:
    """The holder of a valid link sets the account's password: the link dies with the old hash,
    and every earlier session of the account ends."""
    user = user_for_link(token)
    accounts.replace_password(user, password)  # the common-password rules; sessions and tokens end
    # The trail shows when an invitation or a reset was taken up (never the hash itself).
    audit.record(user, "user.password_set", "user", user.id, agency=_home(user))
    db.session.commit()
    return user


def _send_link(user: User, invited_by: User | None) -> OutboxMessage:
    """The e-mail with the set-password link, through the outbox (delivered after the commit),
    written in the account's language (notify.speaking: an invited account has the default
    language, Vietnamese, until it chooses another), as accounts.py writes its own e-mails."""
    with notify.speaking(user):
        if invited_by is not None:
            subject = gettext("Mời tham gia Cổng dịch vụ công Một cửa")
            opening = gettext("%(name)s mời bạn sử dụng tài khoản cán bộ trên Cổng dịch vụ công Một cửa.",
                              name=invited_by.full_name)
        else:
            subject = gettext("Đặt lại mật khẩu")
            opening = gettext("Quản trị viên đã gửi cho bạn liên kết để đặt lại mật khẩu.")
        return notify.account_email(user.email, subject, [
            gettext("Kính gửi %(name)s,", name=user.full_name), "", opening, "",
            gettext("Đặt mật khẩu tại địa chỉ sau (hiệu lực 72 giờ, dùng được một lần):"), password_link(user), "",
            gettext("Tên đăng nhập: %(email)s", email=user.email)])


# --- reading ---------------------------------------------------------------------------------

def scope(actor: User) -> list[Agency]:
    """The agencies whose staff `actor` administers (every agency for the province administrator)."""
    return [agency for agency in structure.list_agencies() if administers(actor, agency)]


def search(actor: User, where: StaffFilter, page: int = 1, per_page: int = 50):
    """The staff within the actor's reach (accounts with a membership at one of their agencies),
    by name, narrowed by `where`."""
    condition = Membership.user_id == User.id
    if where.agency_id is not None or not province_admin(actor):  # the province's reach is every agency
        reach = [agency.id for agency in scope(actor)]
        if where.agency_id is not None:
            reach = [a for a in reach if a == where.agency_id]
        condition &= Membership.agency_id.in_(reach)
    if where.role:
        condition &= Membership.role == where.role
    query = select(User).where(exists().where(condition))
    if where.q.strip():
        pattern = f"%{where.q.strip().lower()[:100]}%"
        query = query.where(or_(func.lower(User.full_name).like(pattern), func.lower(User.email).like(pattern)))
    if where.active is not None:
        query = query.where(User.active.is_(where.active))
    return db.paginate(query.order_by(User.full_name, User.id), page=page, per_page=per_page, error_out=False)


def audit_log(actor: User, where: audit.AuditFilter, page: int = 1, per_page: int = 50):
    """The audit log as `actor` reads it: all of it for the province administrator; for an agency
    administrator, the entries filed under an agency in their reach (province-wide ones are not)."""
    if not province_admin(actor):
        where = replace(where, within=tuple(agency.id for agency in scope(actor)))
    return audit.entries(where, page, per_page)


def official(actor: User, user_id: int) -> User:
    """The account: 404 if there is none, 403 if it is out of the actor's reach."""
    user = db.session.get(User, user_id)
    if user is None:
        raise StaffError("Không có tài khoản này.", 404)
    if not can(actor, "admin.user.view", user):
        raise StaffError("Bạn không quản trị tài khoản này.", 403)
    return user


# --- changes ---------------------------------------------------------------------------------

Grant = tuple[Agency, str]  # (agency, role)


def grants_by_code(pairs) -> list[Grant]:
    """[(agency code, role)] as typed or sent → [(agency, role)]; StaffError naming the bad one."""
    grants: list[Grant] = []
    for code, role in pairs:
        agency = structure.agency_by_code((code or "").strip())
        if agency is None:
            raise StaffError.on("memberships", msg("Không có cơ quan mã %(code)s.", code=code))
        if not Role.known(role):
            raise StaffError.on("memberships", msg("Vai trò không hợp lệ: %(role)s.", role=role))
        grants.append((agency, role))
    return grants


def _labels(memberships) -> list[str]:
    return sorted(f"{role}@{agency.code}" for agency, role in memberships)


def _current(user: User) -> set[Grant]:
    return {(m.agency, m.role) for m in user.memberships}


def _home(user: User) -> Agency | None:
    """The agency an entry about the account is filed under (an agency administrator's log
    shows it): the first of its memberships."""
    first = min(user.memberships, key=lambda m: m.id, default=None)
    return first.agency if first else None


def _check_reach(actor: User, agencies) -> None:
    outside = sorted({a.code for a in agencies if not administers(actor, a)})
    if outside:
        raise StaffError(msg("Bạn không quản trị cơ quan %(codes)s.", codes=", ".join(outside)), 403)


def check_manage(actor: User, user: User, action: str = "admin.user") -> None:
    """StaffError 403 unless the actor may change the account (`action`); nobody changes their own."""
    if not can(actor, action, user):
        raise StaffError("Bạn không quản trị tài khoản này.", 403)
    if user.id == actor.id:
        raise StaffError("Bạn không thể tự thay đổi tài khoản của mình; vui lòng nhờ quản trị viên khác.", 403)


def invite(actor: User, *, email: str, full_name: str, grants: list[Grant]) -> User:
    """Create an official's account with no usable password and the given roles, and e-mail
    them the link to set one. The actor must administer every agency granted."""
    if not grants:
        raise StaffError.on("memberships", "Vui lòng chọn ít nhất một vai trò tại một cơ quan.")
    _check_reach(actor, [agency for agency, _role in grants])
    email, full_name = email.strip().lower(), full_name.strip()
    for name, value in (("email", email), ("full_name", full_name)):  # the applicant's rules (eform)
        _value, message = eform.check_value(eform.APPLICANT[name], value, date.today())
        if message or not value:
            raise StaffError.on(name, message or N_("Bắt buộc."))
    if accounts.find_by_email(email):
        raise StaffError.on("email", "Địa chỉ e-mail này đã có tài khoản.", 409)
    # A random secret nobody knows: the account has no usable password until the link is used.
    user = User(email=email, full_name=full_name, password_hash=generate_password_hash(
        secrets.token_urlsafe(32), method=current_app.config["PASSWORD_HASH_METHOD"]))
    user.memberships = [Membership(agency=agency, role=role) for agency, role in set(grants)]
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # the same address invited a moment ago by another request (a double click)
        db.session.rollback()
        raise StaffError.on("email", "Địa chỉ e-mail này đã có tài khoản.", 409) from None
    audit.record(actor, "user.invite", "user", user.id, after={
        "email": email, "full_name": full_name, "memberships": _labels(set(grants))}, agency=_home(user))
    message = _send_link(user, invited_by=actor)
    db.session.commit()
    notify.dispatch(message)
    return user


def set_memberships(actor: User, user: User, grants: list[Grant]) -> User:
    """Replace the account's roles with `grants`. Only memberships at agencies the actor
    administers change (the others are kept as they are); one audit entry per agency changed."""
    check_manage(actor, user, "admin.user.view")
    wanted, current = set(grants), _current(user)
    _check_reach(actor, [agency for agency, _role in wanted ^ current])
    if not wanted:
        raise StaffError.on("memberships", "Một cán bộ cần ít nhất một vai trò; để ngừng sử dụng tài khoản, "
                                             "hãy khóa tài khoản.")
    if wanted == current:
        return user
    for agency in sorted({a for a, _role in wanted ^ current}, key=lambda a: a.code):
        audit.record(actor, "user.memberships", "user", user.id, agency=agency,
                     before={"memberships": _labels(g for g in current if g[0] == agency)},
                     after={"memberships": _labels(g for g in wanted if g[0] == agency)})
    user.memberships = [m for m in user.memberships if (m.agency, m.role) in wanted] + [
        Membership(agency=agency, role=role) for agency, role in wanted - current]
    db.session.commit()
    return user


def deactivate(actor: User, user: User) -> User:
    """Lock the account: every browser session ends at once, log-in and API tokens are refused
    while it is inactive. Nothing is deleted. Idempotent."""
    check_manage(actor, user)
    if user.active:
        audit.record(actor, "user.deactivate", "user", user.id, before={"active": True}, after={"active": False},
                     agency=_home(user))
        user.active = False
        login_sessions.end_all(user)  # they stay ended if the account is unlocked later
        tokens.revoke_all(user)  # they stay dead if the account is unlocked later
        db.session.commit()
    return user


def reactivate(actor: User, user: User) -> User:
    """Unlock the account (its password and roles as they were). Idempotent."""
    check_manage(actor, user)
    if not user.active:
        audit.record(actor, "user.reactivate", "user", user.id, before={"active": False}, after={"active": True},
                     agency=_home(user))
        user.active = True
        db.session.commit()
    return user


def reset_password(actor: User, user: User) -> OutboxMessage:
    """E-mail the account a new set-password link (the current password works until it is used)."""
    check_manage(actor, user)
    if not user.active:
        raise StaffError("Tài khoản đang bị khóa; hãy mở khóa trước khi gửi liên kết đặt mật khẩu.", 409)
    audit.record(actor, "user.password_reset", "user", user.id, after={"link_sent_to": user.email},
                 agency=_home(user))
    message = _send_link(user, invited_by=None)
    db.session.commit()
    notify.dispatch(message)
    return message
