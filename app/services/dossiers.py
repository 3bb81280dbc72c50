"""Dossier use cases at intake: draft, submit, accept, request a supplement, refuse, resubmit,
counter intake, ask to withdraw.

Each function: check permission → apply the workflow transition → append a DossierEvent →
commit → enqueue the jobs (PDF, e-mail) after the commit. Date effects belong to actions:
`submit` gives the submission reference, `accept` stamps received_at and due_at and gives the
dossier code (its YYMMDD is the date received); nobody types them.
Legal basis: Decree 118/2025/NĐ-CP Art. 15–17 (channels, receiving), Circular 01/2018/TT-VPCP
Art. 19 (dossier code), Decree 61/2018 Art. 19 (one supplement request at intake).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, or_, select
from werkzeug.datastructures import FileStorage

from app.domain import N_, checklist, eform, msg
from app.domain.codes import format_code, format_reference
from app.domain.deadlines import OFFICE_TZ
from app.domain.notices import Kind, Notice
from app.domain.structure import AgencyKind, Role
from app.domain.vocabulary import Delivery
from app.domain.workflow import Action
from app.extensions import db
from app.models import (
    Agency,
    Dossier,
    DossierFile,
    ProcedureVersion,
    User,
)
from app.models.users import utcnow
from app.services import catalogue, citizen_store, filecheck, issuing, notify, processing, storage
from app.services.calendar import expected_due
from app.services.counters import next_value
from app.services.permissions import can, member
from app.services.structure import agency_by_code, serving
from app.services.transitions import (
    DossierError,
    authorise,
    check_lock,
    commit,
    commit_then_dispatch,
    require_confirmation,
    supplement_items,
    transition,
)

CHANNEL_COUNTER, CHANNEL_ONLINE, CHANNEL_POST = 1, 2, 3
MAX_SETS = 99  # no text caps the sets of a dossier; this catches a typo, not a rule


@dataclass
class Applicant:
    full_name: str = ""
    id_number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""

    @classmethod
    def of(cls, dossier: Dossier) -> Applicant:
        return cls(dossier.applicant_name, dossier.applicant_id_number, dossier.applicant_address,
                   dossier.applicant_phone, dossier.applicant_email)


# E-form fields the statutory declarations share with the applicant block (the requester's
# name, ID number...): filled from the block, so nobody types them twice.
FROM_APPLICANT = {"applicant_full_name": "full_name", "applicant_id_number": "id_number",
                  "applicant_address": "address", "applicant_phone": "phone", "applicant_email": "email"}


@dataclass
class DraftInput:
    """What an applicant (or a desk officer at the counter) enters."""

    applicant: Applicant
    form_data: dict = field(default_factory=dict)
    represented: dict | None = None
    delivery: str = "counter"
    uploads: dict[str, list[FileStorage]] = field(default_factory=dict)  # document key → files
    reuse: dict[str, list[int]] = field(default_factory=dict)  # document key → papers of the applicant's store
    sets: int = 1  # số bộ hồ sơ, counted at the counter (form 01); an online dossier is one set
    verification: bool = False  # the desk records at the counter that the facts must be verified
    checked: list[str] | None = None  # the papers the desk ticked as checked (domain/checklist.py); None: no checklist


def receiving_desks(version: ProcedureVersion) -> list[Agency]:
    """The one-stop desks that may receive this procedure: those at its receiving level that
    receive it (catalogue.offerings: its administrators may take a desk off), each as the desk
    serving now in its place (a desk retired, merged or its competence moved: its successor)."""
    return _serving(o.desk for o in catalogue.offerings(version) if o.received)


def online_desks(version: ProcedureVersion) -> list[Agency]:
    """The desks an applicant may send this procedure to online: those that receive it at
    level 3 or 4 (catalogue.ONLINE_LEVELS), as they serve now."""
    return _serving(o.desk for o in catalogue.offerings(version) if o.received and o.online != "none")


def _serving(desks) -> list[Agency]:
    now_serving = (serving(desk) for desk in desks)
    return list(dict.fromkeys(d for d in now_serving if d is not None and d.kind == AgencyKind.ONE_STOP))


def _desk(version: ProcedureVersion, agency_code: str) -> Agency:
    agency = serving(agency_by_code(agency_code))  # an old desk's link reaches its successor
    if agency is None or agency not in receiving_desks(version):
        raise DossierError("Cơ quan tiếp nhận không phù hợp với cấp thực hiện của thủ tục này.",
                           fields={"agency": "Chọn Bộ phận Một cửa ở đúng cấp tiếp nhận thủ tục."})
    return agency


def _checked(spec: dict, data: DraftInput, today: date) -> tuple[Applicant, dict | None, dict]:
    """What was entered, checked by the e-form rules (app/domain/eform.py), the same for the web
    form, the counter and the API: the applicant block, the person represented and the e-form,
    with the fields the declaration shares with the block filled from it. Format and range
    only; required-ness is submission's (missing_items). Every problem at once, 422."""
    applicant, errors = eform.check_person(asdict(data.applicant), eform.APPLICANT, "applicant")
    represented = None
    if data.represented is not None:
        represented, more = eform.check_person(data.represented, eform.REPRESENTED, "represented")
        errors |= more
    shared = {f["key"] for f in spec["form"]} & FROM_APPLICANT.keys()
    # Filing on behalf of someone, the requester is the principal (name, number, address);
    # phone and e-mail stay the filer's, who is the one to reach.
    requester = {**applicant, **{k: v for k, v in (represented or {}).items() if v}}
    from_block = {key: requester.get(FROM_APPLICANT[key]) or "" for key in shared}
    form_data, more = eform.check_form(spec["form"], {**(data.form_data or {}), **from_block}, today)
    for key, message in more.items():  # a shared field's problem is shown where it is typed
        name = key.removeprefix("form.")
        if name in shared:
            block = "represented" if (represented or {}).get(FROM_APPLICANT[name]) else "applicant"
            key = f"{block}.{FROM_APPLICANT[name]}"
        errors.setdefault(key, message)
    if errors:
        raise DossierError("Thông tin chưa hợp lệ: xem các trường được đánh dấu.", fields=errors)
    return Applicant(**applicant), represented, form_data


