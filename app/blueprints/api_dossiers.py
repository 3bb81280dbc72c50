"""JSON API for dossiers: token, submission and follow-up for applicants, desk decisions,
issued documents, public lookup. Authentication is a Bearer token only (never the session
cookie), so these POSTs need no CSRF token and a browser cannot be tricked into them."""
from __future__ import annotations

from functools import wraps

from flask import Response, current_app, g, request, url_for
from flask_babel import gettext as _

from app.blueprints import api_models as m
from app.blueprints.actions import REGISTRY
from app.blueprints.api import ApiError, bp
from app.blueprints.api_models import BEARER, responses, spec
from app.domain.deadlines import open_state
from app.domain.vocabulary import AccessKind
from app.domain.workflow import Action, Status
from app.extensions import limiter
from app.models import Dossier, StepTask
from app.models.users import utcnow
from app.services import access_log, accounts, catalogue, control, dossiers, lookup, processing, signing, tokens
from app.services.calendar import work_calendar
from app.services.dossiers import Applicant, DraftInput
from app.services.permissions import can
from app.services.transitions import available_actions
from app.web import send_issued_document, submissions_limit


def authenticate() -> None:
    """The caller of the Bearer token as g.api_user, or 401."""
    header = request.headers.get("Authorization", "")
    user = tokens.user_for(header[7:]) if header.startswith("Bearer ") else None
    if user is None:
        raise ApiError(401, _("Thiếu hoặc sai mã truy cập (Authorization: Bearer …)"))
    g.api_user = user


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        authenticate()
        return view(*args, **kwargs)
    return wrapped



def _dossier(code: str, action: str) -> Dossier:
    """The dossier named in the URL by its code or, before the desk receives it, its reference.
    A dossier the caller may not see answers as an unknown code (404, the same body): nobody
    learns that a code exists (issue 18); one they see but may not do `action` on answers 403."""
    dossier = dossiers.by_identifier(code)
    if dossier is None or not can(g.api_user, "dossier.view", dossier):
        raise ApiError(404, _("Không có hồ sơ mã %(code)s", code=code))
    if not can(g.api_user, action, dossier):
        raise ApiError(403, _("Không có quyền"))
    return dossier


def step_model(t: StepTask) -> m.Step:
    return m.Step(key=t.key, name=t.name, role=t.role, agency=t.agency.code, assignee=t.assignee_id,
                  given_at=t.given_at,
                  due_at=t.due_at, done_at=t.done_at, result=t.result, note=t.note)


def dossier_model(d: Dossier, staff: bool = False) -> m.Dossier:
    """`available_actions`: what the caller (g.api_user) may do now, as action names."""
    status = Status(d.status)
    apology = d.apology if d.apology and (staff or d.apology.status == "approved") else None  # a draft is internal
    body = m.Dossier(
        code=d.code, reference=d.reference, status=status.value, status_code=status.national_code,
        status_label=_(status.citizen_label),
        procedure=m.ProcedureRef(code=d.procedure_version.code, name=d.procedure_version.name,
                                 version=d.procedure_version.number),
        agency=d.receiving_agency.code, channel=d.channel, delivery=d.delivery, submitted_at=d.submitted_at,
        received_at=d.received_at, due_at=d.due_at,
        applicant=m.Applicant(full_name=d.applicant_name, id_number=d.applicant_id_number, address=d.applicant_address,
                              phone=d.applicant_phone, email=d.applicant_email),
        data=d.form_data,
        files=[m.File(component=f.component, name=f.name, size=f.size, sha256=f.sha256) for f in d.files],
        history=[m.Event(action=e.action, from_status=e.from_status, to_status=e.to_status, at=e.at, note=e.note)
                 for e in d.events],
        effective_due_at=d.effective_due_at, rescheduled_due_at=d.rescheduled_due_at,
        apology=None if apology is None else m.Apology(
            status=apology.status, reason=apology.reason, new_due_at=apology.new_due_at, drafted_at=apology.drafted_at,
            approved_at=apology.decided_at, deadline_at=apology.deadline_at, late=apology.late),
        outcome=d.outcome, returned_at=d.returned_at,
        available_actions=[a.value for a in available_actions(d, g.api_user)],
    )
    if staff:
        body.current_step = step_model(d.current_step) if d.current_step else None  # the open step, in any status
        body.steps = [step_model(t) for t in d.steps]
    return body


def _input(form: m.DossierForm | None, spec: dict) -> DraftInput:
    from app.forms.dynamic import uploads

    form = form or m.DossierForm()
    return DraftInput(
        applicant=Applicant(**form.applicant.model_dump()), form_data=form.data, represented=form.represented or None,
        delivery=form.delivery, uploads=uploads(request.files, spec, prefix=""), reuse=form.store_files,
    )


# Every route below answers 401 without a valid bearer token and 429 past the rate limit.
AUTH = (401, 429)
DOSSIER_ERRORS = (*AUTH, 403, 404)


