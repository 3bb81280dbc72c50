"""/quan-tri/co-quan: the agencies' administration pages (issue 13)."""
import pytest

from app.extensions import db
from app.models import Agency
from app.services.demo import DemoAgency
from app.services.structure import agency_by_code
from tests.factories import assigned_at_the_desk, birth_in, tich_son

pytestmark = pytest.mark.usefixtures("structure_changes")

NEW_DESK = {"code": "002.10.21.H62", "name": "Điểm tiếp nhận phường Tích Sơn", "kind": "one_stop", "sector": "",
            "unit_code": "08707", "parent_code": DemoAgency.TICH_SON, "valid_from": "", "valid_to": ""}


@pytest.fixture
def province_admin(make_user, login):
    return login(make_user("admin", DemoAgency.PROVINCE))


def agency_id(code: str) -> int:
    return agency_by_code(code).id


def test_visitor_is_sent_to_log_in(client):
    response = client.get("/quan-tri/co-quan")
    assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]


@pytest.mark.parametrize("role, agency", [(None, None), ("reception", DemoAgency.TICH_SON_DESK),
                                          ("leader", DemoAgency.JUSTICE_DEPARTMENT)])
def test_wrong_role_gets_403(client, make_user, login, role, agency):
    login(make_user(role, agency))
    desk = agency_id(DemoAgency.TICH_SON_DESK)
    assert client.get("/quan-tri/co-quan").status_code == 403
    assert client.post("/quan-tri/co-quan", data=NEW_DESK).status_code == 403
    for path in ("", "/ngung-hoat-dong", "/hop-nhat"):
        assert client.get(f"/quan-tri/co-quan/{desk}{path}").status_code == 403
    assert agency_by_code(NEW_DESK["code"]) is None


def test_an_agency_administrator_reaches_only_the_agencies_below_theirs(client, make_user, login):
    login(make_user("admin", DemoAgency.VINH_YEN))
    page = client.get("/quan-tri/co-quan?q=tích sơn")
    assert page.status_code == 200 and "Bộ phận Một cửa phường Tích Sơn" in page.get_data(as_text=True)
    assert "Bình Xuyên" not in client.get("/quan-tri/co-quan").get_data(as_text=True)
    assert client.get(f"/quan-tri/co-quan/{agency_id(DemoAgency.TICH_SON_DESK)}").status_code == 200
    assert client.get(f"/quan-tri/co-quan/{agency_id(DemoAgency.BINH_XUYEN)}").status_code == 403
    assert client.get(f"/quan-tri/co-quan/{agency_id(DemoAgency.PROVINCE)}").status_code == 403
    tich_son_committee = agency_id(DemoAgency.TICH_SON)
    assert client.get(f"/quan-tri/co-quan/{tich_son_committee}/hop-nhat").status_code == 403  # the province's
    assert client.post("/quan-tri/co-quan", data=NEW_DESK).status_code == 302


def test_missing_agency_is_404(client, province_admin):
    for path in ("", "/ngung-hoat-dong", "/hop-nhat", "/chuyen-tham-quyen"):
        assert client.get(f"/quan-tri/co-quan/999999{path}").status_code == 404
    # merging starts from a commune's agency, moving competence from a district's
    assert client.get(f"/quan-tri/co-quan/{agency_id(DemoAgency.VINH_YEN)}/hop-nhat").status_code == 404
    assert client.get(f"/quan-tri/co-quan/{agency_id(DemoAgency.TICH_SON)}/chuyen-tham-quyen").status_code == 404


