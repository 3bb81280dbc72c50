"""The roll-up of closed periods (issue 15): on generated dossiers, every figure the dashboard
shows read from the roll-up (an open period: its roll-up up to yesterday plus the day's
changes) equals the one counted from the dossiers; a change to a dossier drops the periods
whose cut sees it, and only those; `flask stats rebuild`."""
import random
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select, update

from app.domain.deadlines import OFFICE_TZ
from app.domain.indices import ALL_INDICES, INDICES
from app.extensions import db
from app.models import Agency, Dossier, ProcedureVersion, StatsPeriod, StatsRollup
from app.services import stats
from app.services.demo import DemoAgency

NOW = datetime(2026, 4, 15, 2, 0, tzinfo=UTC)   # January to March 2026 are closed
MIDNIGHT = datetime(2026, 4, 15, tzinfo=OFFICE_TZ)   # NOW's day began: the bases of open periods end the day before
START = datetime(2025, 12, 1, 1, 0, tzinfo=UTC)
CLOSED = [(date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 28)),
          (date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 1, 1), date(2026, 3, 31)),
          (date(2026, 2, 10), date(2026, 3, 20))]
# Still open on NOW: each read from the roll-up of its part up to yesterday (its base) and the
# day's changes counted from the dossiers
OPEN = [(date(2026, 1, 1), date(2026, 12, 31)), (date(2026, 2, 10), date(2026, 4, 15)),
        (date(2026, 4, 1), date(2026, 4, 30))]
BASES = [(start, date(2026, 4, 14)) for start, _ in OPEN]
# the bases' part before April, from whose roll-up their dossiers finished before April are read
HEADS = [(date(2026, 1, 1), date(2026, 3, 31)), (date(2026, 2, 10), date(2026, 3, 31))]


def agency(code: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == code))


