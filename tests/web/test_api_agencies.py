"""GET /api/v1/agencies."""
import pytest

from app.services.demo import DemoAgency


def test_agencies_lists_all_with_documented_shape(client):
    items = client.get("/api/v1/agencies").get_json()["items"]
    # 7 province agencies + 9 districts × 6 + 121 communes × 2
    assert len(items) == 7 + 9 * 6 + 121 * 2
    first = items[0]
    assert set(first) == {"code", "name", "kind", "level", "unit", "parent_code"}
    assert first == {
        "code": DemoAgency.PROVINCE, "name": "Ủy ban nhân dân tỉnh Vĩnh Phúc", "kind": "committee",
        "level": "province", "unit": {"code": "26", "name": "Tỉnh Vĩnh Phúc"}, "parent_code": None,
    }


def test_agencies_filter_by_level_kind_and_unit(client):
    items = client.get("/api/v1/agencies?level=commune&kind=one_stop").get_json()["items"]
    assert len(items) == 121
    assert all(i["kind"] == "one_stop" and i["level"] == "commune" for i in items)
    items = client.get("/api/v1/agencies?unit=08707").get_json()["items"]
    assert {i["name"] for i in items} == {"Ủy ban nhân dân phường Tích Sơn", "Bộ phận Một cửa phường Tích Sơn"}
    one_stop = next(i for i in items if i["kind"] == "one_stop")
    assert one_stop["parent_code"] == DemoAgency.TICH_SON
    items = client.get("/api/v1/agencies?level=district&kind=department&unit=243").get_json()["items"]
    assert [i["name"] for i in items] == [
        "Phòng Tư pháp thành phố Vĩnh Yên", "Phòng Quản lý đô thị thành phố Vĩnh Yên",
        "Phòng Tài chính - Kế hoạch thành phố Vĩnh Yên", "Phòng Tài nguyên và Môi trường thành phố Vĩnh Yên",
    ]


def test_agencies_unknown_unit_is_an_empty_list(client):
    assert client.get("/api/v1/agencies?unit=99999").get_json() == {"items": []}


@pytest.mark.parametrize("query, param", [("level=ward", "level"), ("kind=ministry", "kind")])
def test_agencies_bad_filter_is_400_naming_the_parameter(client, query, param):
    response = client.get(f"/api/v1/agencies?{query}")
    assert response.status_code == 400
    assert param in response.get_json()["fields"]
