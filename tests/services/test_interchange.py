"""Carrying history over (issue 10): `interchange.import_lines` / `export_lines`, one JSON Lines
shape (docs/interchange.md)."""
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Dossier, DossierEvent, Payment
from app.services import dossiers, interchange, processing, stats
from app.services.calendar import work_calendar
from tests.conftest import tables_depending_on
from tests.factories import BIRTH, TICH_SON_DESK
from tests.services.test_indices_timelines import FEBRUARY, MARCH, NOW, UBND, timelines  # noqa: F401 (fixture)

UTC = UTC


def vn(day: int, month: int, hour: int = 9, minute: int = 0) -> str:
    return f"2026-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00+07:00"


def record(code: str, **overrides) -> dict:
    """A birth registration received at Tích Sơn on 3 Feb 2026 09:00, due 4 Feb 17:00,
    resolved 4 Feb 09:00 (one working day), returned 5 Feb."""
    line = {
        "MaHoSo": code, "MaTTHC": BIRTH, "CoQuanTiepNhan": TICH_SON_DESK, "DonViXuLy": UBND, "KenhThucHien": 1,
        "TrangThaiHoSo": 10, "NgayTiepNhan": vn(3, 2), "NgayHenTra": vn(4, 2, 17), "NgayKetThucXuLy": vn(4, 2),
        "NgayTraKetQua": vn(5, 2), "KetQuaGiaiQuyet": "approved",
        "ChuHoSo": {"HoTen": "Nguyễn Văn An", "SoDinhDanh": "026090001234"},
        "QuaTrinhXuLy": [{"TrangThai": 1, "ThoiDiem": vn(3, 2)}, {"TrangThai": 2, "ThoiDiem": vn(3, 2)},
                         {"TrangThai": 4, "ThoiDiem": vn(3, 2, 10)}, {"TrangThai": 9, "ThoiDiem": vn(4, 2)},
                         {"TrangThai": 10, "ThoiDiem": vn(5, 2), "GhiChu": "Trả tại quầy"}],
        "PhiLePhi": [{"SoTien": 8000, "HinhThucThanhToan": "national_portal", "NgayThanhToan": vn(3, 2, 9, 30)}],
        "CoTepDinhKem": True, "CoKetQuaDienTu": True,
    }
    line.update(overrides)
    return line


def lines(*records) -> list[str]:
    return [json.dumps(r, ensure_ascii=False) for r in records]


def counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Dossier, DossierEvent, Payment))


def test_import_keeps_code_dates_history_and_marks_imported(loaded_catalogue):
    report = interchange.import_lines(lines(record("000.10.21.H62-260203-0001")))
    assert (report.imported, report.skipped, report.refused) == (["000.10.21.H62-260203-0001"], [], [])
    d = db.session.scalar(select(Dossier))
    assert d.imported and d.code == "000.10.21.H62-260203-0001" and d.status == "returned"
    assert d.received_at == datetime(2026, 2, 3, 2, 0, tzinfo=UTC) and d.due_at == datetime(2026, 2, 4, 10, 0,
                                                                                            tzinfo=UTC)
    assert [(e.to_status, e.at.hour) for e in d.events] == [
        ("submitted", 2), ("accepted", 2), ("processing", 3), ("resolved", 2), ("returned", 2)]
    assert all(e.note.startswith(interchange.IMPORTED_NOTE) and e.action == "import" for e in d.events)
    assert d.events[-1].note.endswith("Trả tại quầy")
    # the same stamps through the same rules: on time (resolved on its due day), one working day
    day = work_calendar().office_day_length // timedelta(minutes=1)
    assert d.result_class == "on_time" and d.processing_minutes == day
    assert d.paid_online and d.has_e_result and d.has_files and d.payments[0].amount == 8000


def test_import_same_file_twice_changes_nothing(loaded_catalogue):
    file = lines(record("HS-1"), record("HS-2", KenhThucHien=2))
    assert len(interchange.import_lines(file).imported) == 2
    before = counts(), [(d.code, d.updated_at, d.lock_version) for d in db.session.scalars(select(Dossier))]
    again = interchange.import_lines(file + lines(record("HS-1", KenhThucHien=3)))   # a changed line does not overwrite
    assert (again.imported, again.skipped, again.refused) == ([], ["HS-1", "HS-2", "HS-1"], [])
    db.session.expire_all()
    assert (counts(), [(d.code, d.updated_at, d.lock_version) for d in db.session.scalars(select(Dossier))]) == before
    assert db.session.scalar(select(Dossier.channel).where(Dossier.code == "HS-1")) == 1


