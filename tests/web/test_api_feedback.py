"""/api/v1/feedback: send, follow, the agency's steps, rating, the published answers; the wrong
user (403), a missing feedback (404), bad input (400/422), no token (401)."""
import pytest

from app.services.demo import DemoAgency
from tests.factories import BIRTH, birth_in, tich_son
from tests.web.test_api_dossiers import token

pytestmark = pytest.mark.usefixtures("loaded_catalogue")

NEW = {"category": "procedure", "subject": "procedure", "procedure": BIRTH, "title": "Thời hạn khai sinh",
       "text": "Thời hạn giải quyết ghi trên cổng khác với thời hạn niêm yết tại bộ phận một cửa."}


def test_feedback_from_sending_to_the_published_answer(client, make_user):
    citizen, officer = make_user(), make_user("specialist", DemoAgency.PROVINCE)
    mine, staff = token(client, citizen), token(client, officer)
    sent = client.post("/api/v1/feedback", json=NEW, headers=mine)
    assert sent.status_code == 201, sent.get_json()
    item = sent.get_json()
    assert item["status"] == "received" and item["agency"] == DemoAgency.PROVINCE
    assert item["due"]["answer"] and item["available_actions"] == []
    path = f"/api/v1/feedback/{item['id']}"
    seen = client.get(path, headers=staff).get_json()
    assert set(seen["available_actions"]) == {"accept", "refuse", "ask_info", "forward"}
    assert client.post(f"{path}/actions/accept", json={}, headers=staff).status_code == 200
    asked = client.post(f"{path}/actions/ask_info", json={"text": "Cho biết ngày nộp hồ sơ."}, headers=staff)
    assert asked.get_json()["status"] == "info_requested"
    assert client.get(path, headers=mine).get_json()["available_actions"] == ["provide_info"]
    provided = client.post(f"{path}/actions/provide_info", json={"text": "Ngày 20/4/2026."}, headers=mine)
    assert provided.status_code == 200
    client.post(f"{path}/actions/answer", json={"text": "Thời hạn đúng là 03 ngày làm việc."}, headers=staff)
    published = client.post(f"{path}/actions/publish", json={"text": "Thời hạn đúng là 03 ngày làm việc."},
                            headers=staff)
    assert published.get_json()["status"] == "published"
    rated = client.post(f"{path}/rating", json={"value": "satisfied"}, headers=mine)
    assert rated.status_code == 200 and rated.get_json()["rating"] == "satisfied"
    public = client.get("/api/v1/feedback?published=1&q=ngày").get_json()
    assert public["total"] == 1 and public["items"][0]["answer"] == "Thời hạn đúng là 03 ngày làm việc."
    assert "sender" not in public["items"][0]
    assert client.get("/api/v1/feedback", headers=mine).get_json()["total"] == 1


def test_feedback_on_a_dossier_names_it_by_code(client, make_user):
    office = tich_son(make_user)
    dossier = birth_in("accepted", office)
    body = {**NEW, "subject": "dossier", "category": "conduct", "dossier": dossier.code}
    sent = client.post("/api/v1/feedback", json=body, headers=token(client, office.citizen))
    assert sent.status_code == 201 and sent.get_json()["agency"] == dossier.receiving_agency.code
    other = client.post("/api/v1/feedback", json=body, headers=token(client, make_user()))
    assert other.status_code == 403
    unknown = client.post("/api/v1/feedback", json={**body, "dossier": "000.00.00.H62-999999-0001"},
                          headers=token(client, office.citizen))
    assert unknown.status_code == 422 and "dossier" in unknown.get_json()["fields"]
    english = client.post("/api/v1/feedback", json={**body, "dossier": "000.00.00.H62-999999-0001"},
                          headers={**token(client, office.citizen), "Accept-Language": "en"}).get_json()
    assert english["fields"]["dossier"] == "There is no application with number 000.00.00.H62-999999-0001"


def test_bad_input_and_missing_tokens(client, make_user):
    headers = token(client, make_user())
    assert client.post("/api/v1/feedback", json=NEW).status_code == 401
    assert client.get("/api/v1/feedback").status_code == 401
    assert client.post("/api/v1/feedback", json={**NEW, "category": "x"}, headers=headers).status_code == 400
    short = client.post("/api/v1/feedback", json={**NEW, "text": "ngắn"}, headers=headers)
    assert short.status_code == 422 and "text" in short.get_json()["fields"]


def test_the_wrong_user_and_a_missing_feedback(client, make_user):
    sent = client.post("/api/v1/feedback", json=NEW, headers=token(client, make_user())).get_json()
    path = f"/api/v1/feedback/{sent['id']}"
    stranger, outsider = token(client, make_user()), token(client, make_user("specialist", DemoAgency.VINH_YEN))
    assert client.get(path, headers=stranger).status_code == 403
    assert client.post(f"{path}/actions/accept", json={}, headers=outsider).status_code == 403
    assert client.post(f"{path}/rating", json={"value": "satisfied"}, headers=stranger).status_code == 403
    staff = token(client, make_user("specialist", DemoAgency.PROVINCE))
    assert client.get("/api/v1/feedback/987654", headers=staff).status_code == 404
    assert client.post("/api/v1/feedback/987654/actions/accept", json={}, headers=staff).status_code == 404
    assert client.post(f"{path}/actions/nonsense", json={}, headers=staff).status_code == 404
    early = client.post(f"{path}/actions/publish", json={"text": "Công khai sớm."}, headers=staff)
    assert early.status_code == 409


def test_forwarding_by_agency_code(client, make_user):
    sent = client.post("/api/v1/feedback", json=NEW, headers=token(client, make_user())).get_json()
    staff = token(client, make_user("specialist", DemoAgency.PROVINCE))
    path = f"/api/v1/feedback/{sent['id']}/actions/forward"
    assert client.post(path, json={"to_agency": "nope"}, headers=staff).status_code == 422
    moved = client.post(path, json={"to_agency": DemoAgency.VINH_YEN}, headers=staff)
    assert moved.status_code == 200 and moved.get_json()["agency"] == DemoAgency.VINH_YEN
    assert client.get(f"/api/v1/feedback/{sent['id']}", headers=staff).status_code == 403
