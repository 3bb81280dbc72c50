"""The public statistics (no login): Decision 766 figures for the province, a level, a field or
one agency, over a month, quarter, year or custom period; per-agency ranking; monthly trend."""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from app import dates
from app.domain import span
from app.domain.deadlines import OFFICE_TZ
from app.domain.indices import ALL_INDICES
from app.domain.structure import Level
from app.models.users import utcnow
from app.services import catalogue, exports, stats, structure

bp = Blueprint("stats", __name__)


def scope_from_args(args) -> stats.Scope:
    """?ky=month|quarter|year|custom&nam=&so=&tu=&den=&cap=&linh_vuc=&thu_tuc=&co_quan= — 400 on nonsense,
    404 on an unknown agency."""
    today = utcnow().astimezone(OFFICE_TZ).date()
    kind = args.get("ky", "year")
    try:
        year = int(args.get("nam", today.year))
        number = int(args.get("so", today.month if kind == "month" else (today.month - 1) // 3 + 1))
        if kind == "custom":
            start, end = dates.parse_date(args["tu"]), dates.parse_date(args["den"])
        elif kind in ("month", "quarter", "year") and span.FIRST.year <= year <= span.LAST.year:
            start, end = stats.period(kind, year, number)
        else:
            raise ValueError(kind)
    except (KeyError, ValueError):
        abort(400)
    if not (span.within(start) and span.within(end)) or end < start or (end - start).days > 3 * 366:
        abort(400)
    agency = None
    if args.get("co_quan"):
        agency = structure.agency_by_code(args["co_quan"])
        if agency is None:
            abort(404)
    level = args.get("cap") or None
    if level and level not in set(Level):
        abort(400)
    return stats.Scope(start, end, agency, level, args.get("linh_vuc") or None, args.get("thu_tuc") or None)


@bp.get("/thong-ke")
def dashboard():
    scope = scope_from_args(request.args)
    kind = request.args.get("dinh_dang")
    if kind in exports.MIMETYPES:
        summary, ranking = stats.overview(scope)
        content, mimetype = exports.export(kind, "Xếp hạng cơ quan", RANKING_COLUMNS, ranking_table(ranking))
        return Response(content, mimetype=mimetype, headers={
            "Content-Disposition": f'attachment; filename="thong-ke-{scope.start}-{scope.end}.{kind}"'})
    (summary, ranking), trend = stats.dashboard(scope)
    return render_template("stats/dashboard.html", scope=scope, summary=summary, ranking=ranking,
                           trend=trend, indices=ALL_INDICES, fields=catalogue.fields(),
                           args={k: v for k, v in request.args.items() if k != "dinh_dang"},
                           drill={k: v for k, v in request.args.items() if k not in ("dinh_dang", "co_quan")})


@bp.get("/thong-ke/bao-cao-thang.pdf")
def monthly_report():
    """?nam=&thang=[&co_quan=] : the monthly report (PDF) for the province's chairman, or for one
    agency (404 when unknown). Rendered once per month and scope while its figures hold
    (stats.monthly_report_pdf)."""
    today = utcnow().astimezone(OFFICE_TZ).date()
    try:
        year, month = int(request.args.get("nam", today.year)), int(request.args.get("thang", today.month))
        if not span.FIRST.year <= year <= span.LAST.year:
            raise ValueError(year)
        stats.period("month", year, month)
    except ValueError:
        abort(400)
    agency = None
    if request.args.get("co_quan"):
        agency = structure.agency_by_code(request.args["co_quan"])
        if agency is None:
            abort(404)
    pdf = stats.monthly_report_pdf(year, month, signer="Trung tâm Phục vụ hành chính công", agency=agency)
    suffix = f"-{agency.code}" if agency else ""
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="bao-cao-{year}-{month:02d}{suffix}.pdf"'})


RANKING_COLUMNS = ["Cơ quan", "Mã định danh", "Tiếp nhận", "Đã giải quyết", "Trước hạn", "Đúng hạn", "Quá hạn",
                   "Đang giải quyết trong hạn", "Đang giải quyết quá hạn", "Tỷ lệ đúng hạn (%)",
                   "Tỷ lệ đồng bộ (%)"]


def ranking_table(ranking) -> list[list]:
    def percent(value):
        return None if value.rate is None else float(round(value.rate * 100, 2))

    rows = []
    for agency, fig in ranking:
        c = fig.counts
        rows.append([agency.name, agency.code, c.received, c.early + c.on_time + c.late, c.early, c.on_time, c.late,
                     c.open_within, c.open_overdue, percent(fig.indices["2.1"]), percent(fig.indices["1.4"])])
    return rows
