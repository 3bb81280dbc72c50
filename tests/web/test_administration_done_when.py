"""Issue 13's "done when", end to end through the pages and the API: a province administrator
with no console sets up a new commune desk, invites its official, gives them a second role,
publishes a procedure they receive, and reads the trail; the official's token dies the moment
the account is locked."""
import pytest

from app.extensions import db
from app.models import User
from app.services import catalogue, dossiers
from app.services.demo import DemoAgency
from app.services.structure import agency_by_code
from tests.services.test_procedure_admin import birth_text
from tests.web.test_admin_agencies import NEW_DESK
from tests.web.test_admin_staff import last_link

pytestmark = pytest.mark.usefixtures("structure_changes", "loaded_catalogue")

NEW_PROCEDURE = "1.999999"


def test_an_administrator_sets_up_a_commune_desk_and_its_official_without_a_console(app, client, make_user, login):
    admin = login(make_user("admin", DemoAgency.PROVINCE))
    # 1. the desk
    assert client.post("/quan-tri/co-quan", data=NEW_DESK).status_code == 302
    desk = agency_by_code(NEW_DESK["code"])
    assert desk is not None and desk.kind == "one_stop"
    # 2. its official, invited, with a second role at the ward's committee
    invited = client.post("/quan-tri/can-bo", data={"full_name": "Lê Thị Nhận", "email": "nhan.tichson@motcua.example",
                                                   "agency": desk.code, "role": "reception"})
    assert invited.status_code == 302
    official = db.session.scalars(db.select(User).filter_by(email="nhan.tichson@motcua.example")).one()
    assert client.post(f"/quan-tri/can-bo/{official.id}/vai-tro", data={
        "giu": [str(m.id) for m in official.memberships], "co_quan": DemoAgency.TICH_SON,
        "vai_tro": "specialist"}).status_code == 302
    # 3. a procedure published for the commune level: the new desk receives it
    text = birth_text(**{'code: "1.001193"': f'code: "{NEW_PROCEDURE}"'})
    assert client.post("/quan-tri/thu-tuc/xuat-ban", data={"text": text, "confirm": "y"}).status_code == 302
    assert desk in dossiers.receiving_desks(catalogue.current_version(NEW_PROCEDURE))
    # 4. the official sets a password through the link and works
    browser = app.test_client()
    assert browser.post(last_link(official.email), data={"password": "mat-khau-cua-nhan", "confirm":
                                                         "mat-khau-cua-nhan"}).status_code == 302
    answer = browser.post("/dang-nhap", data={"email": official.email, "password": "mat-khau-cua-nhan"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/mot-cua/")
    token = browser.post("/api/v1/auth/token", json={"email": official.email, "password": "mat-khau-cua-nhan"})
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert browser.get("/api/v1/worklist", headers=headers).status_code == 200
    # 5. locked: the token is refused at once
    assert client.post(f"/quan-tri/can-bo/{official.id}/khoa").status_code == 302
    assert browser.get("/api/v1/worklist", headers=headers).status_code == 401
    # 6. the trail: every step, who took it
    trail = client.get("/quan-tri/nhat-ky").get_data(as_text=True)
    for words in ("Điểm tiếp nhận phường Tích Sơn", "Lê Thị Nhận", NEW_PROCEDURE, admin.full_name):
        assert words in trail, words
    for action in ("agency.create", "user.invite", "user.memberships", "procedure.publish", "user.password_set",
                   "user.deactivate"):
        assert client.get(f"/quan-tri/nhat-ky?thao_tac={action}").get_data(as_text=True).count("<tr") > 1, action
