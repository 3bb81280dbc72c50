"""Staff form pages fail as the citizen's do (issue 14): the shared error summary, which takes the
focus, and a page title that starts with "Lỗi:" ("Error:" in English)."""
import re

import pytest

from app.services.demo import DemoAgency
from tests.factories import BIRTH, TICH_SON_DESK, birth_in, submitted_birth, tich_son


def title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, flags=re.S).group(1)


def failed(response, status: int = 422) -> str:
    """The page of a refused submit: its status, the one error summary with the focus, the title."""
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert page.count('class="error-summary"') == 1
    assert re.search(r'<div class="error-summary" role="alert"[^>]*tabindex="-1" autofocus>', page)
    return page


@pytest.fixture
def desk(make_user, login, loaded_catalogue):
    return login(make_user("reception", TICH_SON_DESK))


def test_desk_decision_refused_titles_the_page_error(client, desk, make_user):
    dossier = submitted_birth(make_user())
    url = f"/mot-cua/ho-so/{dossier.id}"
    assert not title(client.get(url).get_data(as_text=True)).startswith("Lỗi:")
    page = failed(client.post(url, data={"action": "refuse", "reasons": "", "confirm": "yes"}))
    assert title(page).startswith(f"Lỗi: Hồ sơ {dossier.identifier}")
    assert '<a href="#refuse-reason">Cần ghi rõ lý do từ chối.</a>' in page
    english = failed(client.post(url + "?lang=en", data={"action": "refuse", "reasons": "", "confirm": "yes"}))
    assert title(english).startswith(f"Error: Application {dossier.identifier}")
    assert '<a href="#refuse-reason">Give the reason for refusing.</a>' in english


def test_work_step_refused_titles_the_page_error(client, make_user, login, loaded_catalogue):
    office = tich_son(make_user)
    accepted = birth_in("accepted", office)
    login(office.specialist)
    url = f"/xu-ly/ho-so/{accepted.id}"
    assert not title(client.get(url).get_data(as_text=True)).startswith("Lỗi:")
    page = failed(client.post(url, data={"action": "request_supplement", "items": "", "reason": ""}))
    assert title(page).startswith("Lỗi: Xử lý hồ sơ")
    assert "Cần ghi đủ" in page


def test_counter_intake_refused_uses_the_shared_summary(client, desk):
    data = {"agency": TICH_SON_DESK, "channel": "1", "applicant_full_name": "Lê Thị Hoa", "delivery": "counter"}
    page = failed(client.post(f"/mot-cua/tiep-nhan/{BIRTH}", data=data, content_type="multipart/form-data"))
    assert title(page).startswith("Lỗi: Tiếp nhận:")
    assert "Có lỗi cần sửa" in page and '<a href="#' in page


def test_counter_intake_by_a_desk_of_another_level_says_why_in_the_summary(client, make_user, login,
                                                                            loaded_catalogue):
    login(make_user("reception", DemoAgency.CENTRE))  # the province's centre does not receive a commune's
    page = failed(client.get(f"/mot-cua/tiep-nhan/{BIRTH}"), status=403)
    assert title(page).startswith("Lỗi: ")
    assert "<p>Bạn không phải cán bộ tiếp nhận ở cấp tiếp nhận thủ tục này.</p>" in page


def test_calendar_form_refused_titles_the_page_error(client, make_user, login):
    login(make_user("admin", DemoAgency.PROVINCE))
    assert not title(client.get("/quan-tri/lich").get_data(as_text=True)).startswith("Lỗi:")
    page = failed(client.post("/quan-tri/lich", data={"day": "", "kind": "", "note": ""}))
    assert title(page).startswith("Lỗi: ")
    assert '<a href="#day">' in page
