"""/api/v1/procedures: list, detail, due date."""
import pytest


def test_list_shape_and_total(client, loaded_catalogue):
    body = client.get("/api/v1/procedures?per_page=5").get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    assert body["page"] == 1 and body["per_page"] == 5 and len(body["items"]) == 5
    assert body["total"] == len(loaded_catalogue.published)
    assert set(body["items"][0]) == {"code", "name", "field", "level", "online", "processing_time", "fees"}


def test_list_search_and_filters(client, loaded_catalogue):
    body = client.get("/api/v1/procedures?q=giay+phep+xay+dung").get_json()
    assert [i["code"] for i in body["items"]] == ["1.009994"]
    item = body["items"][0]
    assert item["processing_time"] == {"value": 15, "unit": "calendar_days"}
    assert item["fees"][0]["amount"] == 75000
    body = client.get("/api/v1/procedures?level=province&online=partial&per_page=100").get_json()
    assert all(i["level"] == "province" and i["online"] == "partial" for i in body["items"])


@pytest.mark.parametrize("query, param", [
    ("level=ward", "level"), ("online=yes", "online"), ("page=0", "page"), ("page=x", "page"),
    ("per_page=1000", "per_page"),
])
def test_list_bad_parameter_is_400_naming_it(client, loaded_catalogue, query, param):
    response = client.get(f"/api/v1/procedures?{query}")
    assert response.status_code == 400
    assert param in response.get_json()["fields"]


def test_detail_has_documents_form_process_version(client, loaded_catalogue):
    body = client.get("/api/v1/procedures/1.009994").get_json()
    for key in ("code", "name", "field", "level", "online", "processing_time", "fees",
                "documents", "form", "process", "version", "legal_basis", "result"):
        assert key in body
    assert body["version"] == 1
    assert body["documents"][0]["key"] == "don_de_nghi"
    assert body["process"][0]["role"] == "reception"


def test_detail_unknown_code_is_404_json(client, loaded_catalogue):
    response = client.get("/api/v1/procedures/9.999999")
    assert response.status_code == 404 and "9.999999" in response.get_json()["error"]
    assert client.get("/api/v1/procedures/9.999999/due-date?received_at=2027-02-01T09:00:00%2B07:00").status_code == 404


@pytest.mark.parametrize("received_at, due_at", [
    # 10 working days after Mon 1 Feb 2027 09:00 (1.004227): Feb 2, 3, (Tết 4–10 Feb off) 11, 12,
    # 15–19 are the 1st–9th; Mon 22 Feb is the 10th.
    ("2027-02-01T09:00:00+07:00", "2027-02-22T17:00:00+07:00"),
    # The same instant in UTC.
    ("2027-02-01T02:00:00Z", "2027-02-22T17:00:00+07:00"),
    # After the 15:00 cut-off (08:30Z = 15:30 in Vietnam): counted from Tue 2 Feb, one day later.
    ("2027-02-01T15:30:00+07:00", "2027-02-23T17:00:00+07:00"),
    ("2027-02-01T08:30:00Z", "2027-02-23T17:00:00+07:00"),
])
def test_due_date_counts_working_days_over_tet_2027(client, loaded_catalogue, received_at, due_at):
    response = client.get("/api/v1/procedures/1.004227/due-date", query_string={"received_at": received_at})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["due_at"] == due_at


def test_due_date_counts_calendar_days_where_the_law_says_days(client, loaded_catalogue):
    # 1.009994: "15 ngày" (Construction Law Art. 102 as amended 2020): Tết counts;
    # 1 Feb + 15 days = Tue 16 Feb, a working day.
    response = client.get("/api/v1/procedures/1.009994/due-date?received_at=2027-02-01T09:00:00%2B07:00")
    assert response.get_json()["due_at"] == "2027-02-16T17:00:00+07:00"


def test_due_date_accepts_an_unencoded_plus(client, loaded_catalogue):
    response = client.get("/api/v1/procedures/1.004227/due-date?received_at=2027-02-01T09:00:00+07:00")
    assert response.get_json()["due_at"] == "2027-02-22T17:00:00+07:00"


@pytest.mark.parametrize("query", ["", "received_at=", "received_at=hom-nay", "received_at=2027-02-01T09:00:00"])
def test_due_date_bad_received_at_is_400(client, loaded_catalogue, query):
    response = client.get(f"/api/v1/procedures/1.009994/due-date?{query}")
    assert response.status_code == 400
    assert "received_at" in response.get_json()["fields"]
