"""Vietnamese formats where people read them (issue 14, item 2): the e-form's date and number
on the dossier pages, the date boxes of the register, the dashboard and the apology (typed
dd/mm/yyyy in a text box, not the browser's date picker), the register's CSV and the e-mail."""
from __future__ import annotations

import re
from datetime import datetime

import pytest

from app.domain.deadlines import OFFICE_TZ
from app.models import OutboxMessage
from app.services import catalogue, dossiers
from app.services.demo import DemoAgency
from tests.factories import BIRTH, GUARDIANSHIP, TICH_SON_DESK, at_counter, birth_in, birth_input, tich_son

ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


@pytest.fixture
def office(make_user, loaded_catalogue):
    return tich_son(make_user)


@pytest.fixture
def two_copies(office):
    """A birth registration asking for 2 copies (the number box sends "2.00"), born 20/11/2025."""
    dossier = dossiers.start_draft(office.citizen, catalogue.current_version(BIRTH), TICH_SON_DESK)
    data = birth_input()
    data.form_data.update(copies_requested="2.00")
    dossiers.save_draft(dossier, office.citizen, data, dossier.lock_version)
    return dossiers.submit(dossier, office.citizen)


def declaration(page: str) -> str:
    """The "Tờ khai" list of the dossier page, spaces collapsed."""
    part = page.split("<h2>Tờ khai</h2>", 1)[1].split("</dl>", 1)[0]
    return " ".join(part.split())


@pytest.mark.parametrize("who, path", [("citizen", "/ho-so/{id}"), ("desk", "/mot-cua/ho-so/{id}")])
def test_the_declaration_shows_dates_day_first_and_counts_without_decimals(client, login, office, two_copies,
                                                                          who, path):
    login(getattr(office, who))
    page = client.get(path.format(id=two_copies.id)).get_data(as_text=True)
    shown = declaration(page)
    assert "<dd>20/11/2025</dd>" in shown and "2025-11-20" not in shown
    assert "<dd>2</dd>" in shown and "2.00" not in shown
    assert "<dd>Nam</dd>" in shown  # a choice by its label


def test_the_draft_form_shows_its_date_in_a_text_box_day_first(client, login, office):
    login(office.citizen)
    draft = birth_in("draft", office)
    page = client.get(f"/ho-so/{draft.id}/sua").get_data(as_text=True)
    box = re.search(r'<input[^>]*id="f_child_birth_date"[^>]*>', page)[0]
    assert 'type="text"' in box and 'value="20/11/2025"' in box
    assert 'type="date"' not in page and "dd/mm/yyyy" in page


def test_the_register_takes_dates_day_first_and_prints_them_so(client, login, office):
    dossier = at_counter(BIRTH, office.citizen, office.desk)
    login(office.desk)
    today = datetime.now(OFFICE_TZ).strftime("%d/%m/%Y")
    page = client.get(f"/mot-cua/so-theo-doi?tu=01/01/2026&den={today}").get_data(as_text=True)
    assert dossier.code in page
    assert 'id="tu" name="tu" value="01/01/2026"' in page and 'type="date"' not in page
    assert f"ngày {today}" in page and not ISO_DATE.search(page.split("<main", 1)[1].split("href", 1)[0])
    assert client.get("/mot-cua/so-theo-doi?tu=31/02/2026").status_code == 400
    csv = client.get(f"/mot-cua/so-theo-doi?tu=01/01/2026&den={today}&dinh_dang=csv").data.decode("utf-8")
    assert re.search(r"\d\d:\d\d " + re.escape(today), csv) and not ISO_DATE.search(csv)


def test_the_dashboard_takes_a_custom_period_day_first(client, loaded_catalogue):
    page = client.get("/thong-ke?ky=custom&tu=01/03/2026&den=31/03/2026").get_data(as_text=True)
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in page and 'type="date"' not in page
    same = client.get("/thong-ke?ky=custom&tu=2026-03-01&den=2026-03-31").get_data(as_text=True)
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in same  # links written with ISO dates still work
    assert client.get("/thong-ke?ky=custom&tu=32/03/2026&den=31/03/2026").status_code == 400


def test_the_apology_date_is_typed_day_first(client, make_user, login, loaded_catalogue):
    dossier = at_counter(GUARDIANSHIP, make_user(), make_user("reception", TICH_SON_DESK))
    login(make_user("leader", DemoAgency.TICH_SON))
    page = client.get(f"/xu-ly/ho-so/{dossier.id}").get_data(as_text=True)
    assert 'id="draft_apology-new_due_at" name="new_due_date"' in page and "(dd/mm/yyyy)" in page
    response = client.post(f"/xu-ly/ho-so/{dossier.id}",
                           data={"action": "draft_apology", "new_due_date": "15/01/2030", "reason": "Chờ xác minh"})
    assert response.status_code == 302
    assert dossier.apology.new_due_at.astimezone(OFFICE_TZ).date().isoformat() == "2030-01-15"
    wrong = client.post(f"/xu-ly/ho-so/{dossier.id}",
                        data={"action": "draft_apology", "new_due_date": "15-01-2030x", "reason": "Chờ xác minh"})
    assert wrong.status_code == 422 and "ngày/tháng/năm" in wrong.get_data(as_text=True)


def test_the_acceptance_email_gives_the_due_time_the_vietnamese_way(office):
    dossier = birth_in("accepted", office)
    body = OutboxMessage.query.filter_by(dossier_id=dossier.id).order_by(OutboxMessage.id.desc()).first().body
    due = dossier.due_at.astimezone(OFFICE_TZ)
    assert f"Ngày hẹn trả kết quả: {due:%H:%M} ngày {due:%d/%m/%Y}." in body
