"""Decision 766 figures in SQL, on a hand-built set of dossiers whose answers are worked out by hand."""
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Dossier
from app.services import catalogue, stats
from app.services.demo import DemoAgency

UTC = UTC
T = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # Tue 10 Mar 2026 09:00 in Vietnam
NOW = datetime(2026, 4, 15, 2, 0, tzinfo=UTC)


def agency(code: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.code == code))


def build(version, desk, resolver, *, n, channel=1, received=T, finished=None, result_class=None, due=None,
          minutes=None, outcome=None, e_result=False, files=True, rating=None):
    """`n` dossiers with the given facts (only what the statistics read)."""
    for _ in range(n):
        d = Dossier(procedure_version=version, receiving_agency=desk, resolving_agency=resolver,
                    status="resolved" if finished else "processing",
                    channel=channel, code=f"{desk.code}-260310-{Dossier.query.count() + 1:04d}", received_at=received,
                    due_at=due or received + timedelta(days=5), finished_at=finished, result_class=result_class,
                    processing_minutes=minutes, outcome=outcome, form_data={}, delivery="counter",
                    # the facts the actions stamp (tested with those actions in test_dossiers/test_processing)
                    has_files=files, has_e_result=e_result, rated_poor=rating == "not_satisfied")
        db.session.add(d)
    db.session.commit()


@pytest.fixture
def march(loaded_catalogue):
    """In March 2026, for UBND phường Tích Sơn (birth registration, no fee), received at its desk:
    4 early (2 online, 1 rated not satisfied, all with an e-result), 3 on time, 1 late,
    1 open within its deadline, 1 open and overdue; and 2 dossiers of another commune."""
    birth = catalogue.current_version("1.001193")
    desk, ubnd = agency(DemoAgency.TICH_SON_DESK), agency(DemoAgency.TICH_SON)
    done = T + timedelta(days=1)
    build(birth, desk, ubnd, n=2, channel=2, finished=done, result_class="early", minutes=450, outcome="approved",
          e_result=True)
    build(birth, desk, ubnd, n=1, finished=done, result_class="early", minutes=450, outcome="approved", e_result=True,
          rating="not_satisfied")
    build(birth, desk, ubnd, n=1, finished=done, result_class="early", minutes=450, outcome="approved", e_result=True,
          files=False)
    build(birth, desk, ubnd, n=3, finished=done, result_class="on_time", minutes=900, outcome="approved")
    build(birth, desk, ubnd, n=1, finished=done, result_class="late", minutes=2250, outcome="approved")
    build(birth, desk, ubnd, n=1, due=NOW + timedelta(days=3))            # open, within
    build(birth, desk, ubnd, n=1, due=T + timedelta(days=2))              # open, overdue
    other_desk, other = agency(DemoAgency.LIEN_BAO_DESK), agency(DemoAgency.LIEN_BAO)
    build(birth, other_desk, other, n=2, finished=done, result_class="late", minutes=900, outcome="approved")


def test_province_figures_for_march(march):
    fig = stats.figures(stats.Scope(date(2026, 3, 1), date(2026, 3, 31)), now=NOW)
    c = fig.counts
    assert (c.received, c.early, c.on_time, c.late, c.open_within, c.open_overdue) == (12, 4, 3, 3, 1, 1)
    # 2.1: (4 + 3 + 1 open within) / (4 + 3 + 3 + 1 + 1) = 8/12
    assert str(fig.indices["2.1"].rate) == "0.6667" and str(fig.indices["2.1"].points) == "13.33"
    # 2.2: (4×450 + 3×900 + 2250 + 2×900) / 450 = 19 working days over 10 finished = 1.90
    assert str(fig.indices["2.2"].rate) == "1.90"
    # 3.3: 2 online of 12, × 1.4 (none acknowledged by the national portal here: 0)
    three_three = fig.indices["3.3"]
    assert (three_three.numerator, three_three.denominator, str(three_three.rate)) == (2, 12, "0.0000")
    assert fig.indices["3.6"].rate is None                 # no dossier with a fee: N/A, not 0
    assert str(fig.indices["4.1"].rate) == "0.4000"       # 4 e-results of 10 approved
    # 4.2: with files and (not approved, or approved with an e-result): 3 early + 2 open = 5 of 12
    assert str(fig.indices["4.2"].rate) == "0.4167"
    # 5.4: 1 − (3 late + 1 not satisfied) / 10 = 0.60
    assert str(fig.indices["5.4"].rate) == "0.6000"


