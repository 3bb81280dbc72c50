"""The English catalogue (app/i18n.py): every string of the tree is translated, English pages keep
no Vietnamese from the layout, the language switch is kept in a cookie, the API answers in the
language asked for, and official PDFs and e-mails stay Vietnamese."""
import re
import subprocess

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from flask import url_for

from app.config import ROOT
from app.domain.notices import Kind, Notice
from app.services import documents, issuing, notify
from tests.factories import BIRTH, birth_in, tich_son

CATALOGUE = ROOT / "app/translations/en/LC_MESSAGES/messages.po"


def test_every_msgid_of_the_tree_has_an_english_translation(tmp_path):
    """pybabel extract over the tree, with the Makefile's own keywords (`make pot`): a string
    left untranslated (a new template's, a new refusal's) fails here, and so CI. Run `make i18n`
    and translate the new entries of en/messages.po."""
    pot = tmp_path / "messages.pot"
    subprocess.run(["make", "-s", "--no-print-directory", "pot", f"POT={pot}"], cwd=ROOT, check=True,
                   capture_output=True)
    with pot.open("rb") as extracted, CATALOGUE.open("rb") as english:
        wanted, catalogue = read_po(extracted), read_po(english, locale="en")
    ids = [message.id for message in wanted if message.id]
    assert len(ids) > 500  # the extraction really ran over the templates and the code
    problems = []
    for msgid in ids:
        found = catalogue.get(msgid)
        strings = (found.string if isinstance(found.string, tuple) else (found.string,)) if found else ()
        if found is None:
            problems.append(f"missing: {msgid!r}")
        elif not all(strings):  # a plural needs every form
            problems.append(f"empty: {msgid!r}")
        elif found.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
    assert not problems, "\n".join(problems)


def test_translations_keep_their_placeholders():
    with CATALOGUE.open("rb") as english:
        catalogue = read_po(english, locale="en")
    def names(text) -> set[str]:
        return set(re.findall(r"%\((\w+)\)s", " ".join(text) if isinstance(text, tuple) else text))

    wrong = [message.id for message in catalogue if message.id and names(message.id) != names(message.string)]
    assert not wrong


def layout_strings() -> list[str]:
    """The Vietnamese words of the layout (base.html and its navigation, _site_nav.html: their
    msgids), placeholders left out."""
    found = [entry for name in ("base.html", "_site_nav.html")
             for entry in extract_from_file("jinja2", str(ROOT / "templates" / name))]
    return [text for _, text, _, _ in found if "%(" not in text]


def outside_main(page: str) -> str:
    """The layout of a page: everything but <main> (whose content is the page's own, agency and
    procedure names in Vietnamese included)."""
    return re.sub(r"<main\b.*</main>", "", page, flags=re.S)


@pytest.fixture
def office(make_user, loaded_catalogue):
    return tich_son(make_user)


def sample_pages(office) -> list[tuple[object, str]]:
    """(who is logged in, URL) for a sample of every kind of page."""
    draft = birth_in("draft", office)
    accepted = birth_in("accepted", office)
    return [
        (None, url_for("public.index")),
        (None, url_for("public.catalogue")),
        (None, url_for("public.procedure", code=BIRTH)),
        (None, url_for("auth.login")),
        (None, url_for("auth.register")),
        (None, url_for("public.lookup", ma=accepted.code)),
        (None, url_for("stats.dashboard")),
        (office.citizen, url_for("citizen.mine")),
        (office.citizen, url_for("citizen.edit", dossier_id=draft.id)),
        (office.citizen, url_for("citizen.detail", dossier_id=accepted.id)),
        (office.desk, url_for("desk.queue")),
        (office.desk, url_for("desk.intake", code=BIRTH)),
        (office.specialist, url_for("work.worklist")),
        (office.specialist, url_for("work.dossier", dossier_id=accepted.id)),
    ]


def test_english_pages_have_no_vietnamese_layout_and_say_lang_en(client, login, office):
    words = layout_strings()
    assert "Thủ tục hành chính" in words and "Đăng nhập" in words
    for user, url in sample_pages(office):
        if user is not None:
            login(user)
        response = client.get(url + ("&" if "?" in url else "?") + "lang=en")
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert '<html lang="en">' in page, url
        layout = outside_main(page)
        left = [word for word in words if word in layout]
        assert not left, f"{url}: {left}"
        assert "Skip to main content" in page and "One-Stop Public Service Portal" in page


def test_vietnamese_is_the_default_and_the_switch_links_to_english(client, loaded_catalogue):
    page = client.get(f"/thu-tuc/{BIRTH}?tu_khoa=x").get_data(as_text=True)
    assert '<html lang="vi">' in page and "Thủ tục hành chính" in page
    # The switch: the same page, its query kept, in the other language; no JavaScript, no redirect.
    assert f'href="/thu-tuc/{BIRTH}?tu_khoa=x&amp;lang=en" lang="en" hreflang="en">English</a>' in page
    assert '<span aria-current="true" lang="vi">Tiếng Việt</span>' in page


