"""The API's published contract: /api/v1/openapi.json (OpenAPI 3.1, from the models) validates,
its docs page renders from local assets, and the API keeps it: schemathesis sends generated
requests (as a citizen and as staff, with real bearer tokens, on a seeded database) and every
answer must be a declared status with a body that fits its schema, never a 500."""
import contextvars
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.blueprints.actions import REGISTRY
from app.services.demo import DemoAgency
from tests.factories import GUARDIANSHIP, TICH_SON_DESK, at_counter, submitted_birth


def test_openapi_document_is_valid_3_1_and_covers_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)  # raises on an invalid document
    assert document["openapi"].startswith("3.1")
    bearer = document["components"]["securitySchemes"]["bearer"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    assert bearer["description"].startswith("POST /auth/token")
    routes = {re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", re.sub(r"<any\([^)]*\):", "<", rule.rule))
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
    undocumented = routes - set(document["paths"]) - {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/docs/{filename}"}
    assert not undocumented
    action = document["paths"]["/api/v1/dossiers/{code}/actions/{action}"]["post"]
    names = next(p for p in action["parameters"] if p["name"] == "action")["schema"]["enum"]
    assert names == [a.value for a in REGISTRY]
    assert action["security"] == [{"bearer": []}]
    assert set(action["responses"]) >= {"200", "400", "401", "403", "404", "409", "422"}
    def schema(status: str) -> dict:
        ref = action["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        return document["components"]["schemas"][ref.rsplit("/", 1)[1]]

    error = schema("409")
    assert set(error["required"]) == {"error", "fields"}
    dossier = schema("200")
    assert dossier["properties"]["available_actions"]["type"] == "array"


def test_docs_page_renders_with_assets_served_by_the_app(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/openapi.json" in html and "<noscript>" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(assets) >= 4 and all(a.startswith("/") for a in assets)  # no CDN
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200 and response.data, asset
    assert client.get("/api/v1/docs/LICENSE").status_code == 200
    assert client.get("/api/v1/docs/../../app/config.py").status_code == 404


@pytest.fixture
def api_schema(app):
    def isolated(environ, start_response):  # each request in its own context, as IsolatedClient does
        return contextvars.Context().run(app.wsgi_app, environ, start_response)

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated)


@pytest.fixture
def people(client, make_user, loaded_catalogue):
    """A citizen with a dossier sent online, one entered at the counter and now in processing,
    and the desk that holds them: their bearer tokens and the dossiers' identifiers."""
    citizen, desk = make_user(), make_user("reception", TICH_SON_DESK)
    online = submitted_birth(citizen)
    processing = at_counter(GUARDIANSHIP, citizen, desk)
    tokens = {}
    for name, user in (("citizen", citizen), ("staff", make_user("specialist", DemoAgency.TICH_SON)), ("desk", desk)):
        answer = client.post("/api/v1/auth/token", json={"email": user.email, "password": "mat-khau-thu-nghiem"})
        tokens[name] = {"Authorization": f"Bearer {answer.get_json()['token']}"}
    return tokens, [online.reference, processing.code]


CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


def test_api_keeps_its_contract(api_schema, people):
    """Every operation, a few generated requests each (a bounded run: about a minute)."""
    tokens, codes = people
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 18

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None, phases=[Phase.explicit, Phase.generate])
        def keeps(case):
            for who, headers in tokens.items():
                if "code" in (case.path_parameters or {}) and who != "citizen":  # staff on real dossiers
                    case.path_parameters["code"] = codes[len(who) % 2]
                case.call_and_validate(headers=headers, checks=CHECKS)

        keeps()


def test_admin_api_keeps_its_contract(api_schema, people, client, make_user):
    """The administration routes (issue 13) with the others' tokens and a province administrator's."""
    tokens, _codes = people
    answer = client.post("/api/v1/auth/token", json={"email": make_user("admin", DemoAgency.PROVINCE).email,
                                                     "password": "mat-khau-thu-nghiem"})
    callers = [*tokens.values(), {"Authorization": f"Bearer {answer.get_json()['token']}"}]
    operations = [op for op in (result.ok() for result in api_schema.get_all_operations()) if "/admin/" in op.path]
    assert len(operations) >= 6

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None, phases=[Phase.explicit, Phase.generate])
        def keeps(case):
            for headers in callers:
                case.call_and_validate(headers=headers, checks=CHECKS)

        keeps()
