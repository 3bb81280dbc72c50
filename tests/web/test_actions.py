"""The one action registry (app/blueprints/actions.py): every action a user can take has one
entry under its workflow name, with a message; the pages' former names and the API's former
withdrawal routes still work for one release, and the API's are deprecated in the document."""
import inspect
import itertools

import pytest

from app.blueprints.actions import DEPRECATED_ALIASES, OWN_FORM, PARAMS, REGISTRY
from app.domain.workflow import Action, ApologyStage, DossierState, Status, possible_actions
from app.extensions import db
from app.services import dossiers, processing
from app.services.demo import DemoAgency
from tests.factories import TICH_SON_DESK, land_at_counter, owing_dossier, submitted_birth
from tests.web.test_api_dossiers import token

SPECIALIST, COMMUNE = "specialist", DemoAgency.TICH_SON


def _takeable() -> set[Action]:
    """Every action the workflow offers in some state (possible_actions over all of them)."""
    states = itertools.product(Status, (0, 1), (0, 1), (None, *Status), ApologyStage)
    return {action for status, intake, during, previous, apology in states
            for action in possible_actions(DossierState(status, intake, during, previous, apology))}


def test_every_action_a_user_can_take_has_exactly_one_registry_entry_and_a_message():
    takeable = _takeable()
    assert Action.RESOLVE in takeable and Action.ASSIGN in takeable  # the walk reaches both kinds of rows
    assert takeable == set(REGISTRY) | OWN_FORM and not set(REGISTRY) & OWN_FORM
    for action, entry in REGISTRY.items():
        assert entry.message.strip(), action


def test_each_entry_passes_what_its_service_function_takes():
    for action, entry in REGISTRY.items():
        parameters = list(inspect.signature(entry.run).parameters.values())[2:]  # after (dossier, user)
        names = {p.name for p in parameters}
        assert set(entry.params) <= names and set(entry.params) <= set(PARAMS), action
        required = {p.name for p in parameters if p.default is inspect.Parameter.empty}
        assert required <= set(entry.params), action


def test_aliases_are_not_action_names_and_name_registry_actions():
    for alias, (action, implied) in DEPRECATED_ALIASES.items():
        assert alias not in set(Action) and action in REGISTRY
        assert set(implied) <= set(REGISTRY[action].params)


@pytest.fixture
def accepted(make_user, loaded_catalogue):
    return dossiers.accept(submitted_birth(make_user()), make_user("reception", TICH_SON_DESK))


def _post(client, dossier, data, page="xu-ly"):
    return client.post(f"/{page}/ho-so/{dossier.id}", data=data)


@pytest.mark.parametrize("name", ["complete", "complete_step"])
def test_complete_step_by_its_name_and_its_former_one(client, make_user, login, accepted, name):
    login(make_user(SPECIALIST, COMMUNE))
    response = _post(client, accepted, {"action": name, "note": "Đủ"})
    assert response.status_code == 302 and accepted.current_step.role == "leader"


@pytest.mark.parametrize("name", ["return", "return_step"])
def test_return_step_by_its_name_and_its_former_one(client, make_user, login, accepted, name):
    processing.complete_step(accepted, make_user(SPECIALIST, COMMUNE))
    login(make_user("leader", COMMUNE))
    response = _post(client, accepted, {"action": name, "note": "Thiếu xác minh"})
    assert response.status_code == 302
    assert accepted.current_step.role == "specialist"
    assert "Đã trả hồ sơ về bước trước." in client.get(response.location).get_data(as_text=True)


def test_supplement_at_the_desk_by_its_former_name(client, make_user, login, loaded_catalogue):
    dossier = submitted_birth(make_user())
    login(make_user("reception", TICH_SON_DESK))
    response = _post(client, dossier, {"action": "supplement", "items": "Tờ khai", "reason": "Thiếu"}, page="mot-cua")
    assert response.status_code == 302
    db.session.refresh(dossier)
    assert dossier.status == "supplement_requested"


@pytest.mark.parametrize("name", ["fly", "submit", "start_processing", "resubmit"])
def test_a_name_outside_the_registry_is_400(client, make_user, login, loaded_catalogue, name):
    dossier = submitted_birth(make_user())
    login(make_user("reception", TICH_SON_DESK))
    assert _post(client, dossier, {"action": name}, page="mot-cua").status_code == 400
    db.session.refresh(dossier)
    assert dossier.status == "submitted"


