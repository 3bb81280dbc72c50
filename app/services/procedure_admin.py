"""Procedures administered in the portal (issue 13): check a procedure's YAML, preview what it
changes against the published version, publish it, unpublish it, and set how each one-stop
desk offers it.

One validation: the text goes through `parse_procedure` and `check_beside`, exactly what
`flask procedures load` applies to a file (app/domain/procedure_spec.py), and is published by
`catalogue.publish_spec`, the folder's own path. A running dossier keeps the version it was
submitted under (it points at that version's row, which is never changed): publishing or
unpublishing affects only dossiers started afterwards.

Once published or unpublished here, a procedure is marked `managed_in_portal`: the province
has taken it over, and `flask procedures load` no longer applies its file (or the file's
absence) to it — a developer's folder never silently replaces what the administrator
published. Who may do what (app/services/permissions.py): the content of a procedure,
publishing and unpublishing are the province administrator's ("procedure.manage"); a desk's
offering is its agency administrators' too ("procedure.offering" with the desk).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml
from flask import current_app
from sqlalchemy import func, or_, select

from app.domain import N_, Msg, msg
from app.domain.procedure_diff import Change, diff
from app.domain.procedure_spec import ProcedureFileError, ProcedureSpec, check_beside, parse_procedure
from app.domain.structure import AgencyKind
from app.domain.text import fold
from app.extensions import db
from app.models import Agency, Procedure, ProcedureOffering, ProcedureVersion, User
from app.models.users import utcnow
from app.services import audit, catalogue
from app.services.errors import ServiceError
from app.services.permissions import can

# The name a text typed in the portal goes by in messages and in the version's source_file.
TYPED = "(nhập trên cổng)"
MAX_YAML_BYTES = 256 * 1024  # the largest shipped file is ~12 KB


class ProcedureAdminError(ServiceError):
    """A procedure's text or an administrative change refused; `fields`: path → message."""


# The schema's messages (procedure_spec.py, written for the developers at the console) in
# Vietnamese for the administrator: the kinds every file meets. The rule-specific messages
# quote the schema's own keys and values, and are shown as they are behind these.
_MESSAGES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^required key is missing$"), N_("Thiếu trường bắt buộc.")),
    (re.compile(r"^unknown key '(?P<key>[^']*)' \(a typo\?\)(?:; allowed keys here: (?P<allowed>.*))?$"),
     N_("Trường “%(key)s” không có trong lược đồ (gõ nhầm?). Các trường được phép: %(allowed)s.")),
    (re.compile(r"^invalid YAML at (?:line (?P<line>\d+), column (?P<column>\d+): )?(?P<problem>.*)$"),
     N_("YAML không hợp lệ tại dòng %(line)s, cột %(column)s: %(problem)s")),
    (re.compile(r"^expected a mapping of keys.*got (?P<got>.*)$"),
     N_("Cần một bảng các trường (code, name, field, level, ...), nhận được: %(got)s.")),
    (re.compile(r"^Input should be (?P<expected>.*) \(got (?P<got>.*)\)$"),
     N_("Giá trị không hợp lệ: cần %(expected)s, nhận được %(got)s.")),
    (re.compile(r"^List should have at least (?P<n>\d+) items? after validation.*$"),
     N_("Danh sách phải có ít nhất %(n)s mục.")),
    (re.compile(r"^file not found: (?P<file>.*)$"), N_("Không tìm thấy tệp mẫu đơn: %(file)s.")),
    (re.compile(r"^the file name should start with the code: (?P<name>.*)$"),
     N_("Tên tệp phải bắt đầu bằng mã thủ tục: %(name)s.")),
    (re.compile(r"^key (?P<key>.*) appears twice in the same mapping.*$"), N_("Trường %(key)s xuất hiện hai lần.")),
]
_FALLBACK = N_("Không hợp lệ theo lược đồ thủ tục: %(message)s")


