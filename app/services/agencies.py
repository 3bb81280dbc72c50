"""Administration of agencies and units (issue 13): create, edit (rename, re-code, move under
another parent, validity dates), retire with a successor, and the two-tier reform of 2025 as
operations — merge communes into a new one, move a district's competence to the province or
a commune (Law 72/2025/QH15; LEGAL.md §6).

A retired agency's row stays, with `successor`: the dossiers it handled keep it, so they are
read under its old name; its open dossiers (pending steps, desk, competent agency) move to the
successor in the same transaction (a pending step keeps its assignee when they hold the step's
role at the successor, and waits for the successor's holders of the role otherwise; the audit
entry names both), and new dossiers reach the successor through
structure.serving (the desk chosen, the competent agency of a step). Every operation is
checked by permissions.can and written to the admin audit log before its commit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy import update as sql_update

from app.domain import N_, msg
from app.domain.structure import AgencyKind, Level, Sector, agency_code_depth, agency_code_problem
from app.domain.workflow import Status
from app.extensions import db
from app.models import AdministrativeUnit, Agency, Dossier, StepTask, User
from app.models.users import utcnow
from app.services import audit
from app.services.errors import ServiceError
from app.services.permissions import can, member
from app.services.structure import agency_by_code, list_agencies, today

FINAL = [s.value for s in Status if s.is_final]
UNIT_CODE_LENGTH = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}  # GSO codes (QĐ 124/2004/QĐ-TTg)


class AgencyError(ServiceError):
    """An administrative change of the structure refused."""


def _authorise(actor: User, action: str, obj=None) -> None:
    if not can(actor, action, obj):
        raise AgencyError("Bạn không có quyền quản trị cơ quan này.", status=403)


def _state(agency: Agency) -> dict:
    """The audited fields, as plain JSON values."""
    return {"code": agency.code, "name": agency.name, "kind": agency.kind, "sector": agency.sector,
            "unit": agency.unit.code, "parent": agency.parent.code if agency.parent else None,
            "valid_from": agency.valid_from.isoformat() if agency.valid_from else None,
            "valid_to": agency.valid_to.isoformat() if agency.valid_to else None,
            "retired_at": agency.retired_at.isoformat() if agency.retired_at else None,
            "successor": agency.successor.code if agency.successor else None}


def _diff(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


# --- reading --------------------------------------------------------------------------------

def administered(actor: User, text: str = "") -> list[Agency]:
    """The agencies `actor` administers (all of them for the province administrator), retired
    ones included, in the structure's order; `text` narrows to a name or code containing it."""
    rows = [a for a in list_agencies(include_retired=True) if can(actor, "admin.agency", a)]
    needle = text.strip().casefold()
    return [a for a in rows if needle in a.name.casefold() or needle in a.code.casefold()] if needle else rows


def open_dossiers(agency: Agency) -> list[Dossier]:
    """The dossiers not yet finished that the agency holds: received at its desk, decided by it,
    or with a pending step there (drafts chosen for its desk too)."""
    pending = select(StepTask.dossier_id).where(StepTask.agency_id == agency.id, StepTask.done_at.is_(None))
    return list(db.session.scalars(select(Dossier).where(
        Dossier.status.not_in(FINAL),
        or_(Dossier.receiving_agency_id == agency.id, Dossier.resolving_agency_id == agency.id,
            Dossier.id.in_(pending)),
    ).order_by(Dossier.id)))


# --- create and edit ------------------------------------------------------------------------

@dataclass(frozen=True)
class AgencyInput:
    code: str
    name: str
    kind: str
    unit_code: str
    parent_code: str | None = None
    sector: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


def current_input(agency: Agency) -> AgencyInput:
    """The agency as it is, in the shape of a change: what the edit form shows first and what a
    partial change (the API's PATCH) starts from."""
    return AgencyInput(code=agency.code, name=agency.name, kind=agency.kind, unit_code=agency.unit.code,
                       parent_code=agency.parent.code if agency.parent else None, sector=agency.sector,
                       valid_from=agency.valid_from, valid_to=agency.valid_to)