def test_one_agency_and_the_ranking(march):
    scope = stats.Scope(date(2026, 3, 1), date(2026, 3, 31), agency=agency(DemoAgency.TICH_SON))
    fig = stats.figures(scope, now=NOW)
    assert (fig.counts.received, fig.counts.late) == (10, 1)
    assert str(fig.indices["2.1"].rate) == "0.8000"  # (4 early + 3 on time + 1 open within) / 10
    summary, ranking = stats.overview(stats.Scope(date(2026, 3, 1), date(2026, 3, 31)), now=NOW)
    assert [(a.code, str(f.indices["2.1"].rate)) for a, f in ranking] == [(DemoAgency.TICH_SON, "0.8000"),
                                                                          (DemoAgency.LIEN_BAO, "0.0000")]
    assert summary.counts.received == 12


def test_the_overview_adds_up_to_the_figures_with_dossiers_not_yet_routed(march):
    """A received dossier whose competent agency is not set yet counts in the whole, not in the ranking."""
    build(catalogue.current_version("1.001193"), agency(DemoAgency.TICH_SON_DESK), None, n=2, received=T)
    scope = stats.Scope(date(2026, 3, 1), date(2026, 3, 31))
    summary, ranking = stats.overview(scope, now=NOW)
    assert summary == stats.figures(scope, now=NOW) and summary.counts.received == 14
    assert sum(f.counts.received for _, f in ranking) == 12


def test_a_period_with_nothing_is_na_not_zero(march):
    fig = stats.figures(stats.Scope(date(2026, 1, 1), date(2026, 1, 31)), now=NOW)
    assert fig.counts.received == 0
    assert all(value.rate is None for value in fig.indices.values())


def test_open_dossiers_are_judged_at_the_end_of_the_period(march):
    # Cut at the end of 10 Mar: the ten finished on 11 Mar were still open then, and the one
    # due on 12 Mar was within its deadline: all 12 open, none overdue, none classified yet.
    fig = stats.figures(stats.Scope(date(2026, 3, 1), date(2026, 3, 10)), now=NOW)
    assert (fig.counts.open_within, fig.counts.open_overdue, fig.counts.early + fig.counts.late) == (12, 0, 0)


def test_months_trend_and_periods(march):
    trend = stats.months(stats.Scope(date(2026, 1, 1), date(2026, 3, 31)), now=NOW)
    assert [(m.month, f.counts.received) for m, f in trend] == [(1, 0), (2, 0), (3, 12)]
    assert stats.period("quarter", 2026, 1) == (date(2026, 1, 1), date(2026, 3, 31))
    assert stats.period("month", 2028, 2) == (date(2028, 2, 1), date(2028, 2, 29))  # leap year


def test_each_month_of_the_trend_is_that_months_own_figures(march):
    """One grouped query gives what figures() gives for each month alone, each cut at the
    month's end: a dossier of March still open in April counts as open in March."""
    birth = catalogue.current_version("1.001193")
    desk, ubnd = agency(DemoAgency.TICH_SON_DESK), agency(DemoAgency.TICH_SON)
    february = datetime(2026, 2, 27, 2, 0, tzinfo=UTC)
    build(birth, desk, ubnd, n=2, received=february, finished=february + timedelta(days=12), result_class="late",
          minutes=900)
    scope = stats.Scope(date(2026, 1, 15), date(2026, 4, 30))
    trend = stats.months(scope, now=NOW)
    assert [m for m, _ in trend] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]
    alone = [stats.figures(stats.Scope(date(2026, 1, 15), date(2026, 1, 31)), now=NOW),
             stats.figures(stats.Scope(date(2026, 2, 1), date(2026, 2, 28)), now=NOW),
             stats.figures(stats.Scope(date(2026, 3, 1), date(2026, 3, 31)), now=NOW),
             stats.figures(stats.Scope(date(2026, 4, 1), date(2026, 4, 30)), now=NOW)]
    assert [f for _, f in trend] == alone
    february_figures = trend[1][1].counts
    assert (february_figures.received, february_figures.late, february_figures.open_within) == (2, 0, 2)


def test_scope_by_procedure_level_and_field(march):
    base = dict(start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert stats.figures(stats.Scope(**base, procedure="1.001193"), now=NOW).counts.received == 12
    assert stats.figures(stats.Scope(**base, procedure="1.009994"), now=NOW).counts.received == 0
    assert stats.figures(stats.Scope(**base, level="commune"), now=NOW).counts.received == 12
    assert stats.figures(stats.Scope(**base, level="district"), now=NOW).counts.received == 0
    assert stats.figures(stats.Scope(**base, field="Hộ tịch"), now=NOW).counts.received == 12
