"""The procedure catalogue: load procedures/*.yaml as versioned snapshots, search, read.

Every file is validated (app/domain/procedure_spec.py) before anything is written: a bad file
stops the whole load with a message naming the file, the field and the problem.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from time import monotonic

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.domain.procedure_spec import ProcedureSpec, fingerprint, load_procedure_folder
from app.domain.structure import AgencyKind, Level, agency_type_label
from app.domain.text import fold
from app.domain.vocabulary import OnlineLevel
from app.extensions import db
from app.models import AdministrativeUnit, Agency, Procedure, ProcedureOffering, ProcedureSnapshot, ProcedureVersion
from app.models.users import utcnow
from app.services.structure import agency_by_code

# The published version of each procedure; withdrawn procedures have none.
CURRENT = ProcedureVersion.valid_to.is_(None)


@dataclass
class SyncReport:
    published: list[str] = field(default_factory=list)   # new procedures and new versions
    unchanged: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)   # files removed from the folder
    # Published or unpublished in the portal (Procedure.managed_in_portal): the folder's file,
    # or its absence, is not applied to them.
    portal: list[str] = field(default_factory=list)


def _version_from(spec: ProcedureSpec, source_file: str, number: int, print_: str) -> ProcedureVersion:
    data = spec.model_dump(mode="json")
    return ProcedureVersion(
        number=number, fingerprint=print_, source_file=source_file, snapshot=ProcedureSnapshot(spec=data),
        code=spec.code, fees=data["fees"], requires_result_document=spec.requires_result_document,
        name=spec.name.vi, name_en=spec.name.en, field=spec.field, level=spec.level,
        receiving_level=spec.receiving_level or spec.level,
        agency_kind=spec.agency.kind, online=spec.online,
        # Only a department is told apart by its sector; a committee is one per unit.
        sector=spec.agency.sector if spec.agency.kind == AgencyKind.DEPARTMENT else None,
        time_value=spec.processing_time.value, time_unit=spec.processing_time.unit,
        search_text=fold(" ".join([spec.code, spec.name.vi, spec.name.en, spec.field])),
    )


def publish_spec(procedure: Procedure, spec: ProcedureSpec, source_file: str, now: datetime) -> ProcedureVersion | None:
    """Make `spec` the current version of `procedure` (the caller adds and commits): end the
    current version and append a new one, numbered after the last; None, and nothing changed,
    when the current version already has this content (same fingerprint). The one way a
    version is published, from the folder (sync_folder) or the portal (procedure_admin)."""
    print_ = fingerprint(spec)
    current = procedure.current_version
    if current is not None and current.fingerprint == print_:
        return None
    if current is not None:
        current.valid_to = now
        # The partial unique index allows one current version: end this one before the insert.
        db.session.flush()
    number = max((v.number for v in procedure.versions), default=0) + 1
    version = _version_from(spec, source_file, number, print_)
    version.published_at = now
    procedure.versions.append(version)
    return version


def sync_folder(folder: str | Path, now: datetime | None = None) -> SyncReport:
    """Publish a new version of every procedure whose file changed; nothing for an unchanged
    file (same fingerprint); end the current version of a procedure whose file is gone.
    A procedure managed in the portal is left as the administrator published it (listed in
    `portal`): the folder is the catalogue's source for the others only.
    One transaction: either the whole folder is published or nothing is."""
    folder = Path(folder)
    now = now or utcnow()
    specs = load_procedure_folder(folder)  # raises ProcedureFileError before any write
    files = sorted(p.name for p in folder.glob("*.yaml"))
    report = SyncReport()
    existing = {p.code: p for p in db.session.scalars(select(Procedure))}
    for spec, source_file in zip(specs, files, strict=True):
        procedure = existing.pop(spec.code, None)
        if procedure is None:
            procedure = Procedure(code=spec.code)
            db.session.add(procedure)
        elif procedure.managed_in_portal:
            report.portal.append(spec.code)
            continue
        if publish_spec(procedure, spec, source_file, now) is None:
            report.unchanged.append(spec.code)
        else:
            report.published.append(spec.code)
    for code, procedure in existing.items():
        if procedure.managed_in_portal:
            report.portal.append(code)
        elif procedure.current_version is not None:
            procedure.current_version.valid_to = now
            report.withdrawn.append(code)
    db.session.commit()
    invalidate()
    return report


@dataclass(frozen=True)
class CatalogueFilter:
    q: str = ""
    field: str = ""
    level: str = ""
    online: str = ""
    # The competent agency: a type key "level:kind[:sector]" (what the catalogue's select
    # offers) or one agency's code (a link from the list of agencies).
    agency: str = ""
    # The level whose one-stop desks receive the procedure (the desk's counter intake).
    receiving_level: str = ""


@dataclass(frozen=True)
class AgencyType:
    """A procedure names the kind of competent agency, not each of 121 communes' committees."""

    level: str
    kind: str
    sector: str | None = None

    @property
    def key(self) -> str:
        return ":".join(filter(None, [self.level, self.kind, self.sector]))

    @property
    def label(self) -> str:
        return agency_type_label(self.level, self.kind, self.sector)


