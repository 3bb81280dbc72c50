"""JSON API for dossiers: token, submission and follow-up for applicants, desk decisions,
issued documents, public lookup. Authentication is a Bearer token only (never the session
cookie), so these POSTs need no CSRF token and a browser cannot be tricked into them."""
from __future__ import annotations

import json
from datetime import datetime
from functools import wraps

from flask import Response, current_app, g, jsonify, request, url_for

from app.blueprints.api import ApiError, bp, int_arg
from app.domain.deadlines import open_state
from app.domain.workflow import Status
from app.extensions import limiter
from app.models import Dossier, StepTask
from app.models.users import utcnow
from app.services import catalogue, control, dossiers, lookup, processing, signing, tokens
from app.services.calendar import work_calendar
from app.services.dossiers import Applicant, DraftInput
from app.services.permissions import can
from app.services.transitions import available_actions
from app.web import send_issued_document


def _json_field(name: str, default):
    raw = request.form.get(name)
    if raw is None:
        return default
    try:
        value = json.loads(raw)
    except ValueError:
        raise ApiError(400, f"Trường {name} không phải JSON hợp lệ", {name: "JSON không hợp lệ"}) from None
    if not isinstance(value, type(default)):
        raise ApiError(400, f"Trường {name} phải là một đối tượng JSON", {name: "Sai kiểu"})
    return value


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        user = tokens.user_for(header[7:]) if header.startswith("Bearer ") else None
        if user is None:
            raise ApiError(401, "Thiếu hoặc sai mã truy cập (Authorization: Bearer …)")
        g.api_user = user
        return view(*args, **kwargs)
    return wrapped


@bp.errorhandler(dossiers.DossierError)
def dossier_error(error: dossiers.DossierError):
    """A refused use case answers JSON with its status and the fields it names."""
    return jsonify({"error": error.message, "fields": error.fields}), error.status


def _dossier(code: str, action: str) -> Dossier:
    """The dossier named in the URL by its code or, before the desk receives it, its reference."""
    dossier = dossiers.by_identifier(code)
    if dossier is None:
        raise ApiError(404, f"Không có hồ sơ mã {code}")
    if not can(g.api_user, action, dossier):
        # The same answer as an unknown code: a citizen cannot learn that someone else's code exists.
        raise ApiError(404 if g.api_user.is_citizen else 403, f"Không có hồ sơ mã {code}" if g.api_user.is_citizen else "Không có quyền")
    return dossier


def step_json(t: StepTask) -> dict:
    return {"key": t.key, "name": t.name, "role": t.role, "agency": t.agency.code,
            "assignee": t.assignee_id, "given_at": t.given_at.isoformat(), "due_at": t.due_at.isoformat(),
            "done_at": t.done_at.isoformat() if t.done_at else None, "result": t.result, "note": t.note}


def _apology_json(a) -> dict:
    """The live apology (form 04): a draft for staff, the approved one for the applicant too."""
    return {"status": a.status, "reason": a.reason, "new_due_at": a.new_due_at.isoformat(),
            "drafted_at": a.drafted_at.isoformat(), "approved_at": a.decided_at.isoformat() if a.decided_at else None,
            "deadline_at": a.deadline_at.isoformat(), "late": a.late}


def dossier_json(d: Dossier, staff: bool = False) -> dict:
    """`available_actions`: what the caller (g.api_user) may do now, as action names."""
    status = Status(d.status)
    body = {
        "code": d.code, "reference": d.reference, "status": status.value, "status_code": status.national_code, "status_label": status.citizen_label,
        "procedure": {"code": d.procedure_version.code, "name": d.procedure_version.name, "version": d.procedure_version.number},
        "agency": d.receiving_agency.code, "channel": d.channel, "delivery": d.delivery,
        "submitted_at": d.submitted_at.isoformat() if d.submitted_at else None,
        "received_at": d.received_at.isoformat() if d.received_at else None,
        "due_at": d.due_at.isoformat() if d.due_at else None,
        "applicant": {"full_name": d.applicant_name, "id_number": d.applicant_id_number, "address": d.applicant_address,
                      "phone": d.applicant_phone, "email": d.applicant_email},
        "data": d.form_data,
        "files": [{"component": f.component, "name": f.name, "size": f.size, "sha256": f.sha256} for f in d.files],
        "history": [{"action": e.action, "from": e.from_status, "to": e.to_status, "at": e.at.isoformat(), "note": e.note}
                    for e in d.events],
        "effective_due_at": d.effective_due_at.isoformat() if d.effective_due_at else None,
        "rescheduled_due_at": d.rescheduled_due_at.isoformat() if d.rescheduled_due_at else None,
        "apology": _apology_json(d.apology) if d.apology and (staff or d.apology.status == "approved") else None,
        "outcome": d.outcome, "returned_at": d.returned_at.isoformat() if d.returned_at else None,
        "available_actions": [a.value for a in available_actions(d, g.api_user)],
    }
    if staff:
        body["current_step"] = step_json(d.current_step) if d.current_step else None  # the open step, in any status
        body["steps"] = [step_json(t) for t in d.steps]
    return body