def _apply_fields(dossier: Dossier, data: DraftInput, now: datetime | None = None) -> None:
    """Copy what was entered onto the dossier, once the e-form rules passed."""
    today = (now or utcnow()).astimezone(OFFICE_TZ).date()
    a, represented, form_data = _checked(dossier.procedure_version.spec, data, today)
    dossier.applicant_name, dossier.applicant_id_number = a.full_name, a.id_number
    dossier.applicant_address, dossier.applicant_phone = a.address, a.phone
    # The account is how the portal reaches its holder: with no e-mail typed (an API client
    # that omits it), the account's own is used, so the applicant still gets the status e-mails.
    dossier.applicant_email = a.email or (dossier.owner.email if dossier.owner else "")
    dossier.form_data = form_data
    dossier.represented = represented
    if not Delivery.known(data.delivery):
        raise DossierError("Hình thức nhận kết quả không hợp lệ.",
                           fields={"delivery": "Chọn một hình thức nhận kết quả."})
    if data.delivery == "online" and dossier.procedure_version.online != "full":
        raise DossierError("Thủ tục này không trả kết quả điện tử.",
                           fields={"delivery": "Chọn nhận trực tiếp hoặc qua bưu chính."})
    dossier.delivery = data.delivery
    # A bad count is reported with the missing items (counter_intake), so the desk sees every
    # problem at once; the row never holds it.
    dossier.sets = 1 if dossier.channel == CHANNEL_ONLINE or _sets_problem(data.sets) else data.sets


def _sets_problem(sets) -> dict[str, str]:
    """The number of sets counted at the counter must be a count (form 01, số bộ hồ sơ)."""
    if isinstance(sets, bool) or not isinstance(sets, int) or not 1 <= sets <= MAX_SETS:
        return {"sets": msg("Nhập số bộ hồ sơ là số nguyên từ 1 đến %(max)s.", max=MAX_SETS)}
    return {}


