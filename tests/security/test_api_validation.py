"""Issue 18 item 1, issue 14 item 3: the API validates what the web form validates, with the one
set of rules in app/domain/eform.py. Each API case below was answered 201 before (the API passed
`data` and `applicant` almost raw to the service); now it is a 4xx naming the field, and nothing
is kept. The procedure files' new keys (`integer`, `min`, `not_future`) hold on both sides."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta
from io import BytesIO

import pytest

from app.domain import eform
from app.extensions import db
from app.models import Dossier, DossierFile
from app.services import catalogue, dossiers
from tests.factories import BIRTH, BIRTH_FORM, PDF, TICH_SON_DESK, complete_input
from tests.web.test_api_dossiers import APPLICANT, new_dossier, token

COPY = "2.000635"  # cấp bản sao trích lục hộ tịch: registration_date (not_future), copies_requested (integer ≥ 1)


def _refused(response, field: str, status: int = 422) -> str:
    body = response.get_json()
    assert response.status_code == status, body
    assert field in body["fields"], body
    assert db.session.query(Dossier).count() == 0 and db.session.query(DossierFile).count() == 0
    return body["fields"][field]


@pytest.mark.parametrize("overrides, field, said", [
    ({"applicant": json.dumps(APPLICANT | {"id_number": "abc"})}, "applicant.id_number", "12 chữ số"),
    ({"applicant": json.dumps(APPLICANT | {"email": "not-an-email"})}, "applicant.email", "e-mail"),
    ({"applicant": json.dumps(APPLICANT | {"phone": "12"})}, "applicant.phone", "Số điện thoại"),
    ({"applicant": json.dumps(APPLICANT | {"full_name": "A" * 151})}, "applicant.full_name", "150 ký tự"),
    ({"data": json.dumps(BIRTH_FORM | {"child_birth_date": 12345})}, "form.child_birth_date", "năm-tháng-ngày"),
    ({"data": json.dumps(BIRTH_FORM | {"child_birth_date": "20261120"})}, "form.child_birth_date", "năm-tháng-ngày"),
    ({"data": json.dumps(BIRTH_FORM | {"child_sex": "khong_co"})}, "form.child_sex", "Lựa chọn không hợp lệ"),
    ({"data": json.dumps(BIRTH_FORM | {"unknown_key": "x"})}, "form.unknown_key", "không có trong tờ khai"),
    ({"data": json.dumps(BIRTH_FORM | {"child_birth_place": "x" * 100_000})}, "form.child_birth_place",
     "Tối đa 250 ký tự"),
    ({"data": json.dumps(BIRTH_FORM | {"child_hometown": 7})}, "form.child_hometown", "chuỗi ký tự"),
    ({"data": json.dumps(BIRTH_FORM | {"copies_requested": -1})}, "form.copies_requested", "không nhỏ hơn 1"),
    ({"data": json.dumps(BIRTH_FORM | {"copies_requested": "1.5"})}, "form.copies_requested", "số nguyên"),
    ({"data": json.dumps(BIRTH_FORM | {"copies_requested": "1e999999"})}, "form.copies_requested", "số nguyên"),
    ({"data": json.dumps(BIRTH_FORM | {"child_birth_date": "2030-01-01"})}, "form.child_birth_date",
     "sau ngày hôm nay"),
    # The declaration's requester name (max 100) is filled from the block (column 150): named on the block.
    ({"applicant": json.dumps(APPLICANT | {"full_name": "B" * 120})}, "applicant.full_name", "100 ký tự"),
    ({"represented": json.dumps({"full_name": "Lê Thị C", "id_number": "12"})}, "represented.id_number",
     "12 chữ số"),
    ({"represented": json.dumps({"nickname": "C"})}, "represented.nickname", "Khóa không hợp lệ"),
])
def test_what_the_web_form_refuses_the_api_refuses(client, make_user, loaded_catalogue, overrides, field, said):
    response = new_dossier(client, token(client, make_user()), **overrides)
    assert said in _refused(response, field)


def test_text_without_a_max_length_takes_the_default():
    """A text field the file gives no max_length takes 500 (textarea 4000): a 100,000-character
    value once kept the PDF worker busy for 180 s."""
    assert eform.check_value({"type": "text"}, "x" * 500, date.today()) == ("x" * 500, None)
    assert eform.check_value({"type": "text"}, "x" * 100_000, date.today())[1] == "Tối đa 500 ký tự (đã nhập 100000)."
    assert eform.check_value({"type": "textarea"}, "x" * 4001, date.today())[1].startswith("Tối đa 4000 ký tự")
    assert eform.check_value({"type": "textarea"}, "dòng 1\ndòng 2", date.today())[1] is None
    assert eform.check_value({"type": "text"}, "a\x00b", date.today())[1] == "Không được chứa ký tự điều khiển."


def test_300_files_in_one_part_is_refused_naming_the_part(client, make_user, loaded_catalogue):
    headers = token(client, make_user())
    files = [(BytesIO(PDF), f"trang-{n}.pdf") for n in range(300)]
    said = _refused(new_dossier(client, headers, to_khai=files), "documents.to_khai")
    assert str(eform.MAX_FILES_PER_DOCUMENT) in said
    # As many as allowed still go through.
    allowed = [(BytesIO(PDF), f"trang-{n}.pdf") for n in range(eform.MAX_FILES_PER_DOCUMENT)]
    assert new_dossier(client, headers, to_khai=allowed).status_code == 201


def test_a_file_part_the_procedure_does_not_list_is_refused_naming_it(client, make_user, loaded_catalogue):
    response = new_dossier(client, token(client, make_user()), giay_khac=(BytesIO(PDF), "khac.pdf"))
    assert "không có trong thủ tục" in _refused(response, "documents.giay_khac")


def test_a_good_dossier_is_stored_cleaned(client, make_user, loaded_catalogue):
    """Numbers as plain text (2, not 2.00), values stripped; what passes is kept as before."""
    headers = token(client, make_user())
    response = new_dossier(client, headers, data=json.dumps(BIRTH_FORM | {"copies_requested": 2.0,
                                                                          "child_hometown": "  Vĩnh Phúc "}))
    assert response.status_code == 201, response.get_json()
    dossier = db.session.query(Dossier).one()
    assert dossier.form_data["copies_requested"] == "2" and dossier.form_data["child_hometown"] == "Vĩnh Phúc"


def _copy_request(**form) -> dict:
    spec = catalogue.current_version(COPY).spec
    data = complete_input(spec).form_data | form
    return {"procedure": COPY, "data": json.dumps(data), "delivery": "online",
            "to_khai": (BytesIO(PDF), "to-khai.pdf"), "giay_chung_sinh": None}


def test_the_api_refuses_a_registration_date_in_2030_and_a_negative_number_of_copies(client, make_user,
                                                                                      loaded_catalogue):
    headers = token(client, make_user())
    said = _refused(new_dossier(client, headers, **_copy_request(registration_date="2030-01-01")),
                    "form.registration_date")
    assert "không được sau ngày hôm nay" in said
    said = _refused(new_dossier(client, headers, **_copy_request(copies_requested="-2")), "form.copies_requested")
    assert said == "Nhập số nguyên không nhỏ hơn 1."
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    assert new_dossier(client, headers, **_copy_request(registration_date=yesterday)).status_code == 201


def test_a_supplement_answer_is_checked_by_the_same_rules(client, make_user, loaded_catalogue):
    from tests.factories import submitted_birth

    owner = make_user()
    dossier = submitted_birth(owner)
    desk = make_user("reception", TICH_SON_DESK)
    dossiers.request_supplement(dossier, desk, ["Tờ khai"], "Thiếu")
    response = client.post(f"/api/v1/dossiers/{dossier.reference}/supplement", headers=token(client, owner),
                           data={"data": json.dumps({"copies_requested": 0})}, content_type="multipart/form-data")
    assert response.status_code == 422 and "form.copies_requested" in response.get_json()["fields"]
    assert db.session.get(Dossier, dossier.id).status == "supplement_requested"


# --------------------------------------------------------------------------- the web form, same rules
@pytest.fixture
def citizen(make_user, login, loaded_catalogue):
    return login(make_user())


def _web_draft(client, code: str) -> Dossier:
    client.post(f"/thu-tuc/{code}/nop", data={"agency": TICH_SON_DESK})
    return db.session.query(Dossier).order_by(Dossier.id.desc()).first()


def _web_form(dossier: Dossier, **fields) -> dict:
    spec = dossier.procedure_version.spec
    data = {"applicant_full_name": "Nguyễn Văn An", "applicant_id_number": "026090001234",
            "applicant_address": "Phường Tích Sơn", "applicant_phone": "0912345678",
            "applicant_email": "an@motcua.example", "delivery": "online", "lock_version": str(dossier.lock_version),
            "save": "1"}
    data |= {f"f_{k}": v for k, v in complete_input(spec).form_data.items() if not k.startswith("applicant_")}
    return data | fields


def _field_error(html: str, field: str) -> str:
    """The message shown next to the field; the error summary links to the field."""
    assert f'href="#{field}"' in html
    found = re.search(rf'<p class="error-message" id="{field}-error">(.*?)</p>', html, re.S)
    assert found, f"no error message next to {field}"
    return found.group(1)


@pytest.mark.parametrize("code, field, value, said", [
    (COPY, "f_registration_date", "2030-01-01", "không được sau ngày hôm nay"),
    (COPY, "f_copies_requested", "-1", "Nhập số nguyên không nhỏ hơn 1."),
    (BIRTH, "f_copies_requested", "-1", "Nhập số nguyên không nhỏ hơn 1."),
    (BIRTH, "f_copies_requested", "2.5", "Vui lòng nhập một số nguyên."),
    (BIRTH, "f_child_birth_date", "2030-05-01", "không được sau ngày hôm nay"),
    (BIRTH, "applicant_full_name", "A" * 151, "Tối đa 150 ký tự"),
])
def test_the_web_form_refuses_the_same_with_the_message_on_the_field(client, citizen, code, field, value, said):
    dossier = _web_draft(client, code)
    response = client.post(f"/ho-so/{dossier.id}/sua", data=_web_form(dossier, **{field: value}),
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert said in _field_error(html, field)
    db.session.refresh(dossier)
    assert dossier.form_data == {}  # nothing of the refused save was kept


def test_the_web_form_takes_its_limits_from_the_rules(client, citizen):
    """maxlength / min from the same spec the service checks (no second copy in the form)."""
    dossier = _web_draft(client, BIRTH)
    html = client.get(f"/ho-so/{dossier.id}/sua").get_data(as_text=True)
    assert 'id="f_child_birth_place"' in html and 'maxlength="250"' in html
    copies = html[html.index('id="f_copies_requested"') - 200:html.index('id="f_copies_requested"') + 200]
    assert 'min="1"' in copies
    assert 'maxlength="150"' in html  # the applicant's name, as long as its column


def test_a_good_web_save_passes_and_is_stored_as_the_api_stores_it(client, citizen):
    dossier = _web_draft(client, BIRTH)
    response = client.post(f"/ho-so/{dossier.id}/sua", data=_web_form(dossier, f_copies_requested="2.00"),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.refresh(dossier)
    assert dossier.form_data["copies_requested"] == "2"


def test_the_service_refuses_what_a_form_did_not_check(make_user, loaded_catalogue):
    """The rule is the service's: a caller that skips the web form (the counter's form, a script)
    gets the same refusal."""
    from tests.factories import birth_input

    citizen = make_user()
    draft = dossiers.start_draft(citizen, catalogue.current_version(BIRTH), TICH_SON_DESK)
    with pytest.raises(dossiers.DossierError) as error:
        dossiers.save_draft(draft, citizen, birth_input(form_data=BIRTH_FORM | {"copies_requested": "0"}),
                            draft.lock_version)
    assert error.value.status == 422 and list(error.value.fields) == ["form.copies_requested"]