@pytest.fixture
def generated(loaded_catalogue):
    """400 dossiers received from December 2025 to April 2026 with every fact the statistics
    read drawn at random (seeded): finished early, on time or late, approved, denied or
    stopped, waiting for a supplement or answered, online or not, paid online, with files,
    an e-result, a poor rating, synchronised to the national portal or not; some not routed
    to a competent agency yet. And 90 with a dated fact on NOW's day, before NOW: received,
    finished, paused, answered, due, or due as moved by an answer, today."""
    draw = random.Random(15)
    # 1.4's acknowledged receipt dates, drawn apart so the other draws stay as they were: most
    # acknowledged with the receipt time, some with an older one (a receipt corrected since), some never
    synced = random.Random(14)
    versions = list(db.session.scalars(select(ProcedureVersion).where(ProcedureVersion.valid_to.is_(None))))
    desks = [agency(DemoAgency.TICH_SON_DESK), agency(DemoAgency.LIEN_BAO_DESK), agency(DemoAgency.CENTRE)]
    resolvers = [agency(DemoAgency.TICH_SON), agency(DemoAgency.LIEN_BAO), agency(DemoAgency.JUSTICE_DEPARTMENT), None]
    for n in range(400):
        received = START + timedelta(minutes=draw.randrange(0, 140 * 24 * 60))
        due = received + timedelta(days=draw.randint(1, 15))
        finished = received + timedelta(days=draw.uniform(0.1, 25)) if draw.random() < 0.7 else None
        finished = finished if finished and finished < NOW else None
        paused = received + timedelta(days=draw.uniform(0, 5)) if draw.random() < 0.2 else None
        resumed = paused + timedelta(days=draw.uniform(0, 6)) if paused and draw.random() < 0.6 else None
        db.session.add(Dossier(
            procedure_version=draw.choice(versions), receiving_agency=draw.choice(desks),
            resolving_agency=draw.choice(resolvers), status="resolved" if finished else "processing",
            channel=draw.choice((1, 2, 3)), code=f"GEN-{n:04d}", received_at=received, due_at=due,
            effective_due_at=due + timedelta(days=draw.randint(0, 3)), paused_at=paused, resumed_at=resumed,
            paused_class=draw.choice(("on_time", "late")) if paused else None,
            finished_at=finished, result_class=draw.choice(("early", "on_time", "late")) if finished else None,
            outcome=draw.choice(("approved", "approved", "denied", None)) if finished else None,
            processing_minutes=draw.randint(30, 9000) if finished else None,
            intake_supplements=draw.choice((0, 0, 1)), processing_supplements=draw.choice((0, 0, 1)),
            has_files=draw.random() < 0.8, has_e_result=draw.random() < 0.5, paid_online=draw.random() < 0.3,
            rated_poor=draw.random() < 0.1, form_data={}, delivery="counter",
            national_received_at=synced.choice((received, received, received, received - timedelta(hours=1), None))))
    # drawn apart, so the draws above stay as they were
    day = random.Random(16)

    def today(after=MIDNIGHT):
        after = max(after, MIDNIGHT)
        return after + timedelta(seconds=day.randrange(0, int((NOW - after).total_seconds())))

    for n in range(90):
        kind = n % 6   # received, finished, paused, answered, due, due as moved by the answer: today
        received = today() if kind == 0 else MIDNIGHT - timedelta(minutes=day.randrange(1, 120 * 24 * 60))
        due = today() if kind == 4 else received + timedelta(days=day.randint(1, 15))
        paused = (today(received) if kind == 2 else received + (MIDNIGHT - received) * day.random()
                  if kind in (3, 5) or (kind != 0 and day.random() < 0.2) else None)
        resumed = today() if kind == 3 else paused + (MIDNIGHT - paused) * day.random() if kind == 5 else None
        finished = today(max(received, paused or received, resumed or received)) \
            if kind == 1 or day.random() < 0.3 else None
        db.session.add(Dossier(
            procedure_version=day.choice(versions), receiving_agency=day.choice(desks),
            resolving_agency=day.choice(resolvers), status="resolved" if finished else "processing",
            channel=day.choice((1, 2, 3)), code=f"GEN-T{n:03d}", received_at=received, due_at=due,
            effective_due_at=today() if kind == 5 else due + timedelta(days=day.randint(0, 3)),
            paused_at=paused, resumed_at=resumed, paused_class=day.choice(("on_time", "late")) if paused else None,
            finished_at=finished, result_class=day.choice(("early", "on_time", "late")) if finished else None,
            outcome=day.choice(("approved", "denied", None)) if finished else None,
            processing_minutes=day.randint(30, 9000) if finished else None,
            intake_supplements=day.choice((0, 0, 1)), processing_supplements=day.choice((0, 0, 1)),
            has_files=day.random() < 0.8, has_e_result=day.random() < 0.5, paid_online=day.random() < 0.3,
            rated_poor=day.random() < 0.2, form_data={}, delivery="counter",
            national_received_at=day.choice((received, None))))
    db.session.commit()
    return versions


def periods() -> set[tuple[date, date]]:
    """The periods rolled up."""
    return set(db.session.execute(select(StatsPeriod.start, StatsPeriod.end)).tuples())


def scopes(versions):
    """The dashboard's filters: the province, one agency (desk or competent), a level, a field, a procedure."""
    yield {}
    for code in (DemoAgency.TICH_SON, DemoAgency.TICH_SON_DESK, DemoAgency.JUSTICE_DEPARTMENT):
        yield {"agency": agency(code)}
    yield {"level": "commune"}
    yield {"field": versions[0].field}
    yield {"procedure": versions[1].code}


def same(rolled: stats.Figures, counted: stats.Figures, shown=ALL_INDICES) -> None:
    """The scope's figures show every index, the feedback's 5.1–5.3 too; an agency's row of
    the table, the dossiers' (`INDICES`)."""
    assert rolled.counts == counted.counts
    assert set(rolled.indices) == set(shown)
    for key in shown:
        assert rolled.indices[key] == counted.indices[key], key