def test_import_bad_line_reports_line_number_and_stores_nothing(loaded_catalogue):
    bad = record("HS-BAD", PhiLePhi=[{"SoTien": 0, "HinhThucThanhToan": "counter", "NgayThanhToan": vn(3, 2)}])
    report = interchange.import_lines(lines(record("HS-1"), bad, record("HS-3")) + ["{ không phải JSON"])
    assert report.imported == ["HS-1", "HS-3"]
    assert [(r.line, r.field) for r in report.refused] == [(2, "PhiLePhi.0.SoTien"), (4, "(dòng)")]
    assert report.refused[0].message == "phải lớn hơn 0" and "JSON" in report.refused[1].message
    assert db.session.scalar(select(Dossier).where(Dossier.code == "HS-BAD")) is None
    assert counts() == (2, 10, 2)


def test_import_refuses_unknown_agency_and_procedure_naming_them(loaded_catalogue):
    report = interchange.import_lines(lines(
        record("HS-1", CoQuanTiepNhan="999.99.99.H99", DonViXuLy="888.88.88.H88"),
        record("HS-2", MaTTHC="9.999999"), record("HS-3", PhienBanTTHC=42)))
    assert [(r.line, r.field, r.message) for r in report.refused] == [
        (1, "CoQuanTiepNhan", "không có cơ quan mã định danh 999.99.99.H99"),
        (1, "DonViXuLy", "không có cơ quan mã định danh 888.88.88.H88"),
        (2, "MaTTHC", "không có thủ tục mã 9.999999 trong danh mục"),
        (3, "PhienBanTTHC", f"thủ tục {BIRTH} không có phiên bản 42")]
    assert counts() == (0, 0, 0)


def test_import_refuses_status_code_outside_1_to_10(loaded_catalogue):
    report = interchange.import_lines(lines(record("HS-0", TrangThaiHoSo=0), record("HS-11", TrangThaiHoSo=11),
                                            record("HS-H", QuaTrinhXuLy=[{"TrangThai": 12, "ThoiDiem": vn(3, 2)}])))
    assert [(r.line, r.field, r.message) for r in report.refused] == [
        (1, "TrangThaiHoSo", "phải lớn hơn hoặc bằng 1"), (2, "TrangThaiHoSo", "phải nhỏ hơn hoặc bằng 10"),
        (3, "QuaTrinhXuLy.0.TrangThai", "phải nhỏ hơn hoặc bằng 10")]
    assert counts() == (0, 0, 0)


def test_import_refuses_dates_without_time_zone(loaded_catalogue):
    history = record("x")["QuaTrinhXuLy"]
    history[2] = {"TrangThai": 4, "ThoiDiem": "2026-02-03T10:00:00"}
    report = interchange.import_lines(lines(record("HS-1", NgayTiepNhan="2026-02-03T09:00:00"),
                                            record("HS-2", QuaTrinhXuLy=history)))
    assert [(r.line, r.field) for r in report.refused] == [(1, "NgayTiepNhan"), (2, "QuaTrinhXuLy.2.ThoiDiem")]
    assert all("múi giờ" in r.message for r in report.refused)
    assert counts() == (0, 0, 0)


def test_import_refuses_incoherent_lines(loaded_catalogue):
    report = interchange.import_lines(lines(
        record("HS-1", NgayKetThucXuLy=None),                                  # resolved without its end
        record("HS-2", TrangThaiHoSo=9),                                       # history ends at 10
        record("HS-3", YeuCauBoSung=[{"GiaiDoan": "xu_ly", "NgayYeuCau": vn(3, 2, 10)},
                                     {"GiaiDoan": "xu_ly", "NgayYeuCau": vn(3, 2, 11)}]),
        record("HS-4", Thua=1)))
    assert [(r.line, r.field) for r in report.refused] == [
        (1, "NgayKetThucXuLy"), (2, "QuaTrinhXuLy"), (3, "YeuCauBoSung"), (4, "Thua")]
    assert counts() == (0, 0, 0)


