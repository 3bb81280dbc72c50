"""The API's contract: request and response models (pydantic v2) and the SpecTree instance
that validates each route with them and publishes the OpenAPI 3.1 document at
/api/v1/openapi.json. A request that does not fit its model is refused by `refuse_invalid`
with the API's error shape, {"error": ..., "fields": {parameter: message}}."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from flask_babel import gettext as _
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Json,
    PlainSerializer,
    StrictBool,
    StrictInt,
    WithJsonSchema,
)
from spectree import Response, SecurityScheme, SpecTree
from spectree.models import SecuritySchemeData

from app.domain.feedback import Category as FeedbackCategoryEnum
from app.domain.feedback import Subject as FeedbackSubjectEnum
from app.domain.notices import CHANNELS
from app.domain.structure import AgencyKind, Level, Role
from app.domain.vocabulary import AccessKind
from app.i18n import LANGUAGES

# A moment as the API always wrote it: ISO 8601 with its offset, as Python writes it
# (pydantic's default would write "Z" for UTC).
Moment = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str),
                   WithJsonSchema({"type": "string", "format": "date-time"})]
Day = Annotated[date, PlainSerializer(date.isoformat, return_type=str),
                WithJsonSchema({"type": "string", "format": "date"})]


def _plus_back(value):
    """An unencoded "+07:00" in a query string arrives as " 07:00": put the plus back."""
    if isinstance(value, str) and len(value) > 6 and value[-6] == " ":
        return value[:-6] + "+" + value[-5:]
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_plus_back), PlainSerializer(datetime.isoformat, return_type=str)]
Number = int | float
Page = Annotated[int, Field(ge=1, le=100000)]
LevelName = Literal[tuple(str(v) for v in Level)]  # type: ignore[valid-type]
KindName = Literal[tuple(str(v) for v in AgencyKind)]  # type: ignore[valid-type]
AccessKindName = Literal[tuple(str(v) for v in AccessKind)]  # type: ignore[valid-type]


class Model(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, populate_by_name=True)


class Query(Model):
    """Unknown query parameters are ignored, as before."""


class Body(Model):
    """A JSON body: unknown keys are ignored."""


# --- errors -------------------------------------------------------------------------------

class Error(Model):
    error: str
    fields: dict[str, str] = Field(description="The parameter or field at fault → what is wrong with it")


def responses(ok: type[BaseModel] | None, *errors: int, created: bool = False) -> Response:
    """The route's answers: its model for 200 (201 when it creates), `Error` for each status named
    and for 400, which any route may answer (the edge refuses control characters, app/security.py)."""
    models: dict[str, Any] = {f"HTTP_{status}": Error for status in {400, *errors}}
    if ok is not None:
        models["HTTP_201" if created else "HTTP_200"] = ok
    return Response(**models) if ok is not None else Response("HTTP_200", **models)


# --- public catalogue ---------------------------------------------------------------------

class Unit(Model):
    code: str
    name: str


class Agency(Model):
    code: str
    name: str
    kind: str
    level: str
    unit: Unit
    parent_code: str | None


class AgencyList(Model):
    items: list[Agency]


class AgencyQuery(Query):
    level: LevelName | None = None
    kind: KindName | None = None
    unit: str | None = Field(None, description="Mã đơn vị hành chính")


class ProcessingTime(Model):
    value: Number
    unit: str


class Fee(Model):
    name: str
    amount: Number | None


class ProcedureSummary(Model):
    code: str
    name: str
    field: str
    level: str
    online: str
    processing_time: ProcessingTime
    fees: list[Fee]


class ProcedureList(Model):
    items: list[ProcedureSummary]
    total: int
    page: int
    per_page: int


class ProcedureQuery(Query):
    q: str = Field("", description="Tìm theo tên hoặc mã (200 ký tự đầu)")
    field: str = ""
    level: LevelName | None = None
    online: Literal["partial", "full", "none"] | None = None
    page: Page = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 20


class ProcedureDetail(ProcedureSummary):
    """The published version's specification (procedures/*.yaml, checked when loaded)."""
    name_en: str
    version: int
    published_at: Moment
    receiving_level: str
    agency: dict[str, Any]
    methods: list[str]
    subjects: list[Any]
    steps: list[Any]
    documents: list[dict[str, Any]]
    form: list[dict[str, Any]]
    process: list[dict[str, Any]]
    legal_basis: list[Any]
    result: str