@bp.post("/auth/token")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@spec.validate(json=m.Credentials, resp=responses(m.Token, 400, 401, 429), tags=["auth"])
def token():
    """A new API token for the account (stored, revocable, expiring: see the bearer scheme)."""
    body: m.Credentials = request.context.json or m.Credentials.model_validate({})
    value = accounts.issue_token(body.email, body.password, body.label)
    if value is None:
        raise ApiError(401, _("E-mail hoặc mật khẩu không đúng"))
    return m.Token(token=value)


@bp.post("/auth/verification-email")
@token_required
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
@spec.validate(resp=responses(m.Notice, *AUTH), security=BEARER, tags=["auth"])
def resend_verification():
    """A new verification e-mail: an account registered online submits once its address is verified."""
    accounts.resend_verification(g.api_user)
    return m.Notice(message="Địa chỉ e-mail đã được xác nhận." if g.api_user.email_verified
                    else f"Đã gửi thư xác nhận đến {g.api_user.email}.")


@bp.post("/dossiers")
@token_required
@submissions_limit(counted=lambda response: response.status_code == 201)
@spec.validate(form=m.NewDossierForm, resp=responses(m.Created, 400, *AUTH, 403, 413, 422, created=True),
               security=BEARER, tags=["dossiers"])
def create_dossier():
    form: m.NewDossierForm = request.context.form or m.NewDossierForm()
    version = catalogue.current_version(form.procedure)
    if version is None:
        raise ApiError(422, _("Không có thủ tục này"), {"procedure": _("Mã thủ tục không tồn tại")})
    dossier = dossiers.submit_new(g.api_user, version, form.agency, _input(form, version.spec))
    # No code yet: the desk gives it on receipt; the reference names the dossier until then.
    return m.Created(reference=dossier.reference, code=dossier.code, status=dossier.status, status_code=1), 201


@bp.get("/dossiers")
@token_required
@spec.validate(resp=responses(m.DossierList, *AUTH), security=BEARER, tags=["dossiers"])
def my_dossiers():
    page = dossiers.my_dossiers(g.api_user, 1, 100)
    return m.DossierList(items=[dossier_model(d) for d in page.items if d.identifier], total=page.total)


@bp.get("/dossiers/<code>")
@token_required
@spec.validate(resp=responses(m.Dossier, *DOSSIER_ERRORS), security=BEARER, tags=["dossiers"])
def get_dossier(code: str):
    dossier = _dossier(code, "dossier.view")
    access_log.opened(g.api_user, dossier, AccessKind.DOSSIER)
    return dossier_model(dossier, staff=not g.api_user.is_citizen)


@bp.post("/dossiers/<code>/supplement")
@token_required
@spec.validate(form=m.SupplementForm, resp=responses(m.Dossier, 400, *DOSSIER_ERRORS, 409, 413, 422),
               security=BEARER, tags=["dossiers"])
def supplement(code: str):
    """Send what the supplement request asked for: only the fields and files sent change."""
    from app.forms.dynamic import uploads

    dossier = _dossier(code, "dossier.view")
    form: m.SupplementForm = request.context.form or m.SupplementForm()
    sent = form.model_fields_set
    changes = dossiers.Changes(
        applicant=form.applicant.model_dump(exclude_unset=True) if form.applicant else {}, form_data=form.data or {},
        represented=form.represented if "represented" in sent else None, delivery=form.delivery,
        uploads=uploads(request.files, dossier.procedure_version.spec, prefix=""))
    dossiers.answer_supplement(dossier, g.api_user, changes)
    return dossier_model(dossier)


def _act(code: str, action: Action, body: m.ActionBody | None) -> m.Dossier:
    """Run one action of the registry on the dossier named in the URL, as the caller."""
    dossier = _dossier(code, "dossier.view")
    entry = REGISTRY[action]
    entry.run(dossier, g.api_user, **entry.json_kwargs(m.action_body(action, body)))
    return dossier_model(dossier, staff=not g.api_user.is_citizen)


@bp.post(f"/dossiers/<code>/actions/<any({', '.join(REGISTRY)}):action>")  # an unknown action is a 404
@token_required
@spec.validate(json=m.ActionBody, resp=responses(m.Dossier, 400, *DOSSIER_ERRORS, 409, 422), security=BEARER,
               tags=["dossiers"])
def dossier_action(code: str, action: str):
    """Any action of the workflow but submitting and the supplement (`available_actions` lists the
    caller's); not allowed in the status → 409 naming it; not the action's actor → 403."""
    return _act(code, Action(action), request.context.json)


# The API's former names, for one release (deprecated in the OpenAPI document).
@bp.post("/dossiers/<code>/withdraw")
@token_required
@spec.validate(json=m.Reason, resp=responses(m.Dossier, 400, *DOSSIER_ERRORS, 409, 422), security=BEARER,
               tags=["dossiers"], deprecated=True)
