"""Decision 766 indices 2.1, 2.2, 3.3, 4.1, 4.2 for February and March 2026, on dossiers with
known timelines made through the real use cases with explicit times (issue 10).

Every instant is placed relative to the dossier's own due date, so the figures do not depend on
a procedure's time limit or on the calendar (Tết 2026 is avoided). The timelines, birth
registration at the Tích Sơn desk (a procedure requiring a result document):

  A  counter, received 3 Feb, resolved before its due date, result SIGNED, returned 6 Feb
  B  counter, received 24 Feb, still open past its due date on 28 Feb, resolved late 5 Mar
  C  counter, received 2 Mar, supplement asked before the due date, never answered
  D  online, a supplement at intake and one in processing (two requests), resolved in time
  E1 online, received 4 Mar, resolved in time, result signed
  E2 online, received 4 Mar, resolved in time, result NOT signed
  F  online, received 5 Mar, withdrawn and stopped before its due date
"""
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.timeline import verdict_at
from app.extensions import db
from app.services import catalogue, dossiers, processing, stats
from app.services.calendar import work_calendar
from app.services.demo import DemoAgency
from tests.factories import BIRTH, TICH_SON_DESK, birth_input, complete_input

UTC = UTC
NOW = datetime(2026, 4, 15, 2, 0, tzinfo=UTC)
FEBRUARY = stats.Scope(date(2026, 2, 1), date(2026, 2, 28))
MARCH = stats.Scope(date(2026, 3, 1), date(2026, 3, 31))
UBND = DemoAgency.TICH_SON


def at(day: int, month: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour - 7, 0, tzinfo=UTC)  # office time (UTC+7)


class People:
    def __init__(self, make_user):
        self.desk = make_user("reception", TICH_SON_DESK)
        self.specialist = make_user("specialist", UBND)
        self.leader = make_user("leader", UBND)
        self.clerk = make_user("clerk", UBND)
        self.citizen = make_user()


def counter(people, when):
    version = catalogue.current_version(BIRTH)
    return dossiers.counter_intake(people.desk, version, TICH_SON_DESK, 1, complete_input(version.spec), now=when)


def online(people, when, intake_supplement=False):
    version = catalogue.current_version(BIRTH)
    dossier = dossiers.start_draft(people.citizen, version, TICH_SON_DESK, now=when - timedelta(hours=1))
    dossiers.save_draft(dossier, people.citizen, birth_input(), dossier.lock_version)
    dossiers.submit(dossier, people.citizen, now=when - timedelta(minutes=50))
    if intake_supplement:
        dossiers.request_supplement(dossier, people.desk, ["Giấy chứng sinh bản chính"], "Bản chụp mờ",
                                    now=when - timedelta(minutes=40))
        dossiers.resubmit(dossier, people.citizen, now=when - timedelta(minutes=20))
    return dossiers.accept(dossier, people.desk, now=when)


def resolve(people, dossier, when, returned=None):
    """Specialist, then the leader approves at `when`; the clerk and the desk return it at `returned`."""
    processing.complete_step(dossier, people.specialist, now=when - timedelta(minutes=30))
    processing.resolve(dossier, people.leader, "approved", now=when)
    if returned:
        processing.complete_step(dossier, people.clerk, now=returned - timedelta(minutes=30))
        processing.return_result(dossier, people.desk, "counter", now=returned)


def sign(dossier, when):
    """What issue 11's signing job records once the result PDF is fully signed."""
    next(d for d in dossier.documents if d.kind == "result").signed_at = when
    db.session.commit()


