"""/quan-tri/lich: admin overrides of the working calendar."""
from datetime import UTC, date

import pytest

from app.extensions import db
from app.models import AdminAuditEntry, CalendarDay
from app.services import calendar as calendar_service
from app.services.demo import DemoAgency


@pytest.fixture
def admin(make_user, login):
    return login(make_user("admin", DemoAgency.PROVINCE))


def test_visitor_is_sent_to_log_in(client):
    response = client.get("/quan-tri/lich")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


@pytest.mark.parametrize("role, agency",
                         [(None, None), ("reception", DemoAgency.CENTRE), ("leader", DemoAgency.JUSTICE_DEPARTMENT)])
def test_wrong_role_gets_403(client, make_user, login, role, agency):
    login(make_user(role, agency))
    province_admin = make_user("admin", DemoAgency.PROVINCE)
    assert client.get("/quan-tri/lich").status_code == 403
    assert client.post("/quan-tri/lich",
                       data={"day": "2027-02-13", "kind": "working_day", "note": "x"}).status_code == 403
    row = calendar_service.add_override(province_admin, date(2027, 1, 2), "day_off", "thử")
    assert client.post(f"/quan-tri/lich/{row.id}/xoa").status_code == 403
    assert db.session.get(CalendarDay, row.id) is not None


def test_admin_adds_a_working_saturday_and_it_changes_due_dates(client, admin):
    page = client.get("/quan-tri/lich").get_data(as_text=True)
    assert "Chưa có ngày điều chỉnh nào" in page
    response = client.post("/quan-tri/lich",
                           data={"day": "2027-02-13", "kind": "working_day", "note": "Làm bù ngày 12/02"})
    assert response.status_code == 302
    cal = calendar_service.work_calendar()
    assert cal.is_working_day(date(2027, 2, 13))
    assert "13/02/2027" in client.get("/quan-tri/lich").get_data(as_text=True)
    entry = AdminAuditEntry.query.filter_by(action="calendar.day_add").one()
    assert entry.actor_id == admin.id and entry.after == {"day": "2027-02-13", "kind": "working_day",
                                                          "note": "Làm bù ngày 12/02"}


@pytest.mark.parametrize("data, field, message", [
    ({"day": "31/02/2027", "kind": "day_off", "note": "x"}, "day", "Ngày không hợp lệ"),
    ({"day": "13.02.2027", "kind": "day_off", "note": "x"}, "day", "Ngày không hợp lệ"),
    ({"day": "", "kind": "day_off", "note": "x"}, "day", "Vui lòng nhập ngày"),
    ({"day": "2027-02-13", "kind": "holiday", "note": "x"}, "kind", "Loại điều chỉnh không hợp lệ"),
    ({"day": "2027-02-13", "kind": "day_off", "note": ""}, "note", "căn cứ"),
])
def test_bad_input_is_refused_with_field_errors(client, admin, data, field, message):
    response = client.post("/quan-tri/lich", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'href="#{field}"' in page and message in page
    assert CalendarDay.query.count() == 0


def test_same_day_twice_is_refused(client, admin):
    client.post("/quan-tri/lich", data={"day": "2027-02-13", "kind": "working_day", "note": "x"})
    again = client.post("/quan-tri/lich", data={"day": "2027-02-13", "kind": "day_off", "note": "y"})
    assert again.status_code == 422 and "đã có trong lịch" in again.get_data(as_text=True)


def test_delete_asks_for_confirmation_then_deletes(client, admin):
    row_id = calendar_service.add_override(admin, date(2027, 9, 1), "day_off", "Nghỉ bù").id
    confirm = client.get(f"/quan-tri/lich/{row_id}/xoa")
    assert confirm.status_code == 200 and "Xóa ngày điều chỉnh?" in confirm.get_data(as_text=True)
    assert db.session.get(CalendarDay, row_id) is not None
    assert client.post(f"/quan-tri/lich/{row_id}/xoa").status_code == 302
    assert db.session.get(CalendarDay, row_id) is None


def test_delete_missing_day_is_404(client, admin):
    assert client.get("/quan-tri/lich/999999/xoa").status_code == 404
    assert client.post("/quan-tri/lich/999999/xoa").status_code == 404


def test_official_swaps_are_shown_with_their_source_and_an_override_wins(client, admin):
    page = client.get("/quan-tri/lich").get_data(as_text=True)
    assert "Ngày hoán đổi chính thức" in page
    assert "02/01/2026" in page and "10/01/2026" in page and "12729/VPCP-KGVX" in page
    cal = calendar_service.work_calendar()
    assert not cal.is_working_day(date(2026, 1, 2)) and cal.is_working_day(date(2026, 1, 10))
    # The province decides otherwise for 10 January: the admin override wins and the page says so.
    client.post("/quan-tri/lich", data={"day": "2026-01-10", "kind": "day_off", "note": "Tỉnh cho nghỉ"})
    assert not calendar_service.work_calendar().is_working_day(date(2026, 1, 10))
    page = client.get("/quan-tri/lich").get_data(as_text=True)
    assert "Thay bằng điều chỉnh của quản trị viên: Ngày nghỉ bổ sung" in page


def test_due_date_at_acceptance_skips_2_january_2026_and_counts_10_january(app, make_user, loaded_catalogue):
    from datetime import datetime

    from app.services import catalogue
    version = catalogue.current_version("1.001612")  # 3 working days
    # Thu 8 Jan 2026 10:00 ICT: Fri 9, Sat 10 (worked), Mon 12.
    received = datetime(2026, 1, 8, 3, 0, tzinfo=UTC)
    assert calendar_service.expected_due(version, received) == datetime(2026, 1, 12, 10, 0, tzinfo=UTC)
    # Wed 31 Dec 2025 10:00 ICT: Thu 1 (holiday), Fri 2 (swap), weekend -> Mon 5, Tue 6, Wed 7.
    received = datetime(2025, 12, 31, 3, 0, tzinfo=UTC)
    assert calendar_service.expected_due(version, received) == datetime(2026, 1, 7, 10, 0, tzinfo=UTC)