def test_the_rollup_and_the_dossiers_agree_on_every_index(generated):
    assert db.session.scalar(select(func.count()).select_from(StatsPeriod)) == 0
    for start, end in CLOSED + OPEN:
        for filters in scopes(generated):
            scope = stats.Scope(start, end, **filters)
            counted = stats.from_dossiers(scope, NOW)
            assert counted.counts.received > 0 or filters   # the province's periods are not empty
            same(stats.figures(scope, NOW), counted)
            summary, ranking = stats.overview(scope, NOW)
            counted_summary, counted_ranking = stats.from_dossiers(scope, NOW, by_agency=True)
            same(summary, counted_summary)
            assert [each for each, _ in ranking] == [each for each, _ in counted_ranking]
            for (_, fig), (_, counted_fig) in zip(ranking, counted_ranking, strict=True):
                same(fig, counted_fig, INDICES)   # the per-agency table
    # the periods are now read from the roll-up (built when first read); building the base
    # from February 10 to yesterday deleted the period from February 10 to March 20, a period
    # of that start ending before yesterday on no month's end
    assert periods() == {*CLOSED[:4], *BASES, *HEADS}


def test_the_trend_reads_closed_months_from_the_rollup_and_agrees(generated):
    scope = stats.Scope(date(2026, 1, 1), date(2026, 4, 30))   # April is still open on NOW
    trend = stats.months(scope, NOW)
    for (month, fig), (start, end) in zip(trend[:3], CLOSED[:3], strict=True):
        assert month == start
        same(fig, stats.from_dossiers(stats.Scope(start, end), NOW))
    same(trend[3][1], stats.from_dossiers(stats.Scope(date(2026, 4, 1), date(2026, 4, 30)), NOW))
    assert periods() == {*CLOSED[:3], BASES[2]}   # the open month: its base up to yesterday


def test_a_change_drops_the_periods_the_dossier_counts_in_and_only_those(generated):
    """A change drops the closed periods the dossier counts in whose cut sees it, and only
    those (since the open period is its roll-up up to yesterday plus the day's changes, a
    change dated after a period's cut keeps it: the finish below drops fewer periods than
    every one after the receipt, which it used to)."""
    for start, end in CLOSED:
        stats.figures(stats.Scope(start, end), NOW)
    # a dossier received and finished in January: only the periods that reach January
    january = db.session.scalar(select(Dossier).where(
        Dossier.received_at >= datetime(2026, 1, 2, tzinfo=UTC),
        Dossier.finished_at < datetime(2026, 1, 31, tzinfo=UTC)).order_by(Dossier.id).limit(1))
    january.rated_poor = not january.rated_poor
    db.session.commit()
    assert periods() == {CLOSED[1], CLOSED[2], CLOSED[4]}
    assert not db.session.scalar(select(func.count()).select_from(StatsRollup).where(
        StatsRollup.start == CLOSED[0][0], StatsRollup.end == CLOSED[0][1]))
    same(stats.figures(stats.Scope(*CLOSED[0]), NOW), stats.from_dossiers(stats.Scope(*CLOSED[0]), NOW))
    # a dossier still open since December counts in every period after; finished on March 5,
    # it moves the periods whose cut is after that (not January's, nor February's)
    opened = db.session.scalar(select(Dossier).where(Dossier.finished_at.is_(None),
                                                     Dossier.received_at < datetime(2026, 1, 1, tzinfo=UTC))
                               .order_by(Dossier.id).limit(1))
    stats.figures(stats.Scope(*CLOSED[0]), NOW)
    opened.finished_at, opened.result_class, opened.outcome = datetime(2026, 3, 5, 3, tzinfo=UTC), "late", "approved"
    db.session.commit()
    assert periods() == {CLOSED[0], CLOSED[1]}
    for start, end in CLOSED:
        same(stats.figures(stats.Scope(start, end), NOW), stats.from_dossiers(stats.Scope(start, end), NOW))
    # a fact read whatever the cut (its files) drops every period after its receipt
    opened.has_files = not opened.has_files
    db.session.commit()
    assert periods() == set()
    # a change the statistics do not read keeps the roll-up
    stats.figures(stats.Scope(*CLOSED[3]), NOW)
    opened.applicant_name = "Nguyễn Văn A"
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(StatsPeriod)) == 1
    # a new dossier received in the period drops it, and the figures count it
    before = stats.figures(stats.Scope(*CLOSED[3]), NOW).counts.received
    db.session.add(Dossier(procedure_version=generated[0], receiving_agency=agency(DemoAgency.TICH_SON_DESK),
                           status="processing", channel=2, code="GEN-NEW", received_at=datetime(2026, 2, 3, tzinfo=UTC),
                           due_at=datetime(2026, 2, 10, tzinfo=UTC), form_data={}, delivery="counter"))
    db.session.commit()
    assert stats.figures(stats.Scope(*CLOSED[3]), NOW).counts.received == before + 1


