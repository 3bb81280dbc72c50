"""JSON API for dossiers: token, submission and follow-up for applicants, desk decisions,
issued documents, public lookup. Authentication is a Bearer token only (never the session
cookie), so these POSTs need no CSRF token and a browser cannot be tricked into them."""
from __future__ import annotations

import json
from functools import wraps

from flask import current_app, g, jsonify, request, url_for

from app.blueprints.api import ApiError, bp
from app.extensions import limiter
from app.models import Dossier
from app.services import catalogue, dossiers, lookup, tokens
from app.services.dossiers import Applicant, DraftInput
from app.services.permissions import can
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
    dossier = dossiers.by_code(code)
    if dossier is None:
        raise ApiError(404, f"Không có hồ sơ mã {code}")
    if not can(g.api_user, action, dossier):
        # The same answer as an unknown code: a citizen cannot learn that someone else's code exists.
        raise ApiError(404 if g.api_user.is_citizen else 403, f"Không có hồ sơ mã {code}" if g.api_user.is_citizen else "Không có quyền")
    return dossier


def dossier_json(d: Dossier) -> dict:
    from app.domain.workflow import Status

    status = Status(d.status)
    return {
        "code": d.code, "status": status.value, "status_code": status.national_code, "status_label": status.citizen_label,
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
    }


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
    return jsonify({"code": dossier.code, "status": dossier.status, "status_code": 1}), 201


@bp.get("/dossiers")
@token_required
def my_dossiers():
    page = dossiers.my_dossiers(g.api_user, 1, 100)
    return jsonify({"items": [dossier_json(d) for d in page.items if d.code], "total": page.total})


@bp.get("/dossiers/<code>")
@token_required
def get_dossier(code: str):
    return jsonify(dossier_json(_dossier(code, "dossier.view")))


@bp.post("/dossiers/<code>/supplement")
@token_required
def supplement(code: str):
    dossier = _dossier(code, "dossier.view")
    dossiers.save_draft(dossier, g.api_user, _input(dossier.procedure_version.spec), None)
    dossiers.resubmit(dossier, g.api_user)
    return jsonify(dossier_json(dossier))


@bp.post("/dossiers/<code>/withdraw")
@token_required
def withdraw(code: str):
    dossier = _dossier(code, "dossier.view")
    body = request.get_json(silent=True) or {}
    dossiers.request_withdrawal(dossier, g.api_user, str(body.get("reason", "")))
    return jsonify(dossier_json(dossier))


@bp.post("/dossiers/<code>/actions/<action>")
@token_required
def desk_action(code: str, action: str):
    if action not in ("accept", "request_supplement", "refuse"):
        raise ApiError(404, f"Không có thao tác {action}")
    dossier = _dossier(code, "dossier.view")
    body = request.get_json(silent=True) or {}
    if action == "accept":
        dossiers.accept(dossier, g.api_user)
    elif action == "request_supplement":
        items = body.get("items")
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ApiError(400, "items phải là danh sách chuỗi", {"items": "Danh sách chuỗi"})
        dossiers.request_supplement(dossier, g.api_user, items, str(body.get("reason", "")))
    else:
        dossiers.refuse(dossier, g.api_user, [str(body.get("reason", ""))])
    return jsonify(dossier_json(dossier))


@bp.get("/dossiers/<code>/documents")
@token_required
def documents(code: str):
    dossier = _dossier(code, "dossier.view")
    return jsonify([
        {"kind": d.kind, "number": d.number, "created_at": d.created_at.isoformat(),
         "url": url_for("api.document_pdf", code=dossier.code, document_id=d.id, _external=True) if d.sha256 else None}
        for d in dossier.documents
    ])


@bp.get("/dossiers/<code>/documents/<int:document_id>")
@token_required
def document_pdf(code: str, document_id: int):
    return send_issued_document(_dossier(code, "dossier.view"), document_id)


@bp.get("/lookup/<code>")
@limiter.limit(lambda: current_app.config["LOOKUP_RATE_LIMIT"])
def public_lookup(code: str):
    found = lookup.public_view(code)
    if found is None:
        raise ApiError(404, f"Không có hồ sơ mã {code}")
    return jsonify(found | {key: found[key].isoformat() if found[key] else None for key in ("received_at", "due_at")})
