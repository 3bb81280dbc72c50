"""JSON API for the procedure catalogue's administration (issue 13): the same use cases as
/quan-tri/thu-tuc (app/services/procedure_admin.py), with a Bearer token. The body of
POST /admin/procedures is the procedure's YAML itself (Content-Type application/yaml or
text/yaml), checked exactly as `flask procedures load` checks a file."""
from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from spectree import Response

from app.blueprints import api_models as m
from app.blueprints.api import ApiError, bp
from app.blueprints.api_dossiers import AUTH, token_required
from app.blueprints.api_models import BEARER, responses, spec
from app.services import procedure_admin as service
from app.services.permissions import can

YAML_TYPES = {"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}
# 200: checked only, or the published content already; 201: a new version published.
UPLOAD_RESPONSES = Response(HTTP_200=m.ProcedureUpload, HTTP_201=m.ProcedureUpload,
                            **{f"HTTP_{status}": m.Error for status in (400, *AUTH, 403, 413, 415, 422)})


def _allowed(action: str) -> None:
    if not can(g.api_user, action):
        raise ApiError(403, _("Không có quyền"))


@bp.post("/admin/procedures")
@token_required
@spec.validate(query=m.ProcedurePublishQuery, resp=UPLOAD_RESPONSES, security=BEARER, tags=["admin"])
def upload_procedure():
    """Check a procedure's YAML (the request body, Content-Type application/yaml or text/yaml)
    and return what it changes against the published version; with `?publish=1`, publish it
    as a new version (201; 200 when it is the published content already). An invalid text
    answers 422 with `fields`: each path in the YAML (`documents[0].required`) → its problem."""
    _allowed("procedure.manage")
    query: m.ProcedurePublishQuery = request.context.query
    if request.mimetype not in YAML_TYPES:
        raise ApiError(415, _("Nội dung phải là YAML (Content-Type: application/yaml hoặc text/yaml)"))
    if (request.content_length or 0) > service.MAX_YAML_BYTES:
        raise ApiError(413, _("Tệp quá lớn"))
    body = request.get_data(cache=False)
    checked = service.check(body, code=query.code)
    if checked.spec is None:
        # The problems are the service's (Vietnamese msgs): the API's one ServiceError handler translates them.
        raise service.ProcedureAdminError("Thủ tục chưa hợp lệ", fields=checked.problems)
    published, status, version = False, 200, checked.current
    if query.publish and checked.changes:
        version, published = service.publish(g.api_user, body, code=query.code)
        status = 201 if published else 200
    return m.ProcedureUpload(
        code=checked.spec.code, name=checked.spec.name.vi, new=checked.new, published=published,
        version=version.number if version else None,
        changes=[m.ProcedureChange(section=c.section, path=c.path, kind=c.kind, before=c.before, after=c.after)
                 for c in checked.changes]), status


@bp.get("/admin/procedures")
@token_required
@spec.validate(query=m.AdminProcedureQuery, resp=responses(m.AdminProcedureList, *AUTH, 403),
               security=BEARER, tags=["admin"])
def admin_procedures():
    """Every procedure, published or not, by code; `q`: words of the code or the name."""
    _allowed("procedure.manage")
    query: m.AdminProcedureQuery = request.context.query
    page = service.procedures(query.q, query.page, 100)
    return m.AdminProcedureList(
        items=[m.AdminProcedure(code=p.code, name=p.current_version.name if p.current_version else None,
                                version=p.current_version.number if p.current_version else None,
                                managed_in_portal=p.managed_in_portal) for p in page.items],
        total=page.total, page=page.page, pages=page.pages)