def _attach(dossier: Dossier, uploads: dict[str, list[FileStorage]], actor: User,
            reuse: dict[str, list[int]] | None = None) -> dict[str, str]:
    """Store the uploads that pass (PDF/JPEG/PNG by content, size limits), add the papers taken
    from the applicant's store (`reuse`, services/citizen_store.py), and return the refusals by
    document key: one bad file does not cost the applicant the good ones. An upload by the
    applicant for a document naming its kind of paper is kept in their store."""
    have = Counter(f.component for f in dossier.files)
    sent = {key: [f for f in files if f and f.filename] for key, files in uploads.items()}
    reused, errors = citizen_store.reuse(dossier, actor, reuse or {})
    for file in reused:
        sent.setdefault(file.component, [])
    # An unknown part, or one with more files than a document may have, is refused whole.
    errors |= eform.check_parts(dossier.procedure_version.spec["documents"], {
        key: have[key] + len(files) + sum(f.component == key for f in reused) for key, files in sent.items()})
    total = sum(f.size for f in dossier.files)
    if too_many := _too_many_files(dossier, uploads, len(reused)):
        return too_many | errors   # a part's own limit, where it has one, is the clearer message
    for file in reused:
        if f"documents.{file.component}" not in errors:
            dossier.files.append(file)
    for key, files in sent.items():
        if f"documents.{key}" in errors:
            continue
        for upload in files:
            if not upload or not upload.filename:
                continue
            name = filecheck.display_name(upload.filename)
            try:
                stored = storage.store(upload.stream, max_size=current_app.config["MAX_FILE_SIZE"], label=name)
            except storage.UploadError as error:
                errors[f"documents.{key}"] = error.args[0]
                continue
            if total + stored.size > current_app.config["MAX_DOSSIER_SIZE"]:
                errors[f"documents.{key}"] = msg(
                    "Tệp “%(name)s”: tổng dung lượng các tệp của hồ sơ vượt quá mức cho phép.", name=name)
                continue
            total += stored.size
            file = DossierFile(component=key, name=name, content_type=stored.content_type, size=stored.size,
                               sha256=stored.sha256, uploaded_by_id=actor.id)
            dossier.files.append(file)
            citizen_store.keep_upload(dossier, file, actor)
    _stamp_files(dossier)
    return errors


def _stamp_files(dossier: Dossier) -> None:
    """The facts the statistics count from the dossier's files: inputs digitised (4.2), a
    component reused from the applicant's store (4.3), one from the national store (4.4)."""
    dossier.has_files = bool(dossier.files)
    dossier.reused_component = any(f.reused for f in dossier.files)
    dossier.from_national_store = citizen_store.from_national_store(dossier.files)


def _too_many_files(dossier: Dossier, uploads: dict[str, list[FileStorage]], reused: int = 0) -> dict[str, str]:
    """A dossier holds at most MAX_FILES_PER_DOSSIER files (issue 18): a request that would take
    it past that has all its files refused, before any is stored."""
    limit = current_app.config["MAX_FILES_PER_DOSSIER"]
    sent = {key: sum(1 for u in files if u and u.filename) for key, files in uploads.items()}
    if len(dossier.files) + sum(sent.values()) + reused <= limit:
        return {}
    message = msg("Một hồ sơ có tối đa %(limit)s tệp: hồ sơ đang có %(count)s tệp, "
                  "không nhận thêm %(sent)s tệp gửi lần này.", limit=limit, count=len(dossier.files),
                  sent=sum(sent.values()))
    return {f"documents.{key}": message for key, count in sent.items() if count}


def _check_open_drafts(user: User) -> None:
    """An account keeps at most MAX_OPEN_DRAFTS drafts not yet sent (issue 18)."""
    limit = current_app.config["MAX_OPEN_DRAFTS"]
    drafts = db.session.scalar(select(func.count()).select_from(Dossier).where(
        Dossier.owner_id == user.id, Dossier.status == "draft"))
    if drafts >= limit:
        raise DossierError(msg("Bạn đang có %(drafts)s hồ sơ nháp chưa gửi, mức tối đa cho một tài khoản là %(limit)s. "
                               "Vui lòng hoàn thành và gửi một hồ sơ nháp đang có trước khi tạo hồ sơ mới.",
                               drafts=drafts, limit=limit), status=422)