def resolve_agency_type(value: str) -> AgencyType:
    """Raise LookupError for a value that is neither a known type key nor an agency code."""
    parts = value.split(":")
    if len(parts) in (2, 3) and parts[0] in set(Level) and parts[1] in set(AgencyKind):
        return AgencyType(*parts)
    agency = agency_by_code(value)
    if agency is None:
        raise LookupError(value)
    return AgencyType(agency.level, agency.kind, agency.sector)


@dataclass(frozen=True)
class Listing:
    """One published procedure as the catalogue lists and filters it."""

    code: str
    name: str
    name_en: str  # shown on English pages (app/web.procedure_name)
    field: str
    level: Level  # the enum, so that a page reads its label without a call per row
    online: str
    time_value: Decimal
    time_unit: str
    fees: list
    search_text: str
    agency_kind: str
    sector: str | None
    receiving_level: str


LISTING_COLUMNS = [
    ProcedureVersion.code, ProcedureVersion.name, ProcedureVersion.name_en, ProcedureVersion.field,
    ProcedureVersion.level, ProcedureVersion.online, ProcedureVersion.time_value, ProcedureVersion.time_unit,
    ProcedureVersion.fees, ProcedureVersion.search_text, ProcedureVersion.agency_kind, ProcedureVersion.sector,
    ProcedureVersion.receiving_level,
]


def _cached() -> dict:
    """The published catalogue, in name order, held in memory per process, with the filter
    choices derived from it.

    The catalogue changes only when `flask procedures load` runs, and a province has a few
    thousand procedures: filtering them in Python is faster than any query (bench/catalogue.py).
    A process reloads after CATALOGUE_CACHE_SECONDS, and at once after its own sync_folder."""
    cache = current_app.extensions.setdefault("catalogue_listings", {})
    if cache.get("until", 0) < monotonic():
        rows = [Listing(**{**row._asdict(), "level": Level(row.level)}) for row in db.session.execute(
            select(*LISTING_COLUMNS).where(CURRENT).order_by(ProcedureVersion.name, ProcedureVersion.code))]
        order = {level: i for i, level in enumerate(Level)}
        types = {AgencyType(x.level, x.agency_kind, x.sector) for x in rows}
        cache.update(rows=rows, fields=sorted({x.field for x in rows}),
                     agency_types=sorted(types, key=lambda t: (order[t.level], t.label)),
                     until=monotonic() + current_app.config["CATALOGUE_CACHE_SECONDS"])
    return cache


def listings() -> list[Listing]:
    return _cached()["rows"]


def invalidate() -> None:
    current_app.extensions.pop("catalogue_listings", None)


def agency_types() -> list[AgencyType]:
    """The competent agencies present in the published catalogue, for the filter."""
    return _cached()["agency_types"]