def test_a_statement_that_changes_dossiers_drops_the_whole_rollup(generated):
    for start, end in CLOSED:
        stats.figures(stats.Scope(start, end), NOW)
    db.session.execute(update(Dossier).where(Dossier.code == "GEN-0001").values(rated_poor=True))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(StatsPeriod)) == 0
    assert db.session.scalar(select(func.count()).select_from(StatsRollup)) == 0


def test_rebuild_counts_a_closed_period_and_refuses_an_open_one(generated):
    rows = stats.rebuild(date(2026, 3, 1), date(2026, 3, 31), NOW)
    assert rows == db.session.scalar(select(func.count()).select_from(StatsRollup)) > 0
    with pytest.raises(ValueError):
        stats.rebuild(date(2026, 4, 1), date(2026, 4, 30), NOW)


def test_flask_stats_rebuild(app, generated):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stats", "rebuild", "--period", "2026-02"])
    assert result.exit_code == 0, result.output
    assert "Đã tính lại kỳ 2026-02-01 – 2026-02-28" in result.output
    assert db.session.get(StatsPeriod, (date(2026, 2, 1), date(2026, 2, 28))) is not None
    result = runner.invoke(args=["stats", "rebuild", "--period", "2026-Q5"])
    assert result.exit_code == 2 and "Kỳ không hợp lệ" in result.output
    result = runner.invoke(args=["stats", "rebuild", "--period", "2099"])
    assert result.exit_code == 1 and "chưa kết thúc" in result.output
    stats.figures(stats.Scope(*CLOSED[4]))   # a custom period, rolled up
    assert db.session.get(StatsPeriod, CLOSED[4]) is not None
    result = runner.invoke(args=["stats", "rebuild"])   # every closed month, quarter and year since December 2025
    assert result.exit_code == 0, result.output
    assert db.session.get(StatsPeriod, CLOSED[4]) is None   # the others deleted: built again when read
    assert db.session.get(StatsPeriod, (date(2025, 12, 1), date(2025, 12, 31))) is not None
    assert db.session.get(StatsPeriod, (date(2025, 1, 1), date(2025, 12, 31))) is not None


def test_the_national_portal_acknowledging_a_receipt_moves_1_4_of_the_period_received_in(generated):
    january = stats.Scope(*CLOSED[0])
    before = stats.figures(january, NOW).indices["1.4"]
    late = db.session.scalar(select(Dossier).where(
        Dossier.received_at >= datetime(2026, 1, 2, tzinfo=UTC),
        Dossier.received_at < datetime(2026, 1, 31, tzinfo=UTC),
        Dossier.national_received_at.is_(None)).order_by(Dossier.id).limit(1))
    # acknowledged in April (after January closed): January's roll-up is dropped and 1.4 counts it there
    late.national_received_at = late.received_at
    db.session.commit()
    assert db.session.get(StatsPeriod, CLOSED[0]) is None
    after = stats.figures(january, NOW).indices["1.4"]
    assert (after.numerator, after.denominator) == (before.numerator + 1, before.denominator)
    same(stats.figures(january, NOW), stats.from_dossiers(january, NOW))


