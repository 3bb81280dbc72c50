"""Decision 766 statistics, computed in SQL over the dossiers' dated facts (one aggregate query
per scope and period over the dossier table alone; no Python loop over dossiers). The facts are
stamped on the dossier by the actions that make them true (finish, upload, result rendered,
online payment, rating), never computed by the statistics or typed by hand.

Scope: a period (received in it), optionally one agency (as receiving desk or competent
agency), one level (the competent agency's), one field (lĩnh vực). Finished dossiers are
classified by the stamp put on them when they finished (early / on time / late against the
deadline in force, supplement waiting time excluded, more than one supplement = late); open
ones are within or over their deadline at the end of the period (or now, if sooner)."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, literal, or_, select

from app.domain.deadlines import OFFICE_TZ
from app.domain.indices import INDICES, Counts, IndexValue, compute
from app.extensions import db
from app.models import Agency, Dossier, ProcedureVersion
from app.models.types import UTCDateTime
from app.models.users import utcnow
from app.services.documents import render_pdf

OFFICE_DAY_MINUTES = Decimal(450)  # 07:30–11:30 and 13:30–17:00: processing time shown in working days


@dataclass(frozen=True)
class Scope:
    start: date
    end: date                      # inclusive
    agency: Agency | None = None
    level: str | None = None
    field: str | None = None
    procedure: str | None = None   # a national procedure code, every version of it

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(0), tzinfo=OFFICE_TZ)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=OFFICE_TZ)


@dataclass(frozen=True)
class Figures:
    counts: Counts
    indices: dict[str, IndexValue]


def _fee_versions() -> list[int]:
    """Versions whose procedure has a non-zero fee (fees live in a small JSON list per version)."""
    return [v_id for v_id, fees in db.session.execute(select(ProcedureVersion.id, ProcedureVersion.fees))
            if any(fee["amount"] for fee in fees)]


def _filters(scope: Scope) -> list:
    conditions = [Dossier.received_at >= scope.since, Dossier.received_at < scope.until]
    if scope.agency is not None:
        conditions.append(or_(Dossier.receiving_agency_id == scope.agency.id, Dossier.resolving_agency_id == scope.agency.id))
    if scope.level:
        conditions.append(Dossier.procedure_version.has(ProcedureVersion.level == scope.level))
    if scope.field:
        conditions.append(Dossier.procedure_version.has(ProcedureVersion.field == scope.field))
    if scope.procedure:
        conditions.append(Dossier.procedure_version.has(ProcedureVersion.code == scope.procedure))
    return conditions


def _aggregates(cut):
    """The columns of one aggregate row. `cut` is the end of the period, or now if sooner: an
    aware datetime, or an SQL expression giving it per row (one cut per month of the trend)."""
    finished = and_(Dossier.finished_at.is_not(None), Dossier.finished_at < cut)
    due = func.coalesce(Dossier.effective_due_at, Dossier.due_at)

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    has_result, has_files = Dossier.has_e_result.is_(True), Dossier.has_files.is_(True)
    paid_online, poor = Dossier.paid_online.is_(True), Dossier.rated_poor.is_(True)
    fee_versions = _fee_versions() or [-1]
    approved = and_(finished, Dossier.outcome == "approved")
    return [
        func.count(Dossier.id).label("received"),
        count_if(finished).label("finished"),
        count_if(and_(finished, Dossier.result_class == "early")).label("early"),
        count_if(and_(finished, Dossier.result_class == "on_time")).label("on_time"),
        count_if(and_(finished, Dossier.result_class == "late")).label("late"),
        count_if(and_(~finished, due >= cut)).label("open_within"),
        count_if(and_(~finished, due < cut)).label("open_overdue"),
        func.coalesce(func.sum(case((finished, Dossier.processing_minutes), else_=0)), 0).label("minutes"),
        count_if(Dossier.channel == 2).label("online"),
        count_if(Dossier.procedure_version_id.in_(fee_versions)).label("with_fee"),
        count_if(and_(Dossier.procedure_version_id.in_(fee_versions), paid_online)).label("paid_online"),
        count_if(approved).label("result_required"),
        count_if(and_(approved, has_result)).label("e_result"),
        count_if(and_(has_files, or_(~approved, has_result))).label("digitised"),
        count_if(and_(finished, poor)).label("poor"),
    ]


def _counts(row) -> Counts:
    return Counts(
        received=row.received, finished=row.finished, early=row.early, on_time=row.on_time, late=row.late,
        open_within=row.open_within, open_overdue=row.open_overdue,
        processing_days_total=Decimal(row.minutes or 0) / OFFICE_DAY_MINUTES,
        online=row.online, with_fee=row.with_fee, paid_online=row.paid_online,
        result_required=row.result_required, e_result=row.e_result, digitised=row.digitised,
        poor_or_complaint=row.poor,
    )


def figures(scope: Scope, now: datetime | None = None) -> Figures:
    now = now or utcnow()
    row = db.session.execute(select(*_aggregates(min(now, scope.until))).where(*_filters(scope))).one()
    counts = _counts(row)
    return Figures(counts, compute(counts))


def by_agency(scope: Scope, now: datetime | None = None) -> list[tuple[Agency, Figures]]:
    """One row per competent agency (GROUP BY in SQL), ranked by on-time rate, best first."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Dossier.resolving_agency_id, *_aggregates(min(now, scope.until))).where(*_filters(scope), Dossier.resolving_agency_id.is_not(None))
        .group_by(Dossier.resolving_agency_id)).all()
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_([r.resolving_agency_id for r in rows])))}
    result = [(agencies[r.resolving_agency_id], Figures(_counts(r), compute(_counts(r)))) for r in rows]

    def on_time(item):
        value = item[1].indices["2.1"].rate
        return (value is None, -(value or 0), item[0].name)
    return sorted(result, key=on_time)


