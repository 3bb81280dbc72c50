"""The whole journey through the real pages (issue 14, "Done when"), in Chromium at 360 px (a
phone) and at 1280 px (a desktop), in each of LANGUAGES:

- the citizen submits a birth registration online through the "Kiểm tra thông tin" page
  (refused once for a missing paper), supplements it when the desk asks, downloads the signed
  result and rates it (a rating without a choice keeps the comment);
- the desk clerk asks for the supplement, sees the re-submitted dossier marked in the queue,
  ticks the checklist and accepts it, takes a paper dossier at the counter (the procedure
  found by its name without diacritics), and returns the result the way the applicant chose;
- the commune's specialist completes the step from the worklist, the leader approves (the
  result is signed with the leader's certificate and the committee's seal), the clerk files it.

On every page visited axe-core (tests/browser/pages.py) finds no serious or critical
violation, `<html lang>` is the page's language, and at 360 px the page does not scroll
sideways. Each page's screenshot is written to tests/browser/screenshots/<lang>/<width>/
<nn>-<page>.png for review (git-ignored; emptied when the run starts).

The steps find their way by ids, form actions and links, never by the words of the pages, so
a language is one more entry in LANGUAGES (the language switch's cookie picks it, as `?lang=`
does)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.i18n import COOKIE as LANGUAGE_COOKIE
from tests.browser.pages import axe_violations, click_and_wait, log_in, needs_chromium
from tests.factories import BIRTH, PDF, PNG, TICH_SON_DESK, image_bytes

pytestmark = needs_chromium

LANGUAGES = ("vi", "en")
VIEWPORTS = {360: {"width": 360, "height": 740}, 1280: {"width": 1280, "height": 800}}
SCREENSHOTS = Path(__file__).parent / "screenshots"
PASSWORD = "mat-khau-thu-nghiem"  # the signing_people's (make_user's default)
ITEMS = ["Giấy chứng sinh bản chính", "Bản sao giấy chứng nhận kết hôn của cha mẹ"]
REFERENCE = re.compile(r"TC-\d{6}-\d{6}")


class Walk:
    """The pages visited at one width in one language: each is checked and photographed."""

    def __init__(self, browser, base: str, lang: str, width: int):
        self.browser, self.base, self.lang, self.width = browser, base, lang, width
        self.folder = SCREENSHOTS / lang / str(width)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.seen = 0
        self.problems: list[str] = []
        self.contexts = []

    def person(self, email: str | None = None):
        """A browser window of its own (cookies, session) at this width, in this language."""
        context = self.browser.new_context(viewport=VIEWPORTS[self.width], bypass_csp=True)
        self.contexts.append(context)
        context.add_cookies([{"name": LANGUAGE_COOKIE, "value": self.lang, "url": self.base}])
        context.set_default_timeout(10_000)
        page = context.new_page()
        if email:
            log_in(page, self.base, email, PASSWORD)
        return page

    def visit(self, page, name: str) -> None:
        """Check the page as it is now and keep its screenshot as <nn>-<name>.png."""
        self.seen += 1
        where = f"{self.seen:02d}-{name} ({page.url})"
        page.screenshot(path=str(self.folder / f"{self.seen:02d}-{name}.png"), full_page=True)
        self.problems += [f"{where}: {v}" for v in axe_violations(page)]
        if page.get_attribute("html", "lang") != self.lang:
            self.problems.append(f"{where}: <html lang={page.get_attribute('html', 'lang')}>, not {self.lang}")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > self.width:
            self.problems.append(f"{where}: {scroll} px wide, sideways scrolling in a {self.width} px window")


@pytest.fixture
def walk(live_server, browser, lang, width):
    walk = Walk(browser, live_server, lang, width)
    yield walk
    for context in walk.contexts:
        context.close()


def fill_birth_form(page, files: Path, delivery: str | None = None) -> None:
    """The birth registration's applicant block and declaration; the declaration (tờ khai) attached."""
    page.fill("#applicant_full_name", "Nguyễn Văn An")
    page.fill("#applicant_address", "Phường Tích Sơn, thành phố Vĩnh Yên")
    page.fill("#applicant_phone", "0912345678")
    page.fill("#applicant_id_number", "026090001234")
    page.select_option("#f_relationship", "cha")
    page.fill("#f_child_full_name", "Nguyễn Minh Khôi")
    page.fill("#f_child_birth_date", "2025-11-20")
    page.select_option("#f_child_sex", "nam")
    page.fill("#f_child_birth_place", "Bệnh viện Sản Nhi tỉnh Vĩnh Phúc")
    page.fill("#f_mother_full_name", "Trần Thị Bình")
    if delivery:
        page.check(f"input[name=delivery][value={delivery}]")
    page.set_input_files("#doc_to_khai", str(files / "to-khai.pdf"))


