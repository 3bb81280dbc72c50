"""Decision 766 statistics, computed in SQL over the dossiers' dated facts (one aggregate query
per scope over the dossier table alone; no Python loop over dossiers). The facts are stamped on
the dossier by the actions that make them true (finish, supplement request, upload, signed
result, online payment, rating, import), by the pure rules of domain/timeline.py, never
computed by the statistics or typed by hand.

Two sets per period (LEGAL.md §4, §8; the formula description of Decision 766):
- received in the period (NgayTiepNhan in it): 1.4, 3.3, 3.6, 4.2;
- received OR processed in the period (index 2.1): received in it, or received before and not
  ended before its start. A dossier's end, seen at the period's cut (its end, or now if
  sooner), is the stamped finish (resolved > returned > stopped, `finished_at`), else the
  unanswered supplement request (`paused_at`), else the cut: domain.timeline.end_of_processing,
  whose cut-dependent choice `_facts` writes in SQL. Its verdict is the stamp of that end
  (`result_class`, `paused_class`), or, still open, within / overdue against the due date in
  force at the cut. Indices 2.1, 2.2, 4.1 and 5.4 count this set; 2.2 and 4.1 its dossiers
  resolved in the period.

Scope: a period, optionally one agency (as receiving desk or competent agency), one level
(the competent agency's), one field (lĩnh vực), one procedure.

Where the figures are read from (issue 15; each equals what `from_dossiers` counts, tested):
- a closed period: its roll-up (the counts per competent agency and procedure version, built
  on first reading, deleted by a change its cut can see: `_invalidate`);
- an open period begun today or before, without an agency: its base — the closed period from
  its start to yesterday (no day at all if it begins today), rolled up once a day — plus, for
  the dossiers with a dated fact today (received, finished, paused, answered or due since
  midnight, found by their indexes), their facts cut at now less their facts cut at midnight
  (`_open`);
- otherwise (one agency, a period begun after today, a roll-up that cannot be stored):
  counted from the dossiers."""
from __future__ import annotations

import logging
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import and_, case, delete, event, func, insert, inspect, literal, or_, select, true, union_all
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.domain import feedback as feedback_rules
from app.domain.deadlines import OFFICE_TZ, SAME_DAY_UNITS, TimeUnit, WorkCalendar, parse_office_hours
from app.domain.indices import ALL_INDICES, Counts, IndexValue, compute
from app.domain.vocabulary import Channel
from app.extensions import db
from app.models import Agency, Dossier, ProcedureVersion, StatsPeriod, StatsRollup
from app.models.rollup import COUNTS, MINUTES
from app.models.types import UTCDateTime
from app.models.users import utcnow
from app.services import feedback, report_cache

log = logging.getLogger(__name__)

# Per unit of a procedure's time: the Counts fields of 2.2 and the minutes in one unit.
UNIT_FIELDS = {TimeUnit.WORKING_DAYS: "working_days", TimeUnit.WORKING_HOURS: "working_hours",
               TimeUnit.CALENDAR_DAYS: "calendar_days"}


def _reported_unit(unit: str) -> str:
    """The unit 2.2 reports a procedure's time in. "Same day" and "immediately" procedures have
    no count of their own; their time runs on office time within the working day, so they are
    averaged with the working-day procedures (our reading: the national DonViTinh list has no
    unit for them — not verified against the national portal's code list)."""
    return TimeUnit.WORKING_DAYS if unit in SAME_DAY_UNITS else unit


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


@dataclass(frozen=True)
class _Versions:
    """Which procedure versions have a fee, require a result document, count time in each unit
    (a few dozen ids from the narrow version table, so the aggregate reads the dossier alone)."""

    fee: list[int]
    result: list[int]
    unit: dict[str, list[int]]


def _versions() -> _Versions:
    rows = db.session.execute(select(ProcedureVersion.id, ProcedureVersion.fees,
                                     ProcedureVersion.requires_result_document,
                                     ProcedureVersion.time_unit)).all()
    return _Versions(fee=[r.id for r in rows if any(fee["amount"] for fee in r.fees)] or [-1],
                     result=[r.id for r in rows if r.requires_result_document] or [-1],
                     unit={unit: [r.id for r in rows if _reported_unit(r.time_unit) == unit] or [-1]
                           for unit in UNIT_FIELDS})


def _version_conditions(scope: Scope) -> list:
    """The scope's level, field and procedure: conditions on the procedure version."""
    return [condition for value, condition in ((scope.level, ProcedureVersion.level == scope.level),
                                               (scope.field, ProcedureVersion.field == scope.field),
                                               (scope.procedure, ProcedureVersion.code == scope.procedure)) if value]


def _filters(scope: Scope, d=Dossier) -> list:
    """The scope's agency (as receiving desk or competent agency) and procedure versions, on the
    dossier table or on the roll-up (which is read only without an agency)."""
    conditions = []
    if scope.agency is not None:
        conditions.append(or_(d.receiving_agency_id == scope.agency.id, d.resolving_agency_id == scope.agency.id))
    if versions := _version_conditions(scope):
        conditions.append(d.procedure_version_id.in_(select(ProcedureVersion.id).where(*versions)))
    return conditions


def _may_count(since, cut, d=Dossier):
    """A superset of both sets that indexes can serve: received before the cut, and received
    in the period or not finished before it."""
    return and_(d.received_at < cut, or_(d.received_at >= since, d.finished_at.is_(None), d.finished_at >= since))


def _one(condition):
    return case((condition, 1), else_=0)


