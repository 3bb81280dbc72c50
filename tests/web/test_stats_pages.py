"""Public dashboard and /api/v1/stats; ratings by the applicant."""
import pytest

from app.services import dossiers, processing, ratings
from app.services.demo import DemoAgency
from tests.factories import TICH_SON_DESK, submitted_birth
from tests.pdf_helpers import reading_text, write
from tests.services.test_stats import march  # noqa: F401  (the hand-built March 2026 fixture)


def test_dashboard_shows_summary_indices_trend_and_ranking(client, march):  # noqa: F811
    page = " ".join(client.get("/thong-ke?ky=quarter&nam=2026&so=1").get_data(as_text=True).split())
    assert "tiếp nhận <strong>12</strong> hồ sơ, đã giải quyết xong <strong>10</strong>" in page
    # Vietnamese numbers (issue 10): comma decimals, never "66.67%"
    assert "66,67%" in page and "13,33 / 20" in page and "66.67" not in page  # 2.1
    assert "N/A" in page                                   # 3.6: no fee dossier
    assert '<svg class="chart" role="img"' in page and "<title id=\"ranking-title\">" in page
    assert "Ủy ban nhân dân phường Tích Sơn" in page and "03/2026" in page


def test_dashboard_drill_down_and_csv(client, march):  # noqa: F811
    page = " ".join(client.get("/thong-ke?ky=month&nam=2026&so=3&co_quan=000.10.21.H62").get_data(as_text=True).split())
    assert "Ủy ban nhân dân phường Tích Sơn tiếp nhận <strong>10</strong>" in page
    csv = client.get("/thong-ke?ky=month&nam=2026&so=3&dinh_dang=csv")
    text = csv.data.decode("utf-8")
    assert csv.mimetype == "text/csv" and text.startswith("\ufeffCơ quan,")
    assert "Ủy ban nhân dân phường Tích Sơn,000.10.21.H62,10" in text


@pytest.mark.parametrize("query, status",
                         [("ky=month&nam=2026&so=13", 400), ("ky=weekly", 400), ("ky=custom&tu=2026-03-01", 400),
                                           ("cap=ward", 400), ("co_quan=000.99.99.H62", 404)])
def test_dashboard_bad_parameters(client, loaded_catalogue, query, status):
    assert client.get(f"/thong-ke?{query}").status_code == status


def test_stats_api_shape(client, march):  # noqa: F811
    body = client.get("/api/v1/stats?from=2026-03-01&to=2026-03-31&agency=000.10.21.H62").get_json()
    assert body["period"] == {"from": "2026-03-01", "to": "2026-03-31"}
    assert (body["received"], body["resolved"], body["early"], body["on_time"], body["late"], body["open"]) == (10, 8,
                                                                                                                4, 3,
                                                                                                                1, 2)
    assert body["indices"]["2.1"]["rate"] == 0.8 and body["indices"]["2.1"]["points"] == 16.0
    assert body["indices"]["3.6"] == {"rate": None, "points": None, "numerator": 0, "denominator": 0}


@pytest.mark.parametrize("query, param", [("to=2026-03-31", "from"), ("from=2026-03-01", "to"), ("from=x&to=y", "from"),
                                          ("from=2026-03-01&to=2026-03-31&level=ward", "level")])
def test_stats_api_bad_parameter_400(client, loaded_catalogue, query, param):
    response = client.get(f"/api/v1/stats?{query}")
    assert response.status_code == 400 and param in response.get_json()["fields"]


def test_stats_api_unknown_agency_404(client, loaded_catalogue):
    assert client.get("/api/v1/stats?from=2026-03-01&to=2026-03-31&agency=000.99.99.H62").status_code == 404


@pytest.fixture
def returned(make_user, loaded_catalogue):
    citizen = make_user()
    dossier = dossiers.accept(submitted_birth(citizen), make_user("reception", TICH_SON_DESK))
    processing.complete_step(dossier, make_user("specialist", DemoAgency.TICH_SON))
    processing.resolve(dossier, make_user("leader", DemoAgency.TICH_SON), "approved")
    processing.complete_step(dossier, make_user("clerk", DemoAgency.TICH_SON))
    processing.return_result(dossier, make_user("reception", TICH_SON_DESK), "counter")
    return citizen, dossier


def test_applicant_rates_once_and_staff_see_it(client, login, make_user, returned):
    citizen, dossier = returned
    login(citizen)
    assert "Gửi đánh giá" in client.get(f"/ho-so/{dossier.id}").get_data(as_text=True)
    client.post(f"/ho-so/{dossier.id}/danh-gia", data={"value": "not_satisfied", "comment": "Chờ lâu"})
    again = client.post(f"/ho-so/{dossier.id}/danh-gia", data={"value": "satisfied"}, follow_redirects=True)
    assert "mỗi hồ sơ đánh giá một lần" in again.get_data(as_text=True)
    assert dossier.rating.value == "not_satisfied" and dossier.rated_poor
    login(make_user("leader", DemoAgency.TICH_SON))
    assert "Chờ lâu" in client.get("/xu-ly/danh-gia").get_data(as_text=True)
    login(make_user("leader", DemoAgency.LIEN_BAO))
    assert "Chờ lâu" not in client.get("/xu-ly/danh-gia").get_data(as_text=True)


def test_rating_rules(make_user, returned):
    citizen, dossier = returned
    with pytest.raises(dossiers.DossierError) as error:
        ratings.rate(dossier, make_user(), "satisfied")
    assert error.value.status == 403
    with pytest.raises(dossiers.DossierError):
        ratings.rate(dossier, citizen, "great")


def test_rating_page_wrong_role_and_missing(client, login, make_user, returned):
    citizen, dossier = returned
    login(make_user())
    assert client.post(f"/ho-so/{dossier.id}/danh-gia", data={"value": "satisfied"}).status_code == 404
    assert client.post("/ho-so/999999/danh-gia", data={"value": "satisfied"}).status_code == 404
    assert client.get("/xu-ly/danh-gia").status_code == 403


def test_dashboard_table_as_xlsx(client, march):  # noqa: F811
    from io import BytesIO

    from openpyxl import load_workbook

    response = client.get("/thong-ke?ky=month&nam=2026&so=3&dinh_dang=xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Cơ quan" and rows[1][:3] == ("Ủy ban nhân dân phường Tích Sơn", DemoAgency.TICH_SON, 10)
    assert rows[1][-2:] == (80.0, 0)   # on time (2.1); none of them synchronised (1.4)


def test_monthly_report_pdf_has_summary_agencies_and_late_list(client, march, tmp_path):  # noqa: F811
    response = client.get("/thong-ke/bao-cao-thang.pdf?nam=2026&thang=3")
    assert response.status_code == 200
    text = reading_text(write(tmp_path, "report", response.data))
    assert "BÁO CÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in text and "Tháng 3 năm 2026" in text
    assert "tiếp nhận 12 hồ sơ" in text and "Ủy ban nhân dân phường Tích Sơn" in text
    assert "IV. HỒ SƠ QUÁ HẠN" in text and "Không có hồ sơ quá hạn" not in text
    from datetime import date

    from app.services import stats
    late = stats.late_dossiers(stats.Scope(date(2026, 3, 1), date(2026, 3, 31)))
    assert len(late) == 4  # 3 finished late + 1 still open past its deadline
    assert client.get("/thong-ke/bao-cao-thang.pdf?nam=2026&thang=13").status_code == 400
