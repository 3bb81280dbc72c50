"""An object store that does not answer (STORAGE_URL set, nothing listening) costs the user a
clear 503 with nothing half-kept, never a 500."""
import pytest

from app.extensions import db
from tests.factories import birth_in, tich_son, upload

pytestmark = pytest.mark.usefixtures("loaded_catalogue")


def test_an_upload_while_the_object_store_is_down_is_a_503_and_keeps_nothing(app, client, login, make_user,
                                                                              monkeypatch):
    office = tich_son(make_user)
    draft = birth_in("draft", office)
    files_before = len(draft.files)
    monkeypatch.setitem(app.config, "STORAGE_URL", "s3://mot-cua/tep")
    monkeypatch.setitem(app.config, "STORAGE_S3_ENDPOINT", "http://127.0.0.1:9")   # nothing listens there
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-only")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-only")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setitem(app.extensions, "storage_backends", {})
    login(office.citizen)
    answer = client.post(f"/ho-so/{draft.id}/sua", data={
        "lock_version": draft.lock_version, "delivery": "counter",
        "doc_giay_chung_sinh": upload(name="giay-chung-sinh.pdf")}, content_type="multipart/form-data")
    assert answer.status_code == 503
    assert "Kho lưu trữ tệp tạm thời không truy cập được" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert len(draft.files) == files_before