@dataclass(frozen=True)
class _State:
    done: object       # ended by a terminal status before the cut
    handled: object    # in the 2.1 set: received in the period, or not ended before it
    verdict: object    # early | on_time | late | within | overdue


def _state(since, cut, d=Dossier) -> _State:
    """domain.timeline.verdict_at in SQL, from the stamps, for a period [since, cut): bound
    values for one period, or the columns of the months table for the trend."""
    done = and_(d.finished_at.is_not(None), d.finished_at < cut)
    waiting = and_(~done, d.paused_at.is_not(None), d.paused_at < cut, or_(d.resumed_at.is_(None), d.resumed_at >= cut))
    end = case((done, d.finished_at), (waiting, d.paused_at), else_=cut)
    # the due date in force at the cut: moved by the supplement wait once it was answered
    due = case((and_(d.resumed_at.is_not(None), d.resumed_at < cut), func.coalesce(d.effective_due_at, d.due_at)),
               else_=d.due_at)
    verdict = case((done, d.result_class), (waiting, d.paused_class),
                   (or_(d.intake_supplements + d.processing_supplements > 1, due < cut), "overdue"), else_="within")
    return _State(done, or_(d.received_at >= since, end >= since), verdict)


def _facts(since, cut, versions: _Versions, d=Dossier) -> list:
    """The per-row columns the aggregate adds up."""
    state = _state(since, cut, d)
    done, handled, verdict = state.done, state.handled, state.verdict
    received = d.received_at >= since
    resolved = and_(handled, done, d.outcome.is_not(None))       # 2.2: stopped dossiers excluded
    # IS NOT NULL first: a NULL outcome must make this FALSE, not NULL, or its negation below
    # would drop a stopped dossier from 3.3 and 4.2 (SQL's three-valued logic)
    approved = and_(done, d.outcome.is_not(None), d.outcome == "approved")
    result_procedure = d.procedure_version_id.in_(versions.result)
    # An e-result is required of a dossier of such a procedure once its result is decided
    # (LEGAL.md §4, 3.3 and 4.2: "an e-result issued when a paper result is required"; our
    # reading: an undecided, denied or stopped dossier has no result to require). has_e_result
    # is the flag as it stands now, not dated: a result signed later changes past months.
    result_condition = or_(~result_procedure, ~approved, d.has_e_result.is_(True))
    columns = [
        _one(received).label("received"),
        case((handled, verdict)).label("verdict"),
        _one(and_(received, d.channel == Channel.ONLINE, result_condition)).label("online"),
        _one(and_(received, d.procedure_version_id.in_(versions.fee))).label("with_fee"),
        _one(and_(received, d.procedure_version_id.in_(versions.fee), d.paid_online.is_(True))).label("paid_online"),
        _one(and_(handled, approved, result_procedure)).label("result_required"),
        _one(and_(handled, approved, result_procedure, d.has_e_result.is_(True))).label("e_result"),
        _one(and_(received, result_procedure)).label("result_received"),
        _one(and_(received, result_procedure, d.has_files.is_(True), result_condition)).label("digitised"),
        # 5.4: rated "not satisfied" or complained about (a feedback about the dossier, issue 17)
        _one(and_(handled, done, or_(d.rated_poor.is_(True), d.has_complaint.is_(True)))).label("poor"),
        _one(and_(received, d.reused_component.is_(True))).label("reused"),            # 4.3
        _one(and_(received, d.from_national_store.is_(True))).label("national_store"),  # 4.4
        # 1.4: the national portal acknowledged a record carrying this very NgayTiepNhan
        _one(and_(received, d.national_received_at.is_not(None),
                  d.national_received_at == d.received_at)).label("synced"),
    ]
    for unit, name in UNIT_FIELDS.items():
        columns.append(case((and_(resolved, d.procedure_version_id.in_(versions.unit[unit])),
                             func.coalesce(d.processing_minutes, 0))).label(f"minutes_{name}"))
    return columns


def _sums(c, sign=None) -> list:
    """The aggregate row of the fact rows `c`, each row counted `sign` times (+1 or −1, a
    column) if given: the counts and minutes are sums, so a row's facts can be taken away."""
    def total(column):
        return func.coalesce(func.sum(column if sign is None else sign * column), 0)

    def resolved(minutes):
        return func.count(minutes) if sign is None else total(_one(minutes.is_not(None)))

    columns = [total(c.received).label("received")]
    columns += [total(_one(c.verdict == v)).label(v) for v in ("early", "on_time", "late", "within", "overdue")]
    columns += [total(getattr(c, name)).label(name) for name in
                ("online", "with_fee", "paid_online", "result_required", "e_result", "result_received", "digitised",
                 "poor", "reused", "national_store", "synced")]
    for name in UNIT_FIELDS.values():
        columns += [total(getattr(c, f"minutes_{name}")).label(f"minutes_{name}"),
                    resolved(getattr(c, f"minutes_{name}")).label(f"resolved_{name}")]
    return columns