def named(code: str | None, field_name: str) -> Agency | None:
    """The agency a form or a request names by its code (None when it names none); a refusal at
    `field_name` when there is no such agency."""
    if not code:
        return None
    agency = agency_by_code(code.strip())
    if agency is None:
        raise AgencyError.on(field_name, msg("Không có cơ quan mã %(code)s.", code=code))
    return agency


def _checked(data: AgencyInput, agency: Agency | None = None) -> tuple[AdministrativeUnit, Agency | None]:
    """The unit and parent `data` names, every problem at once (422 with the fields)."""
    errors: dict[str, str] = {}
    unit = db.session.scalar(select(AdministrativeUnit).where(AdministrativeUnit.code == data.unit_code.strip()))
    if unit is None:
        errors["unit_code"] = msg("Không có đơn vị hành chính mã %(code)s.", code=data.unit_code)
    parent = None
    if data.parent_code:
        parent = agency_by_code(data.parent_code.strip())
        if parent is None:
            errors["parent_code"] = msg("Không có cơ quan mã %(code)s.", code=data.parent_code)
        elif parent.retired:
            errors["parent_code"] = N_("Cơ quan cấp trên đã ngừng hoạt động.")
        elif agency is not None and _below(parent, agency):
            errors["parent_code"] = N_("Không thể chuyển cơ quan vào dưới chính nó hoặc đơn vị trực thuộc nó.")
    if not data.name.strip():
        errors["name"] = N_("Vui lòng nhập tên cơ quan.")
    elif len(data.name.strip()) > 255:
        errors["name"] = N_("Tên cơ quan dài tối đa 255 ký tự.")
    if not AgencyKind.known(data.kind):
        errors["kind"] = N_("Loại cơ quan không hợp lệ.")
    elif data.kind == AgencyKind.DEPARTMENT and not Sector.known(data.sector):
        errors["sector"] = N_("Cơ quan chuyên môn cần chọn lĩnh vực.")
    elif data.sector and not Sector.known(data.sector):
        errors["sector"] = N_("Lĩnh vực không hợp lệ.")
    if unit is not None and "parent_code" not in errors:
        problem = agency_code_problem(data.code, unit.level, parent.code if parent else None)
        if problem:
            errors["code"] = problem
        else:
            other = agency_by_code(data.code.strip())
            if other is not None and other is not agency:
                errors["code"] = msg("Mã định danh %(code)s đã được dùng cho %(name)s.", code=other.code,
                                     name=other.name)
    if data.valid_from and data.valid_to and data.valid_to < data.valid_from:
        errors["valid_to"] = N_("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.")
    if agency is not None and "code" not in errors and data.code.strip() != agency.code:
        misfits = [c.code for c in _children(agency) if agency_code_problem(c.code, c.level, data.code.strip())]
        if misfits:
            errors["code"] = msg("Các đơn vị trực thuộc (%(codes)s) phải được cấp lại mã trước khi đổi mã cơ quan này.",
                                 codes=", ".join(misfits))
    if errors:
        raise AgencyError("Thông tin cơ quan chưa hợp lệ.", fields=errors)
    return unit, parent


def _below(candidate: Agency, agency: Agency) -> bool:
    """`candidate` is `agency` or one of the agencies under it."""
    seen: set[int] = set()
    while candidate is not None and candidate.id not in seen:
        if candidate.id == agency.id:
            return True
        seen.add(candidate.id)
        candidate = candidate.parent
    return False


def _children(agency: Agency) -> list[Agency]:
    return list(db.session.scalars(select(Agency).where(Agency.parent_id == agency.id, Agency.retired_at.is_(None))))


def create(actor: User, data: AgencyInput) -> Agency:
    """A new agency under `data.parent_code` (a top agency: the province administrator only)."""
    named = agency_by_code(data.parent_code.strip()) if data.parent_code else None
    if named is not None or not data.parent_code:  # asked first: no detail for who may not
        _authorise(actor, "admin.agency" if named else "admin.province", named)
    unit, parent = _checked(data)
    agency = Agency(code=data.code.strip(), name=data.name.strip(), kind=data.kind, sector=data.sector or None,
                    unit=unit, parent=parent, valid_from=data.valid_from, valid_to=data.valid_to)
    db.session.add(agency)
    db.session.flush()
    audit.record(actor, "agency.create", "agency", agency.id, after=_state(agency), agency=agency)
    db.session.commit()
    return agency


