"""The OpenAPI document is generated from the routes: every /api rule is in it, declared, and the document is valid."""
import re

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from app import create_app


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """An app (no database needed) and the document it serves."""
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('openapi')}/doc.db", "SECRET_KEY": "test",
                      "TESTING": True})
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    yield app, response.get_json()
    app.extensions["db_engine"].dispose()


def _paths_of(rule) -> list[str]:
    """The OpenAPI paths a Flask rule stands for, worked out here independently of the generator."""
    choice = re.search(r"<any\(([^)]*)\):\w+>", rule.rule)
    rules = [rule.rule.replace(choice.group(0), v.strip()) for v in choice.group(1).split(",")] if choice else [rule.rule]
    return [re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", r) for r in rules]


def test_every_api_rule_and_method_is_in_the_document_and_declared(generated):
    app, document = generated
    seen = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") and rule.rule != "/healthz":
            continue
        for path in _paths_of(rule):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                operation = document["paths"].get(path, {}).get(method.lower())
                assert operation is not None, f"{method} {path} ({rule.endpoint}) is missing from the document"
                assert "x-undeclared" not in operation, f"{rule.endpoint} has no @documented(...) declaration"
                assert operation["summary"] and operation["responses"]
                named = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
                assert named == set(re.findall(r"{(\w+)}", path)), path
                seen += 1
    assert seen >= 60  # the walk really went through the API


def test_the_document_has_nothing_the_app_does_not_serve(generated):
    app, document = generated
    served = {(m.lower(), p) for r in app.url_map.iter_rules() for p in _paths_of(r) for m in r.methods}
    listed = {(m, p) for p, ops in document["paths"].items() for m in ops}
    assert listed <= served


def test_the_document_is_valid_openapi_3_1(generated):
    _, document = generated
    assert document["openapi"] == "3.1.0"
    validate(document)  # openapi-spec-validator picks the 3.1 schema from the version field
    broken = document | {"paths": {"/api/x": {"get": {"responses": {"200": {"content": {}}}}}}}
    with pytest.raises(OpenAPIValidationError):
        validate(broken)  # a response without its description: the validator does look


def test_the_document_keeps_security_bodies_and_filters(generated):
    _, document = generated
    assert document["info"]["title"] == "minxu API" and "{error, message, fields}" in document["info"]["description"]
    assert document["components"]["securitySchemes"] == {"bearer": {"type": "http", "scheme": "bearer"}}
    paths = document["paths"]
    assert paths["/api/tasks"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in paths["/api/public/needs"]["post"] and "security" not in paths["/healthz"]["get"]
    body = paths["/api/public/needs"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["title", "description", "category", "community"]
    assert {p["name"] for p in paths["/api/lists/resources"]["get"]["parameters"]} == {"community", "kind", "q"}
    assert paths["/api/processes/{process_id}/versions/{version}/bpmn"]["get"]["parameters"][1]["schema"] == {
        "type": "integer"}
    error = paths["/api/tasks/{task_id}/complete"]["post"]["responses"]["409"]["content"]["application/json"]
    assert error["schema"] == {"$ref": "#/components/schemas/Error"}
