"""The demo province: Vĩnh Phúc on the pre-2025 three-tier model, with its agencies.

Units and their GSO codes come from the `vietnam-provinces` 0.6 package (data of
2025-01-04, before the 1 Jul 2025 reform), never typed by hand.

Agency identifiers follow the structure of QĐ 20/2020/QĐ-TTg (`V1V2V3.Z1Z2.Y1Y2.M`, at most
35 characters; M = H62 is Vĩnh Phúc's level-1 code). The level-1 code is the official one;
the numbers below it are this demo's own assignment in that structure, not the province's
published list: a real deployment loads its list instead.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import vietnam_provinces
from sqlalchemy import and_, case, select
from sqlalchemy.orm import contains_eager, selectinload

from app.dates import office_time
from app.domain.structure import AgencyKind, Level, Sector
from app.extensions import db
from app.models import AdministrativeUnit, Agency
from app.models.users import utcnow

PROVINCE_GSO_CODE = "26"
PROVINCE_AGENCY_SUFFIX = "H62"

# Province departments (Sở) with their level-2 number, in this order (the codes depend on it).
PROVINCE_DEPARTMENTS = ["justice", "construction", "planning_investment", "natural_resources", "transport"]
# District offices (Phòng): one per sector; construction and transport share Kinh tế - Hạ tầng.
DISTRICT_OFFICES = ["justice", "construction", "planning_investment", "natural_resources"]


@dataclass(frozen=True)
class AgencyRow:
    code: str
    name: str
    kind: str
    unit_code: str
    parent_code: str | None
    sector: str | None = None


def _lower_first(name: str) -> str:
    """"Huyện Lập Thạch" → "huyện Lập Thạch", as it reads inside an agency's name."""
    return name[0].lower() + name[1:]