def update(actor: User, agency: Agency, data: AgencyInput) -> Agency:
    """Rename, re-code, move under another parent, set the validity dates. Unchanged fields
    change nothing and record nothing (a form sent twice)."""
    _authorise(actor, "admin.agency", agency)
    if agency.retired:
        raise AgencyError("Cơ quan đã ngừng hoạt động: không sửa được nữa.", status=409)
    unit, parent = _checked(data, agency)
    if parent is not agency.parent:
        _authorise(actor, "admin.agency" if parent else "admin.province", parent)
    before = _state(agency)
    agency.code, agency.name, agency.kind = data.code.strip(), data.name.strip(), data.kind
    agency.sector, agency.unit, agency.parent = data.sector or None, unit, parent
    agency.valid_from, agency.valid_to = data.valid_from, data.valid_to
    old, new = _diff(before, _state(agency))
    if new:
        action = "agency.move" if "parent" in new else "agency.rename" if set(new) == {"name"} else "agency.update"
        audit.record(actor, action, "agency", agency.id, before=old, after=new, agency=agency)
        db.session.commit()
    return agency


# --- retirement -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Handover:
    """What a retirement moved to the successor."""
    agency: Agency
    successor: Agency | None
    dossiers: list[str]  # codes (references before receipt) of the open dossiers moved
    steps: int           # pending steps moved
    # "<dossier>: <official>" of the moved steps that were assigned to someone: kept when the
    # official also works at the successor in the step's role, cleared (back to the role) otherwise
    assignees_kept: tuple[str, ...] = ()
    assignees_cleared: tuple[str, ...] = ()

    def as_json(self) -> dict:
        return {"successor": self.successor.code if self.successor else None, "dossiers": self.dossiers,
                "steps": self.steps, "assignees_kept": list(self.assignees_kept),
                "assignees_cleared": list(self.assignees_cleared)}


def _not_ahead(on: date, field_name: str = "on") -> None:
    """A retirement takes effect when made (routing changes at once): a later day would leave
    nobody serving in between, so it is refused; the validity dates announce a planned end."""
    if on > today():
        raise AgencyError.on(field_name, "Ngày áp dụng không được sau hôm nay: hãy thực hiện vào ngày có hiệu lực "
                                        "(ngày hết hiệu lực báo trước ngày kết thúc).")


def _successor_problem(agency: Agency, successor: Agency) -> str | None:
    if successor.id == agency.id:
        return N_("Cơ quan tiếp nhận phải là một cơ quan khác.")
    if successor.retired:
        return N_("Cơ quan tiếp nhận đã ngừng hoạt động.")
    # A desk's dossiers need a desk; a department's may go to a commune's committee (the commune has none).
    fits = successor.kind == agency.kind or (agency.kind == AgencyKind.DEPARTMENT
                                             and successor.kind == AgencyKind.COMMITTEE)
    if not fits:
        return msg("Cơ quan tiếp nhận phải cùng loại (%(kind)s).", kind=msg(AgencyKind(agency.kind).label))
    return None


def _retire(agency: Agency, successor: Agency | None, on: date, now: datetime) -> Handover:
    """Retire `agency` and hand its open dossiers to `successor`; the caller has checked both.
    A pending step assigned to an official stays theirs if they hold the step's role at the
    successor too (the rule of processing.assign); otherwise it waits for the successor's holders
    of the role. Either way the handover names them, for the audit entry."""
    moving = open_dossiers(agency)
    kept: list[str] = []
    cleared: list[str] = []
    steps = 0
    if successor is not None:
        ids = [d.id for d in moving]
        for column in (Dossier.receiving_agency_id, Dossier.resolving_agency_id):
            db.session.execute(sql_update(Dossier).where(Dossier.id.in_(ids), column == agency.id)
                               .values({column: successor.id, Dossier.lock_version: Dossier.lock_version + 1}))
        for loaded in moving:
            db.session.expire(loaded)  # their agencies are read again
        pending = list(db.session.scalars(select(StepTask).where(StepTask.agency_id == agency.id,
                                                                 StepTask.done_at.is_(None)).order_by(StepTask.id)))
        for task in pending:
            if task.assignee is not None:
                dossier = task.dossier
                label = f"{dossier.code or dossier.reference or dossier.id}: {task.assignee.full_name}"
                if member(task.assignee, successor.id, {task.role}):
                    kept.append(label)
                else:
                    cleared.append(label)
                    task.assignee = None
            task.agency = successor
        steps = len(pending)
    agency.retired_at, agency.successor = now, successor
    agency.valid_to = min(agency.valid_to or on, on)
    return Handover(agency, successor, [d.code or d.reference or str(d.id) for d in moving], steps,
                    tuple(kept), tuple(cleared))


