"""The OpenAPI 3.1 description of the JSON API, generated from the app's routes.

Built with apispec and apispec-webframeworks' FlaskPlugin: apispec is the long-kept generator that
marshmallow's maintainers look after, and it reads what each view declares (`docs.documented`) beside
the Flask url_map without making every view a class or a pydantic model, as spectree and
flask-openapi3 would. Every /api rule is walked, so an endpoint cannot be left out: one that
declares nothing still appears (with its path parameters and bearer security) and the suite fails
on it until it says what it does."""
import re

from apispec import APISpec
from apispec_webframeworks.flask import FlaskPlugin
from flask import Flask, current_app
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

from app.http.schemas import ERROR

INFO = {"title": "minxu API", "version": "1.0",
        "description": "民需项目服务法: needs, tasks, instances, audit. Errors: {error, message, fields}."}
METHODS = ("get", "post", "put", "patch", "delete")
JSON_OBJECT = {"application/json": {"schema": {"type": "object"}}}


class RulePlugin(FlaskPlugin):
    """FlaskPlugin given the rule's path itself: one endpoint may have several rules, and a rule
    with an `any(...)` part is described once per value it accepts."""

    def path_helper(self, path=None, operations=None, parameters=None, *, rule_path=None, **kwargs):
        return self.flaskpath2openapi(rule_path) if rule_path else super().path_helper(
            path, operations, parameters, **kwargs)


def documented_rules(app: Flask) -> list[Rule]:
    """The rules the document describes: the JSON API and the health check."""
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/") or r.rule == "/healthz"]


def document() -> dict:
    """The whole OpenAPI document of the current app."""
    app = current_app
    spec = APISpec(title=INFO["title"], version=INFO["version"], openapi_version="3.1.0",
                   info={"description": INFO["description"]}, plugins=[RulePlugin()])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", ERROR)
    for rule in sorted(documented_rules(app), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        for rule_path, value in _expanded(rule):
            operations = {m: _operation(view, rule, value) for m in METHODS if m.upper() in rule.methods}
            spec.path(rule_path=rule_path, operations=operations, view=view, app=app)
    return spec.to_dict()


def _expanded(rule: Rule) -> list[tuple[str, str | None]]:
    """(path, any-value) for each path a rule stands for."""
    choices = [(name, c) for name, c in rule._converters.items() if isinstance(c, AnyConverter)]
    if not choices:
        return [(rule.rule, None)]
    name, converter = choices[0]  # one `any` part per rule is all the API uses
    part = re.compile(r"<any\([^)]*\):" + re.escape(name) + ">")
    return [(part.sub(value, rule.rule), value) for value in sorted(converter.items)]


def _operation(view, rule: Rule, variant: str | None) -> dict:
    declared = dict(getattr(view, "openapi", None) or {"summary": None, "ok": 200, "errors": (400, 401, 403, 404, 409)})
    declared |= declared.get("variants", {}).get(variant, {})
    operation = {"summary": declared["summary"] or _first_line(view), "responses": _responses(declared)}
    if declared["summary"] is None:
        operation["x-undeclared"] = True  # the suite fails on this: the view says nothing of itself
    roles = getattr(view, "required_roles", None)
    if roles is not None:
        operation["security"] = [{"bearer": []}]
        if roles:
            operation["description"] = "Roles: " + ", ".join(roles)
    parameters = _path_parameters(rule) + _query_parameters(declared.get("query"))
    if parameters:
        operation["parameters"] = parameters
    content = declared.get("body_content") or ({"application/json": {"schema": declared["body"]}}
                                               if declared.get("body") is not None else None)
    if content:
        operation["requestBody"] = {"required": True, "content": content}
    return operation


def _responses(declared: dict) -> dict:
    responses = {str(declared["ok"]): {"description": "OK", "content": declared.get("ok_content") or JSON_OBJECT}}
    for status in declared["errors"]:
        responses[str(status)] = {"description": "error", "content": {"application/json": {"schema": "Error"}}}
    return responses


def _path_parameters(rule: Rule) -> list[dict]:
    return [{"name": name, "in": "path", "required": True,
             "schema": {"type": "integer" if isinstance(converter, IntegerConverter) else "string"}}
            for name, converter in rule._converters.items() if not isinstance(converter, AnyConverter)]


def _query_parameters(query) -> list[dict]:
    if isinstance(query, list):
        return query
    return [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}, "description": d}
            for n, d in (query or {}).items()]


def _first_line(view) -> str:
    return (view.__doc__ or view.__name__).strip().splitlines()[0]