def test_import_history_must_walk_the_workflow(loaded_catalogue):
    """QuaTrinhXuLy goes through the same table and guards as our own dossiers
    (workflow.replay): no jump, no second supplement request at intake (Decree 61/2018 Art. 19),
    and the supplement requests listed are the history's."""
    at = vn(3, 2)
    report = interchange.import_lines(lines(
        record("HS-1", QuaTrinhXuLy=[{"TrangThai": 10, "ThoiDiem": vn(5, 2)}]),
        record("HS-2", QuaTrinhXuLy=[{"TrangThai": s, "ThoiDiem": at} for s in (1, 2, 9, 10)]),
        record("HS-3", TrangThaiHoSo=2, NgayKetThucXuLy=None, NgayTraKetQua=None, KetQuaGiaiQuyet=None,
               CoKetQuaDienTu=False, QuaTrinhXuLy=[{"TrangThai": s, "ThoiDiem": at} for s in (1, 5, 1, 5, 1, 2)],
               YeuCauBoSung=[{"GiaiDoan": "tiep_nhan", "NgayYeuCau": at}] * 2),
        record("HS-4", YeuCauBoSung=[{"GiaiDoan": "tiep_nhan", "NgayYeuCau": at}])))
    assert [(r.line, r.field) for r in report.refused] == [
        (1, "QuaTrinhXuLy.0"), (2, "QuaTrinhXuLy.2"), (3, "QuaTrinhXuLy.3"), (4, "YeuCauBoSung")]
    assert counts() == (0, 0, 0)


def test_imported_dossiers_count_in_the_statistics(loaded_catalogue):
    """A: received 3 Feb, resolved in a day. B: received 24 Feb (Tuesday), due 26 Feb, still
    open at the end of February, resolved late 5 March. C: received 2 March, a processing
    supplement asked before its due date and never answered (ends at the request, on time)."""
    b = record("HS-B", NgayTiepNhan=vn(24, 2), NgayHenTra=vn(26, 2, 17), NgayKetThucXuLy=vn(5, 3), NgayTraKetQua=None,
               TrangThaiHoSo=9, CoKetQuaDienTu=False,
               QuaTrinhXuLy=[{"TrangThai": 1, "ThoiDiem": vn(24, 2)}, {"TrangThai": 2, "ThoiDiem": vn(24, 2)},
                             {"TrangThai": 4, "ThoiDiem": vn(24, 2, 10)}, {"TrangThai": 9, "ThoiDiem": vn(5, 3)}])
    c = record("HS-C", NgayTiepNhan=vn(2, 3), NgayHenTra=vn(4, 3, 17), NgayKetThucXuLy=None, NgayTraKetQua=None,
               KetQuaGiaiQuyet=None, TrangThaiHoSo=5, KenhThucHien=2, CoKetQuaDienTu=False,
               YeuCauBoSung=[{"GiaiDoan": "xu_ly", "NgayYeuCau": vn(3, 3)}],
               QuaTrinhXuLy=[{"TrangThai": 1, "ThoiDiem": vn(2, 3)}, {"TrangThai": 2, "ThoiDiem": vn(2, 3)},
                             {"TrangThai": 4, "ThoiDiem": vn(2, 3, 10)}, {"TrangThai": 5, "ThoiDiem": vn(3, 3)}])
    assert len(interchange.import_lines(lines(record("HS-A"), b, c)).imported) == 3
    feb, mar = stats.figures(FEBRUARY, now=NOW), stats.figures(MARCH, now=NOW)
    # 2.1 February: A on time, B open past its due date on 28 Feb → 1/2
    assert (feb.indices["2.1"].numerator, feb.indices["2.1"].denominator) == (1, 2)
    assert (feb.counts.on_time, feb.counts.open_overdue) == (1, 1)
    # 2.1 March: B (received before, still open on 1 March) late; C ends at its request, on time → 1/2
    assert (mar.indices["2.1"].numerator, mar.indices["2.1"].denominator) == (1, 2)
    assert (mar.counts.late, mar.counts.early + mar.counts.on_time) == (1, 1)
    # 2.2: February A, one working day; March B alone (C is not resolved)
    assert (feb.indices["2.2"].denominator, str(feb.indices["2.2"].rate)) == (1, "1.00")
    b_minutes = db.session.scalar(select(Dossier.processing_minutes).where(Dossier.code == "HS-B"))
    day = work_calendar().office_day_length // timedelta(minutes=1)
    assert mar.indices["2.2"].denominator == 1 and abs(float(mar.indices["2.2"].rate) - b_minutes / day) < 0.005
    assert [f for _, f in stats.months(stats.Scope(date(2026, 2, 1), date(2026, 3, 31)), now=NOW)] == [feb, mar]


