"""GET and PUT /api/v1/me/notifications (issues 14, 16): the page's choice over the API, by the
same rule (accounts.set_notice_preferences): a citizen's language and channels, a staff
account's language only (channels sent for staff: 422); 401 without a token, 422 on bad input."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.services.demo import DemoAgency

URL = "/api/v1/me/notifications"


def bearer(client, user) -> dict:
    answer = client.post("/api/v1/auth/token", json={"email": user.email, "password": "mat-khau-thu-nghiem"})
    return {"Authorization": f"Bearer {answer.get_json()['token']}"}


def test_without_a_token_is_401(client):
    assert client.get(URL).status_code == 401
    assert client.put(URL, json={"language": "en"}).status_code == 401
    assert client.put(URL, json={"language": "en"}, headers={"Authorization": "Bearer sai"}).status_code == 401


def test_a_citizen_reads_and_changes_the_language_and_channels(client, make_user):
    citizen = make_user()
    auth = bearer(client, citizen)
    assert client.get(URL, headers=auth).get_json() == {"language": "vi", "channels": ["email", "sms"]}
    answer = client.put(URL, json={"language": "en", "channels": ["zalo", "email"]}, headers=auth)
    assert answer.status_code == 200 and answer.get_json() == {"language": "en", "channels": ["email", "zalo"]}
    db.session.refresh(citizen)
    assert (citizen.language, citizen.notify_channels) == ("en", "email,zalo")
    # channels left out are kept as they are
    assert client.put(URL, json={"language": "vi"}, headers=auth).get_json() == {
        "language": "vi", "channels": ["email", "zalo"]}


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"language": "fr", "channels": ["email"]}, "language", "Chọn một ngôn ngữ trong danh sách."),
    ({"channels": ["email"]}, "language", "Chọn một ngôn ngữ trong danh sách."),
    ({"language": "vi", "channels": []}, "channels", "Chọn ít nhất một cách nhận thông báo."),
    ({"language": "vi", "channels": ["email", "fax"]}, "channels", "Chọn trong các cách nhận thông báo được liệt kê."),
])
def test_bad_input_is_422_naming_the_field_and_nothing_changes(client, make_user, body, field, message):
    citizen = make_user()
    answer = client.put(URL, json=body, headers=bearer(client, citizen))
    assert answer.status_code == 422 and answer.get_json()["fields"] == {field: message}
    db.session.refresh(citizen)
    assert (citizen.language, citizen.notify_channels) == ("vi", "email,sms")


def test_the_refusal_is_in_the_requests_language(client, make_user):
    answer = client.put(f"{URL}?lang=en", json={"language": "vi", "channels": []}, headers=bearer(client, make_user()))
    assert answer.status_code == 422
    assert answer.get_json()["fields"]["channels"] == "Choose at least one way to be notified."


def test_a_body_of_the_wrong_shape_is_refused_as_the_api_refuses_any(client, make_user):
    answer = client.put(URL, json={"language": 5}, headers=bearer(client, make_user()))
    assert answer.status_code == 400 and "language" in answer.get_json()["fields"]


def test_staff_choose_the_language_only(client, make_user):
    staff = make_user("reception", DemoAgency.TICH_SON_DESK)
    auth = bearer(client, staff)
    assert client.get(URL, headers=auth).get_json() == {"language": "vi", "channels": None}
    answer = client.put(URL, json={"language": "en"}, headers=auth)
    assert answer.status_code == 200 and answer.get_json() == {"language": "en", "channels": None}
    refused = client.put(URL, json={"language": "vi", "channels": ["email"]}, headers=auth)
    assert refused.status_code == 422 and "channels" in refused.get_json()["fields"]
    db.session.refresh(staff)
    assert (staff.language, staff.notify_channels) == ("en", "email,sms")


def test_the_contract_declares_both_methods(client):
    path = client.get("/api/v1/openapi.json").get_json()["paths"][URL]
    assert set(path) == {"get", "put"} and path["put"]["security"] == [{"bearer": []}]
    assert {"200", "401", "422"} <= set(path["put"]["responses"])
