"""/quan-tri/lich/hoan-doi: the Government's yearly swaps entered as pairs, and their effect on due dates."""
from datetime import date, datetime

import pytest

from app.domain.deadlines import OFFICE_TZ
from app.extensions import db
from app.models import AdminAuditEntry, CalendarSwap
from app.services import calendar as calendar_service
from app.services import catalogue
from app.services.demo import DemoAgency
from tests.factories import GUARDIANSHIP

URL = "/quan-tri/lich/hoan-doi"
PAIR = {"day_off": "08/10/2027", "working_day": "16/10/2027",
        "legal_basis": "Thông báo số 1234/TB-BNV ngày 01/9/2027 của Bộ Nội vụ"}


@pytest.fixture
def province_admin(make_user, login):
    return login(make_user("admin", DemoAgency.PROVINCE))


@pytest.mark.parametrize("role, agency", [(None, None), ("admin", DemoAgency.TICH_SON_DESK),
                                          ("admin", DemoAgency.JUSTICE_DEPARTMENT)])
def test_only_the_province_administrator_manages_the_calendar(client, make_user, login, role, agency):
    user = login(make_user(role, agency))
    assert client.get("/quan-tri/lich").status_code == 403
    assert client.post(URL, data=PAIR).status_code == 403
    swap = calendar_service.add_swap(make_user("admin", DemoAgency.PROVINCE), date(2027, 10, 8), date(2027, 10, 16),
                                     "x")
    assert client.post(f"{URL}/{swap.id}/xoa").status_code == 403
    assert db.session.get(CalendarSwap, swap.id) is not None and user.id


def test_a_pair_is_entered_and_moves_a_deadline(client, province_admin, loaded_catalogue):
    version = catalogue.current_version(GUARDIANSHIP)  # 3 working days
    received = datetime(2027, 10, 7, 10, 0, tzinfo=OFFICE_TZ)  # Thursday, before the cut-off
    assert calendar_service.expected_due(version, received).date() == date(2027, 10, 12)  # Fri, Mon, Tue
    response = client.post(URL, data=PAIR)
    assert response.status_code == 302 and response.headers["Location"].endswith("/quan-tri/lich#hoan-doi")
    cal = calendar_service.work_calendar()
    assert not cal.is_working_day(date(2027, 10, 8)) and cal.is_working_day(date(2027, 10, 16))
    assert calendar_service.expected_due(version, received).date() == date(2027, 10, 13)  # Mon, Tue, Wed
    page = client.get("/quan-tri/lich").get_data(as_text=True)
    assert "08/10/2027" in page and "16/10/2027" in page and "1234/TB-BNV" in page
    entry = db.session.query(AdminAuditEntry).filter_by(action="calendar.swap_add").one()
    assert entry.after == {"day_off": "2027-10-08", "working_day": "2027-10-16", "legal_basis": PAIR["legal_basis"]}


@pytest.mark.parametrize("data, field, message", [
    ({**PAIR, "day_off": "09/10/2027"}, "day_off", "phải là một ngày làm việc"),
    ({**PAIR, "day_off": "02/09/2027"}, "day_off", "phải là một ngày làm việc"),
    ({**PAIR, "working_day": "13/10/2027"}, "working_day", "thứ Bảy hoặc Chủ nhật"),
    ({**PAIR, "day_off": "31/12/2027", "working_day": "08/01/2028"}, "working_day", "cùng năm"),
    ({**PAIR, "working_day": ""}, "working_day", "Vui lòng nhập ngày làm bù"),
    ({**PAIR, "legal_basis": ""}, "legal_basis", "Vui lòng ghi văn bản"),
])
def test_a_bad_pair_is_refused_by_field_and_nothing_is_stored(client, province_admin, data, field, message):
    response = client.post(URL, data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'href="#{field}"' in page and message in page and "<title>Lỗi: " in page
    assert CalendarSwap.query.count() == 0


def test_a_day_already_in_a_pair_is_refused(client, province_admin):
    assert client.post(URL, data=PAIR).status_code == 302
    again = client.post(URL, data={**PAIR, "working_day": "17/10/2027"})
    assert again.status_code == 422 and "đã có trong một cặp hoán đổi" in again.get_data(as_text=True)
    english = client.post(URL + "?lang=en", data={**PAIR, "working_day": "17/10/2027"}).get_data(as_text=True)
    assert "is already in a swap" in english and "đã có trong một cặp" not in english


def test_delete_asks_for_confirmation_then_deletes(client, province_admin):
    client.post(URL, data=PAIR)
    swap = CalendarSwap.query.one()
    confirm = client.get(f"{URL}/{swap.id}/xoa")
    assert confirm.status_code == 200 and "Xóa cặp hoán đổi?" in confirm.get_data(as_text=True)
    assert client.post(f"{URL}/{swap.id}/xoa").status_code == 302
    assert CalendarSwap.query.count() == 0
    assert calendar_service.work_calendar().is_working_day(date(2027, 10, 8))
    assert db.session.query(AdminAuditEntry).filter_by(action="calendar.swap_remove").count() == 1


def test_delete_missing_pair_is_404(client, province_admin):
    assert client.get(f"{URL}/999999/xoa").status_code == 404
    assert client.post(f"{URL}/999999/xoa").status_code == 404
