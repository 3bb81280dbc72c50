"""Home page, security headers, error pages."""


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