def _input(spec: dict) -> DraftInput:
    applicant = _json_field("applicant", {})
    unknown = set(applicant) - {"full_name", "id_number", "address", "phone", "email"}
    if unknown:
        raise ApiError(400, "Trường applicant có khóa lạ", {"applicant": f"Khóa không hợp lệ: {', '.join(sorted(unknown))}"})
    from app.forms.dynamic import uploads

    return DraftInput(
        applicant=Applicant(**{k: str(v) for k, v in applicant.items()}),
        form_data=_json_field("data", {}), represented=_json_field("represented", {}) or None,
        delivery=request.form.get("delivery", "counter"), uploads=uploads(request.files, spec, prefix=""),
    )


@bp.post("/auth/token")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def token():
    body = request.get_json(silent=True) or {}
    if not isinstance(body.get("email"), str) or not isinstance(body.get("password"), str):
        raise ApiError(400, "Cần email và password", {k: "Bắt buộc" for k in ("email", "password") if not isinstance(body.get(k), str)})
    value = tokens.issue(body["email"], body["password"])
    if value is None:
        raise ApiError(401, "E-mail hoặc mật khẩu không đúng")
    return jsonify({"token": value})


@bp.post("/dossiers")
@token_required
def create_dossier():
    version = catalogue.current_version(request.form.get("procedure", ""))
    if version is None:
        raise ApiError(422, "Không có thủ tục này", {"procedure": "Mã thủ tục không tồn tại"})
    data = _input(version.spec)
    dossier = dossiers.submit_new(g.api_user, version, request.form.get("agency", ""), data)
    # No code yet: the desk gives it on receipt; the reference names the dossier until then.
    return jsonify({"reference": dossier.reference, "code": dossier.code, "status": dossier.status, "status_code": 1}), 201


@bp.get("/dossiers")
@token_required
def my_dossiers():
    page = dossiers.my_dossiers(g.api_user, 1, 100)
    return jsonify({"items": [dossier_json(d) for d in page.items if d.identifier], "total": page.total})


@bp.get("/dossiers/<code>")
@token_required
def get_dossier(code: str):
    return jsonify(dossier_json(_dossier(code, "dossier.view"), staff=not g.api_user.is_citizen))


@bp.post("/dossiers/<code>/supplement")
@token_required
def supplement(code: str):
    """Send what the supplement request asked for: only the fields and files sent change."""
    from app.forms.dynamic import uploads

    dossier = _dossier(code, "dossier.view")
    changes = dossiers.Changes(applicant=_json_field("applicant", {}), form_data=_json_field("data", {}),
                               represented=_json_field("represented", {}) if "represented" in request.form else None,
                               delivery=request.form.get("delivery"),
                               uploads=uploads(request.files, dossier.procedure_version.spec, prefix=""))
    dossiers.answer_supplement(dossier, g.api_user, changes)
    return jsonify(dossier_json(dossier))


@bp.post("/dossiers/<code>/withdraw")
@token_required
def withdraw(code: str):
    dossier = _dossier(code, "dossier.view")
    body = request.get_json(silent=True) or {}
    dossiers.request_withdrawal(dossier, g.api_user, str(body.get("reason", "")))
    return jsonify(dossier_json(dossier))


@bp.post("/dossiers/<code>/withdraw/cancel")
@token_required
def cancel_withdrawal(code: str):
    dossier = _dossier(code, "dossier.view")
    dossiers.cancel_withdrawal(dossier, g.api_user)
    return jsonify(dossier_json(dossier))


def _items(body: dict) -> list[str]:
    items = body.get("items")
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ApiError(400, "items phải là danh sách chuỗi", {"items": "Danh sách chuỗi"})
    return items


