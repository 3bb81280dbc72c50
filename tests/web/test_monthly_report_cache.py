"""Issue 18 item 7: the monthly report PDF is rendered by WeasyPrint once per (agency, month)
while what it prints holds (app/services/report_cache.py), and never served stale: a change to a
dossier of the month, the clock moving an open month's figures, another day for an open month
or another layout each give a new PDF. WeasyPrint's renders are counted by wrapping
weasyprint.HTML.write_pdf; the PDFs are read back with pdftotext."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import weasyprint
from sqlalchemy import func, select

from app.domain.deadlines import OFFICE_TZ
from app.extensions import db
from app.models import Dossier, RenderedReport
from app.models.users import utcnow
from app.services import catalogue, documents, stats
from app.services.demo import DemoAgency
from tests.pdf_helpers import reading_text, write
from tests.services.test_stats import NOW, T, agency, build, march  # noqa: F401  (march: the March 2026 fixture)

MARCH = "/thong-ke/bao-cao-thang.pdf?nam=2026&thang=3"
SIGNER = "Trung tâm Phục vụ hành chính công"


@pytest.fixture
def renders(monkeypatch) -> list[int]:
    """One entry per WeasyPrint rendering (write_pdf), whoever calls it."""
    made: list[int] = []
    original = weasyprint.HTML.write_pdf

    def counting(self, *args, **kwargs):
        made.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counting)
    return made


def text(tmp_path, pdf: bytes, name: str = "report") -> str:
    return reading_text(write(tmp_path, name, pdf))


def parties():
    """Birth registration received at Tích Sơn's desk, resolved by its People's Committee."""
    return catalogue.current_version("1.001193"), agency(DemoAgency.TICH_SON_DESK), agency(DemoAgency.TICH_SON)


def rows() -> list[RenderedReport]:
    db.session.expire_all()
    return list(db.session.scalars(select(RenderedReport).order_by(RenderedReport.scope)))


def finish_the_open_dossier_within_march() -> None:
    """A correction to a March dossier after the month closed: the open one within its deadline
    is recorded as finished early on 11 March (the March figures move: 4 → 5 early)."""
    dossier = db.session.scalar(select(Dossier).where(Dossier.finished_at.is_(None), Dossier.due_at > NOW))
    dossier.status, dossier.finished_at, dossier.result_class = "resolved", T + timedelta(days=1), "early"
    dossier.processing_minutes, dossier.outcome = 450, "approved"
    db.session.commit()


def test_a_closed_month_is_rendered_once_for_two_requests(client, march, renders, tmp_path):  # noqa: F811
    first = client.get(MARCH)
    second = client.get(MARCH)
    assert first.status_code == second.status_code == 200 and first.mimetype == "application/pdf"
    assert len(renders) == 1 and second.data == first.data
    assert "tiếp nhận 12 hồ sơ; đã giải quyết xong 10 hồ sơ (4 trước hạn" in text(tmp_path, second.data)
    assert [r.scope for r in rows()] == ["monthly_report:2026-03:*"]


def test_a_change_to_a_dossier_of_the_month_gives_a_new_pdf_with_the_new_figures(client, march, renders,  # noqa: F811
                                                                                  tmp_path):
    before = client.get(MARCH).data
    finish_the_open_dossier_within_march()
    after = client.get(MARCH)
    assert after.status_code == 200 and len(renders) == 2 and after.data != before
    page = text(tmp_path, after.data)
    assert "đã giải quyết xong 11 hồ sơ (5 trước hạn, 3 đúng hạn, 3 quá hạn)" in page
    assert "đã giải quyết xong 10 hồ sơ" not in page
    assert client.get(MARCH).data == after.data and len(renders) == 2  # the new figures are cached in turn
    assert len(rows()) == 1  # the superseded PDF of the scope was replaced, not kept beside it


def test_a_renamed_agency_is_a_change_the_report_prints(client, march, renders, tmp_path):  # noqa: F811
    client.get(MARCH)
    agency(DemoAgency.LIEN_BAO).name = "Ủy ban nhân dân phường Liên Bảo mới"
    db.session.commit()
    assert "Liên Bảo mới" in text(tmp_path, client.get(MARCH).data) and len(renders) == 2


def test_another_layout_is_another_entry(client, march, renders, monkeypatch):  # noqa: F811
    """The key holds the layout's identity (stylesheet, templates, WeasyPrint's version)."""
    client.get(MARCH)
    identity = documents.layout_identity()
    assert len(identity) == 64 and identity == documents.layout_identity()
    monkeypatch.setattr(documents, "layout_identity", lambda: "an edited documents.css")
    client.get(MARCH)
    client.get(MARCH)
    assert len(renders) == 2


def test_one_agency_has_its_own_entry(client, march, renders, tmp_path):  # noqa: F811
    url = f"{MARCH}&co_quan={DemoAgency.TICH_SON}"
    province, own = client.get(MARCH), client.get(url)
    assert own.status_code == 200 and len(renders) == 2
    assert f'filename="bao-cao-2026-03-{DemoAgency.TICH_SON}.pdf"' in own.headers["Content-Disposition"]
    page = text(tmp_path, own.data)
    assert "Ủy ban nhân dân phường Tích Sơn tiếp nhận 10 hồ sơ" in page and "các cơ quan trên địa bàn tỉnh" not in page
    assert client.get(url).data == own.data and client.get(MARCH).data == province.data and len(renders) == 2
    assert [r.scope for r in rows()] == ["monthly_report:2026-03:*", f"monthly_report:2026-03:{DemoAgency.TICH_SON}"]


def test_the_dashboard_of_one_agency_links_its_report(client, march):  # noqa: F811
    page = client.get(f"/thong-ke?ky=month&nam=2026&so=3&co_quan={DemoAgency.TICH_SON}").get_data(as_text=True)
    assert f"/thong-ke/bao-cao-thang.pdf?nam=2026&amp;thang=3&amp;co_quan={DemoAgency.TICH_SON}" in page


def test_the_open_month_is_not_served_stale(client, loaded_catalogue, renders, tmp_path):
    """The current month (office time), on the real clock: a dossier received after the first
    request is in the second report."""
    now = utcnow()
    month = now.astimezone(OFFICE_TZ)
    url = f"/thong-ke/bao-cao-thang.pdf?nam={month.year}&thang={month.month}"
    birth, desk, ubnd = parties()
    build(birth, desk, ubnd, n=2, received=now - timedelta(seconds=1))
    assert "tiếp nhận 2 hồ sơ" in text(tmp_path, client.get(url).data, "first")
    build(birth, desk, ubnd, n=1, received=utcnow() - timedelta(seconds=1))
    second = text(tmp_path, client.get(url).data, "second")
    assert "tiếp nhận 3 hồ sơ" in second and "tiếp nhận 2 hồ sơ" not in second and len(renders) == 2


def test_a_closed_month_is_served_as_first_drawn_up_on_a_later_day(app, march, renders, tmp_path):  # noqa: F811
    first = stats.monthly_report_pdf(2026, 3, SIGNER, now=NOW)
    later = stats.monthly_report_pdf(2026, 3, SIGNER, now=NOW + timedelta(days=40))
    assert later == first and len(renders) == 1
    assert "Vĩnh Phúc, ngày 15 tháng 4 năm 2026" in text(tmp_path, later)


def test_an_open_month_is_kept_only_while_a_fresh_rendering_would_be_the_same(app, loaded_catalogue, renders,
                                                                             tmp_path):
    """April 2026 seen on 15 April: the same day and figures are served from the store; the
    clock making a dossier overdue, and the next day's date line, each give a new PDF."""
    birth, desk, ubnd = parties()
    morning = datetime(2026, 4, 15, 1, 0, tzinfo=UTC)    # 08:00 in Vietnam
    build(birth, desk, ubnd, n=1, received=datetime(2026, 4, 10, 2, 0, tzinfo=UTC), due=morning + timedelta(hours=4))
    assert not stats.closed(stats.period("month", 2026, 4)[1], morning)
    first = stats.monthly_report_pdf(2026, 4, SIGNER, now=morning)
    assert stats.monthly_report_pdf(2026, 4, SIGNER, now=morning + timedelta(hours=1)) == first
    assert len(renders) == 1
    assert "đang giải quyết 1 hồ sơ, trong đó 0 hồ sơ quá hạn" in text(tmp_path, first, "morning")
    afternoon = stats.monthly_report_pdf(2026, 4, SIGNER, now=morning + timedelta(hours=6))  # past its due time
    assert len(renders) == 2 and "trong đó 1 hồ sơ quá hạn" in text(tmp_path, afternoon, "afternoon")
    tomorrow = stats.monthly_report_pdf(2026, 4, SIGNER, now=morning + timedelta(days=1))
    assert len(renders) == 3 and "ngày 16 tháng 4 năm 2026" in text(tmp_path, tomorrow, "tomorrow")


