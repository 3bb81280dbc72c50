"""/api/v1/admin/users and /api/v1/admin/audit (issue 13): the staff administration API."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.models import AdminAuditEntry, OutboxMessage, User
from app.services.demo import DemoAgency
from tests.web.test_api_dossiers import token

INVITATION = {"email": "api.moi@motcua.example", "full_name": "Hà Văn Mới",
              "memberships": [{"agency": DemoAgency.TICH_SON_DESK, "role": "reception"}]}


@pytest.fixture
def province(client, make_user):
    return token(client, make_user("admin", DemoAgency.PROVINCE))


@pytest.fixture
def city(client, make_user):
    return token(client, make_user("admin", DemoAgency.VINH_YEN))


ROUTES = [("get", "/api/v1/admin/users", None), ("post", "/api/v1/admin/users", INVITATION),
          ("post", "/api/v1/admin/users/{id}/deactivate", None), ("post", "/api/v1/admin/users/{id}/reactivate", None),
          ("put", "/api/v1/admin/users/{id}/memberships", {"memberships": []}), ("get", "/api/v1/admin/audit", None)]


@pytest.mark.parametrize("method, path, body", ROUTES)
def test_without_a_token_401_and_for_staff_403(client, make_user, method, path, body):
    official = make_user("specialist", DemoAgency.TICH_SON)
    url = path.format(id=official.id)
    assert getattr(client, method)(url, json=body).status_code == 401
    headers = token(client, make_user("reception", DemoAgency.TICH_SON_DESK))
    assert getattr(client, method)(url, json=body, headers=headers).status_code == 403
    assert db.session.get(User, official.id).active and AdminAuditEntry.query.count() == 0


@pytest.mark.parametrize("method, path, body", [r for r in ROUTES if "{id}" in r[1]])
def test_an_unknown_account_is_404(client, province, method, path, body):
    response = getattr(client, method)(path.format(id=999999), json=body, headers=province)
    assert response.status_code == 404 and response.get_json()["error"]


def test_an_invitation_with_a_bad_address_is_422(client, province):
    response = client.post("/api/v1/admin/users", json=INVITATION | {"email": "khong-phai-email"}, headers=province)
    assert response.status_code == 422 and "email" in response.get_json()["fields"]
    blank = client.post("/api/v1/admin/users", json=INVITATION | {"full_name": "   "}, headers=province)
    assert blank.status_code == 422 and "full_name" in blank.get_json()["fields"]
    assert User.query.filter_by(email="khong-phai-email").count() == 0


def test_invite_list_and_roles(client, province):
    response = client.post("/api/v1/admin/users", json=INVITATION, headers=province)
    assert response.status_code == 201
    created = response.get_json()
    assert created["active"] and created["memberships"] == INVITATION["memberships"]
    assert OutboxMessage.query.filter_by(recipient="api.moi@motcua.example").count() == 1
    again = client.post("/api/v1/admin/users", json=INVITATION, headers=province)
    assert again.status_code == 409 and "email" in again.get_json()["fields"]

    listed = client.get("/api/v1/admin/users?q=api.moi&role=reception&active=true", headers=province).get_json()
    assert [u["id"] for u in listed["items"]] == [created["id"]] and listed["total"] == 1
    assert client.get("/api/v1/admin/users?agency=000.99.99.H62", headers=province).status_code == 404
    assert client.get("/api/v1/admin/users?role=chef", headers=province).status_code == 400

    roles = [{"agency": DemoAgency.TICH_SON_DESK, "role": "reception"},
             {"agency": DemoAgency.TICH_SON, "role": "leader"}]
    response = client.put(f"/api/v1/admin/users/{created['id']}/memberships", json={"memberships": roles},
                          headers=province)
    assert response.status_code == 200 and sorted(response.get_json()["memberships"], key=str) == sorted(roles, key=str)
    empty = client.put(f"/api/v1/admin/users/{created['id']}/memberships", json={"memberships": []}, headers=province)
    assert empty.status_code == 422
    unknown = client.put(f"/api/v1/admin/users/{created['id']}/memberships",
                         json={"memberships": [{"agency": "000.99.99.H62", "role": "leader"}]}, headers=province)
    assert unknown.status_code == 422 and "memberships" in unknown.get_json()["fields"]


@pytest.mark.parametrize("body", [{}, {"email": "x@motcua.example", "full_name": "X", "memberships": []},
                                  {"email": "x@motcua.example", "full_name": "X",
                                   "memberships": [{"agency": DemoAgency.CENTRE, "role": "chef"}]}])
def test_a_malformed_invitation_is_400(client, province, body):
    response = client.post("/api/v1/admin/users", json=body, headers=province)
    assert response.status_code == 400 and response.get_json()["fields"]


def test_a_deactivated_officials_token_is_refused_at_once(client, province, make_user):
    official = make_user("reception", DemoAgency.TICH_SON_DESK)
    theirs = token(client, official)
    assert client.get("/api/v1/worklist", headers=theirs).status_code == 200
    response = client.post(f"/api/v1/admin/users/{official.id}/deactivate", headers=province)
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert client.get("/api/v1/worklist", headers=theirs).status_code == 401
    assert client.post("/api/v1/auth/token", json={"email": official.email,
                                                   "password": "mat-khau-thu-nghiem"}).status_code == 401
    assert client.post(f"/api/v1/admin/users/{official.id}/reactivate", headers=province).get_json()["active"]
    assert client.post("/api/v1/auth/token", json={"email": official.email,
                                                   "password": "mat-khau-thu-nghiem"}).status_code == 200


def test_an_agency_administrator_is_403_on_another_agencys_staff(client, city, make_user):
    other = make_user("reception", DemoAgency.BINH_XUYEN)
    ward = make_user("reception", DemoAgency.TICH_SON_DESK)
    assert client.post(f"/api/v1/admin/users/{other.id}/deactivate", headers=city).status_code == 403
    assert client.put(f"/api/v1/admin/users/{other.id}/memberships", headers=city, json={
        "memberships": [{"agency": DemoAgency.BINH_XUYEN, "role": "leader"}]}).status_code == 403
    invite = client.post("/api/v1/admin/users", headers=city, json=INVITATION | {
        "memberships": [{"agency": DemoAgency.BINH_XUYEN, "role": "reception"}]})
    assert invite.status_code == 403
    assert client.get(f"/api/v1/admin/users?agency={DemoAgency.BINH_XUYEN}", headers=city).status_code == 403
    assert [u["id"] for u in client.get("/api/v1/admin/users?role=reception", headers=city).get_json()["items"]] == [
        ward.id]
    assert db.session.get(User, other.id).active


def test_the_audit_log_with_filters_and_scope(client, province, city, make_user):
    ward = make_user("reception", DemoAgency.TICH_SON_DESK)
    other = make_user("reception", DemoAgency.BINH_XUYEN)
    for user in (ward, other):
        client.post(f"/api/v1/admin/users/{user.id}/deactivate", headers=province)
    log = client.get("/api/v1/admin/audit?action=user.&target_type=user", headers=province).get_json()
    assert {e["target_id"] for e in log["items"]} == {str(ward.id), str(other.id)} and log["total"] == 2
    entry = log["items"][0]
    assert entry["before"] == {"active": True} and entry["after"] == {"active": False} and entry["actor_name"]
    narrowed = client.get(f"/api/v1/admin/audit?agency={DemoAgency.BINH_XUYEN}&from=2020-01-01&to=2099-12-31",
                          headers=province).get_json()
    assert [e["target_id"] for e in narrowed["items"]] == [str(other.id)]
    assert client.get("/api/v1/admin/audit?from=2020-01-02&to=2020-01-01", headers=province).status_code == 400
    assert client.get("/api/v1/admin/audit?from=02/01/2020", headers=province).status_code == 400
    assert client.get("/api/v1/admin/audit?to=9999-12-31", headers=province).get_json()["fields"] == {
        "to": "Ngày phải trong khoảng 01/01/2000 – 31/12/2100."}
    assert client.get("/api/v1/admin/audit?agency=000.99.99.H62", headers=province).status_code == 404
    scoped = client.get("/api/v1/admin/audit", headers=city).get_json()
    assert [e["target_id"] for e in scoped["items"]] == [str(ward.id)]


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/admin/users", "/api/v1/admin/users/{user_id}/deactivate",
                 "/api/v1/admin/users/{user_id}/reactivate", "/api/v1/admin/users/{user_id}/memberships",
                 "/api/v1/admin/audit"):
        assert path in paths, path