class DueDateQuery(Query):
    received_at: Instant = Field(description="ISO 8601 với múi giờ, ví dụ 2027-02-05T10:00:00+07:00")


class DueDate(Model):
    received_at: Moment
    due_at: Moment


class StatsQuery(Query):
    start: Day = Field(alias="from")
    end: Day = Field(alias="to")
    agency: str | None = None
    level: LevelName | None = None
    field: str | None = None
    procedure: str | None = None


class Period(Model):
    start: Day = Field(alias="from")
    end: Day = Field(alias="to")


class Index(Model):
    rate: Number | None
    points: Number | None
    numerator: Number | None
    denominator: Number | None


class Stats(Model):
    period: Period
    received: int
    resolved: int
    early: int
    on_time: int
    late: int
    open: int
    open_overdue: int
    synced: int = Field(description="Hồ sơ tiếp nhận trong kỳ đã được Cổng Dịch vụ công quốc gia xác nhận đồng bộ "
                                    "(tử số của chỉ số 1.4)")
    indices: dict[str, Index] = Field(description="Chỉ số theo Quyết định 766/QĐ-TTg, theo mã: 1.4, 2.1, 2.2, …; "
                                      "3.3 = tử số / mẫu số × tỷ lệ của 1.4")


# --- token, dossiers ----------------------------------------------------------------------

class Credentials(Body):
    email: str
    password: str
    label: str = Field("", max_length=100, description="Tên gợi nhớ của mã, hiện trên trang “Phiên đăng nhập”")


class Token(Model):
    token: str = Field(description="Mã truy cập: gửi trong Authorization: Bearer …; chỉ hiện một lần")


class Notice(Model):
    message: str


class Applicant(Model):
    model_config = ConfigDict(extra="forbid")
    full_name: str = ""
    id_number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


class DossierForm(Model):
    """multipart/form-data: the JSON fields as strings, and one file field per document key of
    the procedure (GET /procedures/{code} → documents[].key, at most 20 files each). `data` is
    checked against the procedure's e-form (form[]: type, max_length, choices, min, max, integer,
    not_future, pattern) and `applicant` / `represented` by their formats, as on the web form:
    a 422 names each field at fault (`form.<key>`, `applicant.<name>`, `documents.<key>`)."""
    model_config = ConfigDict(extra="allow")
    applicant: Json[Applicant] = Field(default_factory=Applicant)
    data: Json[dict[str, Any]] = Field(default_factory=dict)
    represented: Json[dict[str, Any]] = Field(default_factory=dict)
    delivery: str = "counter"
    store_files: Json[dict[str, list[int]]] = Field(
        default_factory=dict, description="Papers of the caller's store (GET /me/store) in place of file parts, "
        'by document key: {"giay_to_tuy_than": [12]}; the document must name the same kind of paper')


class SupplementForm(Model):
    """multipart/form-data answering a supplement request: only what is sent changes (the applicant's
    fields one by one, the e-form's fields one by one, a file per document key), the rest is kept."""
    model_config = ConfigDict(extra="allow")
    applicant: Json[Applicant] | None = None
    data: Json[dict[str, Any]] | None = None
    represented: Json[dict[str, Any]] | None = None
    delivery: str | None = None


class NewDossierForm(DossierForm):
    procedure: str = ""
    agency: str = ""


class Created(Model):
    reference: str
    code: str | None
    status: str
    status_code: int


class ProcedureRef(Model):
    code: str
    name: str
    version: int


