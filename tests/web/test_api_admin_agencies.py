"""/api/v1/admin/agencies: the agencies' administration over the API (issue 13)."""
import pytest

from app.extensions import db
from app.models import AdminAuditEntry
from app.services.demo import DemoAgency
from app.services.structure import agency_by_code
from tests.factories import birth_in, tich_son

pytestmark = pytest.mark.usefixtures("structure_changes")

NEW_DESK = {"code": "002.10.21.H62", "name": "Điểm tiếp nhận phường Tích Sơn", "kind": "one_stop",
            "unit_code": "08707", "parent_code": DemoAgency.TICH_SON}


def bearer(client, user) -> dict:
    answer = client.post("/api/v1/auth/token", json={"email": user.email, "password": "mat-khau-thu-nghiem"})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


@pytest.fixture
def province(client, make_user):
    return bearer(client, make_user("admin", DemoAgency.PROVINCE))


def test_no_token_is_401_and_wrong_role_403(client, make_user):
    assert client.get("/api/v1/admin/agencies").status_code == 401
    staff = bearer(client, make_user("reception", DemoAgency.TICH_SON_DESK))
    desk = agency_by_code(DemoAgency.TICH_SON_DESK).id
    assert client.get("/api/v1/admin/agencies", headers=staff).status_code == 403
    assert client.post("/api/v1/admin/agencies", json=NEW_DESK, headers=staff).status_code == 403
    assert client.patch(f"/api/v1/admin/agencies/{desk}", json={"name": "X"}, headers=staff).status_code == 403
    assert client.post(f"/api/v1/admin/agencies/{desk}/retire", json={}, headers=staff).status_code == 403
    answer = client.post("/api/v1/admin/agencies/merge-communes", headers=staff, json={
        "unit_codes": ["08707", "08710"], "code": "99901", "name": "Phường Mới", "committee_code": "000.40.21.H62",
        "desk_code": "001.40.21.H62", "on": "2025-07-01"})
    assert answer.status_code == 403 and agency_by_code("000.40.21.H62") is None


def test_an_agency_administrator_lists_and_changes_only_below_theirs(client, make_user):
    city = bearer(client, make_user("admin", DemoAgency.VINH_YEN))
    codes = {a["code"] for a in client.get("/api/v1/admin/agencies", headers=city).get_json()["items"]}
    assert DemoAgency.TICH_SON_DESK in codes and DemoAgency.BINH_XUYEN not in codes
    other = agency_by_code(DemoAgency.BINH_XUYEN).id
    assert client.get(f"/api/v1/admin/agencies/{other}", headers=city).status_code == 403
    assert client.patch(f"/api/v1/admin/agencies/{other}", json={"name": "X"}, headers=city).status_code == 403
    assert client.post("/api/v1/admin/agencies", json=NEW_DESK, headers=city).status_code == 201
    answer = client.post("/api/v1/admin/agencies/transfer-competence", headers=city,
                         json={"district_code": "243", "target_code": "26", "on": "2025-07-01"})
    assert answer.status_code == 403


def test_missing_agency_is_404(client, province):
    assert client.get("/api/v1/admin/agencies/999999", headers=province).status_code == 404
    assert client.patch("/api/v1/admin/agencies/999999", json={"name": "X"}, headers=province).status_code == 404
    assert client.post("/api/v1/admin/agencies/999999/retire", json={}, headers=province).status_code == 404


def test_province_admin_creates_renames_and_searches(client, province):
    answer = client.post("/api/v1/admin/agencies", json=NEW_DESK, headers=province)
    assert answer.status_code == 201
    created = answer.get_json()
    assert created["code"] == NEW_DESK["code"] and created["parent_code"] == DemoAgency.TICH_SON
    answer = client.patch(f"/api/v1/admin/agencies/{created['id']}", headers=province,
                          json={"name": "Điểm tiếp nhận số 2", "valid_from": "2027-01-01"})
    assert answer.status_code == 200
    assert (answer.get_json()["name"], answer.get_json()["valid_from"]) == ("Điểm tiếp nhận số 2", "2027-01-01")
    found = client.get("/api/v1/admin/agencies?q=số 2", headers=province).get_json()["items"]
    assert [a["code"] for a in found] == [NEW_DESK["code"]]
    actions = [e.action for e in db.session.query(AdminAuditEntry).order_by(AdminAuditEntry.id)]
    assert actions == ["agency.create", "agency.update"]