def _moment(body: dict, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(str(body.get(name, "")))
    except ValueError:
        raise ApiError(400, f"{name} phải là thời điểm ISO 8601 có múi giờ", {name: "ISO 8601"}) from None
    if value.tzinfo is None:
        raise ApiError(400, f"{name} thiếu múi giờ", {name: "Thêm +07:00 hoặc Z"})
    return value


def _supplement(dossier, user, body):
    """At intake the desk asks (form 02); during processing the holder of the current step."""
    if dossier.status == "submitted":
        return dossiers.request_supplement(dossier, user, _items(body), str(body.get("reason", "")))
    return processing.request_supplement(dossier, user, _items(body), str(body.get("reason", "")))


def _user_id(body: dict) -> int:
    if not isinstance(body.get("user"), int):
        raise ApiError(400, "user phải là mã số người dùng", {"user": "Số nguyên"})
    return body["user"]


def _amount(body: dict) -> int:
    if not isinstance(body.get("amount"), int):
        raise ApiError(400, "amount phải là số nguyên (đồng)", {"amount": "Số nguyên"})
    return body["amount"]


ACTIONS = {
    "accept": lambda d, u, b: dossiers.accept(d, u, verification=b.get("verification") is True),
    "refuse": lambda d, u, b: dossiers.refuse(d, u, [str(b.get("reason", ""))]),
    "request_supplement": _supplement,
    "complete_step": lambda d, u, b: processing.complete_step(d, u, str(b.get("note", ""))),
    "return_step": lambda d, u, b: processing.return_step(d, u, str(b.get("note", ""))),
    "assign": lambda d, u, b: processing.assign(d, u, _user_id(b)),
    "request_fee": lambda d, u, b: processing.request_fee(d, u),
    "record_payment": lambda d, u, b: processing.record_payment(d, u, _amount(b), str(b.get("receipt_number", ""))),
    "draft_apology": lambda d, u, b: processing.draft_apology(d, u, _moment(b, "new_due_at"), str(b.get("reason", "")),
                                                              issue=b.get("issue") is True),
    "approve_apology": lambda d, u, b: processing.approve_apology(d, u),
    "reject_apology": lambda d, u, b: processing.reject_apology(d, u, str(b.get("note", ""))),
    "resolve": lambda d, u, b: processing.resolve(d, u, str(b.get("outcome", "")), str(b.get("reason", ""))),
    "return_result": lambda d, u, b: processing.return_result(d, u, str(b.get("method", "")), str(b.get("tracking", ""))),
    "stop": lambda d, u, b: processing.stop(d, u),
    "decline_withdrawal": lambda d, u, b: processing.decline_withdrawal(d, u, str(b.get("reason", ""))),
}


@bp.post("/dossiers/<code>/actions/<action>")
@token_required
def dossier_action(code: str, action: str):
    """Desk and officials' actions; not allowed in the status → 409 naming it; wrong role or agency → 403."""
    if action not in ACTIONS:
        raise ApiError(404, f"Không có thao tác {action}")
    dossier = _dossier(code, "dossier.view")
    ACTIONS[action](dossier, g.api_user, request.get_json(silent=True) or {})
    return jsonify(dossier_json(dossier, staff=True))


@bp.get("/worklist")
@token_required
def worklist():
    if not can(g.api_user, "work.list"):
        raise ApiError(403, "Danh sách việc dành cho cán bộ xử lý hồ sơ")
    page = processing.worklist(g.api_user, int_arg("page", 1, 100000), int_arg("per_page", 50, 100))
    calendar = work_calendar()
    now = utcnow()
    return jsonify({"items": [
        {"code": t.dossier.code, "procedure": t.dossier.procedure_version.code, "step": step_json(t),
         "state": open_state(now, t.due_at, calendar)} for t in page.items], "total": page.total, "page": page.page})


@bp.get("/dossiers/<code>/documents")
@token_required
def documents(code: str):
    dossier = _dossier(code, "dossier.view")
    items = [{"kind": d.kind, "number": d.number, "created_at": d.created_at.isoformat(),
              "url": url_for("api.document_pdf", code=dossier.identifier, document_id=d.id, _external=True) if d.sha256 else None,
              "sha256": d.sha256, **signing.state(d, g.api_user).as_json()}
             for d in dossier.documents]
    if not g.api_user.is_citizen and dossier.steps:  # form 05, rendered on demand for staff
        items.append({"kind": "control_slip", "number": None, "created_at": utcnow().isoformat(),
                      "url": url_for("api.control_slip", code=dossier.identifier, _external=True)})
    return jsonify(items)


@bp.get("/dossiers/<code>/control-slip")
@token_required
def control_slip(code: str):
    dossier = _dossier(code, "dossier.view")
    if g.api_user.is_citizen:
        raise ApiError(403, "Phiếu kiểm soát dành cho cán bộ")
    return Response(control.control_slip_pdf(dossier), mimetype="application/pdf")


@bp.get("/dossiers/<code>/documents/<int:document_id>")
@token_required
def document_pdf(code: str, document_id: int):
    return send_issued_document(_dossier(code, "dossier.view"), document_id)


@bp.post("/verify")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def verify():
    """Public: is this PDF (multipart `file`), or the document `code` + `number` (form or JSON),
    one the portal issued, and are its signatures valid? The file is not stored."""
    body = (request.get_json(silent=True) if request.is_json else None) or request.form  # an object: the edge checked
    try:
        verdict = signing.verify_request(request.files.get("file"), str(body.get("code", ""))[:60],
                                         str(body.get("number", ""))[:60])
    except signing.VerifyError as error:
        raise ApiError(error.status, error.message, error.fields) from None
    return jsonify(verdict.as_json())


@bp.get("/lookup/<code>")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def public_lookup(code: str):
    found = lookup.public_view(code)
    if found is None:
        raise ApiError(404, f"Không có hồ sơ mã {code}")
    return jsonify(found | {key: found[key].isoformat() if found[key] else None for key in ("received_at", "due_at")})