class File(Model):
    component: str
    name: str
    size: int
    sha256: str


class Event(Model):
    action: str
    from_status: str | None = Field(alias="from")
    to_status: str = Field(alias="to")
    at: Moment
    note: str | None


class Apology(Model):
    status: str
    reason: str
    new_due_at: Moment
    drafted_at: Moment
    approved_at: Moment | None
    deadline_at: Moment
    late: bool | None = Field(description="Known once issued: drafted after its deadline")


class Step(Model):
    key: str
    name: str
    role: str
    agency: str
    assignee: int | None
    given_at: Moment
    due_at: Moment
    done_at: Moment | None
    result: str | None
    note: str | None


class Dossier(Model):
    code: str | None
    reference: str
    status: str
    status_code: int
    status_label: str
    procedure: ProcedureRef
    agency: str
    channel: int = Field(description="1 tại quầy, 2 trực tuyến, 3 bưu chính")
    delivery: str
    submitted_at: Moment | None
    received_at: Moment | None
    due_at: Moment | None
    applicant: Applicant
    data: dict[str, Any]
    files: list[File]
    history: list[Event]
    effective_due_at: Moment | None
    rescheduled_due_at: Moment | None
    apology: Apology | None
    outcome: str | None
    returned_at: Moment | None
    available_actions: list[str] = Field(description="Các thao tác quy trình cho phép ở trạng thái hiện tại")
    current_step: Step | None = Field(None, description="Chỉ cho cán bộ")
    steps: list[Step] | None = Field(None, description="Chỉ cho cán bộ")


class DossierList(Model):
    items: list[Dossier]
    total: int


class Reason(Body):
    reason: str = ""


class ActionBody(Body):
    """The body of POST /dossiers/{code}/actions/{action}: each action reads the fields it needs."""
    verification: StrictBool = Field(False, description="accept: cần xác minh")
    checked: list[str] | None = Field(None, description="accept: khóa các thành phần hồ sơ đã kiểm tra, mọi giấy tờ "
                                                        "bắt buộc; bỏ trống: không lưu danh sách kiểm tra")
    reason: str = ""
    items: list[str] | None = Field(None, description="request_supplement: bắt buộc")
    note: str = ""
    user: StrictInt | None = Field(None, description="assign: bắt buộc, mã số người dùng")
    amount: StrictInt | None = Field(None, ge=0, description="record_payment: bắt buộc, số đồng")
    receipt_number: str = ""
    new_due_at: AwareDatetime | None = Field(None, description="draft_apology: bắt buộc, ISO 8601 có múi giờ")
    issue: StrictBool = Field(False, description="draft_apology: lãnh đạo ký phát hành ngay")
    outcome: str = ""
    method: str = ""
    tracking: str = ""


# The field each action cannot do without (named after the API's action table, ACTIONS).
REQUIRED = {"request_supplement": "items", "assign": "user", "record_payment": "amount", "draft_apology": "new_due_at"}


def action_body(action: str, body: ActionBody | None) -> dict:
    """The validated body as the action table reads it; 400 naming a field the action needs."""
    body = body or ActionBody()
    needed = REQUIRED.get(action)
    if needed and getattr(body, needed) is None:
        from app.blueprints.api import ApiError

        raise ApiError(400, _("Tham số không hợp lệ: %(name)s", name=needed), {needed: _("Bắt buộc")})
    return body.model_dump()


class WorkQuery(Query):
    page: Page = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 50


class WorkItem(Model):
    code: str | None
    procedure: str
    step: Step
    state: str


class Worklist(Model):
    items: list[WorkItem]
    total: int
    page: int


class Signature(Model):
    role: str
    signer: str
    signed_at: Moment
    level: str | None


class Document(Model):
    kind: str
    number: str | None
    created_at: Moment
    url: str | None
    sha256: str | None = None
    needs_signature: bool | None = None
    signed: bool | None = None
    status: str | None = None
    signed_at: Moment | None = None
    signing_error: str | None = None
    render_error: str | None = Field(None, description="chỉ cán bộ: lý do chưa tạo được bản PDF")
    signatures: list[Signature] = []