@pytest.mark.parametrize("name", ["fee", "request_fee"])
def test_request_fee_by_its_name_and_its_former_one(client, make_user, login, loaded_catalogue, name):
    dossier = land_at_counter(make_user(), make_user("reception", TICH_SON_DESK))
    login(make_user(SPECIALIST, COMMUNE))
    assert _post(client, dossier, {"action": name}).status_code == 302
    db.session.refresh(dossier)
    assert dossier.status == "fee_requested"


@pytest.mark.parametrize("name", ["payment", "record_payment"])
def test_record_payment_by_its_name_and_its_former_one(client, make_user, login, loaded_catalogue, name):
    specialist = make_user(SPECIALIST, COMMUNE)
    dossier = owing_dossier(make_user(), make_user("reception", TICH_SON_DESK), specialist)
    login(specialist)
    wrong = _post(client, dossier, {"action": name, "amount": "1"})
    assert wrong.status_code == 422 and 'id="record_payment-amount"' in wrong.get_data(as_text=True)
    amount = processing.fee_total(dossier)
    assert _post(client, dossier, {"action": name, "amount": f"{amount:,}".replace(",", ".")}).status_code == 302
    db.session.refresh(dossier)
    assert dossier.status == "processing"


@pytest.mark.parametrize("data", [{"action": "approve"}, {"action": "resolve", "outcome": "approved"}])
def test_approve_by_the_workflow_name_and_the_former_one(client, make_user, login, accepted, data):
    processing.complete_step(accepted, make_user(SPECIALIST, COMMUNE))
    login(make_user("leader", COMMUNE))
    page = client.get(f"/xu-ly/ho-so/{accepted.id}").get_data(as_text=True)
    assert 'id="resolve-approved"' in page and 'name="outcome" value="approved"' in page
    assert 'name="outcome" value="denied"' in page
    assert _post(client, accepted, data).status_code == 302
    db.session.refresh(accepted)
    assert (accepted.status, accepted.outcome) == ("resolved", "approved")


def test_deny_by_its_former_name(client, make_user, login, accepted):
    processing.complete_step(accepted, make_user(SPECIALIST, COMMUNE))
    login(make_user("leader", COMMUNE))
    unconfirmed = _post(client, accepted, {"action": "deny", "reason": "Không đủ điều kiện"})
    assert unconfirmed.status_code == 422 and '<a href="#resolve-confirm">' in unconfirmed.get_data(as_text=True)
    assert _post(client, accepted,
                 {"action": "deny", "reason": "Không đủ điều kiện", "confirm": "yes"}).status_code == 302
    db.session.refresh(accepted)
    assert (accepted.status, accepted.outcome) == ("resolved", "denied")


def test_former_api_routes_are_deprecated_in_the_document_and_the_action_route_is_not(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert paths["/api/v1/dossiers/{code}/withdraw"]["post"]["deprecated"] is True
    assert paths["/api/v1/dossiers/{code}/withdraw/cancel"]["post"]["deprecated"] is True
    action = paths["/api/v1/dossiers/{code}/actions/{action}"]["post"]
    assert "deprecated" not in action
    enum = next(p for p in action["parameters"] if p["name"] == "action")["schema"]["enum"]
    assert {"request_withdrawal", "cancel_withdrawal"} <= set(enum) and not set(enum) & set(DEPRECATED_ALIASES)


def test_former_api_withdrawal_routes_still_work(client, make_user, loaded_catalogue):
    citizen = make_user()
    dossier = submitted_birth(citizen)
    headers = token(client, citizen)
    response = client.post(f"/api/v1/dossiers/{dossier.reference}/withdraw", json={"reason": "Nhầm"}, headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "withdrawal_requested"
    assert response.get_json()["history"][-1]["note"] == "Nhầm"
    response = client.post(f"/api/v1/dossiers/{dossier.reference}/withdraw/cancel", headers=headers)
    assert response.status_code == 200 and response.get_json()["status"] == "submitted"
    desk = token(client, make_user("reception", TICH_SON_DESK))
    assert client.post(f"/api/v1/dossiers/{dossier.reference}/withdraw", headers=desk).status_code == 403