class ListPagination(Pagination):
    """Flask-SQLAlchemy's pagination over a list already filtered in memory."""

    def _query_items(self) -> list:
        return self._query_args["rows"][self._query_offset:self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


def _fits(x: Listing, f: CatalogueFilter, agency: AgencyType | None) -> bool:
    return ((not f.field or x.field == f.field) and (not f.level or x.level == f.level)
            and (not f.online or x.online == f.online)
            and (not f.receiving_level or x.receiving_level == f.receiving_level)
            and (agency is None or (x.level == agency.level and x.agency_kind == agency.kind
                                    and (not agency.sector or x.sector == agency.sector))))


def search(f: CatalogueFilter, page: int, per_page: int) -> ListPagination:
    """Diacritic- and case-insensitive words, and filters. Raise LookupError when the agency
    filter names nothing known.

    Each word narrows the rows with a plain substring test in a comprehension (no call per
    row), so a query costs little more than one pass over the catalogue; the other filters
    then run on what is left, and not at all when none is set."""
    agency = resolve_agency_type(f.agency) if f.agency else None
    rows = listings()
    for word in fold(f.q).split():
        rows = [x for x in rows if word in x.search_text]
    if f.field or f.level or f.online or f.receiving_level or agency:
        rows = [x for x in rows if _fits(x, f, agency)]
    return ListPagination(rows=rows, page=page, per_page=per_page, error_out=False, count=True)


# The statement built once: building it and its loader option for each request was a fifth of
# the procedure page's CPU when that page read the version through it (issue 15; the page now
# reads `published`); the procedure's forms still do.
_CURRENT_VERSION = (select(ProcedureVersion).where(CURRENT, ProcedureVersion.code == bindparam("code"))
                    .options(joinedload(ProcedureVersion.snapshot)))


def current_version(code: str) -> ProcedureVersion | None:
    """The version in force, with its file's content (`spec`, which the procedure's pages and
    forms read) in the same query rather than a second one (issue 15)."""
    return db.session.scalar(_CURRENT_VERSION, {"code": code})


@dataclass(frozen=True)
class Published:
    """What a procedure's public page reads of its version in force (the attributes of
    ProcedureVersion it uses, and `spec`, its file's content)."""

    id: int
    code: str
    number: int
    published_at: datetime
    fingerprint: str
    name: str
    name_en: str
    time_value: Decimal
    time_unit: str
    spec: dict

    @property
    def key(self) -> tuple:
        return self.id, self.fingerprint, self.number, self.published_at


# The version in force's identity: one narrow row by the code's index.
_PUBLISHED = select(ProcedureVersion.id, ProcedureVersion.fingerprint, ProcedureVersion.number,
                    ProcedureVersion.published_at).where(CURRENT, ProcedureVersion.code == bindparam("code"))


def published(code: str) -> Published | None:
    """The version in force of the procedure `code`, for its public page. A published version
    never changes (publish_spec makes a new one), so the process keeps what the page reads of
    it under its identity and reads only that row on each request: loading the version and its
    file's content was a third of the page's CPU (issue 15)."""
    row = db.session.connection().execute(_PUBLISHED, {"code": code}).first()
    return None if row is None else _published(tuple(row))


@lru_cache(maxsize=512)
def _published(key: tuple) -> Published:
    version = db.session.get(ProcedureVersion, key[0], options=[joinedload(ProcedureVersion.snapshot)])
    return Published(id=version.id, code=version.code, number=version.number, published_at=version.published_at,
                     fingerprint=version.fingerprint, name=version.name, name_en=version.name_en,
                     time_value=version.time_value, time_unit=version.time_unit, spec=version.spec)


def fields() -> list[str]:
    return _cached()["fields"]


# Levels of online service as the provinces' catalogues still number them (the levels of
# Decree 43/2011/NĐ-CP Art. 3, which Decree 42/2022 Art. 11, as amended by Decree 118/2025
# Art. 40(7), replaced by "một phần" and "toàn trình"): 2 = information and forms online,
# submission at the counter or by post (`none`); 3 = partly online (`partial`); 4 = fully
# online (`full`).
ONLINE_LEVELS = {OnlineLevel.NONE: 2, OnlineLevel.PARTIAL: 3, OnlineLevel.FULL: 4}
ONLINE_BY_LEVEL = {level: online for online, level in ONLINE_LEVELS.items()}


@dataclass(frozen=True)
class DeskOffering:
    """How one desk offers a procedure: `own` is its ProcedureOffering row (None: the default,
    received at the procedure's own online level)."""

    desk: Agency
    received: bool
    online_level: int
    own: ProcedureOffering | None

    @property
    def online(self) -> str:
        return ONLINE_BY_LEVEL[self.online_level]


def desks_at_level(version: ProcedureVersion) -> list[Agency]:
    """Every one-stop desk at the procedure's receiving level, offered it or not."""
    return list(db.session.scalars(
        select(Agency).join(AdministrativeUnit, Agency.unit_id == AdministrativeUnit.id)
        .where(Agency.kind == AgencyKind.ONE_STOP, AdministrativeUnit.level == version.receiving_level)
        .order_by(AdministrativeUnit.code)
    ))


def offerings(version: ProcedureVersion) -> list[DeskOffering]:
    """Each desk at the receiving level with how it offers the procedure of `version`."""
    own = {o.agency_id: o for o in db.session.scalars(
        select(ProcedureOffering).where(ProcedureOffering.procedure_id == version.procedure_id))}
    ceiling = ONLINE_LEVELS[OnlineLevel(version.online)]
    return [DeskOffering(desk, own[desk.id].received, min(own[desk.id].online_level, ceiling), own[desk.id])
            if desk.id in own else DeskOffering(desk, True, ceiling, None)
            for desk in desks_at_level(version)]
