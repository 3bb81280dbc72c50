"""Public read-only JSON API, v1. Errors are JSON: {"error": ..., "fields": {param: message}}."""
from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, jsonify, request

from app.domain import span
from app.domain.deadlines import OFFICE_TZ
from app.domain.structure import AgencyKind, Level
from app.extensions import csrf
from app.models import Agency, ProcedureVersion
from app.services import catalogue, stats, structure
from app.services.calendar import expected_due

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # no cookie-authenticated writes here; token-authenticated writes come with a bearer token

ONLINE = ("partial", "full", "none")


class ApiError(Exception):
    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields or {}


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    return jsonify({"error": error.message, "fields": error.fields}), error.status


def bad_parameter(name: str, message: str) -> ApiError:
    return ApiError(400, f"Tham số không hợp lệ: {name}", {name: message})


def choice_arg(name: str, allowed) -> str:
    value = request.args.get(name, "")
    if value and value not in allowed:
        raise bad_parameter(name, f"Giá trị phải là một trong: {', '.join(allowed)}")
    return value


def int_arg(name: str, default: int, maximum: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise bad_parameter(name, f"Phải là số nguyên từ 1 đến {maximum}")
    return int(value)


def agency_json(agency: Agency) -> dict:
    return {
        "code": agency.code, "name": agency.name, "kind": agency.kind, "level": agency.level,
        "unit": {"code": agency.unit.code, "name": agency.unit.name},
        "parent_code": agency.parent.code if agency.parent else None,
    }


@bp.get("/agencies")
def agencies():
    level = choice_arg("level", [str(v) for v in Level])
    kind = choice_arg("kind", [str(v) for v in AgencyKind])
    rows = structure.list_agencies(level=level or None, kind=kind or None, unit_code=request.args.get("unit") or None)
    return jsonify({"items": [agency_json(a) for a in rows]})


def procedure_summary(v: ProcedureVersion) -> dict:
    """From the listing columns only: the snapshot is not read for a list."""
    value = v.time_value
    return {
        "code": v.code, "name": v.name, "field": v.field, "level": v.level, "online": v.online,
        "processing_time": {"value": int(value) if value == value.to_integral() else float(value), "unit": v.time_unit},
        "fees": [{"name": f["name"], "amount": f["amount"]} for f in v.fees],
    }


@bp.get("/procedures")
def procedures():
    f = catalogue.CatalogueFilter(
        q=request.args.get("q", "").strip()[:200], field=request.args.get("field", ""),
        level=choice_arg("level", [str(v) for v in Level]), online=choice_arg("online", ONLINE),
    )
    page = catalogue.search(f, int_arg("page", 1, 100000), int_arg("per_page", 20, 100))
    return jsonify({"items": [procedure_summary(v) for v in page.items], "total": page.total,
                    "page": page.page, "per_page": page.per_page})


def version_or_404(code: str) -> ProcedureVersion:
    version = catalogue.current_version(code)
    if version is None:
        raise ApiError(404, f"Không có thủ tục mã {code}")
    return version


@bp.get("/procedures/<code>")
def procedure(code: str):
    v = version_or_404(code)
    spec = v.spec
    body = procedure_summary(v) | {
        "name_en": spec["name"]["en"], "version": v.number, "published_at": v.published_at.isoformat(),
        "receiving_level": v.receiving_level, "agency": spec["agency"], "methods": spec["methods"],
        "subjects": spec["subjects"], "steps": spec["steps"], "documents": spec["documents"],
        "form": spec["form"], "process": spec["process"], "legal_basis": spec["legal_basis"],
        "result": spec["result"],
    }
    return jsonify(body)


def parse_received_at(raw: str | None) -> datetime:
    if not raw:
        raise bad_parameter("received_at", "Bắt buộc: thời điểm ISO 8601 có múi giờ, ví dụ 2027-02-05T10:00:00+07:00")
    # An unencoded "+07:00" in a query string arrives as " 07:00": put the plus back.
    if len(raw) > 6 and raw[-6] == " ":
        raw = raw[:-6] + "+" + raw[-5:]
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise bad_parameter("received_at", "Không đọc được thời điểm: dùng ISO 8601, ví dụ 2027-02-05T10:00:00+07:00") from None
    if value.tzinfo is None:
        raise bad_parameter("received_at", "Thiếu múi giờ: thêm +07:00 hoặc Z")
    if not span.within(value):
        raise bad_parameter("received_at", span.MESSAGE)
    return value


@bp.get("/procedures/<code>/due-date")
def due_date(code: str):
    v = version_or_404(code)
    received_at = parse_received_at(request.args.get("received_at"))
    due = expected_due(v, received_at)
    return jsonify({"received_at": received_at.astimezone(OFFICE_TZ).isoformat(), "due_at": due.isoformat()})


@bp.get("/stats")
def stats_json():
    """Decision 766 figures for a scope: ?agency=<code>&level=&field=&procedure=&from=YYYY-MM-DD&to=YYYY-MM-DD."""
    try:
        start = date.fromisoformat(request.args["from"])
        end = date.fromisoformat(request.args["to"])
    except KeyError as missing:
        raise bad_parameter(missing.args[0], "Bắt buộc: ngày dạng YYYY-MM-DD") from None
    except ValueError:
        raise bad_parameter("from/to", "Ngày dạng YYYY-MM-DD") from None
    if not (span.within(start) and span.within(end)):
        raise bad_parameter("from/to", span.MESSAGE)
    if end < start or (end - start).days > 3 * 366:
        raise bad_parameter("to", "Phải sau from, trong vòng 3 năm")
    level = choice_arg("level", [str(v) for v in Level]) or None
    agency = None
    if request.args.get("agency"):
        agency = structure.agency_by_code(request.args["agency"])
        if agency is None:
            raise ApiError(404, f"Không có cơ quan mã {request.args['agency']}")
    figures = stats.figures(stats.Scope(start, end, agency, level, request.args.get("field") or None,
                                        request.args.get("procedure") or None))
    c = figures.counts
    return jsonify({
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "received": c.received, "resolved": c.early + c.on_time + c.late, "early": c.early, "on_time": c.on_time,
        "late": c.late, "open": c.open_within + c.open_overdue, "open_overdue": c.open_overdue,
        "indices": {key: value.as_json() for key, value in figures.indices.items()},
    })