def test_lang_parameter_is_kept_in_a_cookie_for_a_year(client):
    first = client.get("/?lang=en")
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;") and "Max-Age=31536000" in cookie and "HttpOnly" in cookie
    assert '<html lang="en">' in client.get("/thu-tuc").get_data(as_text=True)  # the cookie, no parameter
    assert '<html lang="vi">' in client.get("/?lang=vi").get_data(as_text=True)
    assert '<html lang="vi">' in client.get("/").get_data(as_text=True)


def test_an_unknown_language_is_ignored(client):
    response = client.get("/?lang=fr")
    assert '<html lang="vi">' in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]


def test_procedure_shows_its_english_name_on_english_pages(client, loaded_catalogue):
    english = client.get(f"/thu-tuc/{BIRTH}?lang=en").get_data(as_text=True)
    assert "<h1>Birth registration</h1>" in english
    assert '<p class="lead" lang="vi">Thủ tục đăng ký khai sinh</p>' in english
    assert "4. Time limit" in english
    catalogue = client.get("/thu-tuc?lang=en").get_data(as_text=True)
    assert ">Birth registration</a>" in catalogue and ">Death registration</a>" in catalogue
    vietnamese = client.get(f"/thu-tuc/{BIRTH}?lang=vi").get_data(as_text=True)
    assert "<h1>Thủ tục đăng ký khai sinh</h1>" in vietnamese


def test_english_times_drop_the_vietnamese_word(client, login, office):
    accepted = birth_in("accepted", office)
    login(office.citizen)
    english = client.get(f"/ho-so/{accepted.id}?lang=en").get_data(as_text=True)
    main = re.search(r"<main\b.*</main>", english, flags=re.S).group(0)
    assert re.search(r"\d\d:\d\d, \d\d/\d\d/\d{4}", main)
    assert not re.search(r"\d\d:\d\d ngày \d\d/\d\d/\d{4}", main)
    vietnamese = client.get(f"/ho-so/{accepted.id}?lang=vi").get_data(as_text=True)
    assert re.search(r"\d\d:\d\d ngày \d\d/\d\d/\d{4}", vietnamese)


def test_a_failed_form_says_error_in_english(client, loaded_catalogue):
    response = client.post("/dang-nhap?lang=en", data={"email": "", "password": ""})
    page = response.get_data(as_text=True)
    assert "<title>Error: " in page and "There is a problem" in page and "Enter your password." in page


def test_field_messages_and_flashes_follow_the_language(client, login, office):
    draft = birth_in("draft", office)
    login(office.citizen)
    url = f"/ho-so/{draft.id}/sua?lang=en"
    refused = client.post(url, data={"save": "1", "lock_version": draft.lock_version},
                          content_type="multipart/form-data")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "<title>Error: " in page
    assert '<a href="#delivery">How to receive the result: Choose how to receive the result.</a>' in page
    saved = client.post(url, data={"save": "1", "lock_version": draft.lock_version, "delivery": "counter"},
                        content_type="multipart/form-data", follow_redirects=True)
    assert "Draft saved." in saved.get_data(as_text=True)


def test_api_errors_follow_accept_language_or_lang(client):
    vietnamese = client.get("/api/v1/procedures/9.999999")
    assert vietnamese.get_json()["error"] == "Không có thủ tục mã 9.999999"
    english = client.get("/api/v1/procedures/9.999999", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert english.status_code == 404 and english.get_json()["error"] == "There is no procedure with code 9.999999"
    unknown_path = client.get("/api/v1/khong-co", headers={"Accept-Language": "en"})
    assert unknown_path.get_json()["error"] == "The page or data you asked for was not found."
    bad = client.get("/api/v1/procedures?page=x&lang=en").get_json()
    assert bad["error"].startswith("Invalid parameter: ") and bad["fields"]


def test_official_pdfs_and_emails_stay_vietnamese_on_an_english_request(app, office):
    """The e-mail follows its recipient's language (Vietnamese, the account's default), not the page's."""
    dossier = birth_in("accepted", office)
    receipt = dossier.documents[0]
    with app.test_request_context("/?lang=en"):
        html = documents.render_html(issuing.template_of(receipt), issuing.context(receipt))
        message = notify.status_email(dossier, Notice(Kind.RECEIVED), notify.recipient_of(dossier)[0])
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in html and "Receipt" not in html
    assert re.search(r"Ngày hẹn trả kết quả: \d\d:\d\d ngày \d\d/\d\d/\d{4}", message.body)


def test_the_request_catalogue_follows_force_locale_and_refresh(app):
    """app.i18n.translations() keeps the request's catalogue between strings; a forced locale
    reads its own, and the request's comes back after it and after refresh()."""
    from flask import render_template_string
    from flask_babel import force_locale, refresh

    from app import i18n

    def home():
        return render_template_string("{{ _('Trang chủ') }}|{{ ngettext('%(num)s hồ sơ', '%(num)s hồ sơ', 2) }}")

    with app.test_request_context("/?lang=en"):
        english = home()
        assert english.startswith("Home|") and i18n.gettext("Trang chủ") == "Home"
        with force_locale("vi"):
            assert home().startswith("Trang chủ|") and i18n.say("Trang chủ") == "Trang chủ"
            with force_locale("en"):
                assert home() == english
            assert home().startswith("Trang chủ|")
        assert home() == english
        refresh()
        assert home() == english and i18n.gettext("Trang chủ") == "Home"