def _province_data() -> dict:
    with open(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as handle:
        provinces = json.load(handle)
    return next(p for p in provinces if str(p["code"]) == PROVINCE_GSO_CODE)


def unit_rows(province: dict) -> list[tuple[str, str, str, str | None]]:
    """(GSO code, name, level, parent code) for the province, its districts and communes.
    GSO codes: province 2 digits, district 3, commune 5 (QĐ 124/2004/QĐ-TTg)."""
    pcode = f"{province['code']:02d}"
    rows = [(pcode, province["name"], Level.PROVINCE.value, None)]
    for district in province["districts"]:
        dcode = f"{district['code']:03d}"
        rows.append((dcode, district["name"], Level.DISTRICT.value, pcode))
        rows.extend((f"{w['code']:05d}", w["name"], Level.COMMUNE.value, dcode) for w in district["wards"])
    return rows


def agency_rows(province: dict) -> list[AgencyRow]:
    m = PROVINCE_AGENCY_SUFFIX
    pcode = f"{province['code']:02d}"
    short = _lower_first(province["name"])  # "tỉnh Vĩnh Phúc"
    committee = f"000.00.00.{m}"
    rows = [
        AgencyRow(committee, f"Ủy ban nhân dân {short}", AgencyKind.COMMITTEE, pcode, None),
        AgencyRow(f"000.00.01.{m}", f"Trung tâm Phục vụ hành chính công {short}", AgencyKind.ONE_STOP, pcode,
                  committee),
    ]
    rows += [
        AgencyRow(f"000.00.{i:02d}.{m}", Sector(sector).label, AgencyKind.DEPARTMENT, pcode, committee, sector)
        for i, sector in enumerate(PROVINCE_DEPARTMENTS, start=2)
    ]
    for d_index, district in enumerate(province["districts"], start=21):
        dcode = f"{district['code']:03d}"
        dname = _lower_first(district["name"])
        city = district["name"].startswith(("Thành phố", "Thị xã"))
        d_committee = f"000.00.{d_index}.{m}"
        rows.append(AgencyRow(d_committee, f"Ủy ban nhân dân {dname}", AgencyKind.COMMITTEE, dcode, committee))
        rows.append(AgencyRow(f"000.01.{d_index}.{m}", f"Bộ phận Một cửa {dname}", AgencyKind.ONE_STOP, dcode,
                              d_committee))
        for o_index, sector in enumerate(DISTRICT_OFFICES, start=2):
            office = Sector(sector).district_office
            if sector == "construction":  # cities have urban management, rural districts economy & infrastructure
                office = "Phòng Quản lý đô thị" if city else "Phòng Kinh tế và Hạ tầng"
            rows.append(AgencyRow(f"000.{o_index:02d}.{d_index}.{m}", f"{office} {dname}", AgencyKind.DEPARTMENT,
                                  dcode, d_committee, sector))
        for c_index, ward in enumerate(district["wards"], start=10):
            ccode = f"{ward['code']:05d}"
            cname = _lower_first(ward["name"])
            c_committee = f"000.{c_index:02d}.{d_index}.{m}"
            rows.append(AgencyRow(c_committee, f"Ủy ban nhân dân {cname}", AgencyKind.COMMITTEE, ccode, d_committee))
            rows.append(AgencyRow(f"001.{c_index:02d}.{d_index}.{m}", f"Bộ phận Một cửa {cname}", AgencyKind.ONE_STOP,
                                  ccode, c_committee))
    return rows


def seed_structure() -> tuple[int, int]:
    """Insert the demo province's units and agencies that are missing; idempotent.

    Returns the number of units and agencies added."""
    province = _province_data()
    units = {u.code: u for u in db.session.scalars(select(AdministrativeUnit))}
    added_units = 0
    for code, name, level, parent_code in unit_rows(province):
        if code not in units:
            units[code] = AdministrativeUnit(code=code, name=name, level=level, parent=units.get(parent_code))
            db.session.add(units[code])
            added_units += 1
    db.session.flush()
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    added_agencies = 0
    for row in agency_rows(province):
        if row.code not in agencies:
            agencies[row.code] = Agency(
                code=row.code, name=row.name, kind=str(row.kind), sector=row.sector,
                unit=units[row.unit_code], parent=agencies.get(row.parent_code) if row.parent_code else None,
            )
            db.session.add(agencies[row.code])
            added_agencies += 1
    db.session.commit()
    return added_units, added_agencies


def agency_by_code(code: str) -> Agency | None:
    """The agency with this official identifier (mã định danh), or None."""
    return db.session.scalar(select(Agency).where(Agency.code == code))


def serving(agency: Agency | None, day: date | None = None) -> Agency | None:
    """The agency that serves in place of `agency` on `day` (today): itself, or its successor
    once retired (issue 13: a merged commune's desk hands new dossiers to the new commune's);
    None when none is in force."""
    if agency is None:
        return None
    agency = agency.current
    return agency if agency.in_force(day or today()) else None


def today() -> date:
    return office_time(utcnow()).date()


def list_agencies(*, level: str | None = None, kind: str | None = None, unit_code: str | None = None,
                  include_retired: bool = False) -> list[Agency]:
    """Agencies, filtered; ordered by level, then by official identifier. Retired ones only
    when asked (administration): the public lists show the agencies serving now."""
    query = (select(Agency).join(AdministrativeUnit, Agency.unit_id == AdministrativeUnit.id)
             .options(contains_eager(Agency.unit), selectinload(Agency.parent)))
    if not include_retired:
        query = query.where(Agency.retired_at.is_(None))
    if level:
        query = query.where(AdministrativeUnit.level == level)
    if kind:
        query = query.where(Agency.kind == kind)
    if unit_code:
        query = query.where(AdministrativeUnit.code == unit_code)
    level_order = case({level.value: i for i, level in enumerate(Level)}, value=AdministrativeUnit.level)
    return list(db.session.scalars(query.order_by(level_order, AdministrativeUnit.code, Agency.code)))


class _Unit(NamedTuple):
    code: str
    name: str
    level: str


class _Agency(NamedTuple):
    code: str
    name: str


@dataclass
class UnitAgencies:
    unit: _Unit
    agencies: list[_Agency]   # by official identifier
    children: list[UnitAgencies]


def unit_agency_rows() -> tuple:
    """The units with their agencies as plain rows, in unit and agency code order: what
    `agency_tree` is built from. One narrow query (no ORM objects: loading ~150 units and ~350
    agencies as objects was 26 of the home page's 31 ms, issue 15)."""
    return tuple(db.session.connection().execute(
        select(AdministrativeUnit.id, AdministrativeUnit.parent_id, AdministrativeUnit.code, AdministrativeUnit.name,
               AdministrativeUnit.level, AdministrativeUnit.valid_to, Agency.code.label("agency_code"),
               Agency.name.label("agency_name"))
        .outerjoin(Agency, and_(Agency.unit_id == AdministrativeUnit.id, Agency.retired_at.is_(None)))
        .order_by(AdministrativeUnit.code, Agency.code)).all())


def agency_tree() -> list[UnitAgencies]:
    """Every unit with its agencies, nested by unit (province → districts → communes, or
    province → communes on the two-tier model): the home page's list by level. Units whose
    validity ended are left out (a district whose competence moved: its communes rise to the
    province) and so are retired agencies (issue 13)."""
    rows = unit_agency_rows()
    day = today()
    nodes: dict[int, UnitAgencies] = {}
    parents: dict[int, int | None] = {}
    ended: set[int] = set()
    for row in rows:
        if row.valid_to is not None and row.valid_to < day:
            ended.add(row.id)
            parents[row.id] = row.parent_id
            continue
        node = nodes.get(row.id)
        if node is None:
            node = nodes[row.id] = UnitAgencies(_Unit(row.code, row.name, row.level), [], [])
            parents[row.id] = row.parent_id
        if row.agency_code is not None:
            node.agencies.append(_Agency(row.agency_code, row.agency_name))
    roots = []
    for unit_id, node in nodes.items():   # by unit code: a parent's children in code order
        parent_id = parents[unit_id]
        while parent_id in ended:  # a district whose competence moved: its communes rise
            parent_id = parents[parent_id]
        parent = nodes.get(parent_id) if parent_id else None
        (parent.children if parent else roots).append(node)
    return roots