def withdraw(code: str):
    """Deprecated: POST /dossiers/{code}/actions/request_withdrawal."""
    return _act(code, Action.REQUEST_WITHDRAWAL, m.ActionBody(reason=(request.context.json or m.Reason()).reason))


@bp.post("/dossiers/<code>/withdraw/cancel")
@token_required
@spec.validate(resp=responses(m.Dossier, *DOSSIER_ERRORS, 409, 422), security=BEARER, tags=["dossiers"],
               deprecated=True)
def cancel_withdrawal(code: str):
    """Deprecated: POST /dossiers/{code}/actions/cancel_withdrawal."""
    return _act(code, Action.CANCEL_WITHDRAWAL, None)


@bp.get("/worklist")
@token_required
@spec.validate(query=m.WorkQuery, resp=responses(m.Worklist, 400, *AUTH, 403), security=BEARER, tags=["dossiers"])
def worklist():
    if not can(g.api_user, "work.list"):
        raise ApiError(403, _("Danh sách việc dành cho cán bộ xử lý hồ sơ"))
    query: m.WorkQuery = request.context.query
    page = processing.worklist(g.api_user, query.page, query.per_page)
    calendar = work_calendar()
    now = utcnow()
    return m.Worklist(items=[
        m.WorkItem(code=t.dossier.code, procedure=t.dossier.procedure_version.code, step=step_model(t),
                   state=open_state(now, t.due_at, calendar)) for t in page.items], total=page.total, page=page.page)


@bp.get("/dossiers/<code>/documents")
@token_required
@spec.validate(resp=responses(m.DocumentList, *DOSSIER_ERRORS), security=BEARER, tags=["documents"])
def documents(code: str):
    dossier = _dossier(code, "dossier.view")
    items = [m.Document(kind=d.kind, number=d.number, created_at=d.created_at, sha256=d.sha256,
                        url=url_for("api.document_pdf", code=dossier.identifier, document_id=d.id, _external=True)
                        if d.sha256 else None, render_error=None if g.api_user.is_citizen else d.render_error,
                        **signing.state(d, g.api_user).as_json())
             for d in dossier.documents]
    if not g.api_user.is_citizen and dossier.steps:  # form 05, rendered on demand for staff
        items.append(m.Document(kind="control_slip", number=None, created_at=utcnow(),
                                url=url_for("api.control_slip", code=dossier.identifier, _external=True)))
    return items


@bp.get("/dossiers/<code>/access-log")
@token_required
@spec.validate(resp=responses(m.AccessList, *DOSSIER_ERRORS), security=BEARER, tags=["dossiers"])
def access_log_of(code: str):
    """Who looked at the dossier: each time an official opened it, a file or a document, newest first."""
    return [m.Access(at=a.at, official=a.user_name, agency=a.agency_name, what=a.what,
                     label=_(AccessKind(a.what).label))
            for a in access_log.of(_dossier(code, "dossier.view"))]


@bp.get("/dossiers/<code>/control-slip")
@token_required
@spec.validate(resp=responses(None, *DOSSIER_ERRORS), security=BEARER, tags=["documents"])
def control_slip(code: str):
    dossier = _dossier(code, "dossier.view")
    if g.api_user.is_citizen:
        raise ApiError(403, _("Phiếu kiểm soát dành cho cán bộ"))
    access_log.opened(g.api_user, dossier, AccessKind.CONTROL_SLIP)
    return Response(control.control_slip_pdf(dossier), mimetype="application/pdf")


@bp.get("/dossiers/<code>/documents/<int:document_id>")
@token_required
@spec.validate(resp=responses(None, *DOSSIER_ERRORS), security=BEARER, tags=["documents"])
def document_pdf(code: str, document_id: int):
    response = send_issued_document(_dossier(code, "dossier.view"), document_id, viewer=g.api_user)
    response.direct_passthrough = False  # SpecTree reads the body back to check the response
    return response


@bp.post("/verify")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
@spec.validate(json=m.VerifyBody, form=m.VerifyForm, resp=responses(m.Verdict, 400, 404, 413, 415, 422, 429),
               tags=["documents"])
def verify():
    """Public: is this PDF (multipart `file`), or the document `code` + `number` (form or JSON),
    one the portal issued, and are its signatures valid? The file is not stored."""
    body = request.context.json or request.context.form or m.VerifyBody()
    verdict = signing.verify_request(request.files.get("file"), body.code[:60], body.number[:60])
    return m.Verdict(**verdict.as_json())


@bp.get("/lookup/<code>")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
@spec.validate(query=m.LookupQuery, resp=responses(m.PublicDossier, 400, 404, 429), tags=["lookup"])
def public_lookup(code: str):
    asked: m.LookupQuery = request.context.query or m.LookupQuery()
    found = lookup.public_view(code, asked.k, asked.id_last4)
    if found is None:
        raise ApiError(404, _("Không có hồ sơ mã %(code)s", code=code))
    return m.PublicDossier(**found)