def missing_items(dossier: Dossier) -> dict[str, str]:
    """Required e-form fields and documents without a value or a file: submission needs none.
    Keys: `form.<field key>`, `documents.<document key>`, `applicant.<field>`."""
    spec = dossier.procedure_version.spec
    missing = {}
    for f in spec["form"]:
        if f["required"] and dossier.form_data.get(f["key"]) in (None, "", False):
            key = f"applicant.{FROM_APPLICANT[f['key']]}" if f["key"] in FROM_APPLICANT else f"form.{f['key']}"
            missing[key] = msg("Chưa nhập “%(label)s”.", label=f["label"])
    present = {f.component for f in dossier.files}
    for d in spec["documents"]:
        if d["required"] and d["key"] not in present:
            missing[f"documents.{d['key']}"] = msg("Chưa đính kèm “%(name)s”.", name=d["name"])
    applicant = Applicant.of(dossier)
    for name, label in (("full_name", N_("họ và tên")), ("id_number", N_("số định danh cá nhân")),
                        ("address", N_("địa chỉ"))):
        if not getattr(applicant, name):
            missing[f"applicant.{name}"] = msg("Chưa nhập %(what)s người nộp hồ sơ.", what=msg(label))
    return missing


def _online_dossier(user: User, version: ProcedureVersion, agency_code: str, now: datetime) -> Dossier:
    """A new online (channel 2) draft of a citizen, pre-filled from the account."""
    if version.online == "none":
        raise DossierError("Thủ tục này không nộp trực tuyến.", status=409,
                           fields={"procedure": "Không nộp trực tuyến."})
    if not user.is_citizen:
        raise DossierError("Cán bộ nhập hồ sơ tại quầy qua chức năng tiếp nhận trực tiếp.", status=403)
    desk = _desk(version, agency_code)
    # The desk's level of online service: its own offering, or, for a successor serving in a
    # retired desk's place (another level, issue 13), the offering of the desk it took over.
    online = next(o.online for o in catalogue.offerings(version) if serving(o.desk) == desk)
    if online == "none":
        raise DossierError("Bộ phận Một cửa này chưa nhận hồ sơ trực tuyến của thủ tục này.", status=409,
                           fields={"agency": "Nộp tại quầy, qua bưu chính hoặc chọn nơi tiếp nhận khác."})
    dossier = Dossier(
        procedure_version=version, receiving_agency=desk, owner=user, status="draft",
        channel=CHANNEL_ONLINE, applicant_name=user.full_name, applicant_id_number=user.id_number or "",
        applicant_phone=user.phone or "", applicant_email=user.email, form_data={},
        delivery="online" if online == "full" else "counter", created_at=now,
    )
    db.session.add(dossier)
    return dossier


def start_draft(user: User, version: ProcedureVersion, agency_code: str, now: datetime | None = None) -> Dossier:
    """A citizen opens a draft at the desk they chose."""
    _check_open_drafts(user)
    dossier = _online_dossier(user, version, agency_code, now or utcnow())
    commit()
    return dossier


def save_draft(dossier: Dossier, user: User, data: DraftInput, lock_version: int | None) -> Dossier:
    """Save what the applicant entered, without checking completeness (a draft may be half
    done). Files that pass are saved even when others are refused; the refusals are raised
    after the commit, so nothing that was good is lost."""
    if not can(user, "dossier.edit", dossier):
        raise DossierError("Bạn không được sửa hồ sơ này.", status=403)
    check_lock(dossier, lock_version)
    try:
        _apply_fields(dossier, data)
    except DossierError:
        db.session.rollback()
        raise
    errors = _attach(dossier, data.uploads, user, data.reuse)
    commit()
    if errors:
        raise DossierError("Có tệp không được chấp nhận; các tệp và thông tin khác đã được lưu.", fields=errors)
    return dossier


def attach_files(dossier: Dossier, user: User, uploads: dict[str, list[FileStorage]],
                 lock_version: int | None) -> dict[str, str]:
    """Keep the uploads of a request whose fields were refused; returns the file refusals."""
    if not can(user, "dossier.edit", dossier):
        raise DossierError("Bạn không được sửa hồ sơ này.", status=403)
    check_lock(dossier, lock_version)
    errors = _attach(dossier, uploads, user)
    commit()
    return errors


def remove_file(dossier: Dossier, user: User, file_id: int, lock_version: int | None) -> None:
    if not can(user, "dossier.edit", dossier):
        raise DossierError("Bạn không được sửa hồ sơ này.", status=403)
    check_lock(dossier, lock_version)
    target = next((f for f in dossier.files if f.id == file_id), None)
    if target is None:
        raise DossierError("Không có tệp này.", status=404)
    dossier.files.remove(target)
    _stamp_files(dossier)
    commit()


def _send(dossier: Dossier, actor: User, now: datetime, agency: Agency | None = None) -> None:
    """Status submitted (national code 1)."""
    transition(dossier, Action.SUBMIT, actor, now, agency=agency)
    dossier.submitted_at = now