def retire(actor: User, agency: Agency, successor: Agency | None = None, on: date | None = None,
           now: datetime | None = None) -> Handover:
    """Retire an agency from `on` (today). One with open dossiers needs a successor who takes
    them over; one with agencies still under it is refused (move or retire them first)."""
    _authorise(actor, "admin.agency", agency)
    if agency.retired:
        if successor is None or agency.successor_id == successor.id:  # the same request twice
            return Handover(agency, agency.successor, [], 0)
        raise AgencyError("Cơ quan đã ngừng hoạt động từ trước.", status=409)
    _not_ahead(on or today())
    if successor is not None:
        _authorise(actor, "admin.agency", successor)
        problem = _successor_problem(agency, successor)
        if problem:
            raise AgencyError.on("successor", problem)
    count = len(open_dossiers(agency))
    if count and successor is None:
        raise AgencyError.on("successor", msg("Cơ quan còn %(count)s hồ sơ chưa giải quyết xong: hãy chọn cơ quan "
                                              "tiếp nhận các hồ sơ này.", count=count), status=409)
    children = _children(agency)
    if children:
        raise AgencyError(msg("Còn %(count)s đơn vị trực thuộc đang hoạt động: chuyển hoặc cho ngừng hoạt động "
                              "các đơn vị đó trước.", count=len(children)), status=409)
    before = _state(agency)
    handover = _retire(agency, successor, on or today(), now or utcnow())
    old, new = _diff(before, _state(agency))
    audit.record(actor, "agency.retire", "agency", agency.id, before=old, after={**new, **handover.as_json()},
                 agency=agency)
    db.session.commit()
    return handover


# --- the two-tier reform ------------------------------------------------------------------------

@dataclass(frozen=True)
class MergeInput:
    """The new commune and its two agencies (QĐ 20/2020: identifiers re-issued after a merger)."""
    unit_codes: list[str]   # the communes merged, at least two
    code: str               # the new commune's GSO code, 5 digits
    name: str
    committee_code: str
    desk_code: str
    on: date                # the day the new commune starts


def _common_parent(units: list[AdministrativeUnit]) -> AdministrativeUnit | None:
    """The nearest unit above all of `units` (their district, or the province across districts)."""
    chains = []
    for unit in units:
        chain, parent = [], unit.parent
        while parent is not None:
            chain.append(parent)
            parent = parent.parent
        chains.append(chain)
    shared = set.intersection(*(set(u.id for u in chain) for chain in chains))
    return next((u for u in chains[0] if u.id in shared), None)


def _commune_code_problem(code: str) -> str | None:
    if not (code.isdigit() and len(code) == UNIT_CODE_LENGTH[Level.COMMUNE]):
        return msg("Mã đơn vị hành chính cấp xã gồm %(n)s chữ số.", n=UNIT_CODE_LENGTH[Level.COMMUNE])
    if db.session.scalar(select(func.count(AdministrativeUnit.id)).where(AdministrativeUnit.code == code)):
        return msg("Mã đơn vị hành chính %(code)s đã có.", code=code)
    return None


def _serving_at(unit: AdministrativeUnit, kind: str) -> Agency | None:
    return db.session.scalar(select(Agency).where(Agency.unit_id == unit.id, Agency.kind == kind,
                                                  Agency.retired_at.is_(None)).order_by(Agency.code))


