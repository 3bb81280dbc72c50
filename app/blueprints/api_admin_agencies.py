"""JSON API for the agencies' administration (issue 13), Bearer token only, as the pages under
/quan-tri/co-quan: list and create, read and change one agency, retire it with a successor, and
the two-tier reform's operations. app/services/agencies.py decides and records; its refusals
answer {"error": ..., "fields": {...}} with their status."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from flask import g, request
from flask_babel import gettext as _

from app.blueprints.api import ApiError, bp
from app.blueprints.api_dossiers import AUTH, token_required
from app.blueprints.api_models import BEARER, Body, Day, KindName, Model, Moment, Query, Unit, responses, spec
from app.extensions import db
from app.models import Agency
from app.services import agencies as service
from app.services.permissions import can
from app.services.structure import agency_by_code

ERRORS = (*AUTH, 403)


# --- the contract ---------------------------------------------------------------------------

class AdminAgency(Model):
    id: int
    code: str
    name: str
    kind: str
    sector: str | None
    level: str
    unit: Unit
    parent_code: str | None
    valid_from: Day | None
    valid_to: Day | None
    retired_at: Moment | None
    successor_code: str | None


class AdminAgencyList(Model):
    items: list[AdminAgency]


class AdminAgencyQuery(Query):
    q: str = ""


class AgencyBody(Body):
    code: str
    name: str
    kind: KindName
    unit_code: str
    parent_code: str | None = None
    sector: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


class AgencyPatch(Body):
    """The fields to change; those left out keep their value."""
    code: str | None = None
    name: str | None = None
    kind: KindName | None = None
    unit_code: str | None = None
    parent_code: str | None = None
    sector: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


class RetireBody(Body):
    successor_code: str | None = None
    on: date | None = None


class Handover(Model):
    agency_code: str
    successor_code: str | None
    dossiers: list[str]
    steps: int
    # "<dossier>: <official>" of the moved steps that had an assignee: kept (they hold the step's
    # role at the successor) or cleared (the step waits for the successor's holders of the role)
    assignees_kept: list[str] = []
    assignees_cleared: list[str] = []


class HandoverList(Model):
    items: list[Handover]


class MergeBody(Body):
    unit_codes: list[str]
    code: str
    name: str
    committee_code: str
    desk_code: str
    on: date


class MergeResult(Model):
    unit_code: str
    agencies: list[AdminAgency]


class TransferBody(Body):
    district_code: str
    target_code: str
    on: date


# --- the routes -----------------------------------------------------------------------------


def _admin() -> None:
    if not can(g.api_user, "agency.list"):
        raise ApiError(403, _("Không có quyền"))


def _agency(agency_id: int) -> Agency:
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise ApiError(404, _("Không có cơ quan số %(id)s", id=agency_id))
    if not can(g.api_user, "admin.agency", agency):
        raise ApiError(403, _("Không có quyền"))
    return agency


def agency_out(a: Agency) -> AdminAgency:
    return AdminAgency(id=a.id, code=a.code, name=a.name, kind=a.kind, sector=a.sector, level=a.level,
                       unit=Unit(code=a.unit.code, name=a.unit.name), parent_code=a.parent.code if a.parent else None,
                       valid_from=a.valid_from, valid_to=a.valid_to, retired_at=a.retired_at,
                       successor_code=a.successor.code if a.successor else None)


def handover_out(h: service.Handover) -> Handover:
    return Handover(agency_code=h.agency.code, successor_code=h.successor.code if h.successor else None,
                    dossiers=h.dossiers, steps=h.steps, assignees_kept=list(h.assignees_kept),
                    assignees_cleared=list(h.assignees_cleared))


@bp.get("/admin/agencies")
@token_required
@spec.validate(query=AdminAgencyQuery, resp=responses(AdminAgencyList, *ERRORS), security=BEARER, tags=["admin"])
def admin_agencies():
    """The agencies the caller administers, retired ones included; `q` narrows by name or code."""
    _admin()
    query: AdminAgencyQuery = request.context.query
    return AdminAgencyList(items=[agency_out(a) for a in service.administered(g.api_user, query.q)])


@bp.post("/admin/agencies")
@token_required
@spec.validate(json=AgencyBody, resp=responses(AdminAgency, *ERRORS, 422, created=True), security=BEARER,
               tags=["admin"])
def admin_create_agency():
    _admin()
    body: AgencyBody = request.context.json
    return agency_out(service.create(g.api_user, service.AgencyInput(**body.model_dump()))), 201


@bp.get("/admin/agencies/<int:agency_id>")
@token_required
@spec.validate(resp=responses(AdminAgency, *ERRORS, 404), security=BEARER, tags=["admin"])
def admin_agency(agency_id: int):
    return agency_out(_agency(agency_id))


@bp.patch("/admin/agencies/<int:agency_id>")
@token_required
@spec.validate(json=AgencyPatch, resp=responses(AdminAgency, *ERRORS, 404, 409, 422), security=BEARER,
               tags=["admin"])
def admin_update_agency(agency_id: int):
    """Rename, re-code, move under another parent (`parent_code`), set the validity dates."""
    agency = _agency(agency_id)
    body: AgencyPatch = request.context.json
    data = replace(service.current_input(agency), **body.model_dump(exclude_unset=True))
    return agency_out(service.update(g.api_user, agency, data))


@bp.post("/admin/agencies/<int:agency_id>/retire")
@token_required
@spec.validate(json=RetireBody, resp=responses(Handover, *ERRORS, 404, 409, 422), security=BEARER, tags=["admin"])
def admin_retire_agency(agency_id: int):
    """Retire the agency; one with open dossiers needs `successor_code`, who takes them over."""
    agency = _agency(agency_id)
    body: RetireBody = request.context.json or RetireBody()
    successor = service.named(body.successor_code, "successor_code")
    return handover_out(service.retire(g.api_user, agency, successor, body.on))


@bp.post("/admin/agencies/merge-communes")
@token_required
@spec.validate(json=MergeBody, resp=responses(MergeResult, *ERRORS, 422, created=True), security=BEARER,
               tags=["admin"])
def admin_merge_communes():
    """Merge communes into a new one (Law 72/2025/QH15): the new unit with its committee and desk."""
    body: MergeBody = request.context.json
    unit = service.merge_communes(g.api_user, service.MergeInput(**body.model_dump()))
    created = [agency_by_code(body.committee_code.strip()), agency_by_code(body.desk_code.strip())]
    return MergeResult(unit_code=unit.code, agencies=[agency_out(a) for a in created]), 201


@bp.post("/admin/agencies/transfer-competence")
@token_required
@spec.validate(json=TransferBody, resp=responses(HandoverList, *ERRORS, 409, 422), security=BEARER, tags=["admin"])
def admin_transfer_competence():
    """Move a district's agencies' competence to the province or a commune."""
    body: TransferBody = request.context.json
    handovers = service.transfer_competence(g.api_user, body.district_code, body.target_code, body.on)
    return HandoverList(items=[handover_out(h) for h in handovers])