def test_province_admin_creates_and_edits_an_agency(client, province_admin):
    response = client.post("/quan-tri/co-quan", data=NEW_DESK)
    assert response.status_code == 302
    desk = agency_by_code(NEW_DESK["code"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Điểm tiếp nhận phường Tích Sơn" in page and 'value="002.10.21.H62"' in page
    response = client.post(f"/quan-tri/co-quan/{desk.id}", data={**NEW_DESK, "name": "Điểm tiếp nhận số 2",
                                                                  "valid_from": "01/01/2027"})
    assert response.status_code == 302
    db.session.expire_all()
    assert desk.name == "Điểm tiếp nhận số 2" and desk.valid_from.isoformat() == "2027-01-01"


@pytest.mark.parametrize("changes, field_name, words", [
    ({"code": "000.10.21.H62"}, "code", "mã cấp 4"),
    ({"code": ""}, "code", "Vui lòng nhập mã định danh"),
    ({"unit_code": "99999"}, "unit_code", "Không có đơn vị hành chính"),
    ({"valid_from": "31/02/2027"}, "valid_from", "Ngày không hợp lệ"),
    ({"kind": "department"}, "sector", "lĩnh vực"),
])
def test_bad_input_is_refused_in_vietnamese_at_the_field(client, province_admin, changes, field_name, words):
    response = client.post("/quan-tri/co-quan", data={**NEW_DESK, **changes})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'href="#{field_name}"' in page and words in page and "<title>Lỗi: " in page
    assert agency_by_code(NEW_DESK["code"]) is None


def test_retire_asks_for_a_successor_when_dossiers_are_open(client, make_user, province_admin, loaded_catalogue):
    birth_in("submitted", tich_son(make_user))
    desk = agency_by_code(DemoAgency.TICH_SON_DESK)
    page = client.get(f"/quan-tri/co-quan/{desk.id}/ngung-hoat-dong").get_data(as_text=True)
    assert "1 hồ sơ chưa giải quyết xong" in page and DemoAgency.LIEN_BAO_DESK in page
    assert DemoAgency.LIEN_BAO + ")" not in page  # a committee cannot take a desk's dossiers
    unconfirmed = client.post(f"/quan-tri/co-quan/{desk.id}/ngung-hoat-dong",
                              data={"successor": DemoAgency.LIEN_BAO_DESK})
    assert unconfirmed.status_code == 422 and "đánh dấu xác nhận" in unconfirmed.get_data(as_text=True)
    refused = client.post(f"/quan-tri/co-quan/{desk.id}/ngung-hoat-dong", data={"successor": "", "confirm": "y"})
    assert refused.status_code == 409 and "hãy chọn cơ quan tiếp nhận" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert not desk.retired
    done = client.post(f"/quan-tri/co-quan/{desk.id}/ngung-hoat-dong",
                       data={"successor": DemoAgency.LIEN_BAO_DESK, "confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert desk.retired and desk.successor.code == DemoAgency.LIEN_BAO_DESK
    page = client.get(f"/quan-tri/co-quan/{desk.id}").get_data(as_text=True)
    assert "Ngừng hoạt động từ" in page and "Bộ phận Một cửa phường Liên Bảo" in page
    assert "Bộ phận Một cửa phường Tích Sơn" not in client.get("/").get_data(as_text=True)  # the home page's tree


def test_merge_form_merges_communes(client, province_admin):
    committee = agency_by_code(DemoAgency.TICH_SON)
    form = client.get(f"/quan-tri/co-quan/{committee.id}/hop-nhat").get_data(as_text=True)
    assert 'value="08707"' in form
    data = {"unit_codes": "08707, 08710", "code": "99901", "name": "Phường Vĩnh Yên Mới",
            "committee_code": "000.40.21.H62", "desk_code": "001.40.21.H62", "on": "01/07/2025"}
    bad = client.post(f"/quan-tri/co-quan/{committee.id}/hop-nhat", data={**data, "desk_code": "001.41.21.H62",
                                                                          "confirm": "y"})
    assert bad.status_code == 422 and 'href="#desk_code"' in bad.get_data(as_text=True)
    response = client.post(f"/quan-tri/co-quan/{committee.id}/hop-nhat", data={**data, "confirm": "y"})
    assert response.status_code == 302
    new = agency_by_code("000.40.21.H62")
    assert response.headers["Location"].endswith(f"/quan-tri/co-quan/{new.id}")
    db.session.expire_all()
    assert committee.retired and committee.successor is new
    assert db.session.query(Agency).filter(Agency.retired_at.is_not(None)).count() == 4


def test_transfer_form_moves_a_district_competence(client, province_admin):
    district = agency_by_code(DemoAgency.VINH_YEN)
    assert client.get(f"/quan-tri/co-quan/{district.id}/chuyen-tham-quyen").status_code == 200
    bad = client.post(f"/quan-tri/co-quan/{district.id}/chuyen-tham-quyen",
                      data={"target_code": "243", "on": "01/07/2025", "confirm": "y"})
    assert bad.status_code == 422 and "tỉnh hoặc một xã, phường" in bad.get_data(as_text=True)
    response = client.post(f"/quan-tri/co-quan/{district.id}/chuyen-tham-quyen",
                           data={"target_code": "26", "on": "01/07/2025", "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert district.retired and district.successor.code == DemoAgency.PROVINCE


def test_retire_says_when_assigned_steps_lost_their_assignee(client, make_user, province_admin, loaded_catalogue):
    office = tich_son(make_user)
    assigned_at_the_desk(office, make_user("reception", DemoAgency.TICH_SON_DESK))
    desk = agency_by_code(DemoAgency.TICH_SON_DESK)
    done = client.post(f"/quan-tri/co-quan/{desk.id}/ngung-hoat-dong",
                       data={"successor": DemoAgency.LIEN_BAO_DESK, "confirm": "y"})
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "1 bước xử lý đã giao cho cán bộ không làm việc tại cơ quan tiếp nhận" in page


def test_a_refusal_is_vietnamese_by_default_and_english_on_an_english_page(client, province_admin):
    """The service's field messages (a msg of the domain's code rule, one of the service's own)
    are translated where the page shows them."""
    bad = {**NEW_DESK, "code": "000.10.21.H62", "valid_from": "01/02/2027", "valid_to": "01/01/2027"}
    vietnamese = client.post("/quan-tri/co-quan", data=bad).get_data(as_text=True)
    assert "phải có mã cấp 4" in vietnamese and "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực." in vietnamese
    response = client.post("/quan-tri/co-quan?lang=en", data=bad)
    assert response.status_code == 422
    english = response.get_data(as_text=True)
    assert "An agency under a level-3 agency must have a level-4 code." in english
    assert "The end date must be after the start date." in english
    assert "phải có mã cấp" not in english
