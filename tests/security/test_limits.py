"""Issue 18: per-account limits. Drafts not yet sent (MAX_OPEN_DRAFTS) and files in a dossier
(MAX_FILES_PER_DOSSIER) answer 422; dossiers sent per account (SUBMIT_RATE_LIMIT, web form and
API together) answer 429. Past a limit nothing is stored; the rate limit degrades open when its
counters' store is down."""
from __future__ import annotations

import contextlib
from io import BytesIO
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db, limiter
from app.models import Dossier
from app.services import catalogue, dossiers
from tests.factories import BIRTH, PDF, PNG, TICH_SON_DESK, birth_input, pdf_bytes
from tests.security.test_uploads import everything
from tests.web.test_api_dossiers import new_dossier, token
from tests.web.test_citizen_pages import form_data


@pytest.fixture
def store_dir(app, tmp_path, monkeypatch) -> Path:
    root = tmp_path / "files"
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(root))
    return root


@pytest.fixture
def fresh_counters():
    """Counters start at zero (SQLite gives a later test's account the same id again)."""
    def reset():
        with contextlib.suppress(Exception):
            limiter.limiter.storage.reset()
    reset()
    yield
    reset()


def _draft(citizen):
    return dossiers.start_draft(citizen, catalogue.current_version(BIRTH), TICH_SON_DESK)


# --- open drafts ------------------------------------------------------------------------