def _events():
    return {d.code: [(e.to_status, e.at) for e in d.events if e.from_status != e.to_status]
            for d in db.session.scalars(select(Dossier))}


def _facts():
    columns = ("code", "status", "channel", "received_at", "due_at", "effective_due_at", "finished_at", "returned_at",
               "paused_at", "resumed_at", "result_class", "paused_class", "processing_minutes", "outcome",
               "intake_supplements", "processing_supplements", "has_files", "has_e_result", "paid_online",
               "receiving_agency_id", "resolving_agency_id", "procedure_version_id")
    return sorted(tuple(getattr(d, c) for c in columns) for d in db.session.scalars(select(Dossier)))


def test_export_then_import_round_trips(timelines):  # noqa: F811 (the fixture)
    trend_scope = stats.Scope(date(2026, 2, 1), date(2026, 3, 31))
    before = (stats.figures(FEBRUARY, now=NOW), stats.figures(MARCH, now=NOW), stats.months(trend_scope, now=NOW))
    events, facts = _events(), _facts()
    exported = list(interchange.export_lines(date(2026, 2, 1), date(2026, 3, 31)))
    assert len(exported) == len(timelines)
    for table in tables_depending_on("dossier"):
        db.session.execute(table.delete())
    db.session.commit()
    db.session.expunge_all()
    assert stats.figures(MARCH, now=NOW).counts.received == 0
    report = interchange.import_lines(exported)
    assert (len(report.imported), report.skipped, report.refused) == (len(timelines), [], [])
    db.session.expire_all()
    assert (stats.figures(FEBRUARY, now=NOW), stats.figures(MARCH, now=NOW),
            stats.months(trend_scope, now=NOW)) == before
    assert _events() == events and _facts() == facts
    assert all(d.imported for d in db.session.scalars(select(Dossier)))
    # and exporting the imported dossiers gives the same file
    assert list(interchange.export_lines(date(2026, 2, 1), date(2026, 3, 31))) == exported


def test_codes_are_matched_as_the_portal_writes_them(loaded_catalogue):
    """'…h62-…' is the dossier '…H62-…': importing both keeps one, findable by the lookup."""
    report = interchange.import_lines(lines(record("000.10.21.H62-260203-0001"), record("000.10.21.h62-260203-0001")))
    assert report.imported == ["000.10.21.H62-260203-0001"] and report.skipped == ["000.10.21.H62-260203-0001"]
    assert dossiers.by_code("000.10.21.h62-260203-0001").imported


def test_an_imported_dossier_with_a_new_date_takes_no_second_apology(loaded_catalogue, make_user):
    """Its one apology was given in the other system (NgayHenTraMoi): the law allows one."""
    from app.domain.structure import Role
    from app.services import accounts

    open_record = record("HS-OPEN", TrangThaiHoSo=4, NgayKetThucXuLy=None, NgayTraKetQua=None, KetQuaGiaiQuyet=None,
                         CoKetQuaDienTu=False, PhiLePhi=[],
                         NgayHenTraMoi=vn(10, 2, 17), QuaTrinhXuLy=record("x")["QuaTrinhXuLy"][:3])
    assert interchange.import_lines(lines(open_record)).refused == []
    dossier = dossiers.by_code("HS-OPEN")
    leader = accounts.create_user(email="ld@motcua.example", password="mat-khau-thu-nghiem", full_name="Lãnh đạo",
                                  grants=[accounts.Grant(Role.LEADER, UBND)])
    with pytest.raises(dossiers.DossierError) as error:
        processing.draft_apology(dossier, leader, dossier.rescheduled_due_at + timedelta(days=5), "Chậm", issue=True)
    assert error.value.status == 409 and "một lần" in error.value.message