def vietnamese(message: str) -> Msg:
    """One schema message for the administrator (a `msg`: the page that shows it translates it)."""
    for pattern, template in _MESSAGES:
        match = pattern.match(message)
        if match:
            return msg(template, **{k: v or "—" for k, v in match.groupdict().items()})
    return msg(_FALLBACK, message=message)


# Two messages about one path, shown one after the other: each is translated where shown (the
# joining msgid has no words, so it is not in the catalogue).
_BOTH = "%(first)s %(second)s"


def field_problems(error: ProcedureFileError) -> dict[str, Msg]:
    """path → Vietnamese message(s), in the order found (several on one path joined)."""
    out: dict[str, Msg] = {}
    for path, message in error.errors:
        text = vietnamese(message)
        out[path] = Msg(_BOTH, {"first": out[path], "second": text}) if path in out else text
    return out


@dataclass(frozen=True)
class Checked:
    """A procedure's text as checked: its spec, or its problems by field; the published version
    of the same code and what the text changes in it."""

    text: str
    spec: ProcedureSpec | None = None
    problems: dict[str, str] = field(default_factory=dict)  # path → message (a `msg`: say() it)
    current: ProcedureVersion | None = None
    changes: list[Change] = field(default_factory=list)

    @property
    def new(self) -> bool:
        return self.spec is not None and self.current is None


def forms_folder() -> Path:
    return Path(current_app.config["PROCEDURES_DIR"]) / "forms"


