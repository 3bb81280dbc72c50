"""The citizen's store on the web and the API: the list, a download, deleting with a confirmation,
a paper ticked on the e-form instead of an upload, /api/v1/me/store and `store_files` on
POST /api/v1/dossiers; someone else's paper is 404, staff get 403."""
import json
from io import BytesIO

import pytest

from app.services import catalogue, citizen_store, dossiers
from app.services.demo import DemoAgency
from tests.factories import PDF, complete_input
from tests.services.test_citizen_store import HOUSEHOLD, ID_PART, id_paper, others
from tests.web.test_api_dossiers import token

pytestmark = pytest.mark.usefixtures("loaded_catalogue")


def test_the_store_lists_downloads_and_deletes_after_a_confirmation(client, login, make_user):
    citizen, _, paper = id_paper(make_user)
    login(citizen)
    page = client.get("/kho-giay-to")
    assert page.status_code == 200 and "cccd.pdf" in page.text and "Bạn tải lên" in page.text
    download = client.get(f"/kho-giay-to/{paper.id}/tai-ve")
    assert download.status_code == 200 and download.data == PDF
    confirm = client.get(f"/kho-giay-to/{paper.id}/xoa")
    assert confirm.status_code == 200 and "Xóa khỏi kho" in confirm.text
    assert client.post(f"/kho-giay-to/{paper.id}/xoa").status_code == 302
    assert "Kho của bạn chưa có giấy tờ nào" in client.get("/kho-giay-to").text


@pytest.mark.parametrize("path", ["/kho-giay-to/{id}/tai-ve", "/kho-giay-to/{id}/xoa"])
def test_someone_elses_paper_is_not_found_and_staff_have_no_store(client, login, make_user, path):
    _, _, paper = id_paper(make_user)
    login(make_user())
    assert client.get(path.format(id=paper.id)).status_code == 404
    assert client.get(path.format(id=987654)).status_code == 404
    login(make_user("reception", DemoAgency.CENTRE))
    assert client.get(path.format(id=paper.id)).status_code == 403
    assert client.get("/kho-giay-to").status_code == 403


def test_the_eform_offers_the_paper_and_takes_it_when_ticked(client, login, make_user):
    citizen, _, paper = id_paper(make_user)
    version = catalogue.current_version(HOUSEHOLD)
    draft = dossiers.start_draft(citizen, version, dossiers.receiving_desks(version)[0].code)
    login(citizen)
    page = client.get(f"/ho-so/{draft.id}/sua")
    assert f'name="store_{ID_PART}" value="{paper.id}"' in page.text
    client.post(f"/ho-so/{draft.id}/sua", data={f"store_{ID_PART}": str(paper.id), "lock_version": draft.lock_version,
                                               "delivery": "counter"})
    reused = [f for f in draft.files if f.reused]
    assert [f.sha256 for f in reused] == [paper.sha256]


def test_the_api_lists_the_store_and_submits_with_a_stored_paper(client, make_user):
    citizen, _, paper = id_paper(make_user)
    headers = token(client, citizen)
    listed = client.get("/api/v1/me/store", headers=headers).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == paper.id and listed["items"][0]["in_use"] is False
    assert client.get("/api/v1/me/store", headers=token(client, make_user("reception", DemoAgency.CENTRE))
                      ).status_code == 403
    assert client.get("/api/v1/me/store").status_code == 401
    version = catalogue.current_version(HOUSEHOLD)
    fields = complete_input(version.spec).form_data
    body = {"procedure": HOUSEHOLD, "agency": dossiers.receiving_desks(version)[0].code,
            "applicant": json.dumps({"full_name": "Nguyễn Văn An", "id_number": "026090001234",
                                     "address": "Phường Tích Sơn", "phone": "0912345678"}),
            "data": json.dumps(fields), "store_files": json.dumps({ID_PART: [paper.id]})}
    for key in others(HOUSEHOLD, ID_PART):
        body[key] = (BytesIO(PDF), "giay.pdf")
    created = client.post("/api/v1/dossiers", data=body, headers=headers, content_type="multipart/form-data")
    assert created.status_code == 201, created.get_json()
    dossier = dossiers.by_identifier(created.get_json()["reference"])
    assert [f.stored_paper_id for f in dossier.files if f.reused] == [paper.id]
    assert citizen_store.in_use(paper)