def test_a_month_is_closed_once_it_ended_before_today_in_office_time():
    end = stats.period("month", 2026, 3)[1]
    assert not stats.closed(end, datetime(2026, 3, 31, 16, 59, tzinfo=UTC))  # 23:59 on 31 March in Vietnam
    assert stats.closed(end, datetime(2026, 3, 31, 17, 0, tzinfo=UTC))      # 00:00 on 1 April in Vietnam


def test_a_report_that_cannot_be_stored_is_served_anyway(client, march, renders, monkeypatch):  # noqa: F811
    from sqlalchemy.exc import OperationalError

    def locked():
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    monkeypatch.setattr(db.session, "commit", locked)
    response = client.get(MARCH)
    monkeypatch.undo()
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    assert db.session.scalar(select(func.count()).select_from(RenderedReport)) == 0


@pytest.mark.parametrize("query, status", [("nam=1&thang=1", 400), ("nam=2026&thang=13", 400),
                                           ("nam=2026&thang=0", 400), ("nam=abc&thang=3", 400),
                                           ("nam=2026&thang=3&co_quan=000.99.99.H62", 404),
                                           ("nam=2026&thang=3&co_quan=%00", 400)])
def test_bad_parameters_are_refused_before_any_rendering(client, loaded_catalogue, renders, query, status):
    assert client.get(f"/thong-ke/bao-cao-thang.pdf?{query}").status_code == status
    assert renders == []