def check(text: str | bytes, file_name: str | None = None, code: str | None = None) -> Checked:
    """Validate `text` (an uploaded file's bytes, or the text typed) as `flask procedures load`
    validates a file (a file name, when uploaded, must start with the code; blank forms must
    exist in PROCEDURES_DIR/forms); `code`: the procedure being edited, which the text must keep."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8"))
    if size > MAX_YAML_BYTES:
        return Checked("", problems={"(file)": msg("Tệp quá lớn (tối đa %(kb)s KB).", kb=MAX_YAML_BYTES // 1024)})
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            return Checked("", problems={"(file)": N_("Tệp không phải văn bản UTF-8.")})
    name = file_name or TYPED
    try:
        spec = check_beside(parse_procedure(text, name), name, forms_folder(), file_name)
    except ProcedureFileError as error:
        return Checked(text, problems=field_problems(error))
    if code is not None and spec.code != code:
        return Checked(text, problems={"code": msg("Mã thủ tục phải giữ là %(code)s; để thêm thủ tục mới, dùng "
                                                   "chức năng tải lên.", code=code)})
    current = catalogue.current_version(spec.code)
    return Checked(text, spec, current=current,
                   changes=diff(current.spec if current else None, spec.model_dump(mode="json")))


def _require(actor: User, action: str, obj=None) -> None:
    if not can(actor, action, obj):
        raise ProcedureAdminError("Không có quyền.", status=403)


def _version_facts(version: ProcedureVersion | None) -> dict | None:
    return None if version is None else {"version": version.number, "fingerprint": version.fingerprint,
                                         "source_file": version.source_file}


def publish(actor: User, text: str | bytes, file_name: str | None = None, code: str | None = None,
            now: datetime | None = None) -> tuple[ProcedureVersion, bool]:
    """Publish `text` as the procedure's new version: (the version, True), or (the current
    version, False) when it already says the same — a second click publishes nothing more.
    Raises ProcedureAdminError (422, the problems by field) for an invalid text."""
    _require(actor, "procedure.manage")
    checked = check(text, file_name, code)
    if checked.spec is None:
        raise ProcedureAdminError("Thủ tục chưa hợp lệ: xem các trường được nêu.", fields=checked.problems)
    spec, now = checked.spec, now or utcnow()
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == spec.code).with_for_update())
    if procedure is None:
        procedure = Procedure(code=spec.code)
        db.session.add(procedure)
    before = procedure.current_version
    before_facts = _version_facts(before)
    version = catalogue.publish_spec(procedure, spec, file_name or TYPED, now)
    if version is None:
        return before, False
    procedure.managed_in_portal = True
    db.session.flush()
    audit.record(actor, "procedure.publish", "procedure", spec.code, before=before_facts,
                 after=_version_facts(version))
    db.session.commit()
    catalogue.invalidate()
    return version, True


def unpublish(actor: User, procedure: Procedure, now: datetime | None = None) -> bool:
    """End the current version: no new dossier can be started; running ones continue under
    their version. False, and nothing changed, when it is not published."""
    _require(actor, "procedure.manage")
    current = procedure.current_version
    if current is None:
        return False
    current.valid_to = now or utcnow()
    procedure.managed_in_portal = True
    audit.record(actor, "procedure.unpublish", "procedure", procedure.code, before=_version_facts(current))
    db.session.commit()
    catalogue.invalidate()
    return True


def set_offering(actor: User, procedure: Procedure, desk: Agency, received: bool, online_level: int) -> None:
    """How `desk` offers the procedure: received or not, and its level of online service (2, 3
    or 4, not above the procedure's own). Back to the default, the row goes."""
    _require(actor, "procedure.offering", desk)
    version = procedure.current_version
    if version is None:
        raise ProcedureAdminError("Thủ tục đang ngừng công bố: không thể đặt nơi tiếp nhận.", status=409)
    if desk.kind != AgencyKind.ONE_STOP or desk not in catalogue.desks_at_level(version):
        raise ProcedureAdminError.on("agency", "Cơ quan này không phải Bộ phận Một cửa ở cấp tiếp nhận thủ tục.")
    ceiling = catalogue.ONLINE_LEVELS[version.online]
    if online_level not in catalogue.ONLINE_BY_LEVEL or online_level > ceiling:
        raise ProcedureAdminError.on("online_level", msg("Mức độ trực tuyến phải từ 2 đến %(max)s (mức của thủ tục).",
                                                         max=ceiling))
    row = db.session.scalar(select(ProcedureOffering).where(ProcedureOffering.procedure_id == procedure.id,
                                                            ProcedureOffering.agency_id == desk.id))
    before = None if row is None else {"received": row.received, "online_level": row.online_level}
    after = {"received": received, "online_level": online_level}
    if (before or {"received": True, "online_level": ceiling}) == after:
        return
    if received and online_level == ceiling:
        db.session.delete(row)
    elif row is None:
        db.session.add(ProcedureOffering(procedure=procedure, agency=desk, **after))
    else:
        row.received, row.online_level = received, online_level
    audit.record(actor, "procedure.offering", "procedure", procedure.code, agency=desk,
                 before=before or {"received": True, "online_level": ceiling}, after=after)
    db.session.commit()


def as_yaml(version: ProcedureVersion) -> str:
    """The published version as YAML to edit: its snapshot, keys in the schema's order, empty
    optional keys left out; reading it back gives the same fingerprint."""
    def prune(value):
        if isinstance(value, dict):
            return {k: prune(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [prune(v) for v in value]
        return value
    return yaml.safe_dump(prune(version.spec), allow_unicode=True, sort_keys=False, width=1000)


def procedures(q: str = "", page: int = 1, per_page: int = 50):
    """Every procedure, published or not, by code; `q`: words of the code or the current name."""
    query = (select(Procedure).outerjoin(ProcedureVersion, (ProcedureVersion.procedure_id == Procedure.id)
                                         & catalogue.CURRENT).order_by(Procedure.code))
    for word in fold(q).split():
        query = query.where(or_(Procedure.code.contains(word, autoescape=True),
                                func.coalesce(ProcedureVersion.search_text, "").contains(word, autoescape=True)))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def by_code(code: str) -> Procedure | None:
    return db.session.scalar(select(Procedure).where(Procedure.code == code))
