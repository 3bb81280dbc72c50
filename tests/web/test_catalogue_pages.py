"""/thu-tuc: the public catalogue and procedure pages."""


def test_catalogue_lists_procedures_with_filters(client, loaded_catalogue):
    page = client.get("/thu-tuc").get_data(as_text=True)
    assert "Danh mục thủ tục hành chính" in page
    assert "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ" in page
    for control in ('id="q"', 'id="field"', 'id="level"', 'id="agency"', 'id="online"'):
        assert control in page
    assert "Ủy ban nhân dân cấp xã" in page  # an agency option


def test_catalogue_search_without_diacritics(client, loaded_catalogue):
    page = client.get("/thu-tuc?q=giay+phep+xay+dung").get_data(as_text=True)
    assert "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ" in page
    assert "Tìm thấy <strong>1</strong> thủ tục" in page


def test_catalogue_empty_state(client, loaded_catalogue):
    page = client.get("/thu-tuc?q=khong+co+thu+tuc+nay").get_data(as_text=True)
    assert "Không có thủ tục nào phù hợp" in page


def test_catalogue_paginates_and_keeps_filters_in_links(client, app, loaded_catalogue):
    app.config["PER_PAGE"] = 5
    try:
        first = client.get("/thu-tuc?level=commune").get_data(as_text=True)
        assert 'aria-current="page">1<' in first
        assert "/thu-tuc?page=2&amp;level=commune" in first or "/thu-tuc?level=commune&amp;page=2" in first
        second = client.get("/thu-tuc?level=commune&page=2").get_data(as_text=True)
        assert 'aria-current="page">2<' in second
        assert client.get("/thu-tuc?page=abc").status_code == 200  # a bad page number is page 1
    finally:
        app.config["PER_PAGE"] = 20


def test_catalogue_unknown_agency_is_404(client, loaded_catalogue):
    assert client.get("/thu-tuc?agency=000.99.99.H62").status_code == 404


def test_procedure_page_shows_seven_components_fees_and_due_date(client, loaded_catalogue):
    response = client.get("/thu-tuc/1.009994")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for heading in ("Trình tự thực hiện", "Cách thức thực hiện", "Thành phần, số lượng hồ sơ",
                    "Thời hạn giải quyết", "Đối tượng thực hiện", "Cơ quan thực hiện", "Kết quả thực hiện",
                    "Phí, lệ phí", "Căn cứ pháp lý"):
        assert heading in page
    assert "15 ngày" in page and "15 ngày làm việc" not in page  # the Construction Law counts days
    assert ">Bản chính</td>" in page and ">Bản sao</td>" in page  # original or copy, per document
    assert "75.000 đồng" in page
    assert "kết quả dự kiến vào" in page
    assert "Phòng Quản lý đô thị / Kinh tế - Hạ tầng (cấp huyện)" in page


def test_procedure_page_unknown_code_is_404(client, loaded_catalogue):
    assert client.get("/thu-tuc/9.999999").status_code == 404


def test_blank_form_downloads_and_unknown_form_is_404(client, loaded_catalogue):
    from app.services.catalogue import current_version
    with_form = next(
        (v, d["blank_form"]) for code in ("1.001193", "1.000894")
        for v in [current_version(code)] for d in v.spec["documents"] if d.get("blank_form")
    )
    version, filename = with_form
    page = client.get(f"/thu-tuc/{version.code}").get_data(as_text=True)
    assert f"/thu-tuc/{version.code}/mau/{filename}" in page
    response = client.get(f"/thu-tuc/{version.code}/mau/{filename}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert client.get(f"/thu-tuc/{version.code}/mau/khong-co.pdf").status_code == 404
    assert client.get("/thu-tuc/9.999999/mau/x.pdf").status_code == 404
    assert client.get(f"/thu-tuc/{version.code}/mau/..%2f1.001193-dang-ky-khai-sinh.yaml").status_code == 404


def test_procedure_page_shows_an_immediate_time_limit_and_its_sources(client, loaded_catalogue):
    page = client.get("/thu-tuc/1.001193").get_data(as_text=True)
    assert "Ngay sau khi nhận đủ hồ sơ hợp lệ" in page and "0 Ngay" not in page
    assert "Nguồn đối chiếu" in page and "Điều 16 khoản 2" in page
    assert "chưa đối chiếu được với văn bản gốc" in page  # the level's source is not verified
    assert "0.5 giờ làm việc" in page or "0,5 giờ làm việc" in page  # steps of a same-day procedure are hours


def test_procedure_page_shows_a_same_day_time_limit_with_its_cutoff(client, loaded_catalogue):
    page = client.get("/thu-tuc/2.000815").get_data(as_text=True)
    assert "Trong ngày làm việc kể từ khi nhận đủ hồ sơ hợp lệ; hồ sơ nhận sau 15:00" in page


def test_the_procedure_page_shows_the_summary_of_its_language(client, loaded_catalogue):
    english = client.get("/thu-tuc/1.002809?lang=en").get_data(as_text=True)
    assert "Exchange a Vietnamese driving licence that is expiring" in english
    vietnamese = client.get("/thu-tuc/1.002809?lang=vi").get_data(as_text=True)
    assert "Exchange a Vietnamese driving licence" not in vietnamese  # the file has no Vietnamese summary
    assert 'class="procedure-summary"' not in client.get("/thu-tuc/1.009994?lang=en").get_data(as_text=True)


def test_the_procedure_page_renders_a_version_once_and_a_new_version_at_once(client, loaded_catalogue, make_user,
                                                                             monkeypatch):
    """What the page shows of a version is kept per version and language (web.fragment): the
    version's parts are rendered once, the due date "if received now" on every request; an
    administrator's new version is shown on the next request (issue 15)."""
    from collections import OrderedDict

    from flask import templating
    from sqlalchemy import event

    from app import web
    from app.extensions import db
    from app.services import catalogue, procedure_admin
    from app.services.demo import DemoAgency

    monkeypatch.setattr(web, "_FRAGMENTS", OrderedDict())   # nothing kept from an earlier test
    rendered = []
    render = templating.render_template

    def counting(name, **context):
        rendered.append(name)
        return render(name, **context)

    monkeypatch.setattr("app.blueprints.public.render_template", counting)
    version = catalogue.current_version("1.001193")
    text = procedure_admin.as_yaml(version).replace(version.spec["name"]["vi"], "Đăng ký khai sinh (bản thử)", 1)
    statements = []

    def record(conn, cursor, sql, *rest):
        statements.append(sql)

    pages = [client.get("/thu-tuc/1.001193").get_data(as_text=True)]
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        pages.append(client.get("/thu-tuc/1.001193").get_data(as_text=True))
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert pages[0] == pages[1] and rendered.count("public/_procedure_details.html") == 1
    # the second time, the version's identity alone: not its file's content (catalogue.published)
    assert [sql for sql in statements if "procedure_version" in sql] and not [
        sql for sql in statements if "procedure_snapshot" in sql]
    assert rendered.count("public/procedure.html") == 2
    procedure_admin.publish(make_user("admin", DemoAgency.PROVINCE), text)
    page = client.get("/thu-tuc/1.001193").get_data(as_text=True)
    assert "Đăng ký khai sinh (bản thử)" in page and "Đăng ký khai sinh (bản thử)" not in pages[0]
