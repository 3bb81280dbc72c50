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


def _aggregates(cut, d=Dossier):
    """The columns of one aggregate row. `cut` is the end of the period, or now if sooner: an
    aware datetime, or an SQL expression giving it per row (one cut per month of the trend)."""
    finished = and_(d.finished_at.is_not(None), d.finished_at < cut)
    due = func.coalesce(d.effective_due_at, d.due_at)

    def count_if(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    has_result, has_files = d.has_e_result.is_(True), d.has_files.is_(True)
    paid_online, poor = d.paid_online.is_(True), d.rated_poor.is_(True)
    fee_versions = _fee_versions() or [-1]
    approved = and_(finished, d.outcome == "approved")
    return [
        func.count(d.id).label("received"),
        count_if(finished).label("finished"),
        count_if(and_(finished, d.result_class == "early")).label("early"),
        count_if(and_(finished, d.result_class == "on_time")).label("on_time"),
        count_if(and_(finished, d.result_class == "late")).label("late"),
        count_if(and_(~finished, due >= cut)).label("open_within"),
        count_if(and_(~finished, due < cut)).label("open_overdue"),
        func.coalesce(func.sum(case((finished, d.processing_minutes), else_=0)), 0).label("minutes"),
        count_if(d.channel == 2).label("online"),
        count_if(d.procedure_version_id.in_(fee_versions)).label("with_fee"),
        count_if(and_(d.procedure_version_id.in_(fee_versions), paid_online)).label("paid_online"),
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


def overview(scope: Scope, now: datetime | None = None) -> tuple[Figures, list[tuple[Agency, Figures]]]:
    """The scope's figures and one row per competent agency, ranked by on-time rate, best
    first: one query grouped by agency, whose groups (a dossier without a competent agency
    yet is a group of its own) add up to the whole."""
    now = now or utcnow()
    rows = db.session.execute(
        select(Dossier.resolving_agency_id, *_aggregates(min(now, scope.until))).where(*_filters(scope))
        .group_by(Dossier.resolving_agency_id)).all()
    ids = [r.resolving_agency_id for r in rows if r.resolving_agency_id is not None]
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_(ids)))}
    ranking = [(agencies[r.resolving_agency_id], Figures(_counts(r), compute(_counts(r))))
               for r in rows if r.resolving_agency_id is not None]
    total = _total(_counts(r) for r in rows)

    def on_time(item):
        value = item[1].indices["2.1"].rate
        return (value is None, -(value or 0), item[0].name)
    return Figures(total, compute(total)), sorted(ranking, key=on_time)


def _total(parts) -> Counts:
    parts = list(parts)
    return Counts(**{f.name: sum((getattr(c, f.name) for c in parts), 0) for f in fields(Counts)})


def months(scope: Scope, now: datetime | None = None) -> list[tuple[date, Figures]]:
    """The trend: the same figures month by month over the scope's period, each month cut at
    its own end (or now). One query grouped by month, not one per month (twelve range scans
    of 1,000,000 dossiers took 2.7 s, bench/dashboard.py). Each row's month and cut are worked
    out once, in a subquery that OFFSET 0 keeps PostgreSQL from folding into the aggregates
    (folded, the cut's CASE ran once per aggregate: 1.4 s; kept apart: 0.8 s)."""
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
    # the columns _aggregates reads, and the two worked out per row
    d = (select(Dossier.id, Dossier.finished_at, Dossier.effective_due_at, Dossier.due_at, Dossier.result_class,
                Dossier.processing_minutes, Dossier.channel, Dossier.procedure_version_id, Dossier.has_e_result,
                Dossier.has_files, Dossier.paid_online, Dossier.rated_poor, Dossier.outcome,
                month.label("month"), cut.label("cut"))
         .where(*_filters(scope)).offset(0).subquery())
    rows = {row.month: _counts(row) for row in db.session.execute(
        select(d.c.month.label("month"), *_aggregates(d.c.cut, d.c)).group_by(d.c.month))}
    empty = _total([])
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
    summary, ranking = overview(scope, now)
    agencies = []
    for agency, fig in ranking:
        c, rate = fig.counts, fig.indices["2.1"].rate
        agencies.append([agency.name, agency.code, c.received, c.early + c.on_time + c.late, c.early, c.on_time, c.late,
                         c.open_within, c.open_overdue, None if rate is None else float(rate * 100)])
    context = {
        "managing_body": "ỦY BAN NHÂN DÂN TỈNH VĨNH PHÚC", "issuer": "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "number": "", "place": "Vĩnh Phúc", "issued_at": now, "electronic": True, "signed": False, "signer": signer,
        "period_label": f"tháng {month} năm {year}", "summary": summary.counts,
        "indices": [(key, INDICES[key].name, value, INDICES[key].max_points) for key, value in summary.indices.items()],
        "agencies": agencies,
        "late": [{"code": d.code, "procedure": d.procedure_version.name,
                  "agency": (d.resolving_agency or d.receiving_agency).name,
                  "due_at": d.effective_due_at or d.due_at, "finished_at": d.finished_at} for d in late_dossiers(scope, now)],
    }
    return render_pdf("monthly_report", context)