def _give_reference(dossier: Dossier, now: datetime) -> None:
    """An online submission's reference, at once: the applicant needs something to follow the
    dossier by before a desk has received it (the code only exists from then)."""
    day = now.astimezone(OFFICE_TZ).date()
    dossier.reference = format_reference(day, next_value("reference", day.isoformat()))


def _give_code(dossier: Dossier, now: datetime) -> None:
    """The dossier code, when the desk receives the dossier: the desk's identifier, the date
    RECEIVED and the desk's sequence that day (Circular 01/2018 Art. 19, kept by Circular
    03/2025). A dossier that already has a code keeps it (one submitted before codes moved
    to acceptance, migration 0009)."""
    if dossier.code is not None:
        return
    day = now.astimezone(OFFICE_TZ).date()
    agency_code = dossier.receiving_agency.code
    dossier.code = format_code(agency_code, day, next_value(f"dossier:{agency_code}", day.isoformat()))


UNVERIFIED = ("Vui lòng xác nhận địa chỉ e-mail của tài khoản trước khi nộp hồ sơ: mở liên kết trong thư "
              "xác nhận đã gửi đến hộp thư của bạn, hoặc yêu cầu gửi lại thư xác nhận. Bản nháp vẫn được giữ.")


def require_verified(user: User) -> None:
    """An account registered online submits only once its e-mail address is verified (issue 13):
    the portal writes to that address about every dossier. Drafts need no verification."""
    if not user.email_verified:
        raise DossierError(UNVERIFIED, status=403, fields={"email_verified": UNVERIFIED})


def submit(dossier: Dossier, user: User, lock_version: int | None = None, now: datetime | None = None) -> Dossier:
    """Send a complete draft: status submitted (national code 1) and the submission reference
    at once (the applicant follows the dossier by it until the desk receives it and gives the
    code), e-mail to the applicant."""
    now = now or utcnow()
    if not can(user, "dossier.edit", dossier) or dossier.status != "draft":
        raise DossierError("Hồ sơ này không ở trạng thái nháp của bạn.",
                           status=403 if dossier.owner_id != user.id else 409)
    require_verified(user)
    check_lock(dossier, lock_version)
    if missing := missing_items(dossier):
        raise DossierError("Hồ sơ chưa đủ để gửi.", fields=missing)
    _send(dossier, user, now)
    _give_reference(dossier, now)
    messages = notify.messages(dossier, Notice(Kind.SUBMITTED))
    commit_then_dispatch(messages=messages)
    return dossier


def submit_new(user: User, version: ProcedureVersion, agency_code: str, data: DraftInput,
               now: datetime | None = None) -> Dossier:
    """Draft and submission in one transaction (the API): nothing is left behind on a refusal."""
    now = now or utcnow()
    require_verified(user)
    dossier = _online_dossier(user, version, agency_code, now)
    try:
        _apply_fields(dossier, data, now)
        if errors := _attach(dossier, data.uploads, user, data.reuse):
            raise DossierError("Có tệp không được chấp nhận.", fields=errors)
        if missing := missing_items(dossier):
            raise DossierError("Hồ sơ chưa đủ để gửi.", fields=missing)
    except DossierError:
        db.session.rollback()
        raise
    _send(dossier, user, now)
    _give_reference(dossier, now)
    messages = notify.messages(dossier, Notice(Kind.SUBMITTED))
    commit_then_dispatch(messages=messages)
    return dossier


def _answering(dossier: Dossier, user: User, lock_version: int | None) -> None:
    if not can(user, "dossier.edit", dossier) or dossier.status != "supplement_requested":
        raise DossierError("Hồ sơ này không chờ bổ sung.", status=409 if dossier.owner_id == user.id else 403)
    check_lock(dossier, lock_version)


def _send_back(dossier: Dossier, user: User, now: datetime) -> None:
    """Back to where the supplement was asked (the desk, or processing, whose clock resumes);
    the original submission time stays: it is when the dossier was first sent."""
    if missing := missing_items(dossier):
        raise DossierError("Hồ sơ chưa đủ để gửi lại.", fields=missing)
    during_processing = dossier.previous_status == "processing"
    transition(dossier, Action.RESUBMIT, user, now)
    if during_processing:
        processing.resume_after_supplement(dossier, now)


