"""/quan-tri/thu-tuc: the procedure catalogue's administration pages (issue 13)."""
from io import BytesIO

import pytest

from app.extensions import db
from app.models import ProcedureOffering, ProcedureVersion
from app.services import catalogue
from app.services.demo import DemoAgency
from tests.factories import BIRTH
from tests.services.test_procedure_admin import BIRTH_FILE, LONGER_NAME, birth_text

BASE = "/quan-tri/thu-tuc"


@pytest.fixture
def province_admin(make_user, login, loaded_catalogue):
    return login(make_user("admin", DemoAgency.PROVINCE))


@pytest.fixture
def desk_admin(make_user, login, loaded_catalogue):
    return login(make_user("admin", DemoAgency.TICH_SON_DESK))


def test_visitor_is_sent_to_log_in(client):
    response = client.get(BASE)
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


@pytest.mark.parametrize("role, agency", [(None, None), ("reception", DemoAgency.TICH_SON_DESK),
                                          ("leader", DemoAgency.JUSTICE_DEPARTMENT)])
def test_non_administrators_get_403_everywhere(client, make_user, login, loaded_catalogue, role, agency):
    login(make_user(role, agency))
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}/{BIRTH}").status_code == 403
    assert client.post(BASE, data={"text": birth_text()}).status_code == 403
    assert client.post(f"{BASE}/xuat-ban", data={"text": birth_text(), "confirm": "y"}).status_code == 403
    assert client.post(f"{BASE}/{BIRTH}/ngung-cong-bo").status_code == 403
    assert client.post(f"{BASE}/{BIRTH}/noi-tiep-nhan",
                       data={"agency": DemoAgency.TICH_SON_DESK, "online_level": "2"}).status_code == 403
    assert catalogue.current_version(BIRTH).number == 1 and ProcedureOffering.query.count() == 0


def test_an_agency_administrator_reads_and_sets_only_the_offering(client, desk_admin):
    page = client.get(f"{BASE}/{BIRTH}").get_data(as_text=True)
    assert "Bộ phận Một cửa phường Tích Sơn" in page and "Bộ phận Một cửa phường Liên Bảo" not in page
    assert "Sửa nội dung (YAML)" not in page and "Ngừng công bố…" not in page
    assert client.post(BASE, data={"text": birth_text()}).status_code == 403
    assert client.post(f"{BASE}/{BIRTH}/ngung-cong-bo").status_code == 403
    assert client.post(f"{BASE}/{BIRTH}/noi-tiep-nhan",
                       data={"agency": DemoAgency.LIEN_BAO_DESK, "online_level": "4"}).status_code == 403
    saved = client.post(f"{BASE}/{BIRTH}/noi-tiep-nhan",
                        data={"agency": DemoAgency.TICH_SON_DESK, "received": "y", "online_level": "3"})
    assert saved.status_code == 302
    row = ProcedureOffering.query.one()
    assert row.received and row.online_level == 3


def test_the_list_searches_and_links_each_procedure(client, province_admin):
    page = client.get(BASE, query_string={"q": "khai sinh"}).get_data(as_text=True)
    assert f'href="{BASE}/{BIRTH}"' in page and "1.002809" not in page
    assert 'enctype="multipart/form-data"' in page


def test_missing_procedure_is_404(client, province_admin):
    assert client.get(f"{BASE}/9.999999").status_code == 404
    assert client.post(f"{BASE}/9.999999", data={"text": birth_text()}).status_code == 404
    assert client.get(f"{BASE}/9.999999/ngung-cong-bo").status_code == 404
    assert client.post(f"{BASE}/9.999999/noi-tiep-nhan",
                       data={"agency": DemoAgency.TICH_SON_DESK, "online_level": "2"}).status_code == 404


def test_bad_yaml_is_422_with_the_problems_by_field(client, province_admin):
    text = birth_text(**{"online: full": "online: sometimes", "field: \"Hộ tịch\"": "feild: \"Hộ tịch\""})
    response = client.post(f"{BASE}/{BIRTH}", data={"text": text})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<title>Lỗi: " in page and 'href="#problem-1"' in page and 'id="problem-1"' in page
    assert "<code>feild</code>" in page and "không có trong lược đồ" in page and "<code>online</code>" in page
    assert "Xuất bản phiên bản mới" not in page
    assert catalogue.current_version(BIRTH).number == 1


def test_edit_previews_the_changes_then_publishes_after_confirmation(client, province_admin):
    detail = client.get(f"{BASE}/{BIRTH}").get_data(as_text=True)
    assert "vi: Thủ tục đăng ký khai sinh" in detail  # the published version, as YAML to edit
    preview = client.post(f"{BASE}/{BIRTH}", data={"text": birth_text(**LONGER_NAME)})
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "<code>name.vi</code>" in page and "Thủ tục đăng ký khai sinh (sửa đổi)" in page
    assert catalogue.current_version(BIRTH).number == 1  # nothing published by a preview
    unconfirmed = client.post(f"{BASE}/xuat-ban?code={BIRTH}", data={"text": birth_text(**LONGER_NAME)})
    assert unconfirmed.status_code == 422 and "Vui lòng đánh dấu xác nhận" in unconfirmed.get_data(as_text=True)
    published = client.post(f"{BASE}/xuat-ban?code={BIRTH}", data={"text": birth_text(**LONGER_NAME), "confirm": "y"})
    assert published.status_code == 302 and published.headers["Location"].endswith(f"{BASE}/{BIRTH}")
    assert catalogue.current_version(BIRTH).number == 2
    # A second click publishes nothing more.
    client.post(f"{BASE}/xuat-ban?code={BIRTH}", data={"text": birth_text(**LONGER_NAME), "confirm": "y"})
    assert ProcedureVersion.query.filter_by(code=BIRTH).count() == 2