@pytest.fixture
def timelines(loaded_catalogue, make_user):
    p = People(make_user)
    a = counter(p, at(3, 2))
    resolve(p, a, a.due_at - timedelta(hours=1), returned=at(6, 2))
    sign(a, a.finished_at + timedelta(minutes=5))
    b = counter(p, at(24, 2))
    resolve(p, b, at(5, 3))
    c = counter(p, at(2, 3))
    processing.request_supplement(c, p.specialist, ["Bản chính giấy chứng sinh"], "Bản chụp không rõ",
                                  now=at(2, 3, 10))
    d = online(p, at(3, 3), intake_supplement=True)
    processing.request_supplement(d, p.specialist, ["Văn bản ủy quyền"], "Thiếu ủy quyền", now=at(3, 3, 10))
    dossiers.resubmit(d, p.citizen, now=at(3, 3, 11))
    resolve(p, d, d.effective_due_at - timedelta(hours=1))
    e1, e2 = online(p, at(4, 3)), online(p, at(4, 3, 10))
    for e in (e1, e2):
        resolve(p, e, e.due_at - timedelta(hours=1))
    sign(e1, e1.finished_at + timedelta(minutes=5))
    f = online(p, at(5, 3))
    dossiers.request_withdrawal(f, p.citizen, "Không còn nhu cầu", now=at(5, 3, 10))
    processing.stop(f, p.desk, now=at(5, 3, 11))
    return dict(a=a, b=b, c=c, d=d, e1=e1, e2=e2, f=f)


def test_2_1_dossier_received_in_february_finished_late_in_march_is_late_in_march(timelines):
    b = timelines["b"]
    assert b.due_at < datetime(2026, 2, 28, 17, 0, tzinfo=UTC) and b.result_class == "late"
    february, march = stats.figures(FEBRUARY, now=NOW).counts, stats.figures(MARCH, now=NOW).counts
    # February: A on time, B open past its due date at the end of February (not on time).
    assert (february.early + february.on_time, february.late, february.open_within, february.open_overdue) == (1, 0,
                                                                                                               0, 1)
    # March: B is in March's set (received before, still open on 1 March) and late there.
    assert march.late == 2 and b in stats.late_dossiers(MARCH, now=NOW)
    assert b in stats.late_dossiers(FEBRUARY, now=NOW)


def test_2_1_waiting_for_supplement_ends_at_the_request(timelines):
    c = timelines["c"]
    assert c.status == "supplement_requested" and c.paused_class in ("early", "on_time")
    cut = MARCH.until
    assert verdict_at(processing.timeline(c), cut, work_calendar()) == c.paused_class
    # ended at the request: counted on time in March, not open, not in April's set
    april = stats.figures(stats.Scope(date(2026, 4, 1), date(2026, 4, 30)), now=NOW).counts
    assert april.early + april.on_time + april.late + april.open_within + april.open_overdue == 0


def test_2_1_two_supplement_requests_count_late(timelines):
    """"More than one supplement request = late" (LEGAL.md §4). The workflow allows one at intake
    and one during processing, so the rule bites only on the two together: that they add up is
    our reading (domain/timeline.py says so; no text found counts them apart)."""
    d = timelines["d"]
    assert d.finished_at < d.effective_due_at   # in time by the dates ...
    assert d.result_class == "late"              # ... but asked twice for a supplement