def resubmit(dossier: Dossier, user: User, lock_version: int | None = None, now: datetime | None = None) -> Dossier:
    """The applicant answers the supplement request: back to the desk, same code or reference."""
    now = now or utcnow()
    _answering(dossier, user, lock_version)
    _send_back(dossier, user, now)
    messages = notify.messages(dossier, Notice(Kind.RESUBMITTED))
    commit_then_dispatch(messages=messages)
    return dossier


@dataclass
class Changes:
    """An answer to a supplement request: only what it sends changes, the rest is kept."""

    applicant: dict[str, str] = field(default_factory=dict)  # Applicant fields sent
    form_data: dict = field(default_factory=dict)  # e-form fields sent
    represented: dict | None = None  # None: kept
    delivery: str | None = None  # None: kept
    uploads: dict[str, list[FileStorage]] = field(default_factory=dict)
    reuse: dict[str, list[int]] = field(default_factory=dict)


def _contents(dossier: Dossier) -> tuple:
    return (asdict(Applicant.of(dossier)), dossier.form_data, dossier.represented, dossier.delivery,
            sorted((f.component, f.sha256) for f in dossier.files))


def answer_supplement(dossier: Dossier, user: User, changes: Changes, lock_version: int | None = None,
                      now: datetime | None = None) -> Dossier:
    """The supplement in one step (the API): what it sends is applied and the dossier goes back,
    in one transaction. An answer that changes nothing is refused and the dossier keeps waiting
    (the one request the desk may make is not spent on an empty answer)."""
    now = now or utcnow()
    _answering(dossier, user, lock_version)
    unknown = set(changes.applicant) - set(Applicant.__dataclass_fields__)
    if unknown:
        raise DossierError("Trường applicant có khóa lạ", status=400,
                           fields={"applicant": msg("Khóa không hợp lệ: %(keys)s", keys=", ".join(sorted(unknown)))})
    before = _contents(dossier)
    data = DraftInput(applicant=replace(Applicant.of(dossier), **{k: str(v) for k, v in changes.applicant.items()}),
                      form_data={**dossier.form_data, **changes.form_data},
                      represented=dossier.represented if changes.represented is None else changes.represented or None,
                      delivery=changes.delivery or dossier.delivery)
    try:
        _apply_fields(dossier, data, now)
        if errors := _attach(dossier, changes.uploads, user, changes.reuse):
            raise DossierError("Có tệp không được chấp nhận.", fields=errors)
        if _contents(dossier) == before:
            message = "Bản bổ sung không thay đổi gì so với hồ sơ đã nộp: gửi giấy tờ hoặc thông tin cần bổ sung."
            raise DossierError(message, status=422, fields={"files": message})
        _send_back(dossier, user, now)
    except DossierError:
        db.session.rollback()
        raise
    commit_then_dispatch(messages=notify.messages(dossier, Notice(Kind.RESUBMITTED)))
    return dossier


def _verification(version: ProcedureVersion, asked: bool) -> bool:
    """The desk's "the facts must be verified": only for a procedure whose file gives the
    longer limit for it (processing_time.verification_days)."""
    if asked and not version.spec["processing_time"].get("verification_days"):
        message = "Thủ tục này không có thời hạn riêng cho trường hợp cần xác minh."
        raise DossierError(message, fields={"verification": message})
    return asked


def _record_checklist(dossier: Dossier, checked: list[str] | None) -> dict[str, str]:
    """Keep the desk's checklist on the dossier (form 01 lists what it ticked), or return the
    problems that stop the receipt (a required paper not ticked) and keep nothing. None: received
    without a checklist (the API without `checked`, an import)."""
    if checked is None:
        return {}
    documents = dossier.procedure_version.spec["documents"]
    if problems := checklist.problems(documents, checked):
        return problems
    dossier.checked_documents = checklist.ticked(documents, checked)
    return {}


