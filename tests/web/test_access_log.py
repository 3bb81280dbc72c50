"""Who looked at my dossier (issue 13): officials' openings of a citizen's dossier, its files
and documents are recorded, and the applicant reads them on their page and through the API."""
from __future__ import annotations

from app.extensions import db
from app.models import DossierAccess
from app.services import dossiers
from tests.factories import TICH_SON_DESK, submitted_birth
from tests.web.test_api_dossiers import token


def test_the_desk_opening_the_dossier_a_file_and_a_document_is_shown_to_the_applicant(
        client, make_user, login, loaded_catalogue, run_jobs):
    citizen, desk = make_user(), make_user("reception", TICH_SON_DESK)
    dossier = dossiers.accept(submitted_birth(citizen), desk)
    run_jobs()   # the receipt's PDF (with REDIS_URL, rendered by the worker)
    login(desk)
    assert client.get(f"/mot-cua/ho-so/{dossier.id}").status_code == 200
    file = dossier.files[0]
    assert client.get(f"/mot-cua/ho-so/{dossier.id}/tep/{file.id}").status_code == 200
    receipt = next(d for d in dossier.documents if d.kind == "receipt")
    assert client.get(f"/mot-cua/ho-so/{dossier.id}/van-ban/{receipt.id}").status_code == 200
    assert [(a.what, a.object_id, a.user_name) for a in db.session.scalars(
        db.select(DossierAccess).order_by(DossierAccess.id))] == [
        ("dossier", None, desk.full_name), ("file", file.id, desk.full_name), ("document", receipt.id, desk.full_name)]

    login(citizen)   # the applicant's own views are not recorded, and they see the officials'
    page = client.get(f"/ho-so/{dossier.id}").get_data(as_text=True)
    assert client.get(f"/ho-so/{dossier.id}/tep/{file.id}").status_code == 200
    assert "Cán bộ đã xem hồ sơ" in page and desk.full_name in page
    assert "Bộ phận Một cửa phường Tích Sơn" in page and "Mở giấy tờ đã nộp" in page
    assert db.session.query(DossierAccess).count() == 3

    answer = client.get(f"/api/v1/dossiers/{dossier.code}/access-log", headers=token(client, citizen))
    assert answer.status_code == 200
    assert [(a["what"], a["official"], a["agency"]) for a in answer.get_json()] == [
        ("document", desk.full_name, "Bộ phận Một cửa phường Tích Sơn"),
        ("file", desk.full_name, "Bộ phận Một cửa phường Tích Sơn"),
        ("dossier", desk.full_name, "Bộ phận Một cửa phường Tích Sơn")]


def test_an_official_reading_through_the_api_is_recorded_too(client, make_user, loaded_catalogue):
    citizen, desk = make_user(), make_user("reception", TICH_SON_DESK)
    dossier = submitted_birth(citizen)
    assert client.get(f"/api/v1/dossiers/{dossier.reference}", headers=token(client, desk)).status_code == 200
    assert client.get(f"/api/v1/dossiers/{dossier.reference}", headers=token(client, citizen)).status_code == 200
    assert [(a.what, a.user_id) for a in db.session.scalars(db.select(DossierAccess))] == [("dossier", desk.id)]


def test_a_citizen_with_no_visits_sees_an_empty_state(client, make_user, login, loaded_catalogue):
    citizen = make_user()
    dossier = submitted_birth(citizen)
    login(citizen)
    assert "Chưa có cán bộ nào mở hồ sơ này." in client.get(f"/ho-so/{dossier.id}").get_data(as_text=True)


def test_the_access_log_answers_404_to_others_and_for_a_missing_dossier(client, make_user, loaded_catalogue):
    dossier = submitted_birth(make_user())
    stranger = token(client, make_user())
    other_desk = token(client, make_user("reception", "001.11.21.H62"))   # Liên Bảo's desk
    for headers in (stranger, other_desk):
        assert client.get(f"/api/v1/dossiers/{dossier.reference}/access-log", headers=headers).status_code == 404
    assert client.get("/api/v1/dossiers/001.10.21.H62-270201-9999/access-log", headers=stranger).status_code == 404
    assert client.get(f"/api/v1/dossiers/{dossier.reference}/access-log").status_code == 401