def _counts(row) -> Counts:
    """One aggregate row as Counts; minutes become the procedure's unit (a working day is the
    office day's length, DonViTinh of 2.2)."""
    # the office day's length comes from the province's office hours alone (no calendar query:
    # this runs once per aggregate row, 172 of them in the per-agency table)
    day = WorkCalendar(office_hours=parse_office_hours(current_app.config["OFFICE_HOURS"])).office_day_length
    per_unit = {"working_days": Decimal(day // timedelta(minutes=1)),
                "working_hours": Decimal(60), "calendar_days": Decimal(1440)}
    durations = {}
    for name, minutes in per_unit.items():
        durations[f"{name}_total"] = Decimal(getattr(row, f"minutes_{name}") or 0) / minutes
        durations[f"{name}_resolved"] = getattr(row, f"resolved_{name}")
    return Counts(
        received=row.received, finished=row.early + row.on_time + row.late, early=row.early, on_time=row.on_time,
        late=row.late, open_within=row.within, open_overdue=row.overdue, **durations,
        online=row.online, with_fee=row.with_fee, paid_online=row.paid_online,
        result_required=row.result_required, e_result=row.e_result, result_received=row.result_received,
        digitised=row.digitised, poor_or_complaint=row.poor, reused=row.reused, national_store=row.national_store,
        synced=row.synced,
    )


def _counted(scope: Scope, now: datetime, group: list) -> list:
    """The aggregate rows for the scope's period counted from the dossiers, one per value of
    the `group` columns of the dossier (one row when none)."""
    return db.session.execute(_counting(scope, now, group)).all()


def _counting(scope: Scope, now: datetime, group: list, finished: bool = False, open_at: datetime | None = None):
    """_counted's statement; its rows also by whether the dossier had finished by the cut if
    `finished`, and of the dossiers not finished before `open_at` only, if given."""
    since, cut = literal(scope.since, UTCDateTime()), literal(min(now, scope.until), UTCDateTime())
    extra = [and_(Dossier.finished_at.is_not(None), Dossier.finished_at < cut).label("finished")] if finished else []
    unfinished = [or_(Dossier.finished_at.is_(None), Dossier.finished_at >= open_at)] if open_at else []
    inner = (select(*group, *extra, *_facts(since, cut, _versions()))
             .where(_may_count(since, cut), *_filters(scope), *unfinished).offset(0).subquery())
    outer = [inner.c[column.key] for column in (*group, *extra)]
    return select(*outer, *_sums(inner.c)).group_by(*outer)


def _rolled(scope: Scope, by_agency: bool) -> list:
    """The aggregate rows for the closed period of the scope, read from its roll-up."""
    group = [StatsRollup.resolving_agency_id] if by_agency else []
    return _read_rollups(scope, [(scope.start, scope.end)], group)


def _read_rollups(scope: Scope, periods: list[tuple[date, date]], group: list) -> list:
    """The roll-ups of the closed `periods` (start, end) under the scope's filters, summed per
    value of the `group` columns of the roll-up."""
    sums = [func.coalesce(func.sum(getattr(StatsRollup, name)), 0).label(name) for name in (*COUNTS, *MINUTES)]
    which = or_(*[and_(StatsRollup.start == start, StatsRollup.end == end) for start, end in periods])
    return db.session.execute(
        select(*group, *sums).where(which, *_filters(scope, StatsRollup)).group_by(*group)).all()


def _closed_months(scope: Scope, parts: list[tuple[int, Scope]], now: datetime) -> dict[int, Counts]:
    """The trend's closed months (index, month) as figures() reads each, from their roll-ups
    read together: one statement finds which are built, the missing ones are built, one more
    sums them all by month (issue 15: it was two statements a month). Month by month, as
    _rows counts them, for one agency's figures or when a roll-up cannot be stored."""
    periods = [(part.start, part.end) for _, part in parts]
    if parts and scope.agency is None:
        built = set(db.session.execute(select(StatsPeriod.start, StatsPeriod.end).where(
            or_(*[and_(StatsPeriod.start == start, StatsPeriod.end == end) for start, end in periods]))).tuples())
        if all((start, end) in built or _ensure_rollup(start, end, now) for start, end in periods):
            rolled = {row.start: row for row in _read_rollups(scope, periods, [StatsRollup.start])}
            none = _added()[0]
            return {i: _counts(rolled.get(part.start, none)) for i, part in parts}
    return {i: _counts(_rows(replace(scope, start=part.start, end=part.end), now)[0]) for i, part in parts}


def _rows(scope: Scope, now: datetime, by_agency: bool = False) -> list:
    """One aggregate row for the scope's period (per competent agency if asked).

    A closed period: from its roll-up (built first if it is not there). An open one: _open's
    (its roll-up up to yesterday and today's changes, or counted from the dossiers). One
    agency's figures (its dossiers as desk or competent agency are few and indexed), or a
    roll-up that cannot be stored: counted from the dossiers."""
    group = [Dossier.resolving_agency_id] if by_agency else []
    if scope.agency is not None:   # one agency's dossiers: few, found by their indexes
        return _counted(scope, now, group)
    if closed(scope.end, now):
        if _ensure_rollup(scope.start, scope.end, now):
            return _rolled(scope, by_agency)
        return _counted(scope, now, group)
    return _open(scope, [(0, scope)], now, by_agency)[0]


def _added(*parts, by: tuple[str, ...] = ()) -> list:
    """Aggregate rows added up per value of the `by` attributes (one row, never none, when
    there are none): the counts and minutes, before any division, so the sum is what one
    query would give; a row counted with a minus sign (_counted_parts) takes its counts away."""
    rows: dict = {}
    for part in parts:
        for row in part:
            total = rows.setdefault(tuple(getattr(row, name) for name in by), dict.fromkeys((*COUNTS, *MINUTES), 0))
            for name in total:
                total[name] += getattr(row, name) or 0
    if not rows and not by:
        rows[()] = dict.fromkeys((*COUNTS, *MINUTES), 0)
    return [SimpleNamespace(**dict(zip(by, key, strict=True)), **total) for key, total in rows.items()]


def _with_feedback(figures: Figures, scope: Scope, now: datetime) -> Figures:
    """The scope's figures with indices 5.1–5.3, counted from the feedback sent in the period
    (issue 17; domain/feedback.py): all of it, or that held by the scope's agency. The level,
    field and procedure filters are the dossiers' and do not narrow feedback."""
    held = None if scope.agency is None else [scope.agency.id]
    counts = feedback.counts(held, scope.since, scope.until, now)
    return Figures(figures.counts, figures.indices | feedback_rules.indices(counts))


def figures(scope: Scope, now: datetime | None = None) -> Figures:
    now = now or utcnow()
    counts = _counts(_rows(scope, now)[0])
    return _with_feedback(Figures(counts, compute(counts)), scope, now)


def from_dossiers(scope: Scope, now: datetime | None = None, by_agency: bool = False):
    """What figures() (or, by agency, overview()) gives, counted from the dossiers and never
    read from the roll-up: what the roll-up must agree with."""
    now = now or utcnow()
    rows = _counted(scope, now, [Dossier.resolving_agency_id] if by_agency else [])
    if by_agency:
        total, ranking = _overview(rows)
        return _with_feedback(total, scope, now), ranking
    return _with_feedback(Figures(_counts(rows[0]), compute(_counts(rows[0]))), scope, now)


def overview(scope: Scope, now: datetime | None = None) -> tuple[Figures, list[tuple[Agency, Figures]]]:
    """The scope's figures and one row per competent agency, ranked by on-time rate, best
    first: one query grouped by agency, whose groups (a dossier without a competent agency
    yet is a group of its own) add up to the whole. Feedback's indices are the scope's only."""
    now = now or utcnow()
    total, ranking = _overview(_rows(scope, now, by_agency=True))
    return _with_feedback(total, scope, now), ranking


def _overview(rows) -> tuple[Figures, list[tuple[Agency, Figures]]]:
    ids = [r.resolving_agency_id for r in rows if r.resolving_agency_id is not None]
    agencies = {a.id: a for a in db.session.scalars(select(Agency).where(Agency.id.in_(ids)))}
    counted = [(r.resolving_agency_id, _counts(r)) for r in rows]
    ranking = [(agencies[key], Figures(c, compute(c))) for key, c in counted if key is not None]
    # The whole from the summed rows (whole minutes), not from the agencies' Counts: a sum of
    # quotients rounds differently with the grouping (the roll-up's and the dossiers' differ).
    total = _counts(SimpleNamespace(**{name: sum(getattr(r, name) or 0 for r in rows) for name in (*COUNTS, *MINUTES)}))

    def on_time(item):
        value = item[1].indices["2.1"].rate
        return (value is None, -(value or 0), item[0].name)
    return Figures(total, compute(total)), sorted(ranking, key=on_time)


def _total(parts) -> Counts:
    parts = list(parts)
    return Counts(**{f.name: sum((getattr(c, f.name) for c in parts), 0) for f in fields(Counts)})


def months(scope: Scope, now: datetime | None = None) -> list[tuple[date, Figures]]:
    """The trend: each month of the scope's period with its own figures, as figures() gives
    them for that month alone (its two sets, cut at its own end or now). The closed months
    are read from the roll-up, each as figures() reads it; the open ones are _open's, in one
    query: the dossiers joined to a small table of the months, so a dossier received in
    February and finished in March counts in both months, as open in February and as
    finished in March."""
    now = now or utcnow()
    parts = _month_parts(scope)
    rows = _closed_months(scope, [(i, part) for i, (_, part) in enumerate(parts) if closed(part.end, now)], now)
    counted = _open(scope, [(i, part) for i, (_, part) in enumerate(parts) if i not in rows], now, by_agency=False)
    rows.update((i, _counts(part[0])) for i, part in counted.items())
    return _trend(parts, rows, now)


def dashboard(scope: Scope, now: datetime | None = None):
    """What the dashboard page shows, with one `now`: (overview(scope), months(scope)).

    An open period (the default page: this year) and the trend's open month are counted by
    one _open: one scan of the dossiers for both, grouped by part and competent agency (issue
    15; it was one scan each). A closed period: overview() and months() as they are."""
    now = now or utcnow()
    if closed(scope.end, now):
        return overview(scope, now), months(scope, now)
    parts = _month_parts(scope)
    rows = _closed_months(scope, [(i, part) for i, (_, part) in enumerate(parts) if closed(part.end, now)], now)
    whole = -1   # the key of the period's own part, beside the months' indexes
    counted = _open(scope, [(whole, scope)] + [(i, part) for i, (_, part) in enumerate(parts) if i not in rows],
                    now, by_agency=True)
    total, ranking = _overview(counted.pop(whole))
    rows.update((i, _counts(_added(part)[0])) for i, part in counted.items())
    return (_with_feedback(total, scope, now), ranking), _trend(parts, rows, now)


def _month_parts(scope: Scope) -> list[tuple[date, Scope]]:
    """The trend's months: (first day, the month's part of the scope)."""
    parts = []
    first = scope.start.replace(day=1)
    while first <= scope.end:
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        parts.append((first, Scope(max(first, scope.start), min(last, scope.end))))
        first = last + timedelta(days=1)
    return parts


def _trend(parts: list[tuple[date, Scope]], rows: dict[int, Counts], now: datetime) -> list[tuple[date, Figures]]:
    empty = _total([])
    return [(start, _with_feedback(Figures(rows.get(i, empty), compute(rows.get(i, empty))), part, now))
            for i, (start, part) in enumerate(parts)]


# What _facts and _may_count compare with the period's cut (x < cut, or x >= cut; NULL is
# "never", after every cut: done, waiting, end, due, verdict, and received_at < cut): with the
# columns as they are, a dossier's fact row at two cuts differs only if one of these lies
# between them. The cut is also compared with the period's start (a dossier still open ends
# at the cut, `end >= since`), which both cuts _open uses pass. A dossier _may_count leaves out
# has no facts at that cut (each column of _facts needs `received` or `handled`, both false
# for a dossier received before the period and finished before it), so the fact rows summed
# over every dossier are those summed over the filter's.
CUT_COLUMNS = ("received_at", "finished_at", "paused_at", "resumed_at", "due_at", "effective_due_at")


def _between(start: datetime, end: datetime, d=Dossier):
    """The dossiers one of whose CUT_COLUMNS lies in [start, end): each by its index."""
    return or_(*[and_(getattr(d, name) >= start, getattr(d, name) < end) for name in CUT_COLUMNS])


def _open(scope: Scope, parts: list[tuple[int, Scope]], now: datetime, by_agency: bool) -> dict[int, list]:
    """The aggregate rows of open periods (key, period) under the scope's filters, a list per
    key (one row each, or one per competent agency if `by_agency`), in one scan of the dossiers.

    A period without an agency is its base — the closed period from its start to yesterday,
    whose roll-up (built by the first reading of the day, _store) holds every dossier's facts
    cut at midnight — plus today's changes: for each dossier with
    one of the CUT_COLUMNS in [midnight, now), its facts cut at now less those cut at
    midnight. No other dossier's facts differ between the two cuts, so the sum is the
    period's figures at now exactly (as the columns are now: a change the roll-up's cut can
    see deletes it, _invalidate). The dossiers received today are among them (their facts at
    midnight are none), and the others are found by the columns' indexes: a day's worth,
    where counting from the dossiers reads every dossier still open. A period that begins
    today (on the 1st of the month, the trend's month) has a base with no day in it, [today,
    yesterday]: cut at its start, it holds the dossiers open at midnight (2.1's set, within or
    overdue then). A period that begins after today has none (its start is after midnight).

    Counted from the dossiers: one agency's figures, a period that begins after today, or a
    base that cannot be stored."""
    today = _office_date(now)
    midnight = datetime.combine(today, time(0), tzinfo=OFFICE_TZ)
    bases = {key: (part.start, today - timedelta(days=1)) for key, part in parts
             if scope.agency is None and part.start <= today}
    stored = {base for base in set(bases.values()) if _ensure_rollup(*base, now)}
    bases = {key: base for key, base in bases.items() if base in stored}
    entries = []
    for key, part in parts:
        entries.append(_Part(key, part.since, min(now, part.until), 1, key in bases))
        if key in bases:
            entries.append(_Part(key, part.since, midnight, -1, True))
    group = [Dossier.resolving_agency_id] if by_agency else []
    counted = _counted_parts(scope, entries, group, (midnight, now)) if entries else []
    rolled = _read_rollups(scope, sorted(stored), [StatsRollup.start, StatsRollup.end, *(
        [StatsRollup.resolving_agency_id] if by_agency else [])]) if stored else []
    by = ("resolving_agency_id",) if by_agency else ()
    return {key: _added([row for row in rolled if (row.start, row.end) == bases.get(key)],
                        [row for row in counted if row.part == key], by=by)
            for key, _ in parts}


@dataclass(frozen=True)
class _Part:
    """A period _counted_parts counts: its key, start and cut; its dossiers' facts counted
    `sign` times (−1: taken away); only the dossiers with a dated fact in _counted_parts'
    window if `changed`."""

    key: int
    since: datetime
    cut: datetime
    sign: int = 1
    changed: bool = False


def _counted_parts(scope: Scope, parts: list[_Part], group: list, window: tuple[datetime, datetime]) -> list:
    """The aggregate rows of several periods under the scope's filters, counted in one scan:
    the dossiers joined to a small table of the periods, each row with its period's `part`
    key, one row per part and value of the `group` columns, the rows of a part counted with
    its sign. A part marked `changed` counts only the dossiers _between the `window`."""
    table = union_all(*[select(literal(p.key).label("part"), literal(p.since, UTCDateTime()).label("since"),
                               literal(p.cut, UTCDateTime()).label("cut"), literal(p.sign).label("sign"),
                               literal(p.changed).label("changed"))
                        for p in parts]).subquery()
    # The parts' union in bound values on the dossier alone, so that its indexes find the rows
    # (a condition on the joined table's columns cannot use them).
    changed = _between(*window)
    wide = [p for p in parts if not p.changed]
    bounds = ([changed] if len(wide) < len(parts) else []) + (
        [_may_count(min(p.since for p in wide), max(p.cut for p in wide))] if wide else [])
    only = [or_(~table.c.changed, changed)] if wide and len(wide) < len(parts) else []
    inner = (select(table.c.part, table.c.sign, *group, *_facts(table.c.since, table.c.cut, _versions()))
             .join(table, and_(_may_count(table.c.since, table.c.cut), *only))
             .where(or_(*bounds), *_filters(scope)).offset(0).subquery())
    outer = [inner.c.part, *(inner.c[column.key] for column in group)]
    return db.session.execute(select(*outer, *_sums(inner.c, inner.c.sign)).group_by(*outer)).all()


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
    """Dossiers of the scope's 2.1 set that ended late, or are still open past their deadline
    at the cut: the ones that are not on time."""
    since, cut = literal(scope.since, UTCDateTime()), literal(min(now or utcnow(), scope.until), UTCDateTime())
    state = _state(since, cut)
    query = (select(Dossier).where(_may_count(since, cut), *_filters(scope), state.handled,
                                   state.verdict.in_(("late", "overdue")))
             .order_by(Dossier.received_at).limit(limit))
    return list(db.session.scalars(query))


def closed(end: date, now: datetime | None = None) -> bool:
    """Whether a period ending on `end` (inclusive) is over: it ended before today in office time.
    Its figures then no longer move with the clock (every cut is its end), only with the dossiers."""
    return end < (now or utcnow()).astimezone(OFFICE_TZ).date()


# --------------------------------------------------------------------------
# The roll-up of closed periods (issue 15)
# --------------------------------------------------------------------------
#
# A closed period's figures move only with its dossiers (its cut is its end), so they are
# counted once, per competent agency and procedure version (the ranking's groups; the level,
# field and procedure filters are conditions on the version), by the very query that counts them from the dossiers
# (_counted), and kept with a stats_period row saying the rows are complete. A flush that
# changes what the statistics read of a dossier deletes the periods whose figures the change
# may move (_invalidate), so the next reading counts them again: the roll-up is never a second
# truth. An open period is its roll-up up to yesterday plus today's changes (_open), so a
# change must not delete a period whose cut cannot see it: which periods can, per column below.
#
# On PostgreSQL, a build holds an exclusive advisory lock and an invalidation the shared one,
# both to the end of their transaction: a build never starts from a snapshot that misses a
# change whose invalidation ran before the build's rows were committed (the change waits for
# the build to commit and then deletes its rows, or the build waits for the change).

ROLLUP_LOCK = 766  # the advisory lock's key: Decision 766
ROLLUP_GROUP = (Dossier.resolving_agency_id, Dossier.procedure_version_id)
# What the statistics read of a dossier (_facts, _filters, _may_count), by the periods a change
# to it can move (_seen_from), besides the rule that a period counts a dossier only from its
# receipt to its finish (_spans). A period is seen by its cut, the midnight after its end.
#
# Compared with the cut only (x < cut, or resumed_at >= cut; NULL as "never"): moving one from o
# to n changes the comparison only for a cut after min(o, n). finished_at is also compared
# with the period's start (_may_count; handled: end >= since), but only for a dossier done at
# the cut, and since < cut: unchanged below min(o, n) too.
DATED = ("finished_at", "paused_at", "resumed_at", "due_at")
# Read only of a dossier done at the cut (finished_at < cut): result_class (verdict), outcome
# (resolved, approved), processing_minutes (resolved), has_e_result (result_condition and
# e_result, through approved: an undone dossier has none), rated_poor and has_complaint (poor).
# Seen only by a cut after finished_at, before or after the change.
WHEN_DONE = ("result_class", "outcome", "processing_minutes", "has_e_result", "rated_poor", "has_complaint")
# Read only of a dossier waiting at the cut (paused_at < cut): seen by a cut after paused_at.
WHEN_WAITING = ("paused_class",)
# effective_due_at is read as coalesce(effective_due_at, due_at) < cut, only once resumed_at <
# cut: seen by a cut after resumed_at and after the earlier of the two values compared.
ANSWERED_DUE = "effective_due_at"
# Read only as intake_supplements + processing_supplements > 1 (more than one request: late):
# a change that leaves that sum's side of 1 is seen by no period, one that moves it by all.
SUPPLEMENTS = ("intake_supplements", "processing_supplements")
# Read whatever the cut (received in the period, the filters, the roll-up's groups): every
# period in the span. received_at is compared with the period's start as well as the cut.
ALWAYS = ("received_at", "channel", "procedure_version_id", "receiving_agency_id", "resolving_agency_id",
          "paid_online", "has_files", "reused_component", "from_national_store", "national_received_at")
COUNTED = (*DATED, *WHEN_DONE, *WHEN_WAITING, ANSWERED_DUE, *SUPPLEMENTS, *ALWAYS)


def _lock(connection, shared: bool) -> None:
    if connection.dialect.name == "postgresql":
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        connection.execute(select(getattr(func, function)(ROLLUP_LOCK)))


def rebuild(start: date, end: date, now: datetime | None = None) -> int:
    """Count the closed period [start, end] from the dossiers into the roll-up, replacing what
    it held; returns its number of rows. Commits."""
    now = now or utcnow()
    if not closed(end, now):
        raise ValueError(f"the period {start} – {end} is not closed")
    _lock(db.session.connection(), shared=False)
    return _build(start, end, now)


def _build(start: date, end: date, now: datetime) -> int:
    """_store, committed (which ends the lock)."""
    rows = _store(start, end, now)
    db.session.commit()
    return rows


def _store(start: date, end: date, now: datetime) -> int:
    """Count the closed period into the roll-up, replacing what it held, in the caller's
    transaction (under the exclusive lock); returns its number of rows.

    A base of _open (a period ending yesterday, a new one every day) that began before
    yesterday's month: its dossiers finished before that month count in it as in the period
    from its start to the end of the month before (their end and verdict no longer move with
    the cut), whose roll-up (stored first if it is not there, and kept: it serves every base
    of the month) gives them; only the others are counted from the dossiers, the scan an open
    period's reading made before. The bases of that start from the days before are deleted
    (caches, and one would pile up a day); those ending on a month's last day are kept, unless
    they have no day (the base of a period begun on the 1st, on that day)."""
    db.session.execute(delete(StatsRollup).where(StatsRollup.start == start, StatsRollup.end == end))
    db.session.execute(delete(StatsPeriod).where(StatsPeriod.start == start, StatsPeriod.end == end))
    month = end.replace(day=1)
    base = end == _office_date(now) - timedelta(days=1)
    if base and start < month:
        head = (start, month - timedelta(days=1))
        if db.session.execute(select(StatsPeriod.start).where(StatsPeriod.start == head[0],
                                                              StatsPeriod.end == head[1])).first() is None:
            _store(*head, now)
        counted = _counting(Scope(start, end), now, list(ROLLUP_GROUP), finished=True,
                            open_at=datetime.combine(month, time(0), tzinfo=OFFICE_TZ))
        names = [column.name for column in counted.selected_columns]
        finished = select(*[getattr(StatsRollup, name) for name in names]).where(
            StatsRollup.start == head[0], StatsRollup.end == head[1], StatsRollup.finished.is_(True))
        both = union_all(finished, counted).subquery()
        keys = [both.c[name] for name in names[:len(ROLLUP_GROUP) + 1]]   # the groups and the finished flag
        rows = select(*keys, *[func.sum(both.c[name]).label(name) for name in names[len(keys):]]).group_by(*keys)
    else:
        rows = _counting(Scope(start, end), now, list(ROLLUP_GROUP), finished=True)
        names = [column.name for column in rows.selected_columns]
    # written by the database from the statement, the rows never sent through Python
    db.session.execute(insert(StatsRollup.__table__).from_select(
        ["start", "end", *names], select(literal(start), literal(end), *rows.subquery().c)))
    db.session.execute(insert(StatsPeriod).values(start=start, end=end, built_at=now))
    if base:
        stale = [day for day in db.session.scalars(select(StatsPeriod.end).where(
            StatsPeriod.start == start, StatsPeriod.end < end)) if (day + timedelta(days=1)).day != 1 or day < start]
        if stale:
            for table in (StatsRollup, StatsPeriod):
                db.session.execute(delete(table).where(table.start == start, table.end.in_(stale)))
    return db.session.scalar(select(func.count()).select_from(StatsRollup).where(StatsRollup.start == start,
                                                                                StatsRollup.end == end))


def _ensure_rollup(start: date, end: date, now: datetime) -> bool:
    """Whether the closed period's roll-up is there, built first if it was not (the first
    reading after a change, or of the day for a base of _open). If it cannot be stored (a
    locked SQLite file), False: the caller counts from the dossiers."""
    present = select(StatsPeriod.start).where(StatsPeriod.start == start, StatsPeriod.end == end)
    if db.session.execute(present).first() is not None:
        return True
    try:
        _lock(db.session.connection(), shared=False)
        if db.session.execute(present).first() is None:   # not built meanwhile by another process
            _build(start, end, now)
        else:
            db.session.commit()   # ends the transaction, and the lock
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("stats: could not store the roll-up of %s – %s; counted from the dossiers", start, end,
                    exc_info=True)
        return False
    return True


def rebuild_all(now: datetime | None = None) -> list[tuple[date, date]]:
    """Every closed month, quarter and year from the first dossier received to yesterday,
    rebuilt; the other periods deleted (custom periods, _open's bases and the heads they are
    built from: caches, each built again from the dossiers when first read, so none outlives
    the change this is run after)."""
    now = now or utcnow()
    _drop(db.session.connection())
    db.session.commit()
    first = db.session.scalar(select(func.min(Dossier.received_at)))
    if first is None:
        return []
    done = []
    for year in range(first.astimezone(OFFICE_TZ).year, now.astimezone(OFFICE_TZ).year + 1):
        spans = [period("month", year, m) for m in range(1, 13)] + [period("quarter", year, q) for q in range(1, 5)]
        for start, end in [*spans, period("year", year)]:
            if closed(end, now) and end >= first.astimezone(OFFICE_TZ).date():
                rebuild(start, end, now)
                done.append((start, end))
    return done


def _office_date(moment: datetime) -> date:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(OFFICE_TZ).date()


# the extremes of _seen_from: a change every period's cut sees, and one none sees
_EVER = datetime.min.replace(tzinfo=UTC)
_NEVER = datetime.max.replace(tzinfo=UTC)
_UNKNOWN = object()   # a column's former value, when it was set without being loaded


def _spans(target: Dossier, removed: bool) -> list[tuple[date, date | None, date | None]]:
    """(received, finished, seen) of the dossier before and after this flush, when it is new,
    removed, or a counted column changes: a period counts a dossier only between its received
    and finished office dates, and sees the change only if it ends on `seen` or after (None:
    whatever its end). The model keeps the former dated values (active_history), so "before"
    is known."""
    state = inspect(target)
    histories = {name: state.attrs[name].history for name in COUNTED}
    if not (state.pending or removed or any(h.has_changes() for h in histories.values())):
        return []
    seen = _EVER if state.pending or removed else _seen_from(target, histories)
    if seen == _NEVER:
        return []

    def before(name):
        return (histories[name].deleted or histories[name].unchanged or [None])[0]

    spans = []
    for received, finished in ((before("received_at"), before("finished_at")),
                               (target.received_at, target.finished_at)):
        if received is not None:
            spans.append((_office_date(received), finished and _office_date(finished),
                          None if seen == _EVER else _office_date(seen)))
    return spans


def _seen_from(target: Dossier, histories: dict) -> datetime:
    """The moment after which a period's cut sees this flush's changes to the dossier (_EVER:
    every cut; _NEVER: none), by the rules beside COUNTED."""
    def values(name):   # (old, new)
        history = histories[name]
        if not history.has_changes():
            return getattr(target, name), getattr(target, name)
        return (history.deleted or history.unchanged or [_UNKNOWN])[0], (history.added or [None])[0]

    def moment(value):
        return _EVER if value is _UNKNOWN else _NEVER if value is None else value

    def earliest(name):
        return min(moment(value) for value in values(name))

    def answered_due(effective, due):
        return effective if effective is not None else due

    def late(intake, processing):
        return _UNKNOWN if _UNKNOWN in (intake, processing) else (intake or 0) + (processing or 0) > 1

    seen = [_NEVER]
    changed = {name for name, history in histories.items() if history.has_changes()}
    seen += [earliest(name) for name in changed & set(DATED)]
    seen += [earliest("finished_at")] if changed & set(WHEN_DONE) else []
    seen += [earliest("paused_at")] if changed & set(WHEN_WAITING) else []
    if ANSWERED_DUE in changed:
        compared = [answered_due(effective, due) for effective, due in zip(values(ANSWERED_DUE), values("due_at"),
                                                                           strict=True)]
        seen.append(max(earliest("resumed_at"), min(moment(value) for value in compared)))
    if changed & set(SUPPLEMENTS):
        before, after = (late(*pair) for pair in zip(*map(values, SUPPLEMENTS), strict=True))
        seen += [_EVER] if _UNKNOWN in (before, after) or before != after else []
    seen += [_EVER] if changed & set(ALWAYS) else []
    return min(seen)


def _drop(connection, condition=None) -> None:
    """Delete the roll-up's periods (and their rows) `condition(table)` names; all of them if None."""
    _lock(connection, shared=True)
    for table in (StatsRollup, StatsPeriod):
        connection.execute(delete(table).where(true() if condition is None else condition(table)))


@event.listens_for(Session, "do_orm_execute")
def _invalidate_statement(state) -> None:
    """An INSERT, UPDATE or DELETE of dossiers as one statement (no flush sees its rows, so
    which periods it moves is unknown): the whole roll-up is dropped. Plain SQL outside the
    session is not seen: `flask stats rebuild` after it."""
    table = getattr(state.statement, "table", None)
    if (state.is_insert or state.is_update or state.is_delete) and getattr(table, "name", None) == "dossier":
        _drop(state.session.connection())


@event.listens_for(Session, "before_flush")
def _invalidate(session: Session, flush_context, instances) -> None:
    """Delete the closed periods whose figures a change of this flush may move: those from the
    dossier's receipt to its finish (or on, while it is open), before and after the change,
    whose cut sees the change (_seen_from: a change dated today is seen by no closed period's
    cut unless it moves an older date, so the bases of _open are kept through the day's work)."""
    spans = [span for target in (*session.new, *session.dirty, *session.deleted)
             if isinstance(target, Dossier) for span in _spans(target, target in session.deleted)]
    if not spans:
        return
    _drop(session.connection(), lambda table: or_(*[
        and_(table.end >= received, true() if finished is None else table.start <= finished,
             true() if seen is None else table.end >= seen)
        for received, finished, seen in spans]))


def monthly_report_pdf(year: int, month: int, signer: str, agency: Agency | None = None,
                       now: datetime | None = None) -> bytes:
    """The monthly report for the province's chairman (or for one agency): summary, indices,
    per-agency table, late dossiers.

    Rendered by WeasyPrint only when nothing the report prints is known (report_cache: keyed by
    its HTML, so a change to a dossier of the month that moves a figure makes a new PDF).
    A closed month's key leaves out the date of issue: its report is drawn up once and served,
    dated that day, until its figures change. An open month's key keeps it: its figures are cut
    at now, so it is served only while a fresh rendering would print the very same report (the
    same figures, the same day) — cached within the day, never stale, and the current month,
    the one the dashboard links to, is no cheaper to hammer than a closed one."""
    now = now or utcnow()
    start, end = period("month", year, month)
    scope = Scope(start, end, agency)
    summary, ranking = overview(scope, now)
    agencies = []
    for each, fig in ranking:
        c, rate = fig.counts, fig.indices["2.1"].rate
        agencies.append([each.name, each.code, c.received, c.early + c.on_time + c.late, c.early, c.on_time, c.late,
                         c.open_within, c.open_overdue, rate])
    context = {
        "managing_body": "ỦY BAN NHÂN DÂN TỈNH VĨNH PHÚC", "issuer": "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
        "number": "", "place": "Vĩnh Phúc", "issued_at": now, "electronic": True, "signed": False, "signer": signer,
        "period_label": f"tháng {month} năm {year}", "agency_name": agency.name if agency else None,
        "summary": summary.counts,
        "indices": [(key, ALL_INDICES[key].name, value, ALL_INDICES[key].max_points)
                    for key, value in summary.indices.items()],
        "agencies": agencies,
        "late": [{"code": d.code, "procedure": d.procedure_version.name,
                  "agency": (d.resolving_agency or d.receiving_agency).name,
                  "due_at": d.effective_due_at or d.due_at,
                  "finished_at": d.finished_at} for d in late_dossiers(scope, now)],
    }
    key_context = {**context, "issued_at": None} if closed(end, now) else None
    return report_cache.pdf(f"monthly_report:{year:04d}-{month:02d}:{agency.code if agency else '*'}",
                            "monthly_report", context, key_context)
