"""/api/v1/admin/procedures: the catalogue's administration with a Bearer token (issue 13)."""
import pytest

from app.models import ProcedureVersion
from app.services import catalogue
from app.services.demo import DemoAgency
from tests.factories import BIRTH
from tests.services.test_procedure_admin import LONGER_NAME, NO_REQUIRED, birth_text
from tests.web.test_api_dossiers import token

URL = "/api/v1/admin/procedures"
YAML = {"Content-Type": "application/yaml"}


@pytest.fixture
def province(client, make_user, loaded_catalogue):
    return token(client, make_user("admin", DemoAgency.PROVINCE))


def post(client, headers, text, query="", content_type="application/yaml"):
    return client.post(f"{URL}{query}", data=text.encode(), headers={**headers, "Content-Type": content_type})


def test_without_a_token_401(client, loaded_catalogue):
    assert post(client, {}, birth_text()).status_code == 401
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize("role, agency", [(None, None), ("admin", DemoAgency.TICH_SON_DESK),
                                          ("reception", DemoAgency.CENTRE)])
def test_wrong_role_403(client, make_user, loaded_catalogue, role, agency):
    headers = token(client, make_user(role, agency))
    assert post(client, headers, birth_text(**LONGER_NAME), "?publish=1").status_code == 403
    assert client.get(URL, headers=headers).status_code == 403
    assert catalogue.current_version(BIRTH).number == 1


def test_check_only_returns_the_changes_and_publishes_nothing(client, province):
    response = post(client, province, birth_text(**LONGER_NAME))
    assert response.status_code == 200
    body = response.get_json()
    assert body["code"] == BIRTH and body["published"] is False and body["version"] == 1 and not body["new"]
    assert body["changes"] == [{"section": "field", "path": "name.vi", "kind": "changed",
                                "before": "Thủ tục đăng ký khai sinh", "after": "Thủ tục đăng ký khai sinh (sửa đổi)"}]
    assert catalogue.current_version(BIRTH).number == 1


def test_publish_creates_a_version_once(client, province):
    response = post(client, province, birth_text(**LONGER_NAME), "?publish=1", "text/yaml")
    assert response.status_code == 201 and response.get_json()["version"] == 2
    again = post(client, province, birth_text(**LONGER_NAME), "?publish=1")
    assert again.status_code == 200 and again.get_json()["published"] is False and again.get_json()["changes"] == []
    assert ProcedureVersion.query.filter_by(code=BIRTH).count() == 2
    listed = client.get(URL, headers=province, query_string={"q": "khai sinh"}).get_json()
    assert {"code": BIRTH, "name": "Thủ tục đăng ký khai sinh (sửa đổi)", "version": 2,
            "managed_in_portal": True} in listed["items"]


def test_bad_yaml_is_422_with_the_field_path(client, province):
    response = post(client, province, birth_text(**NO_REQUIRED), "?publish=1")
    assert response.status_code == 422
    assert "Thiếu trường bắt buộc" in response.get_json()["fields"]["documents[0].required"]
    broken = post(client, province, "code: [", "?publish=1")
    assert broken.status_code == 422 and "YAML không hợp lệ" in broken.get_json()["fields"]["(yaml)"]
    assert catalogue.current_version(BIRTH).number == 1


def test_editing_a_code_keeps_it_and_a_missing_code_is_a_new_procedure(client, province):
    other = post(client, province, birth_text(), "?code=1.000656")
    assert other.status_code == 422 and "code" in other.get_json()["fields"]
    new = post(client, province, birth_text(**{'code: "1.001193"': 'code: "1.999999"'}), "?publish=1")
    assert new.status_code == 201 and new.get_json()["new"] is True


def test_a_body_that_is_not_yaml_is_415(client, province):
    response = client.post(URL, json={"code": BIRTH}, headers=province)
    assert response.status_code == 415 and "YAML" in response.get_json()["error"]


def test_a_bad_query_parameter_is_400(client, province):
    assert post(client, province, birth_text(), "?publish=maybe").status_code == 400


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    operation = paths["/api/v1/admin/procedures"]["post"]
    assert {"201", "422", "403"} <= set(operation["responses"]) and "publish" in str(operation["parameters"])
    assert "get" in paths["/api/v1/admin/procedures"]


def test_the_problems_answer_in_the_language_asked_for(client, province):
    text = birth_text(**NO_REQUIRED)
    vietnamese = post(client, province, text).get_json()
    assert vietnamese["error"] == "Thủ tục chưa hợp lệ"
    english = post(client, {**province, "Accept-Language": "en"}, text)
    assert english.status_code == 422
    assert english.get_json()["error"] == "The procedure is not valid"
    assert english.get_json()["fields"]["documents[0].required"] == "A required field is missing."