@pytest.mark.parametrize("body, status, field_name, words", [
    ({**NEW_DESK, "code": "002.11.21.H62"}, 422, "code", "giữ phần mã"),
    ({**NEW_DESK, "kind": "bureau"}, 400, "kind", "Giá trị phải là một trong"),
    ({**NEW_DESK, "valid_from": "01/01/2027"}, 400, "valid_from", "Ngày dạng YYYY-MM-DD"),
    ({k: v for k, v in NEW_DESK.items() if k != "name"}, 400, "name", "Bắt buộc"),
])
def test_bad_input_is_refused_with_vietnamese_messages(client, province, body, status, field_name, words):
    answer = client.post("/api/v1/admin/agencies", json=body, headers=province)
    assert answer.status_code == status
    assert words in answer.get_json()["fields"][field_name]
    assert agency_by_code(NEW_DESK["code"]) is None


def test_retire_needs_a_successor_for_open_dossiers(client, make_user, province, loaded_catalogue):
    waiting = birth_in("submitted", tich_son(make_user))
    desk = agency_by_code(DemoAgency.TICH_SON_DESK).id
    answer = client.post(f"/api/v1/admin/agencies/{desk}/retire", json={}, headers=province)
    assert answer.status_code == 409 and "successor" in answer.get_json()["fields"]
    answer = client.post(f"/api/v1/admin/agencies/{desk}/retire", json={"successor_code": "001.99.21.H62"},
                         headers=province)
    assert answer.status_code == 422
    assert answer.get_json()["fields"] == {"successor_code": "Không có cơ quan mã 001.99.21.H62."}
    answer = client.post(f"/api/v1/admin/agencies/{desk}/retire?lang=en", json={"successor_code": "001.99.21.H62"},
                         headers=province)
    assert answer.get_json()["fields"] == {"successor_code": "There is no agency with code 001.99.21.H62."}
    answer = client.post(f"/api/v1/admin/agencies/{desk}/retire", json={"successor_code": DemoAgency.LIEN_BAO_DESK},
                         headers=province)
    assert answer.status_code == 200
    assert answer.get_json() == {"agency_code": DemoAgency.TICH_SON_DESK, "successor_code": DemoAgency.LIEN_BAO_DESK,
                                 "dossiers": [waiting.reference], "steps": 0,
                                 "assignees_kept": [], "assignees_cleared": []}
    shown = client.get(f"/api/v1/admin/agencies/{desk}", headers=province).get_json()
    assert shown["successor_code"] == DemoAgency.LIEN_BAO_DESK and shown["retired_at"]
    public = {a["code"] for a in client.get("/api/v1/agencies").get_json()["items"]}
    assert DemoAgency.TICH_SON_DESK not in public  # the public list shows the agencies serving now


def test_merge_and_transfer_over_the_api(client, province):
    answer = client.post("/api/v1/admin/agencies/merge-communes", headers=province, json={
        "unit_codes": ["08707", "08710"], "code": "99901", "name": "Phường Vĩnh Yên Mới",
        "committee_code": "000.40.21.H62", "desk_code": "001.40.21.H62", "on": "2025-07-01"})
    assert answer.status_code == 201
    assert [a["code"] for a in answer.get_json()["agencies"]] == ["000.40.21.H62", "001.40.21.H62"]
    bad = client.post("/api/v1/admin/agencies/transfer-competence", headers=province,
                      json={"district_code": "08707", "target_code": "26", "on": "2025-07-01"})
    assert bad.status_code == 422 and "district_code" in bad.get_json()["fields"]
    answer = client.post("/api/v1/admin/agencies/transfer-competence", headers=province,
                         json={"district_code": "243", "target_code": "26", "on": "2025-07-01"})
    assert answer.status_code == 200
    moved = {h["agency_code"]: h["successor_code"] for h in answer.get_json()["items"]}
    assert moved[DemoAgency.VINH_YEN_DESK] == DemoAgency.CENTRE