def open_code(page, base: str, listing: str, code: str) -> None:
    """Open the dossier `code` from a list page (the desk's queue, a worklist)."""
    page.goto(base + listing)
    click_and_wait(page, f"main a:text-is('{code}')")


def assert_pdf(page, base: str, link) -> None:
    """The link opens a PDF (with the page's session)."""
    response = page.request.get(base + link.get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"%PDF")


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("width", sorted(VIEWPORTS))
def test_the_whole_journey(walk, live_server, configured, run_jobs, tmp_path):
    people, base = configured, live_server
    (tmp_path / "to-khai.pdf").write_bytes(PDF)
    (tmp_path / "chung-sinh.png").write_bytes(PNG)
    (tmp_path / "chung-sinh-ban-chinh.png").write_bytes(image_bytes((16, 16)))

    # The citizen: the procedure, the desk, the form (refused once), the review, the confirmation.
    citizen = walk.person(people.citizen.email)
    walk.visit(citizen, "citizen-home")
    citizen.goto(f"{base}/thu-tuc/{BIRTH}")
    walk.visit(citizen, "procedure")
    click_and_wait(citizen, f"main a[href$='/thu-tuc/{BIRTH}/nop']")
    walk.visit(citizen, "choose-desk")
    citizen.select_option("#agency", TICH_SON_DESK)
    click_and_wait(citizen, "main form button[type=submit]")
    walk.visit(citizen, "form")
    fill_birth_form(citizen, tmp_path, delivery="online")
    click_and_wait(citizen, "button[name=review]")  # without the birth certificate
    expect(citizen.locator(".error-summary")).to_be_focused()  # autofocus, applied after the load
    assert citizen.locator(".error-summary a[href='#doc_giay_chung_sinh']").count() == 1
    walk.visit(citizen, "form-error")
    citizen.set_input_files("#doc_giay_chung_sinh", str(tmp_path / "chung-sinh.png"))
    click_and_wait(citizen, "button[name=review]")
    review = citizen.inner_text("main")
    assert "to-khai.pdf" in review and "chung-sinh.png" in review and "Nguyễn Minh Khôi" in review
    rows = citizen.locator("dl.check-answers > div")
    edits = citizen.eval_on_selector_all("dl.check-answers a[href*='/sua#']", "links => links.map(a => a.hash)")
    assert rows.count() >= 10 and len(edits) == rows.count()
    walk.visit(citizen, "review")
    click_and_wait(citizen, "form[action$='/nop'] button")
    dossier_url = re.sub(r"/da-gui$", "", citizen.url)
    reference = REFERENCE.search(citizen.inner_text(".panel"))[0]
    walk.visit(citizen, "sent")

    # The desk asks for a supplement: the items and the reason.
    desk = walk.person(people.desk.email)
    assert desk.url == f"{base}/mot-cua/"  # the desk lands on its queue
    walk.visit(desk, "desk-queue")
    open_code(desk, base, "/mot-cua/", reference)
    walk.visit(desk, "desk-dossier")
    desk.fill("#request_supplement-items", "\n".join(ITEMS))
    desk.fill("#request_supplement-reason", "Bản chụp giấy chứng sinh không đọc được")
    click_and_wait(desk, "#request_supplement button")
    walk.visit(desk, "desk-supplement-requested")

    # The citizen sees what to add, adds it and sends the dossier again.
    citizen.goto(dossier_url)
    assert citizen.locator(".next-step .supplement-items li").all_inner_texts() == ITEMS
    walk.visit(citizen, "supplement-asked")
    click_and_wait(citizen, ".next-step a[href$='/sua']")
    walk.visit(citizen, "supplement-form")
    unlinked = [edit for edit in edits if not citizen.locator(edit).count()]
    assert not unlinked, f"“Sửa” links to no field: {unlinked}"  # each leads back to its field
    citizen.set_input_files("#doc_giay_chung_sinh", str(tmp_path / "chung-sinh-ban-chinh.png"))
    click_and_wait(citizen, "button[name=review]")
    assert "chung-sinh-ban-chinh.png" in citizen.inner_text("main")
    walk.visit(citizen, "supplement-review")
    click_and_wait(citizen, "form[action$='/nop'] button")
    walk.visit(citizen, "supplement-sent")

    # The desk: the dossier marked as re-submitted; accepting needs every required paper ticked.
    desk.goto(f"{base}/mot-cua/")
    assert desk.locator(f"tr:has(a:text-is('{reference}')) .tag").count() == 1
    walk.visit(desk, "desk-queue-resubmitted")
    open_code(desk, base, "/mot-cua/", reference)
    click_and_wait(desk, "#accept button")  # nothing ticked
    assert desk.locator("#accept .error-message").count() == 1
    walk.visit(desk, "desk-checklist-error")
    desk.check("#accept-checked")
    desk.check("#accept-checked-giay_chung_sinh")
    click_and_wait(desk, "#accept button")
    code = re.search(rf"{re.escape(TICH_SON_DESK)}-\d{{6}}-\d{{4}}", desk.inner_text(".notice-success"))[0]
    run_jobs()  # the receipt (form 01), sealed by the desk
    desk.reload()
    assert_pdf(desk, base, desk.locator("a[href*='/van-ban/']").first)
    walk.visit(desk, "desk-accepted")

    # The desk at the counter: the procedure found by its name without diacritics.
    desk.goto(f"{base}/mot-cua/tiep-nhan")
    walk.visit(desk, "counter-search")
    desk.fill("#thu_tuc", "dang ky khai sinh")
    click_and_wait(desk, "main form[role=search] button")
    walk.visit(desk, "counter-matches")
    click_and_wait(desk, f"main a[href$='/mot-cua/tiep-nhan/{BIRTH}']")
    walk.visit(desk, "counter-form")
    fill_birth_form(desk, tmp_path, delivery="counter")
    desk.set_input_files("#doc_giay_chung_sinh", str(tmp_path / "chung-sinh.png"))
    for box in desk.locator("input[name=checked]").all():
        box.check()
    click_and_wait(desk, "main form button[type=submit]")
    assert re.search(rf"{re.escape(TICH_SON_DESK)}-\d{{6}}-\d{{4}}", desk.inner_text(".notice-success"))
    walk.visit(desk, "counter-accepted")

    # The officials: the specialist's step, the leader's approval (signed), the clerk's filing.
    specialist = walk.person(people.specialist.email)
    assert specialist.url == f"{base}/xu-ly/"  # officials land on their worklist
    walk.visit(specialist, "worklist")
    open_code(specialist, base, "/xu-ly/", code)
    walk.visit(specialist, "step")
    specialist.fill("#complete_step-note", "Đủ điều kiện đăng ký khai sinh")
    click_and_wait(specialist, "#complete_step button")
    walk.visit(specialist, "step-done")
    leader = walk.person(people.leader.email)
    open_code(leader, base, "/xu-ly/", code)
    walk.visit(leader, "approve")
    click_and_wait(leader, "#resolve-approved button")
    run_jobs()  # the result's PDF, signed by the leader and sealed by the committee
    leader.reload()
    walk.visit(leader, "approved")
    clerk = walk.person(people.clerk.email)
    open_code(clerk, base, "/xu-ly/", code)
    walk.visit(clerk, "file")
    click_and_wait(clerk, "#complete_step button")
    run_jobs()  # the committee's seal on the result, before it can be returned electronically

    # The desk returns the result, by default the way the applicant chose (electronically).
    open_code(desk, base, "/xu-ly/", code)
    assert desk.locator("#return_result input[name=method]:checked").get_attribute("value") == "online"
    walk.visit(desk, "return")
    click_and_wait(desk, "#return_result button")
    run_jobs()
    walk.visit(desk, "returned")

    # The citizen downloads the signed result and rates it (the comment survives a missing choice).
    citizen.goto(dossier_url)
    assert_pdf(citizen, base, citizen.locator(".next-step a[href*='/van-ban/']"))
    assert citizen.locator(".next-step .tag-ok").count() == 1  # signed
    walk.visit(citizen, "result")
    citizen.fill("#comment", "Cán bộ hướng dẫn tận tình")
    click_and_wait(citizen, "form[action$='/danh-gia'] button")
    assert citizen.input_value("#comment") == "Cán bộ hướng dẫn tận tình"
    walk.visit(citizen, "rating-error")
    citizen.check("#value-satisfied")
    click_and_wait(citizen, "form[action$='/danh-gia'] button")
    assert citizen.locator("form[action$='/danh-gia']").count() == 0
    assert "Cán bộ hướng dẫn tận tình" in citizen.inner_text(".next-step")
    walk.visit(citizen, "rated")
    citizen.goto(f"{base}/ho-so")
    walk.visit(citizen, "my-dossiers")
    citizen.goto(f"{base}/tra-cuu?ma={code}")
    walk.visit(citizen, "lookup")

    assert walk.seen >= 30
    assert not walk.problems, f"{len(walk.problems)} problems:\n" + "\n".join(walk.problems)


def test_axe_reports_what_fails_a_page(browser):
    """The check itself is not blind: an image without a text alternative and an unlabelled
    field are reported (critical), with their elements."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_content('<html lang="vi"><title>Thử</title><main><img src="/x.png"><input id="q"></main></html>')
    found = axe_violations(page)
    context.close()
    assert any(v.startswith("critical image-alt") and v.endswith(": img") for v in found), found
    assert any(v.startswith("critical label") and "#q" in v for v in found), found