def test_a_draft_past_the_accounts_limit_is_refused(app, client, make_user, login, loaded_catalogue, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_OPEN_DRAFTS", 2)
    citizen = login(make_user())
    for _ in range(2):
        assert client.post(f"/thu-tuc/{BIRTH}/nop", data={"agency": TICH_SON_DESK}).status_code == 302
    response = client.post(f"/thu-tuc/{BIRTH}/nop", data={"agency": TICH_SON_DESK})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "2 hồ sơ nháp chưa gửi" in page and "tối đa" in page
    assert db.session.query(Dossier).filter_by(owner_id=citizen.id).count() == 2
    # another account is not affected; a sent draft frees its place
    other = make_user()
    _draft(other)
    mine = db.session.query(Dossier).filter_by(owner_id=citizen.id).first()
    dossiers.save_draft(mine, citizen, birth_input(), mine.lock_version)
    dossiers.submit(mine, citizen)
    assert client.post(f"/thu-tuc/{BIRTH}/nop", data={"agency": TICH_SON_DESK}).status_code == 302


# --- files in a dossier -------------------------------------------------------------------

def test_files_past_the_dossiers_limit_are_refused_through_the_page(app, client, store_dir, make_user, login,
                                                                     loaded_catalogue, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_FILES_PER_DOSSIER", 2)
    citizen = login(make_user())
    dossier = _draft(citizen)
    three = [(BytesIO(pdf_bytes(f"trang {i}")), f"trang-{i}.pdf") for i in range(3)]
    response = client.post(f"/ho-so/{dossier.id}/sua", data=form_data(dossier, save="1", doc_to_khai=three),
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "tối đa 2 tệp" in response.get_data(as_text=True)
    assert db.session.get(Dossier, dossier.id).files == [] and everything(store_dir) == []
    # two fit; one more is then refused, the two stay
    db.session.refresh(dossier)
    two = [(BytesIO(PDF), "to-khai.pdf"), (BytesIO(PNG), "cs.png")]
    data = form_data(dossier, save="1", doc_to_khai=two[:1], doc_giay_chung_sinh=two[1:])
    assert client.post(f"/ho-so/{dossier.id}/sua", data=data, content_type="multipart/form-data").status_code == 302
    db.session.refresh(dossier)
    before = everything(store_dir)
    data = form_data(dossier, save="1", doc_to_khai=(BytesIO(pdf_bytes("them")), "them.pdf"))
    response = client.post(f"/ho-so/{dossier.id}/sua", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and "đang có 2 tệp" in response.get_data(as_text=True)
    assert len(db.session.get(Dossier, dossier.id).files) == 2 and everything(store_dir) == before


def test_files_past_the_dossiers_limit_are_refused_through_the_api(app, client, store_dir, make_user,
                                                                    loaded_catalogue, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_FILES_PER_DOSSIER", 2)
    headers = token(client, make_user())
    extra = [(BytesIO(PDF), "to-khai.pdf"), (BytesIO(pdf_bytes("trang 2")), "trang-2.pdf")]
    response = new_dossier(client, headers, to_khai=extra)
    assert response.status_code == 422 and "tối đa 2 tệp" in response.get_json()["fields"]["documents.to_khai"]
    assert everything(store_dir) == [] and db.session.query(Dossier).count() == 0
    assert new_dossier(client, headers).status_code == 201  # two files: within the limit


def test_the_service_checks_the_count_before_storing(app, store_dir, make_user, loaded_catalogue, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_FILES_PER_DOSSIER", 1)
    citizen = make_user()
    with pytest.raises(dossiers.DossierError) as error:
        dossiers.submit_new(citizen, catalogue.current_version(BIRTH), TICH_SON_DESK, birth_input())
    assert error.value.status == 422 and set(error.value.fields) == {"documents.to_khai", "documents.giay_chung_sinh"}
    assert everything(store_dir) == []


# --- submissions per hour -------------------------------------------------------------------

def test_api_submissions_past_the_accounts_rate_answer_429_and_store_nothing(app, client, store_dir, make_user,
                                                                            loaded_catalogue, monkeypatch,
                                                                            fresh_counters):
    monkeypatch.setitem(app.config, "SUBMIT_RATE_LIMIT", "2 per hour")
    user = make_user()
    headers = token(client, user)
    assert new_dossier(client, headers, giay_chung_sinh=None).status_code == 422  # refused: not counted
    assert [new_dossier(client, headers).status_code for _ in range(2)] == [201, 201]
    before = everything(store_dir)
    refused = new_dossier(client, headers, to_khai=(BytesIO(pdf_bytes("lần ba")), "to-khai.pdf"))
    assert refused.status_code == 429
    body = refused.get_json()
    assert "quá nhiều hồ sơ" in body["error"] and "tối đa 2 hồ sơ mỗi giờ" in body["error"]
    assert everything(store_dir) == before and db.session.query(Dossier).count() == 2
    # the budget is the account's: another one still submits
    assert new_dossier(client, token(client, make_user())).status_code == 201


def test_the_web_form_and_the_api_share_one_budget(app, client, store_dir, make_user, login, loaded_catalogue,
                                                   monkeypatch, fresh_counters):
    monkeypatch.setitem(app.config, "SUBMIT_RATE_LIMIT", "2 per hour")
    citizen = login(make_user())
    headers = token(client, citizen)
    first, second = _draft(citizen), _draft(citizen)
    for dossier in (first, second):
        dossiers.save_draft(dossier, citizen, birth_input(), dossier.lock_version)
    # saving a draft is never limited
    for _ in range(3):
        db.session.refresh(first)
        saved = client.post(f"/ho-so/{first.id}/sua", data=form_data(first, save="1"),
                            content_type="multipart/form-data")
        assert saved.status_code == 302
    db.session.refresh(first)
    sent = client.post(f"/ho-so/{first.id}/nop", data={"lock_version": first.lock_version})   # "Nộp hồ sơ"
    assert sent.status_code == 302 and db.session.get(Dossier, first.id).status == "submitted"
    assert new_dossier(client, headers).status_code == 201
    db.session.refresh(second)
    before = everything(store_dir)
    refused = client.post(f"/ho-so/{second.id}/nop", data={"lock_version": second.lock_version})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "quá nhiều hồ sơ" in page and "chưa được ghi nhận" in page
    assert db.session.get(Dossier, second.id).status == "draft" and everything(store_dir) == before
    # a draft can still be saved
    db.session.refresh(second)
    saved = client.post(f"/ho-so/{second.id}/sua", data=form_data(second, save="1"), content_type="multipart/form-data")
    assert saved.status_code == 302


def test_the_submission_limit_degrades_open_when_its_store_is_down(app, make_user, loaded_catalogue, tmp_path):
    down = create_app({
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "SUBMIT_RATE_LIMIT": "1 per hour", "SERVER_NAME": "localhost",
        "STORAGE_DIR": str(tmp_path / "files"), "OUTBOX_DIR": str(tmp_path / "outbox"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    })
    user = make_user()
    client = down.test_client()
    headers = token(client, user)
    codes = [new_dossier(client, headers, to_khai=(BytesIO(pdf_bytes(str(i))), "to-khai.pdf")).status_code
             for i in range(2)]
    assert codes == [201, 429]  # answered, then limited in the process's memory: never a 500