def _in_unit(unit: AdministrativeUnit) -> list[Agency]:
    """The unit's agencies serving now, the deepest first (a desk before its committee)."""
    rows = db.session.scalars(select(Agency).where(Agency.unit_id == unit.id, Agency.retired_at.is_(None)))
    return sorted(rows, key=lambda a: (-(agency_code_depth(a.code) or 0), a.code))


def merge_communes(actor: User, data: MergeInput, now: datetime | None = None) -> AdministrativeUnit:
    """Merge communes into a new one (Law 72/2025/QH15, the 2025 reorganisation): the new unit
    with its People's Committee and one-stop desk; each old commune ends the day before, its
    agencies retire with the new ones as successors (their open dossiers move, their past
    dossiers keep their names). Province administrator only."""
    _authorise(actor, "admin.province")
    _not_ahead(data.on)
    errors: dict[str, str] = {}
    codes = list(dict.fromkeys(c.strip() for c in data.unit_codes if c.strip()))
    units = list(db.session.scalars(select(AdministrativeUnit).where(AdministrativeUnit.code.in_(codes))))
    if len(codes) < 2:
        errors["unit_codes"] = N_("Chọn ít nhất hai xã, phường để hợp nhất.")
    elif len(units) != len(codes):
        errors["unit_codes"] = N_("Có mã xã, phường không tồn tại.")
    elif any(u.level != Level.COMMUNE or (u.valid_to is not None and u.valid_to < data.on) for u in units):
        errors["unit_codes"] = N_("Chỉ hợp nhất các xã, phường đang có hiệu lực.")
    problem = _commune_code_problem(data.code.strip())
    if problem:
        errors["code"] = problem
    if not data.name.strip():
        errors["name"] = N_("Vui lòng nhập tên xã, phường mới.")
    parent = _common_parent(units) if "unit_codes" not in errors else None
    parent_committee = _serving_at(parent, AgencyKind.COMMITTEE) if parent else None
    if parent is not None and parent_committee is None:
        errors["unit_codes"] = N_("Đơn vị cấp trên của các xã, phường không có Ủy ban nhân dân đang hoạt động.")
    if parent_committee is not None:
        for field_name, code, above in (("committee_code", data.committee_code, parent_committee.code),
                                        ("desk_code", data.desk_code, data.committee_code.strip())):
            problem = agency_code_problem(code, Level.COMMUNE, above)
            if problem is None and agency_by_code(code.strip()) is not None:
                problem = msg("Mã định danh %(code)s đã được dùng.", code=code.strip())
            if problem:
                errors.setdefault(field_name, problem)
    if errors:
        raise AgencyError("Chưa hợp nhất được: thông tin chưa hợp lệ.", fields=errors)
    now = now or utcnow()
    name = data.name.strip()
    short = name[0].lower() + name[1:]
    unit = AdministrativeUnit(code=data.code.strip(), name=name, level=Level.COMMUNE, parent=parent,
                              valid_from=data.on)
    committee = Agency(code=data.committee_code.strip(), name=f"Ủy ban nhân dân {short}", kind=AgencyKind.COMMITTEE,
                       unit=unit, parent=parent_committee, valid_from=data.on)
    desk = Agency(code=data.desk_code.strip(), name=f"Bộ phận Một cửa {short}", kind=AgencyKind.ONE_STOP,
                  unit=unit, parent=committee, valid_from=data.on)
    db.session.add_all([unit, committee, desk])
    db.session.flush()
    for agency in (committee, desk):
        audit.record(actor, "agency.create", "agency", agency.id, after=_state(agency), agency=agency)
    handovers = []
    for old in units:
        old.valid_to = data.on - timedelta(days=1)
        for agency in _in_unit(old):
            before = _state(agency)
            successor = desk if agency.kind == AgencyKind.ONE_STOP else committee
            handover = _retire(agency, successor, old.valid_to, now)
            previous, new = _diff(before, _state(agency))
            audit.record(actor, "agency.retire", "agency", agency.id, before=previous,
                         after={**new, **handover.as_json()}, agency=agency)
            handovers.append(handover)
    audit.record(actor, "unit.merge", "unit", unit.id,
                 before={"units": [{"code": u.code, "name": u.name} for u in units]},
                 after={"unit": unit.code, "name": unit.name, "valid_from": data.on.isoformat(),
                        "dossiers_moved": len({code for h in handovers for code in h.dossiers})})
    db.session.commit()
    return unit


