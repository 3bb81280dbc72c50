"""Public lookup by code: page and API; masked; 404; rate-limited."""
from app.extensions import limiter
from app.services import dossiers
from app.services.demo import DemoAgency
from tests.factories import submitted_birth


def test_lookup_page_shows_status_and_a_masked_name_only(client, make_user, loaded_catalogue):
    dossier = submitted_birth(make_user())
    dossiers.accept(dossier, make_user("reception", DemoAgency.TICH_SON_DESK))
    page = client.get(f"/tra-cuu?ma={dossier.code.lower()}").get_data(as_text=True)
    assert dossier.code in page and "Nguyễn V** A**" in page
    for secret in ("026090001234", "0912345678", "an@motcua.example", "Phường Tích Sơn, thành phố", "to-khai.pdf"):
        assert secret not in page


def test_public_lookup_is_by_code_never_by_reference(client, make_user, loaded_catalogue):
    """The reference is on no receipt: only its owner follows an unreceived dossier (account, API)."""
    dossier = submitted_birth(make_user())
    response = client.get(f"/tra-cuu?ma={dossier.reference}")
    assert response.status_code == 404 and "Hồ sơ của tôi" in response.get_data(as_text=True)
    assert client.get(f"/api/v1/lookup/{dossier.reference}").status_code == 404


def test_lookup_unknown_or_malformed_code_is_404_with_a_message(client, loaded_catalogue):
    for code in ("001.10.21.H62-270201-9999", "khong-phai-ma"):
        response = client.get(f"/tra-cuu?ma={code}")
        assert response.status_code == 404 and "Không tìm thấy hồ sơ" in response.get_data(as_text=True)
    assert client.get("/tra-cuu").status_code == 200


def test_lookup_api_shape_and_masking(client, make_user, loaded_catalogue):
    citizen, reception = make_user(), make_user("reception", DemoAgency.TICH_SON_DESK)
    dossier = submitted_birth(citizen)
    dossiers.accept(dossier, reception)
    body = client.get(f"/api/v1/lookup/{dossier.code}").get_json()
    assert set(body) >= {"code", "procedure", "status", "status_code", "status_label", "received_at", "due_at",
                         "applicant"}
    assert body["status"] == "accepted" and body["status_code"] == 2 and body["applicant"] == "Nguyễn V** A**"
    assert body["procedure"] is None and body["history"] is None   # the code alone (see below)
    text = str(body)
    assert "026090001234" not in text and "0912345678" not in text and "@" not in text
    assert client.get("/api/v1/lookup/001.10.21.H62-270201-9999").status_code == 404


def test_lookup_is_rate_limited(client, app, loaded_catalogue):
    app.config["LOOKUP_RATE_LIMIT"] = "3 per minute"
    limiter.reset()
    try:
        codes = [client.get("/api/v1/lookup/001.10.21.H62-270201-0001").status_code for _ in range(4)]
        assert codes == [404, 404, 404, 429]
    finally:
        app.config["LOOKUP_RATE_LIMIT"] = "1000 per minute"
        limiter.reset()


def test_the_code_alone_does_not_tell_what_someone_applied_for(client, make_user, loaded_catalogue):
    """Issue 13: codes are sequential per desk and day; the procedure and the history need the
    receipt's QR link (its secret) or the last four digits of the applicant's ID number."""
    dossier = dossiers.accept(submitted_birth(make_user()), make_user("reception", DemoAgency.TICH_SON_DESK))
    bare = client.get(f"/tra-cuu?ma={dossier.code}").get_data(as_text=True)
    # One page, its answer inside the layout (a block outside the template's blocks once
    # printed the answer before the doctype).
    assert bare.lstrip().lower().startswith("<!doctype html>") and bare.count("<h2>Hồ sơ") == 1
    assert bare.index('name="so"') > bare.index("<main")
    assert f'<span class="code">{dossier.code}</span>' in bare and "Nguyễn V** A**" in bare
    assert "đăng ký khai sinh" not in bare and "Quá trình giải quyết" not in bare and 'name="so"' in bare
    assert client.get(f"/api/v1/lookup/{dossier.code}").get_json()["procedure"] is None

    wrong = client.get(f"/tra-cuu?ma={dossier.code}&k=not-the-secret").get_data(as_text=True)
    assert "đăng ký khai sinh" not in wrong
    by_qr = client.get(f"/tra-cuu?ma={dossier.code}&k={dossier.lookup_secret}").get_data(as_text=True)
    assert "đăng ký khai sinh" in by_qr and "Quá trình giải quyết" in by_qr
    api = client.get(f"/api/v1/lookup/{dossier.code}?k={dossier.lookup_secret}").get_json()
    assert api["procedure"]["code"] == "1.001193" and api["history"][-1]["status_label"]

    by_digits = client.post("/tra-cuu", data={"ma": dossier.code, "so": "1234"})   # ID 026090001234
    assert by_digits.status_code == 200 and "đăng ký khai sinh" in by_digits.get_data(as_text=True)
    assert client.get(f"/api/v1/lookup/{dossier.code}?id_last4=1234").get_json()["procedure"] is not None
    refused = client.post("/tra-cuu", data={"ma": dossier.code, "so": "9999"})
    assert refused.status_code == 422 and "Bốn chữ số không khớp" in refused.get_data(as_text=True)
    assert "đăng ký khai sinh" not in refused.get_data(as_text=True)


def test_the_receipt_s_qr_link_carries_the_dossier_s_secret(make_user, loaded_catalogue):
    from app.services import issuing

    dossier = dossiers.accept(submitted_birth(make_user()), make_user("reception", DemoAgency.TICH_SON_DESK))
    url = issuing.lookup_url(dossier)
    assert f"k={dossier.lookup_secret}" in url and len(dossier.lookup_secret) >= 20