def test_the_dashboard_counts_an_open_period_in_one_scan_and_agrees(generated):
    """stats.dashboard gives what overview() and months() give, for every period and filter;
    for an open period without an agency (the province's, a level's), its base and the
    trend's month's are read from the roll-up and the day's changes of both counted in one
    scan: one statement reads the dossier table."""
    scans = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if re.search(r"\bFROM dossier\b", statement):
            scans.append(statement)

    for start, end in CLOSED + OPEN:
        for filters in scopes(generated):
            scope = stats.Scope(start, end, **filters)
            stats.overview(scope, NOW), stats.months(scope, NOW)   # the roll-ups a first reading builds, built
            scans.clear()
            event.listen(db.engine, "before_cursor_execute", count)
            try:
                (summary, ranking), trend = stats.dashboard(scope, NOW)
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            expected_summary, expected_ranking = stats.overview(scope, NOW)
            same(summary, expected_summary)
            assert [each for each, _ in ranking] == [each for each, _ in expected_ranking]
            for (_, fig), (_, expected) in zip(ranking, expected_ranking, strict=True):
                same(fig, expected, INDICES)
            expected_trend = stats.months(scope, NOW)
            assert [month for month, _ in trend] == [month for month, _ in expected_trend]
            for (_, fig), (_, expected) in zip(trend, expected_trend, strict=True):
                same(fig, expected)
            if (start, end) in OPEN and "agency" not in filters:
                assert len(scans) == 1, scans
    assert periods() >= set(BASES)