def accept(dossier: Dossier, staff: User, lock_version: int | None = None, now: datetime | None = None,
           verification: bool = False, checked: list[str] | None = None) -> Dossier:
    """Complete and valid: the dossier is received now: its code (dated today), receipt
    (form 01), received_at now, due date by the deadline rules (15:00 cut-off, working days;
    Decree 118/2025 Art. 17–18); `verification`: the facts must be verified, the procedure's
    longer limit applies (Civil Status Law 2014 Art. 18(2), 34(2)); `checked`: the papers the
    desk ticked, every required one (domain/checklist.py), kept for form 01."""
    now = now or utcnow()
    authorise(dossier, staff, Action.ACCEPT)
    agency = dossier.receiving_agency
    check_lock(dossier, lock_version)
    if problems := _record_checklist(dossier, checked):
        raise DossierError("Chưa kiểm tra đủ giấy tờ bắt buộc.", fields=problems)
    dossier.needs_verification = _verification(dossier.procedure_version, verification)
    transition(dossier, Action.ACCEPT, staff, now, agency=agency)
    dossier.received_at = now
    dossier.due_at = expected_due(dossier.procedure_version, now, paper=dossier.channel != 2,
                                  verification=dossier.needs_verification)
    _give_code(dossier, now)
    processing.start(dossier, staff, now)
    document = issuing.issue(dossier, "receipt", staff, now)
    messages = notify.messages(dossier, Notice(Kind.RECEIVED))
    commit_then_dispatch(document, messages)
    return dossier


def request_supplement(dossier: Dossier, staff: User, items: list[str], reason: str,
                       lock_version: int | None = None, now: datetime | None = None) -> Dossier:
    """Incomplete: ONE request (form 02) listing everything missing; the deadline has not
    started (Decree 61/2018 Art. 19(2)(b); Decree 118/2025 Art. 17)."""
    now = now or utcnow()
    authorise(dossier, staff, Action.REQUEST_SUPPLEMENT)
    agency = dossier.receiving_agency
    items = supplement_items(items, reason)
    check_lock(dossier, lock_version)
    transition(dossier, Action.REQUEST_SUPPLEMENT, staff, now, note=reason.strip(), agency=agency)
    dossier.intake_supplements += 1
    document = issuing.issue(dossier, "supplement_request", staff, now, {"items": items, "reason": reason.strip()})
    messages = notify.messages(dossier, Notice(Kind.SUPPLEMENT_REQUESTED, items=items, reason=reason.strip()))
    commit_then_dispatch(document, messages)
    return dossier


def refuse(dossier: Dossier, staff: User, reasons: list[str], lock_version: int | None = None,
           now: datetime | None = None, confirmed: bool = True) -> Dossier:
    """Out of scope or invalid: refusal (form 03) with the reasons. A refused dossier was never
    received (national status 3 "Không được tiếp nhận"): it gets no dossier code, whose date
    is the date received (Circular 01/2018 Art. 19), and keeps its submission reference; form 03
    prints the code only "if any" (QĐ 3621/QĐ-BYT BM.03)."""
    now = now or utcnow()
    authorise(dossier, staff, Action.REFUSE)
    agency = dossier.receiving_agency
    reasons = [r.strip() for r in reasons if r.strip()]
    if not reasons:
        raise DossierError("Cần ghi rõ lý do từ chối.", fields={"reason": "Nhập lý do từ chối, mỗi dòng một lý do."})
    require_confirmation(confirmed)
    check_lock(dossier, lock_version)
    transition(dossier, Action.REFUSE, staff, now, note="; ".join(reasons), agency=agency)
    document = issuing.issue(dossier, "refusal", staff, now, {"reasons": reasons})
    messages = notify.messages(dossier, Notice(Kind.REFUSED, reason="; ".join(reasons)))
    commit_then_dispatch(document, messages)
    return dossier