def months(scope: Scope, now: datetime | None = None) -> list[tuple[date, Figures]]:
    """The trend: the same figures month by month over the scope's period, each month cut at
    its own end (or now). One query grouped by month, not one per month: on 1,000,000
    dozens of range scans cost seconds (bench/dashboard.py)."""
    now = now or utcnow()
    parts = []
    first = scope.start.replace(day=1)
    while first <= scope.end:
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        parts.append((first, Scope(max(first, scope.start), min(last, scope.end))))
        first = last + timedelta(days=1)
    # Rows are already within the scope's period: the first month whose end is after the
    # receipt is the row's month.
    month = case(*[(Dossier.received_at < part.until, i) for i, (_, part) in enumerate(parts)])
    cut = case(*[(Dossier.received_at < part.until, literal(min(now, part.until), UTCDateTime()))
                 for _, part in parts])
    rows = {row.month: _counts(row) for row in db.session.execute(
        select(month.label("month"), *_aggregates(cut)).where(*_filters(scope)).group_by(month))}
    empty = Counts(**{f.name: 0 for f in fields(Counts)})
    return [(start, Figures(rows.get(i, empty), compute(rows.get(i, empty)))) for i, (start, _) in enumerate(parts)]


def period(kind: str, year: int, number: int = 1) -> tuple[date, date]:
    """month N, quarter N, or the year."""
    if kind == "month":
        start = date(year, number, 1)
        return start, (start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    if kind == "quarter":
        start = date(year, 3 * number - 2, 1)
        return start, (date(year, 3 * number, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return date(year, 1, 1), date(year, 12, 31)


def late_dossiers(scope: Scope, now: datetime | None = None, limit: int = 500) -> list[Dossier]:
    """Dossiers of the scope finished late, or still open past their deadline at the cut."""
    cut = min(now or utcnow(), scope.until)
    due = func.coalesce(Dossier.effective_due_at, Dossier.due_at)
    query = select(Dossier).where(*_filters(scope), or_(
        and_(Dossier.finished_at.is_not(None), Dossier.finished_at < cut, Dossier.result_class == "late"),
        and_(or_(Dossier.finished_at.is_(None), Dossier.finished_at >= cut), due < cut),
    )).order_by(Dossier.received_at).limit(limit)
    return list(db.session.scalars(query))


def monthly_report_pdf(year: int, month: int, signer: str, now: datetime | None = None) -> bytes:
    """The monthly report for the province's chairman: summary, indices, per-agency table, late dossiers."""
    now = now or utcnow()
    start, end = period("month", year, month)
    scope = Scope(start, end)
    summary = figures(scope, now)
    agencies = []
    for agency, fig in by_agency(scope, now):
        c, rate = fig.counts, fig.indices["2.1"].rate
        agencies.append([agency.name, agency.code, c.received, c.early + c.on_time + c.late, c.early, c.on_time, c.late,
                         c.open_within, c.open_overdue, None if rate is None else float(rate * 100)])
    context = {
        "managing_body": "ỦY BAN NHÂN DÂN TỈNH VĨNH PHÚC", "issuer": "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "number": "", "place": "Vĩnh Phúc", "issued_at": now, "electronic": True, "signer": signer,
        "period_label": f"tháng {month} năm {year}", "summary": summary.counts,
        "indices": [(key, INDICES[key].name, value, INDICES[key].max_points) for key, value in summary.indices.items()],
        "agencies": agencies,
        "late": [{"code": d.code, "procedure": d.procedure_version.name,
                  "agency": (d.resolving_agency or d.receiving_agency).name,
                  "due_at": d.effective_due_at or d.due_at, "finished_at": d.finished_at} for d in late_dossiers(scope, now)],
    }
    return render_pdf("monthly_report", context)
