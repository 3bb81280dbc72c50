"""The desk's and the official's dossier page say the dossier's synchronisation with the national
portal in one line (issue 16): synced at, waiting, or failed with the receiver's error; nothing
when synchronisation is not configured and the dossier was never synchronised."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.extensions import db
from app.models import DossierSync
from tests.factories import land_at_counter, land_office

LINE = "Cổng Dịch vụ công quốc gia:"


@pytest.fixture
def received(make_user, loaded_catalogue):
    people = land_office(make_user)
    return people, land_at_counter(people.citizen, people.desk)   # at the commune's specialist


def pages(client, login, people, dossier) -> list[str]:
    """The desk's page and the holding official's page of the dossier."""
    login(people.desk)
    desk = client.get(f"/mot-cua/ho-so/{dossier.id}")
    login(people.commune)
    work = client.get(f"/xu-ly/ho-so/{dossier.id}")
    assert desk.status_code == work.status_code == 200
    return [desk.get_data(as_text=True), work.get_data(as_text=True)]


def set_state(dossier, **values) -> None:
    db.session.merge(DossierSync(dossier_id=dossier.id, **values))
    db.session.commit()


def test_nothing_without_the_setting_and_no_record(client, login, received):
    for page in pages(client, login, *received):
        assert LINE not in page


def test_waiting_once_configured(client, login, received, app, monkeypatch):
    monkeypatch.setitem(app.config, "NATIONAL_SYNC_URL", "http://127.0.0.1:9/dongbo")
    for page in pages(client, login, *received):
        assert f'{LINE} <span class="tag ">đang chờ đồng bộ</span>' in page


def test_synced_with_its_time_and_failed_with_its_error(client, login, received):
    people, dossier = received
    set_state(dossier, state="synced", synced_at=datetime(2026, 11, 20, 2, 5, tzinfo=UTC))
    for page in pages(client, login, people, dossier):   # a row speaks even without the setting
        assert f'{LINE} <span class="tag tag-ok">đã đồng bộ lúc 09:05 20/11/2026</span>' in page
    set_state(dossier, state="failed", last_error="HTTP 422: MaTTHC không tồn tại")
    for page in pages(client, login, people, dossier):
        assert f'{LINE} <span class="tag tag-danger">đồng bộ lỗi: HTTP 422: MaTTHC không tồn tại</span>' in page


def test_the_english_page_says_it_in_english(client, login, received):
    people, dossier = received
    set_state(dossier, state="pending")
    login(people.desk)
    page = client.get(f"/mot-cua/ho-so/{dossier.id}?lang=en").get_data(as_text=True)
    assert "National Public Service Portal:" in page and "waiting to be synchronised" in page
