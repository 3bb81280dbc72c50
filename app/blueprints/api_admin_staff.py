"""JSON API for staff administration and the audit log (issue 13), Bearer tokens only. The
rules are the pages' (services/staff.py, permissions.can): 401 without a valid token, 403 out
of the caller's reach, 404 for an unknown account, 422 for a refused change."""
from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from app.blueprints import api_models as m
from app.blueprints.api import ApiError, bad_parameter, bp
from app.blueprints.api_dossiers import AUTH, token_required
from app.blueprints.api_models import BEARER, responses, spec
from app.domain import span
from app.models import AdminAuditEntry, User
from app.services import audit, staff, structure
from app.services.permissions import can

USER_ERRORS = (*AUTH, 403, 404)



def _admin() -> None:
    if not can(g.api_user, "admin.staff"):
        raise ApiError(403, _("Dành cho quản trị viên"))


def _agency_id(code: str) -> int | None:
    """The id of the agency named in a filter; 404 unknown, 403 out of the caller's reach."""
    if not code:
        return None
    agency = structure.agency_by_code(code)
    if agency is None:
        raise ApiError(404, _("Không có cơ quan mã %(code)s", code=code))
    if not can(g.api_user, "admin.agency", agency):
        raise ApiError(403, _("Bạn không quản trị cơ quan %(codes)s.", codes=code))
    return agency.id


def user_model(user: User) -> m.StaffUser:
    return m.StaffUser(id=user.id, email=user.email, full_name=user.full_name, active=user.active,
                       created_at=user.created_at,
                       memberships=[m.MembershipRef(agency=x.agency.code, role=x.role) for x in user.memberships])


def _official(user_id: int) -> User:
    _admin()
    return staff.official(g.api_user, user_id)


@bp.get("/admin/users")
@token_required
@spec.validate(query=m.StaffQuery, resp=responses(m.StaffList, *AUTH, 403, 404), security=BEARER, tags=["admin"])
def admin_users():
    """The staff within the caller's reach, searched by name or e-mail, agency, role, state."""
    _admin()
    query: m.StaffQuery = request.context.query
    where = staff.StaffFilter(q=query.q, agency_id=_agency_id(query.agency), role=query.role, active=query.active)
    page = staff.search(g.api_user, where, query.page, query.per_page)
    return m.StaffList(items=[user_model(u) for u in page.items], total=page.total, page=page.page,
                       per_page=page.per_page)


@bp.post("/admin/users")
@token_required
@spec.validate(json=m.Invitation, resp=responses(m.StaffUser, *AUTH, 403, 409, 422, created=True), security=BEARER,
               tags=["admin"])
def invite_user():
    """Invite an official: the account is created without a usable password and a one-time
    link to set one (valid 72 h) is e-mailed to them."""
    _admin()
    body: m.Invitation = request.context.json
    grants = staff.grants_by_code([(x.agency, x.role) for x in body.memberships])
    user = staff.invite(g.api_user, email=body.email, full_name=body.full_name, grants=grants)
    return user_model(user), 201


@bp.post("/admin/users/<int:user_id>/deactivate")
@token_required
@spec.validate(resp=responses(m.StaffUser, *USER_ERRORS), security=BEARER, tags=["admin"])
def deactivate_user(user_id: int):
    """Lock the account: its sessions and API tokens stop working at once. Idempotent."""
    return user_model(staff.deactivate(g.api_user, _official(user_id)))


@bp.post("/admin/users/<int:user_id>/reactivate")
@token_required
@spec.validate(resp=responses(m.StaffUser, *USER_ERRORS), security=BEARER, tags=["admin"])
def reactivate_user(user_id: int):
    return user_model(staff.reactivate(g.api_user, _official(user_id)))


@bp.put("/admin/users/<int:user_id>/memberships")
@token_required
@spec.validate(json=m.Memberships, resp=responses(m.StaffUser, *USER_ERRORS, 422), security=BEARER, tags=["admin"])
def put_memberships(user_id: int):
    """Replace the account's roles; memberships at agencies out of the caller's reach must be
    sent as they are (changing one answers 403)."""
    user = _official(user_id)
    body: m.Memberships = request.context.json
    grants = staff.grants_by_code([(x.agency, x.role) for x in body.memberships])
    return user_model(staff.set_memberships(g.api_user, user, grants))


def entry_model(e: AdminAuditEntry) -> m.AuditEntry:
    return m.AuditEntry(id=e.id, at=e.at, actor_id=e.actor_id, actor_name=e.actor_name, action=e.action,
                        target_type=e.target_type, target_id=e.target_id, agency=e.agency.code if e.agency else None,
                        before=e.before, after=e.after)


@bp.get("/admin/audit")
@token_required
@spec.validate(query=m.AuditQuery, resp=responses(m.AuditList, *AUTH, 403, 404), security=BEARER, tags=["admin"])
def admin_audit():
    """The audit log, newest first: all of it for the province administrator, the entries of
    their agencies for an agency administrator. ?from=&to= are office days (both inclusive)."""
    _admin()
    query: m.AuditQuery = request.context.query
    for name, day in (("from", query.start), ("to", query.end)):
        if day and not span.within(day):
            raise bad_parameter(name, span.MESSAGE)
    if query.start and query.end and query.end < query.start:
        raise bad_parameter("to", "Phải sau from")
    start, end = audit.office_days(query.start, query.end)
    where = audit.AuditFilter(actor_id=query.actor, action=query.action or None,
                              target_type=query.target_type or None, agency_id=_agency_id(query.agency),
                              start=start, end=end)
    page = staff.audit_log(g.api_user, where, query.page, query.per_page)
    return m.AuditList(items=[entry_model(e) for e in page.items], total=page.total, page=page.page,
                       per_page=page.per_page)
