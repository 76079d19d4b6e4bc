"""The OpenAPI 3.1 description of the JSON API."""

ERROR = {"$ref": "#/components/schemas/Error"}
BEARER = [{"bearer": []}]


def _op(summary: str, ok: int = 200, body: dict | None = None, secured: bool = True,
        errors=(400, 401, 403, 404, 409), params: tuple = ()) -> dict:
    operation = {"summary": summary, "responses": {str(ok): {"description": "OK", "content": {
        "application/json": {"schema": {"type": "object"}}}}}}
    for status in errors:
        operation["responses"][str(status)] = {"description": "error", "content": {"application/json": {"schema": ERROR}}}
    if secured:
        operation["security"] = BEARER
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if params:
        operation["parameters"] = [{"name": p, "in": "path", "required": True,
                                    "schema": {"type": "integer" if p.endswith("_id") and p != "task_id" or p == "version" else "string"}}
                                   for p in params]
    return operation


NEED = {"type": "object", "required": ["title", "description", "category", "community"], "properties": {
    "title": {"type": "string", "maxLength": 100}, "description": {"type": "string", "maxLength": 2000},
    "category": {"type": "string"}, "community": {"type": "string"}, "grid": {"type": "string"},
    "contact": {"type": "string"}}}


def document() -> dict:
    """The whole OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "minxu API", "version": "1.0",
                 "description": "民需项目服务法: needs, tasks, instances, audit. Errors: {error, message, fields}."},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": {"type": "object", "required": ["error", "message"], "properties": {
                "error": {"type": "string"}, "message": {"type": "string"}, "fields": {"type": "object"}}}},
        },
        "paths": {
            "/healthz": {"get": _op("Health check", secured=False, errors=())},
            "/api/tokens": {"post": _op("Sign in for a bearer token", 201, secured=False, errors=(400, 401), body={
                "type": "object", "required": ["username", "password"],
                "properties": {"username": {"type": "string"}, "password": {"type": "string"}}})},
            "/api/public/needs": {"post": _op("Submit a need (online channel)", 201, NEED, secured=False, errors=(400,))},
            "/api/public/needs/{code}": {"get": _op("Progress by tracking code", secured=False, errors=(404,),
                                                    params=("code",))},
            "/api/public/needs/{code}/feedback": {"post": _op(
                "The resident rates the handling (回访评价) by tracking code", secured=False, errors=(400, 404, 409),
                params=("code",), body={"type": "object", "required": ["satisfaction"], "properties": {
                    "satisfaction": {"type": "integer", "minimum": 1, "maximum": 5},
                    "feedback_comment": {"type": "string", "maxLength": 2000}}})},
            "/api/public/needs/{code}/withdraw": {"post": _op(
                "The resident withdraws an open need (撤回)", secured=False, errors=(400, 404, 409), params=("code",),
                body={"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "maxLength": 500}}})},
            "/api/public/disclosures": {"get": {**_op("Public notices (公示), newest first", secured=False, errors=()),
                                                "parameters": [{"name": n, "in": "query", "required": False,
                                                                "schema": {"type": "string"}} for n in ("community", "kind")]}},
            "/api/public/disclosures/{disclosure_id}": {"get": _op("One public notice", secured=False, errors=(404,),
                                                                   params=("disclosure_id",))},
            "/api/public/disclosures/{disclosure_id}/objections": {"post": _op(
                "Object to a notice during its publicity period", 201, secured=False, errors=(400, 404, 409),
                params=("disclosure_id",), body={"type": "object", "required": ["content"], "properties": {
                    "content": {"type": "string", "maxLength": 2000}, "contact": {"type": "string", "maxLength": 100}}})},
            "/api/notifications": {"get": _op("My newest notifications and the unread count", errors=(401,))},
            "/api/needs": {"post": _op("Record a need on a resident's behalf", 201, NEED | {"properties": NEED["properties"] | {
                "channel": {"type": "string"}, "visit_type": {"type": "string"}, "resident_name": {"type": "string"},
                "anonymous": {"type": "boolean"}}})},
            "/api/tasks": {"get": {**_op("My inbox", errors=(401,)), "parameters": [
                {"name": n, "in": "query", "required": False, "schema": {"type": "string"}, "description": d}
                for n, d in (("task", "only tasks with this BPMN id"), ("community", "only this community's code"),
                             ("overdue", "1: only tasks past their due date"))]}},
            "/api/tasks/{task_id}": {"get": _op("A task with its form", params=("task_id",))},
            "/api/tasks/{task_id}/claim": {"post": _op("Claim a task", params=("task_id",))},
            "/api/tasks/{task_id}/release": {"post": _op("Release a claimed task", params=("task_id",))},
            "/api/tasks/{task_id}/complete": {"post": _op("Complete a task", params=("task_id",), body={
                "type": "object", "required": ["data"], "properties": {"data": {"type": "object"}}})},
            "/api/instances/{instance_id}": {"get": _op("An instance", params=("instance_id",))},
            "/api/instances/{instance_id}/history": {"get": _op("An instance's audit history", params=("instance_id",))},
            "/api/instances/{instance_id}/attachments": {"post": {
                **_op("Attach files to a case (pdf, images, Word, Excel, text; 5 MB each)", 201, params=("instance_id",)),
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}}},
            "/api/attachments/{attachment_id}": {"get": {
                **_op("Download an attachment", params=("attachment_id",), errors=(401, 403, 404)),
                "responses": {"200": {"description": "the file", "content": {"application/octet-stream": {}}}}}},
            "/api/audit/verify": {"get": _op("Verify the audit chain", errors=(401, 403))},
            "/api/processes": {
                "get": _op("Process definitions and versions", errors=(401, 403)),
                "post": {**_op("Deploy a new version", 201, errors=(400, 401, 403, 422)), "requestBody": {
                    "required": True, "content": {
                        "multipart/form-data": {"schema": {"type": "object", "properties": {
                            "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
                        "application/xml": {"schema": {"type": "string"}}}}},
            },
            "/api/processes/{process_id}/versions/{version}/bpmn": {"get": {
                **_op("A version's BPMN", errors=(401, 403, 404), params=("process_id", "version")),
                "responses": {"200": {"description": "BPMN XML", "content": {"application/xml": {"schema": {"type": "string"}}}}}}},
        },
    }