def counter_intake(staff: User, version: ProcedureVersion, desk_code: str, channel: int, data: DraftInput,
                   now: datetime | None = None) -> Dossier:
    """A walk-in (channel 1) or postal (channel 3) dossier, entered and scanned by the desk and
    accepted in the same flow: received now, so its code is given at once (and is also its
    reference: there is no submission before the receipt), a receipt, the deadline running
    from now. `data.sets` is the number of sets counted at the counter, `data.verification`
    whether the facts must be verified (the longer limit, see accept), `data.checked` the
    papers ticked as checked (see accept)."""
    now = now or utcnow()
    if channel not in (CHANNEL_COUNTER, CHANNEL_POST):
        raise DossierError("Kênh tiếp nhận không hợp lệ.", fields={"channel": "Chọn trực tiếp hoặc bưu chính."})
    desk = _desk(version, desk_code)
    if not member(staff, desk.id, {Role.RECEPTION}):
        raise DossierError("Bạn không phải cán bộ tiếp nhận của Bộ phận Một cửa này.", status=403)
    verification = _verification(version, data.verification)
    dossier = Dossier(procedure_version=version, receiving_agency=desk, owner=None, status="draft",
                      channel=channel, form_data={}, created_at=now, needs_verification=verification)
    db.session.add(dossier)
    try:
        _apply_fields(dossier, data, now)
    except DossierError:
        db.session.rollback()
        raise
    if errors := _attach(dossier, data.uploads, staff):
        db.session.rollback()
        raise DossierError("Có tệp không được chấp nhận.", fields=errors)
    if missing := missing_items(dossier) | _sets_problem(data.sets) | _record_checklist(dossier, data.checked):
        db.session.rollback()
        raise DossierError("Hồ sơ chưa đủ để tiếp nhận.", fields=missing)
    _send(dossier, staff, now, agency=desk)
    transition(dossier, Action.ACCEPT, staff, now, agency=desk)
    dossier.received_at = now
    dossier.due_at = expected_due(version, now, paper=channel != 2, verification=verification)
    _give_code(dossier, now)
    dossier.reference = dossier.code
    processing.start(dossier, staff, now)
    document = issuing.issue(dossier, "receipt", staff, now)
    messages = notify.messages(dossier, Notice(Kind.RECEIVED))
    commit_then_dispatch(document, messages)
    return dossier


def request_withdrawal(dossier: Dossier, user: User, reason: str, lock_version: int | None = None,
                       now: datetime | None = None) -> Dossier:
    """The applicant asks to stop the dossier (Circular 03/2025 Art. 7); the desk decides."""
    now = now or utcnow()
    if not can(user, "dossier.withdraw", dossier):
        raise DossierError("Bạn không được rút hồ sơ này.", status=403)
    check_lock(dossier, lock_version)
    if dossier.status == "draft":
        raise DossierError("Hồ sơ nháp chưa gửi: không cần rút, có thể để nguyên.", status=409)
    transition(dossier, Action.REQUEST_WITHDRAWAL, user, now, note=reason.strip())
    messages = notify.messages(dossier, Notice(Kind.WITHDRAWAL_REQUESTED))
    commit_then_dispatch(messages=messages)
    return dossier


def cancel_withdrawal(dossier: Dossier, user: User, lock_version: int | None = None,
                      now: datetime | None = None) -> Dossier:
    """The applicant takes back a withdrawal request the desk has not acted on yet: the
    dossier goes back to where it was."""
    now = now or utcnow()
    if not can(user, "dossier.withdraw", dossier):
        raise DossierError("Bạn không được thay đổi yêu cầu rút hồ sơ này.", status=403)
    check_lock(dossier, lock_version)
    transition(dossier, Action.CANCEL_WITHDRAWAL, user, now, note="Người nộp hủy yêu cầu rút hồ sơ.")
    commit_then_dispatch(messages=notify.messages(dossier, Notice(Kind.WITHDRAWAL_CANCELLED)))
    return dossier


def desk_queue(staff: User, page: int, per_page: int, status: str = "submitted"):
    """Dossiers waiting for the desks where `staff` receives, oldest first: new ones
    (submitted) or withdrawal requests (withdrawal_requested)."""
    desks = [m.agency_id for m in staff.memberships if m.role == Role.RECEPTION]
    query = (select(Dossier).where(Dossier.receiving_agency_id.in_(desks), Dossier.status == status)
             .order_by(Dossier.updated_at if status != "submitted" else Dossier.submitted_at, Dossier.id))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def my_dossiers(user: User, page: int, per_page: int):
    query = select(Dossier).where(Dossier.owner_id == user.id).order_by(Dossier.updated_at.desc(), Dossier.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def by_code(code: str) -> Dossier | None:
    """The dossier of an official code (the public lookup, the QR code)."""
    return db.session.scalar(select(Dossier).where(Dossier.code == code.strip().upper()))


def by_identifier(text: str) -> Dossier | None:
    """The dossier of a code or a submission reference (the API's URLs): an online dossier not
    yet received has only its reference, and its owner and the desk must still reach it.
    Permissions are the caller's. The two shapes never collide (app/domain/codes.py); a
    dossier from before migration 0009 has its code as its reference, the same row."""
    wanted = text.strip().upper()
    return db.session.scalar(select(Dossier).where(or_(Dossier.code == wanted, Dossier.reference == wanted)))