DocumentList = list[Document]


class Access(Model):
    """An official opened the dossier, a file or a document (who looked at my dossier)."""
    at: Moment
    official: str
    agency: str
    what: AccessKindName
    label: str


AccessList = list[Access]


class VerifyBody(Body):
    """Read up to 60 characters each."""
    code: str = ""
    number: str = ""


class VerifyForm(VerifyBody):
    """multipart/form-data: the PDF as `file`, or `code` and `number`."""
    file: Annotated[Any, WithJsonSchema({"type": ["string", "null"], "format": "binary"})] = None


class VerifiedDocument(Model):
    dossier_code: str | None
    number: str | None
    kind: str
    agency: str
    issued_at: Moment


class VerifiedSignature(Model):
    signer: str | None
    subject: str | None
    issuer: str | None
    signed_at: Moment | None
    timestamped: bool
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    problems: list[str]


class Verdict(Model):
    valid: bool
    sha256: str | None
    issued_by_portal: bool
    latest_version: bool | None
    document: VerifiedDocument | None
    signatures: list[VerifiedSignature]


class PublicProcedure(Model):
    code: str
    name: str


class PublicEvent(Model):
    at: Moment
    status_label: str


class LookupQuery(Query):
    k: str = Field("", max_length=64, description="mã bí mật trong đường dẫn QR trên giấy tiếp nhận")
    id_last4: str = Field("", max_length=4, description="4 chữ số cuối số định danh của người nộp")


class PublicDossier(Model):
    """Anyone with the code: status, dates, agency, masked name; `procedure` and `history` only
    with the receipt's QR secret `k` or the applicant's ID number's last 4 digits (else null)."""
    code: str
    procedure: PublicProcedure | None
    history: list[PublicEvent] | None
    status: str
    status_code: int
    status_label: str
    received_at: Moment | None
    due_at: Moment | None
    agency: str
    applicant: str


# --- administration: procedures (issue 13) ------------------------------------------------

class ProcedurePublishQuery(Query):
    publish: bool = Field(False, description="1: xuất bản ngay nếu hợp lệ; 0 (mặc định): chỉ kiểm tra "
                                                   "và trả về các thay đổi")
    code: str | None = Field(None, max_length=20, description="mã thủ tục đang sửa: nội dung phải giữ mã này")


class ProcedureChange(Model):
    section: Literal["time", "fee", "document", "form", "field"]
    path: str = Field(description="đường dẫn trong YAML, ví dụ documents[to_khai].count")
    kind: Literal["added", "removed", "changed"]
    before: Any = None
    after: Any = None


class ProcedureUpload(Model):
    """A valid procedure text: what it changes against the published version; `published`:
    whether this call published a new version (`version` is then its number)."""
    code: str
    name: str
    new: bool = Field(description="chưa có phiên bản nào đang công bố")
    changes: list[ProcedureChange]
    published: bool
    version: int | None = Field(description="số phiên bản đang công bố sau lệnh gọi")


class AdminProcedure(Model):
    code: str
    name: str | None
    version: int | None = Field(description="phiên bản đang công bố; null: ngừng công bố")
    managed_in_portal: bool


class AdminProcedureQuery(Query):
    q: str = Field("", max_length=200)
    page: Page = 1


class AdminProcedureList(Model):
    items: list[AdminProcedure]
    total: int
    page: int
    pages: int


# --- feedback (phản ánh, kiến nghị; issue 17) ---------------------------------------------

FeedbackCategory = Literal[tuple(str(v) for v in FeedbackCategoryEnum)]  # type: ignore[valid-type]
FeedbackSubject = Literal[tuple(str(v) for v in FeedbackSubjectEnum)]  # type: ignore[valid-type]


