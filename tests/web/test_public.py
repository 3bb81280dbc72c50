"""Home page, security headers, error pages."""
from sqlalchemy import event, select

from app.extensions import db
from app.models import Agency
from app.services import structure, versions


def test_home_shows_portal_search_links_and_agencies_by_level(client):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Cổng dịch vụ công Một cửa" in page
    assert 'name="q"' in page
    for link in ("/thu-tuc", "/tra-cuu", "/thong-ke"):
        assert f'href="{link}"' in page
    assert "Ủy ban nhân dân tỉnh Vĩnh Phúc" in page
    assert "Trung tâm Phục vụ hành chính công tỉnh Vĩnh Phúc" in page
    assert "Cấp huyện: Huyện Lập Thạch" in page
    assert "Ủy ban nhân dân xã Lãng Công" in page


def test_home_reads_the_structure_version_alone_and_shows_a_rename_at_once(client):
    """Nothing stale kept in the process (issue 15): the list is keyed by the structure's version,
    one small read (no agency row is read while the list is kept); an administrator's change
    raises it, and shows on the next request."""
    agency = db.session.scalar(select(Agency).where(Agency.name == "Ủy ban nhân dân xã Lãng Công"))
    statements = []

    def record(conn, cursor, sql, *rest):
        statements.append(sql)

    assert client.get("/").status_code == 200   # the list built for this version
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get("/").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert [sql for sql in statements if "reference_version" in sql] and not [
        sql for sql in statements if "agency" in sql]
    number = versions.number("structure")
    original = agency.name
    agency.name = "Ủy ban nhân dân xã Lãng Công (mới)"
    db.session.commit()
    assert versions.number("structure") != number
    try:
        assert "Ủy ban nhân dân xã Lãng Công (mới)" in client.get("/").get_data(as_text=True)
    finally:
        agency.name = original
        db.session.commit()


def test_home_renders_the_agency_list_once_while_it_is_unchanged(client, monkeypatch):
    """The list is kept by what it shows (web.fragment): rendered again for another language or
    once an agency changes, not for each request."""
    built = []
    tree = structure.agency_tree
    monkeypatch.setattr(structure, "agency_tree", lambda: built.append(1) or tree())
    agency = db.session.scalar(select(Agency).where(Agency.name == "Ủy ban nhân dân xã Lãng Công"))
    agency.name = "Ủy ban nhân dân xã Lãng Công (thử)"   # a state of the rows no earlier test rendered
    db.session.commit()
    try:
        pages = [client.get(path).get_data(as_text=True) for path in ("/", "/", "/?lang=en", "/?lang=en")]
        assert len(built) == 2 and pages[0] == pages[1] and pages[2] == pages[3] != pages[0]
        assert "Ủy ban nhân dân xã Lãng Công (thử)" in pages[0] and "Ủy ban nhân dân xã Lãng Công (thử)" in pages[2]
    finally:
        agency.name = "Ủy ban nhân dân xã Lãng Công"
        db.session.commit()


def test_every_response_carries_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "Referrer-Policy" in response.headers


def test_unknown_page_is_404_in_vietnamese(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_unknown_api_path_is_404_json(client):
    response = client.get("/api/v1/khong-co")
    assert response.status_code == 404
    assert response.is_json and "error" in response.get_json()


def test_statistics_page_has_an_empty_state(client):
    response = client.get("/thong-ke?ky=year&nam=2020")
    assert response.status_code == 200
    assert "Chưa có hồ sơ nào được tiếp nhận" in response.get_data(as_text=True)


def test_stylesheet_is_served_by_the_app(client):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert b"--focus" in response.data


def test_behind_a_proxy_the_client_address_and_scheme_come_from_its_headers():
    from flask import request

    from app import create_app

    for hops, expected in ((0, ("127.0.0.1", "http")), (1, ("203.0.113.9", "https"))):
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TRUSTED_PROXIES": hops})
        app.add_url_rule("/_who", "who", lambda: f"{request.remote_addr} {request.scheme}")
        seen = app.test_client().get("/_who", headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})
        assert tuple(seen.get_data(as_text=True).split()) == expected


def test_the_navigation_kept_for_visitors_never_reaches_a_signed_in_person(client, make_user, login):
    """web.site_nav: a visitor's navigation is rendered once per language and reused; a signed-in
    person's is their own on every page (their name, their roles, the log-out form), and the
    visitor's comes back once they have left."""
    from app.services.demo import DemoAgency

    def nav(page: str) -> str:
        return page.split('<nav aria-label="Điều hướng chính">', 1)[1].split("</nav>", 1)[0]

    visitor = [nav(client.get(path).get_data(as_text=True)) for path in ("/", "/tra-cuu")]
    assert visitor[0] == visitor[1] and "Đăng nhập" in visitor[0] and "Đăng xuất" not in visitor[0]
    official = make_user("specialist", DemoAgency.TICH_SON)
    login(official)
    own = nav(client.get("/tra-cuu").get_data(as_text=True))
    assert official.full_name in own and "Xử lý hồ sơ" in own and "Đăng xuất" in own and "Đăng nhập" not in own
    client.post("/dang-xuat")
    assert nav(client.get("/tra-cuu").get_data(as_text=True)) == visitor[0]
