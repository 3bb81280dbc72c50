"""Every page fits a 360 px phone screen (issue 14, item 1): in Chromium at 360 × 740, the
page is never wider than the window (document.documentElement.scrollWidth <= innerWidth), on
the public, citizen, desk and official pages, with a dossier in each state to show.

A wide table may scroll inside its own box (.table-scroll, a focusable labelled region): that
box does not widen the page, and the test checks each such box is labelled and focusable."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.domain.deadlines import OFFICE_TZ
from app.extensions import db
from app.services import dossiers, ratings
from tests.browser.pages import log_in, needs_chromium
from tests.factories import BIRTH, LAND, birth_in, land_at_counter, tich_son

pytestmark = needs_chromium

PHONE = {"width": 360, "height": 740}
PASSWORD = "mat-khau-thu-nghiem"

# What each page is measured by: the page's width against the window's, and any element
# sticking out to the right of the window (to name the culprit when the page is too wide).
MEASURE = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > width + 0.5 && !e.closest('.table-scroll'))
    .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                     + ' ' + Math.round(e.getBoundingClientRect().right));
  const boxes = [...document.querySelectorAll('.table-scroll')].filter(
    e => e.getAttribute('role') !== 'region' || !e.getAttribute('aria-label') || e.tabIndex !== 0);
  return {scroll: document.documentElement.scrollWidth, inner: width, wide, unlabelled: boxes.length};
}"""


@pytest.fixture
def journey(make_user, loaded_catalogue):
    """A dossier of each kind for one citizen at Tích Sơn, and its staff (password PASSWORD)."""
    office = tich_son(make_user)
    kinds = {state: birth_in(state, office) for state in
             ("draft", "submitted", "supplement_requested", "refused", "accepted", "processing", "resolved",
              "returned")}
    ratings.rate(kinds["returned"], office.citizen, "satisfied", "Cán bộ hướng dẫn tận tình, nhanh chóng.")
    kinds["withdrawing"] = dossiers.request_withdrawal(birth_in("accepted", office), office.citizen,
                                                       "Tôi nộp nhầm thủ tục")
    kinds["land"] = land_at_counter(office.citizen, office.desk)
    db.session.commit()
    return office, kinds


def pages(office, kinds) -> dict[str, list[str]]:
    """The pages each account sees, by the account's e-mail (None: a visitor)."""
    code = kinds["accepted"].code
    now = datetime.now(OFFICE_TZ)
    since, until = (now - timedelta(days=30)).strftime("%d/%m/%Y"), now.strftime("%d/%m/%Y")
    public = ["/", "/thu-tuc", "/thu-tuc?q=khai+sinh", f"/thu-tuc/{BIRTH}", f"/thu-tuc/{LAND}", "/tra-cuu",
              f"/tra-cuu?ma={code}", "/xac-thuc", "/thong-ke", f"/thong-ke?ky=custom&tu={since}&den={until}",
              "/dang-nhap", "/dang-ky", "/khong-co-trang-nay"]
    citizen = ["/ho-so", f"/thu-tuc/{BIRTH}/nop", f"/ho-so/{kinds['draft'].id}/sua",
               f"/ho-so/{kinds['accepted'].id}/rut"] + [f"/ho-so/{d.id}" for d in kinds.values()]
    desk = ["/mot-cua/", f"/mot-cua/so-theo-doi?tu={since}&den={until}", "/mot-cua/tiep-nhan",
            f"/mot-cua/tiep-nhan/{BIRTH}"]
    desk += [f"/mot-cua/ho-so/{kinds[s].id}" for s in
             ("submitted", "supplement_requested", "accepted", "withdrawing", "returned")]
    work = ["/xu-ly/", "/xu-ly/danh-gia"] + [f"/xu-ly/ho-so/{kinds[s].id}" for s in
                                            ("accepted", "processing", "resolved", "returned", "land")]
    return {None: public, office.citizen.email: citizen, office.desk.email: desk,
            office.specialist.email: work, office.leader.email: ["/xu-ly/", f"/xu-ly/ho-so/{kinds['processing'].id}",
                                                               f"/xu-ly/ho-so/{kinds['resolved'].id}"],
            office.clerk.email: ["/xu-ly/", f"/xu-ly/ho-so/{kinds['resolved'].id}"]}


def test_every_page_fits_a_360_px_screen(live_server, browser, journey, make_user, tmp_path):
    office, kinds = journey
    admin = make_user("admin", "000.00.00.H62", password=PASSWORD)
    visits = pages(office, kinds) | {admin.email: ["/quan-tri/lich"]}
    too_wide, seen = [], 0
    for email, paths in visits.items():
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        if email:
            log_in(page, live_server, email, PASSWORD)
            assert page.locator("text=Đăng xuất").count() == 1, f"{email} could not log in"
        for path in paths:
            response = page.goto(live_server + path)
            expected = 404 if path == "/khong-co-trang-nay" else 200
            assert response.status == expected, f"{path} as {email}: HTTP {response.status}"
            found = page.evaluate(MEASURE)
            if path.startswith("/thu-tuc?"):  # the names stay whole lines, not a word a line
                widths = page.eval_on_selector_all(".table-stack .name", "cells => cells.map(c => c.offsetWidth)")
                assert widths and min(widths) >= 300, widths
            seen += 1
            if found["scroll"] > found["inner"] or found["wide"] or found["unlabelled"]:
                name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
                page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
                too_wide.append((email, path, found))
        context.close()
    assert seen >= 40
    assert not too_wide, "\n".join(f"{path} as {email or 'visitor'}: {found}" for email, path, found in too_wide)