class NewFeedback(Body):
    """`procedure` (its code) for a procedure, `agency` (its code) for an agency, `dossier` (its
    code) for the caller's own dossier, as `subject` says. Lengths are checked by the service."""
    category: FeedbackCategory
    subject: FeedbackSubject
    procedure: str | None = None
    agency: str | None = None
    dossier: str | None = None
    title: Annotated[str, Field(max_length=1000)]
    text: Annotated[str, Field(max_length=20000)]


class FeedbackStep(Model):
    action: str
    actor: str
    agency: str
    note: str
    at: Moment


class Feedback(Model):
    """The sender's and the agency's view. `late`: the limits broken so far (refuse, ask_info,
    answer, publish); `due`: each limit's due instant where it applies now."""
    id: int
    reference: str
    category: str
    subject: str
    status: str
    status_label: str
    agency: str
    title: str
    text: str
    answer: str
    rating: str | None
    sent_at: Moment
    received_at: Moment
    due: dict[str, Moment | None]
    late: list[str]
    history: list[FeedbackStep]
    available_actions: list[str]


class FeedbackAction(Body):
    """`text`: the reason, the question, the answer, the text to publish, or the information
    asked for (required for those); `to_agency`: the agency's code, to forward. A call is its
    own confirmation."""
    text: Annotated[str, Field(max_length=20000)] = ""
    to_agency: str | None = None


class FeedbackRating(Body):
    value: Literal["satisfied", "not_satisfied"]


class FeedbackQuery(Query):
    published: Literal["1"] | None = Field(None, description="1: the published answers, for anyone")
    q: str = Field("", max_length=200)
    page: Page = 1


class PublishedFeedback(Model):
    reference: str
    agency: str
    title: str
    question: str
    answer: str
    published_at: Moment


class FeedbackList(Model):
    items: list[PublishedFeedback] | list[Feedback]
    total: int


# --- the citizen's store (issue 17) -------------------------------------------------------

class StoredPaper(Model):
    id: int
    kind: str
    name: str
    size: int
    sha256: str
    source: Literal["uploaded", "issued", "national"]
    valid_until: Day | None
    created_at: Moment
    in_use: bool = Field(description="Used by a dossier not yet finished: cannot be deleted")


class StoreList(Model):
    items: list[StoredPaper]
    total: int


# --- the account's notices (issues 14, 16) ------------------------------------------------

class NoticePreferences(Model):
    language: Literal[tuple(LANGUAGES)] = Field(  # type: ignore[valid-type]
        description="Ngôn ngữ của thư và tin nhắn gửi đến tài khoản (cả thư đặt lại mật khẩu)")
    channels: list[Literal[tuple(CHANNELS)]] | None = Field(  # type: ignore[valid-type]
        description="Công dân: các cách nhận thông báo về hồ sơ (ít nhất một). Cán bộ: null "
                    "(cán bộ không nhận thông báo về hồ sơ)")


class NoticePreferencesUpdate(Body):
    """The page's choice (/tai-khoan/nhan-thong-bao), checked by the same rule: an unknown
    language or channel, or no channel, is a 422 naming the field."""
    language: str = Field("", max_length=10, description="vi hoặc en")
    channels: list[Annotated[str, Field(max_length=20)]] | None = Field(
        None, max_length=10, description="email, sms, zalo — công dân; bỏ qua thì giữ như cũ. "
                                         "Tài khoản cán bộ gửi trường này: 422 (cán bộ chỉ chọn ngôn ngữ)")


# --- administration: staff and the audit log (issue 13) ------------------------------------

RoleName = Literal[tuple(str(v) for v in Role)]  # type: ignore[valid-type]


class MembershipRef(Model):
    agency: str = Field(max_length=35, description="mã định danh cơ quan (QĐ 20/2020)")
    role: RoleName


class StaffUser(Model):
    id: int
    email: str
    full_name: str
    active: bool
    created_at: Moment
    memberships: list[MembershipRef]