def test_an_upload_of_a_file_is_checked_with_its_name(client, province_admin):
    wrong = client.post(BASE, data={"file": (BytesIO(birth_text().encode()), "khai-sinh.yaml")},
                        content_type="multipart/form-data")
    assert wrong.status_code == 422 and "Tên tệp phải bắt đầu bằng mã thủ tục" in wrong.get_data(as_text=True)
    same = client.post(BASE, data={"file": (BytesIO(birth_text().encode()), BIRTH_FILE.name)},
                       content_type="multipart/form-data")
    assert same.status_code == 200 and "Không có thay đổi nào" in same.get_data(as_text=True)
    binary = client.post(BASE, data={"file": (BytesIO(b"\xff\xfe\x00"), BIRTH_FILE.name)},
                         content_type="multipart/form-data")
    assert binary.status_code == 422 and "không phải văn bản UTF-8" in binary.get_data(as_text=True)


def test_a_new_procedure_is_uploaded_and_published(client, province_admin):
    text = birth_text(**{'code: "1.001193"': 'code: "1.999999"'})
    preview = client.post(BASE, data={"text": text})
    assert preview.status_code == 200 and "Thủ tục mới" in preview.get_data(as_text=True)
    assert client.post(f"{BASE}/xuat-ban", data={"text": text, "confirm": "y"}).status_code == 302
    assert catalogue.current_version("1.999999").number == 1


def test_unpublish_asks_for_confirmation_then_unpublishes(client, province_admin):
    confirm = client.get(f"{BASE}/{BIRTH}/ngung-cong-bo")
    assert confirm.status_code == 200 and "Hồ sơ đang giải quyết vẫn tiếp tục" in confirm.get_data(as_text=True)
    assert catalogue.current_version(BIRTH) is not None
    assert client.post(f"{BASE}/{BIRTH}/ngung-cong-bo").status_code == 302
    assert catalogue.current_version(BIRTH) is None
    page = client.get(f"{BASE}/{BIRTH}").get_data(as_text=True)
    assert "Ngừng công bố" in page and "không nơi nào tiếp nhận" in page
    again = client.get(f"{BASE}/{BIRTH}/ngung-cong-bo")
    assert again.status_code == 302


def test_an_online_level_above_the_procedures_is_422(client, province_admin):
    response = client.post(f"{BASE}/1.004884/noi-tiep-nhan",
                           data={"agency": DemoAgency.TICH_SON_DESK, "received": "y", "online_level": "9"})
    assert response.status_code == 422 and "Mức độ trực tuyến phải từ 2 đến" in response.get_data(as_text=True)
    assert db.session.query(ProcedureOffering).count() == 0


def test_a_desk_set_to_level_2_is_not_offered_for_online_submission(client, make_user, login, desk_admin):
    client.post(f"{BASE}/{BIRTH}/noi-tiep-nhan",
                data={"agency": DemoAgency.TICH_SON_DESK, "received": "y", "online_level": "2"})
    login(make_user())
    page = client.get(f"/thu-tuc/{BIRTH}/nop").get_data(as_text=True)
    assert f'value="{DemoAgency.LIEN_BAO_DESK}"' in page and f'value="{DemoAgency.TICH_SON_DESK}"' not in page
    refused = client.post(f"/thu-tuc/{BIRTH}/nop", data={"agency": DemoAgency.TICH_SON_DESK})
    assert refused.status_code == 422 and "chưa nhận hồ sơ trực tuyến" in refused.get_data(as_text=True)


def test_the_schema_problems_are_vietnamese_by_default_and_english_on_an_english_page(client, province_admin):
    """The service returns the problems as Vietnamese msgs; the page translates them."""
    text = birth_text(**{"field: \"Hộ tịch\"": "feild: \"Hộ tịch\""})
    vietnamese = client.post(f"{BASE}/{BIRTH}", data={"text": text}).get_data(as_text=True)
    assert "Trường “feild” không có trong lược đồ" in vietnamese
    response = client.post(f"{BASE}/{BIRTH}?lang=en", data={"text": text})
    assert response.status_code == 422
    english = response.get_data(as_text=True)
    assert "Field “feild” is not in the schema (a typo?)" in english and "không có trong lược đồ" not in english
    assert 'href="#problem-1"' in english  # the summary's links are translated too


def test_an_offering_refusal_is_english_on_an_english_page(client, province_admin):
    response = client.post(f"{BASE}/{BIRTH}/noi-tiep-nhan?lang=en",
                           data={"agency": DemoAgency.TICH_SON, "received": "y", "online_level": "2"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "This agency is not a one-stop desk" in page and "Bộ phận Một cửa ở cấp tiếp nhận" not in page