def agree(versions, now=NOW, filters=None) -> None:
    """Every period's figures, overview and trend, alone and as the dashboard gives them, equal
    what is counted from the dossiers, for every index, under each filter."""
    for start, end in CLOSED + OPEN:
        for each in filters or scopes(versions):
            scope = stats.Scope(start, end, **each)
            same(stats.figures(scope, now), stats.from_dossiers(scope, now))
            counted_summary, counted_ranking = stats.from_dossiers(scope, now, by_agency=True)
            for (summary, ranking), trend in ((stats.overview(scope, now), stats.months(scope, now)),
                                              stats.dashboard(scope, now)):
                same(summary, counted_summary)
                assert [each for each, _ in ranking] == [each for each, _ in counted_ranking]
                for (_, fig), (_, counted) in zip(ranking, counted_ranking, strict=True):
                    same(fig, counted, INDICES)
                for month, fig in trend:
                    last = (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
                    part = stats.Scope(max(month, start), min(last, end), **each)
                    same(fig, stats.from_dossiers(part, now))


def first(*conditions) -> Dossier:
    return db.session.scalar(select(Dossier).where(*conditions).order_by(Dossier.id).limit(1))


WHEN = NOW - timedelta(minutes=5)   # a change made today
THIS_YEAR = datetime(2026, 1, 1, tzinfo=OFFICE_TZ)
OPEN_SINCE_WINTER = (Dossier.finished_at.is_(None), Dossier.paused_at.is_(None), Dossier.received_at >= THIS_YEAR,
                     Dossier.received_at < datetime(2026, 3, 1, tzinfo=OFFICE_TZ), Dossier.due_at < MIDNIGHT)


def finish(d):
    d.finished_at, d.status, d.result_class, d.outcome, d.processing_minutes = WHEN, "resolved", "late", "approved", 900


def request_supplement(d):
    d.processing_supplements += 1
    d.paused_at, d.paused_class = WHEN, "late"


def answer(d):
    d.resumed_at, d.effective_due_at = WHEN, (d.effective_due_at or d.due_at) + timedelta(days=3)


def move_due(d):
    d.due_at = d.due_at + timedelta(days=20)


def move_answered_due(d):
    d.effective_due_at = d.effective_due_at + timedelta(days=20)


def upload(d):
    d.has_files = not d.has_files


def rate(d):
    d.rated_poor = not d.rated_poor


# (the change made today, the dossier it is made to, whether the base of this year up to
# yesterday is kept: whether its cut, today's midnight, cannot see the change)
CHANGES = {
    # finished_at from never to today, the stamps read once done: seen after today only
    "finish": (finish, OPEN_SINCE_WINTER, True),
    # paused_at from never to today, paused_class read once paused: after today; the first
    # request leaves the number of requests at 1 or less, which the verdict reads as > 1
    "first supplement request": (request_supplement, (*OPEN_SINCE_WINTER, Dossier.intake_supplements == 0,
                                                      Dossier.processing_supplements == 0), True),
    # the second makes the dossier late whatever the cut
    "second supplement request": (request_supplement, (*OPEN_SINCE_WINTER, Dossier.intake_supplements == 1,
                                                       Dossier.processing_supplements == 0), False),
    # resumed_at from never to today; effective_due_at is read only after resumed_at
    "supplement answered": (answer, (Dossier.finished_at.is_(None), Dossier.paused_at < MIDNIGHT,
                                     Dossier.resumed_at.is_(None), Dossier.received_at >= THIS_YEAR), True),
    # due_at from before midnight to after: midnight's verdict moves (overdue → within)
    "due date moved from the past": (move_due, OPEN_SINCE_WINTER, False),
    # due_at from after now to later: no cut before now sees it
    "due date moved later": (move_due, (Dossier.finished_at.is_(None), Dossier.received_at >= THIS_YEAR,
                                        Dossier.due_at > NOW), True),
    # effective_due_at, read after resumed_at, from before midnight to after: seen at midnight
    "due date in force moved after an answer before today": (move_answered_due, (
        Dossier.finished_at.is_(None), Dossier.resumed_at < MIDNIGHT, Dossier.effective_due_at < MIDNIGHT,
        Dossier.received_at >= THIS_YEAR), False),
    # has_files is read whatever the cut
    "file uploaded": (upload, OPEN_SINCE_WINTER, False),
    # rated_poor is read once done: a dossier finished before midnight is done at its cut
    "rating of a dossier finished before today": (rate, (Dossier.finished_at < MIDNIGHT,
                                                        Dossier.finished_at >= THIS_YEAR), False),
    # … one finished today is not
    "rating of a dossier finished today": (rate, (Dossier.finished_at >= MIDNIGHT, Dossier.finished_at < NOW), True),
}


@pytest.mark.parametrize("kind", CHANGES)
def test_a_change_made_today_keeps_the_base_unless_its_cut_sees_it_and_every_figure_agrees(generated, kind):
    """Each kind of change made today: the base of this year up to yesterday is kept exactly
    when the change is one its cut cannot see (the rule beside stats.COUNTED), and then every
    figure of the open and closed periods, the dashboard's included, still equals the one
    counted from the dossiers."""
    change, conditions, kept = CHANGES[kind]
    year = stats.Scope(*OPEN[0])
    stats.dashboard(year, NOW)
    for start, end in CLOSED:
        stats.figures(stats.Scope(start, end), NOW)
    assert BASES[0] in periods()
    dossier = first(*conditions)
    assert dossier is not None, kind
    change(dossier)
    db.session.commit()
    assert (BASES[0] in periods()) is kept, kind
    agree(generated, filters=[{}, {"level": "commune"}, {"agency": agency(DemoAgency.TICH_SON)}])


def test_the_base_is_built_again_each_day_and_the_one_of_the_day_before_deleted(generated):
    """The base of an open period is a new closed period every day: the first reading of the
    next day builds it (its dossiers finished before this month from the head's roll-up, kept)
    and deletes the day before's; on the 1st of a month the base ends on the last day of the
    month before, and the trend's new month, begun today, has a base with no day (the dossiers
    open at midnight), deleted the next day."""
    year = stats.Scope(*OPEN[0])
    stats.dashboard(year, NOW)
    assert {BASES[0], BASES[2], HEADS[0]} <= periods()
    tomorrow = NOW + timedelta(days=1)
    stats.dashboard(year, tomorrow)
    assert {(date(2026, 1, 1), date(2026, 4, 15)), (date(2026, 4, 1), date(2026, 4, 15)), HEADS[0]} <= periods()
    assert not {BASES[0], BASES[2]} & periods()
    agree(generated, tomorrow, filters=[{}, {"level": "commune"}])
    may_day = datetime(2026, 5, 1, 2, tzinfo=UTC)
    agree(generated, may_day, filters=[{}])
    assert {(date(2026, 1, 1), date(2026, 4, 30)), (date(2026, 5, 1), date(2026, 4, 30))} <= periods()
    stats.dashboard(year, may_day + timedelta(days=1))
    assert (date(2026, 5, 1), date(2026, 5, 1)) in periods()
    assert (date(2026, 5, 1), date(2026, 4, 30)) not in periods()
    agree(generated, may_day + timedelta(days=1), filters=[{}])