def test_indices_for_february_and_march(timelines):
    feb, mar = stats.figures(FEBRUARY, now=NOW), stats.figures(MARCH, now=NOW)
    # 2.1 February: A on time / {A, B open overdue} = 1/2
    assert (feb.indices["2.1"].numerator, feb.indices["2.1"].denominator, str(feb.indices["2.1"].rate)) == (1, 2,
                                                                                                            "0.5000")
    # 2.1 March: {B late, C ends at its request (on time), D late (two requests), E1, E2, F stopped in time}
    assert (mar.indices["2.1"].numerator, mar.indices["2.1"].denominator, str(mar.indices["2.1"].rate)) == (4, 6,
                                                                                                            "0.6667")
    # 2.2: resolved in the period only (F stopped and C waiting are not), in working days, pause subtracted
    resolved = [timelines[k] for k in ("b", "d", "e1", "e2")]
    assert mar.indices["2.2"].denominator == 4 and feb.indices["2.2"].denominator == 1
    day = work_calendar().office_day_length // timedelta(minutes=1)
    expected = sum(x.processing_minutes for x in resolved) / 4 / day
    assert abs(float(mar.indices["2.2"].rate) - expected) < 0.005
    assert mar.indices["2.2"].rate.as_tuple().exponent == -2
    assert mar.indices["2.2h"].rate is None and mar.indices["2.2d"].rate is None  # no such procedure resolved
    # 3.3 March: received {C, D, E1, E2, F}; online with the e-result its decided result needs: E1, F
    assert (mar.indices["3.3"].numerator, mar.indices["3.3"].denominator) == (2, 5)
    assert (feb.indices["3.3"].numerator, feb.indices["3.3"].denominator) == (0, 2)
    # 4.1: approved in the period, result signed / approved: Feb A/A; March E1 of {B, D, E1, E2}
    assert (feb.indices["4.1"].numerator, feb.indices["4.1"].denominator) == (1, 1)
    assert (mar.indices["4.1"].numerator, mar.indices["4.1"].denominator) == (1, 4)
    # 4.2: received, files and (once decided) the signed e-result: Feb {A, B}; March C, E1, F of 5
    assert (feb.indices["4.2"].numerator, feb.indices["4.2"].denominator) == (2, 2)
    assert (mar.indices["4.2"].numerator, mar.indices["4.2"].denominator) == (3, 5)
    # the trend gives each month exactly its own figures
    trend = stats.months(stats.Scope(date(2026, 2, 1), date(2026, 3, 31)), now=NOW)
    assert [f for _, f in trend] == [feb, mar]


def test_2_2_excludes_stopped_dossiers(timelines):
    f = timelines["f"]
    assert f.status == "stopped" and f.processing_minutes is not None
    assert stats.figures(MARCH, now=NOW).indices["2.2"].denominator == 4  # B, D, E1, E2; not F


def test_3_3_needs_e_result_when_paper_result_required(timelines):
    e2 = timelines["e2"]
    before = stats.figures(MARCH, now=NOW).indices["3.3"].numerator
    sign(e2, e2.finished_at + timedelta(hours=1))
    assert stats.figures(MARCH, now=NOW).indices["3.3"].numerator == before + 1


def test_4_1_counts_only_signed_results(timelines, run_jobs):
    run_jobs()
    e2 = timelines["e2"]
    result = next(d for d in e2.documents if d.kind == "result")
    assert result.sha256 and result.signed_at is None and not e2.has_e_result  # rendered, unsigned: not counted
    assert stats.figures(MARCH, now=NOW).indices["4.1"].numerator == 1
    sign(e2, e2.finished_at + timedelta(hours=1))
    assert e2.has_e_result and stats.figures(MARCH, now=NOW).indices["4.1"].numerator == 2


def test_4_2_counts_only_procedures_requiring_a_result_document(timelines, make_user):
    """A procedure whose file says it issues no result document (requires_result_document:
    false; none of the shipped ones does): its dossiers are outside 4.1 and 4.2 while 2.1 and
    3.3 count them."""
    version = catalogue.current_version("2.000884")
    version.requires_result_document = False
    db.session.commit()
    desk = make_user("reception", TICH_SON_DESK)
    dossiers.counter_intake(desk, version, TICH_SON_DESK, 1, complete_input(version.spec), now=at(10, 3))
    mar = stats.figures(MARCH, now=NOW)
    assert mar.indices["4.2"].denominator == 5 and mar.indices["3.3"].denominator == 6


def test_2_2_prints_two_decimals(client, timelines):
    page = " ".join(client.get("/thong-ke?ky=month&nam=2026&so=3").get_data(as_text=True).split())
    mar = stats.figures(MARCH, now=NOW)
    shown = f"{mar.indices['2.2'].rate:.2f}".replace(".", ",") + " ngày làm việc"
    assert shown in page
    # never a raw quotient such as 492.3422222222222222222222222, nor more than two decimals
    text = re.sub(r"\b[123]\.\d{6}\b", "", page)  # procedure codes (d.dddddd) are not numbers
    assert not re.search(r"\d,\d{3}|\d\.\d{4}", text)
    assert "66,67%" in page