def _counterpart(agency: Agency, target: AdministrativeUnit) -> Agency | None:
    """Who takes over `agency`'s competence at `target`: the same kind (and sector for a
    department); a department's at a commune, which has none, goes to its People's Committee."""
    query = select(Agency).where(Agency.unit_id == target.id, Agency.kind == agency.kind, Agency.retired_at.is_(None))
    if agency.kind == AgencyKind.DEPARTMENT:
        query = query.where(Agency.sector == agency.sector)
    found = db.session.scalar(query.order_by(Agency.code))
    if found is None and agency.kind == AgencyKind.DEPARTMENT and target.level == Level.COMMUNE:
        found = _serving_at(target, AgencyKind.COMMITTEE)
    return found


def transfer_competence(actor: User, district_code: str, target_code: str, on: date,
                        now: datetime | None = None) -> list[Handover]:
    """Move a district's agencies' competence to the province or to a commune (the end of the
    district level, 1 Jul 2025): each of its agencies retires with its counterpart at the target
    as successor, so the procedures resolved "at the district" and the district desks' offering
    reach the target (structure.serving). The district unit ends the day before `on`; the
    communes' agencies under its committee move up under the agency above it (the province's
    committee). Province administrator only."""
    _authorise(actor, "admin.province")
    _not_ahead(on)
    district = db.session.scalar(select(AdministrativeUnit).where(AdministrativeUnit.code == district_code.strip()))
    target = db.session.scalar(select(AdministrativeUnit).where(AdministrativeUnit.code == target_code.strip()))
    errors: dict[str, str] = {}
    if district is None or district.level != Level.DISTRICT:
        errors["district_code"] = N_("Chọn một đơn vị cấp huyện.")
    if target is None or target.level not in (Level.PROVINCE, Level.COMMUNE):
        errors["target_code"] = N_("Nơi nhận thẩm quyền phải là tỉnh hoặc một xã, phường.")
    if errors:
        raise AgencyError("Chưa chuyển được thẩm quyền: thông tin chưa hợp lệ.", fields=errors)
    agencies = _in_unit(district)
    if not agencies:
        raise AgencyError.on("district_code", "Đơn vị này không còn cơ quan nào đang hoạt động.", status=409)
    pairs = [(a, _counterpart(a, target)) for a in agencies]
    missing = [a.name for a, found in pairs if found is None]
    if missing:
        raise AgencyError.on("target_code", msg("Nơi nhận không có cơ quan tương ứng với: %(names)s.",
                                                names="; ".join(missing)))
    now = now or utcnow()
    district.valid_to = on - timedelta(days=1)
    handovers = []
    for agency, successor in pairs:
        above = agency.parent.current if agency.parent else None
        for child in _children(agency):
            if child.unit_id != district.id and above is not None:  # a commune's committee rises a level
                audit.record(actor, "agency.move", "agency", child.id, before={"parent": agency.code},
                             after={"parent": above.code}, agency=child)
                child.parent = above
        before = _state(agency)
        handover = _retire(agency, successor, district.valid_to, now)
        previous, new = _diff(before, _state(agency))
        audit.record(actor, "agency.retire", "agency", agency.id, before=previous,
                     after={**new, **handover.as_json()}, agency=agency)
        handovers.append(handover)
    audit.record(actor, "unit.transfer_competence", "unit", district.id, before={"unit": district.code},
                 after={"to": target.code, "from_date": on.isoformat(),
                        "agencies": {h.agency.code: h.successor.code for h in handovers}})
    db.session.commit()
    return handovers


def successor_candidates(actor: User, agency: Agency) -> list[Agency]:
    """The agencies that may take over `agency`'s dossiers and that `actor` administers."""
    return [a for a in list_agencies() if _successor_problem(agency, a) is None and can(actor, "admin.agency", a)]
