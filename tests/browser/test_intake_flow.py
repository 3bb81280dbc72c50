"""The online submission and its acceptance through the real pages, in Chromium.

Playwright drives Debian's Chromium (tests/browser/conftest.py and pages.py).
"""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.pages import click_and_wait, log_in, needs_chromium
from tests.factories import BIRTH, PDF, PNG, TICH_SON_DESK

pytestmark = needs_chromium


def test_citizen_submits_online_and_the_desk_accepts(live_server, browser, make_user, loaded_catalogue, run_jobs,
                                                     tmp_path):
    citizen = make_user(password="mat-khau-cong-dan")
    reception = make_user("reception", TICH_SON_DESK, password="mat-khau-can-bo")
    (tmp_path / "to-khai.pdf").write_bytes(PDF)
    (tmp_path / "chung-sinh.png").write_bytes(PNG)
    base = live_server
    page = browser.new_page()

    log_in(page, base, citizen.email, "mat-khau-cong-dan")
    page.goto(f"{base}/thu-tuc/{BIRTH}")
    page.click("text=Nộp hồ sơ trực tuyến")
    page.select_option("#agency", TICH_SON_DESK)
    page.click("text=Bắt đầu khai hồ sơ")
    page.fill("#applicant_full_name", "Nguyễn Văn An")
    page.fill("#applicant_address", "Phường Tích Sơn, thành phố Vĩnh Yên")
    page.fill("#applicant_phone", "0912345678")
    page.fill("#applicant_id_number", "026090001234")
    assert page.locator("#f_applicant_full_name").count() == 0  # the declaration takes it from the block
    page.select_option("#f_relationship", "cha")
    page.fill("#f_child_full_name", "Nguyễn Minh Khôi")
    page.fill("#f_child_birth_date", "2026-11-20")
    page.select_option("#f_child_sex", "nam")
    page.fill("#f_child_birth_place", "Bệnh viện Sản Nhi tỉnh Vĩnh Phúc")
    page.fill("#f_mother_full_name", "Trần Thị Bình")
    page.set_input_files("#doc_to_khai", str(tmp_path / "to-khai.pdf"))
    click_and_wait(page, "button[name=review]")
    # Refused without the birth certificate: the title says so and the focus is on the summary
    # (its autofocus is applied at the page's next rendering, after the load: expect waits for it).
    assert page.title().startswith("Lỗi: ")
    expect(page.locator(".error-summary")).to_be_focused()
    page.set_input_files("#doc_giay_chung_sinh", str(tmp_path / "chung-sinh.png"))
    click_and_wait(page, "button[name=review]")
    assert page.title().startswith("Kiểm tra thông tin") and "to-khai.pdf" in page.inner_text("main")
    page.screenshot(path=str(tmp_path / "citizen-review.png"), full_page=True)
    page.click("form[action$='/nop'] button")
    panel = page.inner_text(".panel")
    # Sent, not received: a reference now, the dossier code when the desk accepts it.
    assert "Đã gửi hồ sơ" in panel and "Mã tham chiếu của bạn" in panel
    assert "Nếu hồ sơ được tiếp nhận hôm nay" in page.inner_text("main")
    reference = re.search(r"TC-\d{6}-\d{6}", panel)[0]
    page.screenshot(path=str(tmp_path / "citizen-detail.png"), full_page=True)
    click_and_wait(page, "text=Đăng xuất")

    log_in(page, base, reception.email, "mat-khau-can-bo")
    page.goto(f"{base}/mot-cua/")
    page.click(f"text={reference}")
    page.check("#accept-checked")  # the checklist: each required paper ticked as checked
    page.check("#accept-checked-giay_chung_sinh")
    page.click("#accept button")
    accepted = page.inner_text(".notice-success")
    assert "Đã tiếp nhận hồ sơ, cấp mã hồ sơ" in accepted
    code = re.search(rf"{re.escape(TICH_SON_DESK)}-\d{{6}}-\d{{4}}", accepted)[0]
    run_jobs()
    page.reload()
    link = page.locator("a", has_text="Mở PDF").first
    response = page.request.get(base + link.get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"%PDF")

    public = browser.new_page()
    public.goto(f"{base}/tra-cuu?ma={code}")
    assert "Nguyễn V** A**" in public.inner_text("main") and "026090001234" not in public.content()