class StaffQuery(Query):
    q: str = Field("", max_length=100, description="một phần họ tên hoặc e-mail")
    agency: str = Field("", max_length=35, description="mã cơ quan")
    role: RoleName | None = None
    active: bool | None = Field(None, description="true: đang sử dụng, false: đã khóa")
    page: Page = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 50


class StaffList(Model):
    items: list[StaffUser]
    total: int
    page: int
    per_page: int


class Invitation(Body):
    email: str = Field(max_length=254)
    full_name: str = Field(min_length=1, max_length=150)
    memberships: list[MembershipRef] = Field(min_length=1, max_length=50)


class Memberships(Body):
    memberships: list[MembershipRef] = Field(max_length=50)


class AuditQuery(Query):
    actor: int | None = Field(None, description="id tài khoản người thực hiện")
    action: str = Field("", max_length=60, description="thao tác, hoặc tiền tố kết thúc bằng dấu chấm (user.)")
    target_type: str = Field("", max_length=30)
    agency: str = Field("", max_length=35, description="mã cơ quan")
    start: Day | None = Field(None, alias="from")
    end: Day | None = Field(None, alias="to")
    page: Page = 1
    per_page: Annotated[int, Field(ge=1, le=100)] = 50


class AuditEntry(Model):
    id: int
    at: Moment
    actor_id: int | None
    actor_name: str
    action: str
    target_type: str
    target_id: str
    agency: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditList(Model):
    items: list[AuditEntry]
    total: int
    page: int
    per_page: int



# --- the document -------------------------------------------------------------------------

def refuse_invalid(req, resp, error, instance, model_adapter=None):
    """SpecTree's `before` hook: a request that does not fit its model answers 400 naming the
    first parameter at fault (the API's error shape, not SpecTree's list)."""
    if error is None:
        return
    from app.blueprints.api import ApiError

    first = error.errors()[0]
    name = ".".join(str(part) for part in first["loc"]) or "body"
    raise ApiError(400, _("Tham số không hợp lệ: %(name)s", name=name), {name: _message(first)})


def _message(error: dict) -> str:
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind == "literal_error":
        return _("Giá trị phải là một trong: %(expected)s", expected=ctx.get("expected", ""))
    if kind in ("greater_than_equal", "less_than_equal", "int_parsing", "int_from_float"):
        return _("Phải là số nguyên trong khoảng cho phép")
    if kind == "missing":
        return _("Bắt buộc")
    if kind in ("json_invalid", "json_type"):
        return _("JSON không hợp lệ")
    if kind.startswith("datetime") or kind == "timezone_aware":
        return _("Thời điểm ISO 8601 có múi giờ, ví dụ 2027-02-05T10:00:00+07:00")
    if kind.startswith("date"):
        return _("Ngày dạng YYYY-MM-DD")
    if kind == "extra_forbidden":
        return _("Khóa không hợp lệ")
    return _("Sai kiểu hoặc giá trị")


spec = SpecTree(
    # Served by api.openapi (not SpecTree's own route, which would hide /api/v1 from the document).
    "flask", title="Một cửa API", version="1", page_templates={}, mode="strict",
    validation_error_status=400, validation_error_model=Error, before=refuse_invalid,
    annotations=False,
    description="API v1 của cổng Một cửa. Lỗi: {\"error\": ..., \"fields\": {tham_số: thông_báo}}.",
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(type="http", scheme="bearer",
                                                                            description=(
    "POST /auth/token. Mỗi mã được lưu (chỉ lưu băm của mã), hết hạn sau API_TOKEN_MAX_AGE giây, "
    "bị thu hồi khi chủ tài khoản bấm “Thu hồi” hoặc “Đăng xuất khỏi mọi nơi”, đổi hoặc đặt lại mật khẩu, "
    "hoặc khi tài khoản bị vô hiệu hóa. Mã không mang vai trò: quyền được đọc từ tài khoản ở mỗi lần gọi.")))],
)
BEARER = {"bearer": []}
