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


LIST_FILTERS = {"community": "a community code in your scope", "status": "a status code", "category": "a category code",
                "kind": "unit, organisation, volunteer, venue or fund", "year": "e.g. 2026 (China time)",
                "from": "first day, YYYY-MM-DD", "to": "last day, YYYY-MM-DD", "q": "text in titles, codes, names"}
LISTS = {"needs": ("community", "status", "category", "year", "from", "to", "q"),
         "resources": ("community", "kind", "q"),
         "projects": ("community", "status", "category", "year", "from", "to", "q")}


SEARCH_FILTERS = {**{k: LIST_FILTERS[k] for k in ("community", "status", "year", "from", "to", "q")},
                  "process": "a process id", "version": "a version number", "actor": "a username who acted on it",
                  "field": "a data field some event set (e.g. tier)", "value": "the value it was set to (as text)",
                  "page": "page number, 50 per page"}


def _query(described: dict) -> list[dict]:
    return [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}, "description": d}
            for n, d in described.items()]


def _list_op(name: str) -> dict:
    """A 三张清单 list: every matching row, amounts in fen and as yuan; 400 names each bad filter."""
    return {**_op(f"The {name} list (三张清单) in your communities: {{count, items}}", errors=(400, 401, 403)),
            "parameters": [{"name": n, "in": "query", "required": False, "schema": {"type": "string"},
                            "description": LIST_FILTERS[n]} for n in LISTS[name]]}


RESOURCE = {"type": "object", "required": ["community", "kind", "name"], "properties": {
    "community": {"type": "string"}, "kind": {"enum": ["unit", "organisation", "volunteer", "venue", "fund"]},
    "name": {"type": "string", "maxLength": 200}, "contact": {"type": "string", "maxLength": 100},
    "capacity": {"type": "string", "maxLength": 200}, "description": {"type": "string", "maxLength": 2000}}}

PACKAGE = {"type": "object", "required": ["files"], "properties": {"files": {
    "type": "object", "description": "file name (.bpmn, .dmn, form .json) → text",
    "additionalProperties": {"type": "string"}},
    "entry_process": {"type": "string", "description": "id of the process instances start in (also as process_id); "
                                                       "by default the one executable process no other calls"}}}
DRY_RUN = {"type": "object", "required": ["files"], "properties": {
    **PACKAGE["properties"],
    "answers": {"type": "object", "description": "user task id → one answer object, or a list used in order"},
    "data": {"type": "object", "description": "start data"},
    "helper_results": {"type": "object", "description": "helper function name → value it returns (a list: one per call)"},
    "start_at": {"type": "string", "format": "date-time"}, "max_steps": {"type": "integer", "minimum": 1, "maximum": 1000}}}

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
            "/api/audit/verify": {"get": _op(
                "Verify the audit chain, its hashes and its keyed MACs (AUDIT_KEY): "
                "{ok, events_checked, first_broken: {seq, reason}, keyed}", errors=(401, 403))},
            "/api/audit/events": {"get": _op(
                "Events outside any instance (sign-ins, sign-outs, failed sign-ins, tokens, deployments, "
                "accounts), newest first; query type, actor, page: {total, page, per_page, events}",
                errors=(401, 403))},
            "/api/admin/tasks/{task_id}/reassign": {"post": _op(
                "Reassign a ready task to a user holding its role in its community, or back to the queue "
                "(audited: assignee and claimed_by before and after)", errors=(400, 401, 403, 404, 409),
                params=("task_id",), body={"type": "object", "required": ["username"],
                                           "properties": {"username": {"type": ["string", "null"]}}})},
            "/api/admin/instances/{instance_id}/data": {"post": _op(
                "Set process data fields of a running instance, with a reason (audited before and after)",
                errors=(400, 401, 403, 404, 409), params=("instance_id",),
                body={"type": "object", "required": ["data", "reason"], "properties": {
                    "data": {"type": "object"}, "reason": {"type": "string", "maxLength": 500}}})},
            "/api/admin/instances/{instance_id}/cancel": {"post": _op(
                "Cancel a running instance, with a reason (audited)", errors=(400, 401, 403, 404, 409),
                params=("instance_id",), body={"type": "object", "required": ["reason"], "properties": {
                    "reason": {"type": "string", "maxLength": 500}}})},
            "/api/incidents": {"get": _op(
                "Incidents (failed instances) in your communities, newest failure first: {incidents: [{instance_id, "
                "process_id, version, community, element: {id, name}, error, failed_at, ...}]}", errors=(401, 403))},
            "/api/incidents/{instance_id}": {"get": _op(
                "One incident, with the data its failed step ran with and the newer versions it may move to",
                errors=(401, 403, 404), params=("instance_id",))},
            "/api/incidents/{instance_id}/retry": {"post": _op(
                "Retry the failed step after a fix: data corrections merged into its data, and/or a newer version "
                "of the process (a number, or \"latest\"); audited. Failing again keeps the incident, with the "
                "new error", errors=(400, 401, 403, 404, 409), params=("instance_id",),
                body={"type": "object", "properties": {
                    "data": {"type": "object", "description": "field → corrected value"},
                    "version": {"oneOf": [{"type": "integer"}, {"const": "latest"}]}}})},
            "/api/incidents/{instance_id}/cancel": {"post": _op(
                "Cancel a failed instance, with a reason (audited)", errors=(400, 401, 403, 404, 409),
                params=("instance_id",), body={"type": "object", "required": ["reason"], "properties": {
                    "reason": {"type": "string", "maxLength": 500}}})},
            "/api/admin/users": {"get": _op("Users with their roles and whether they are active", errors=(401, 403))},
            "/api/admin/users/{username}/roles": {"post": {**_op(
                "Set a user's roles (and optionally whether they are active); audited before and after",
                errors=(400, 401, 403, 404, 409), body={"type": "object", "required": ["roles"], "properties": {
                    "roles": {"type": "array", "items": {"type": "string"}}, "active": {"type": "boolean"}}}),
                "parameters": [{"name": "username", "in": "path", "required": True, "schema": {"type": "string"}}]}},
            "/api/instances/{instance_id}/trace": {"get": _op(
                "Where an instance has been: path (elements in order, with times), flows taken, current tokens, "
                "each user task's ready/ended times", params=("instance_id",))},
            "/api/instances": {"get": {**_op("Search instances in your scope: {total, page, per_page, instances}",
                                             errors=(400, 401)),
                                       "parameters": _query(SEARCH_FILTERS)}},
            "/api/dashboard": {"get": {**_op(
                "The monitoring dashboard's figures: needs by stage, tier, category and community; overdue tasks; "
                "median time per step; satisfaction; two-way evaluation", errors=(400, 401, 403)),
                "parameters": _query({k: LIST_FILTERS[k] for k in ("community", "year", "from", "to")})}},
            **{f"/api/lists/{name}": {"get": _list_op(name)} for name in LISTS},
            "/api/resources": {"post": _op("Add a resource to the resources list (资源清单)", 201, RESOURCE,
                                           errors=(400, 401, 403))},
            "/api/public/projects": {"get": _op("The public project list (项目清单)", secured=False, errors=())},
            "/api/public/projects/{project_id}": {"get": _op("One project: status, 1+X fund, scores", secured=False,
                                                             errors=(404,), params=("project_id",))},
            "/api/public/projects/{project_id}/survey": {"post": _op(
                "Answer the satisfaction survey (once per resident account or mobile number)", 201, secured=False,
                params=("project_id",), body={"type": "object", "required": ["satisfaction"], "properties": {
                    "satisfaction": {"type": "integer", "minimum": 1, "maximum": 5},
                    "comment": {"type": "string", "maxLength": 1000}, "phone": {"type": "string"}}})},
            "/api/projects/{project_id}/applications": {
                "get": _op("Providers' applications (staff)", params=("project_id",)),
                "post": _op("A provider applies to deliver a project (认领)", 201, params=("project_id",), body={
                    "type": "object", "required": ["unit_name", "plan"], "properties": {
                        "unit_name": {"type": "string", "maxLength": 200}, "plan": {"type": "string", "maxLength": 5000}}})},
            "/api/projects/{project_id}/volunteers": {"post": _op("A volunteer signs up", 201, params=("project_id",))},
            "/api/projects/{project_id}/fund": {
                "get": _op("The project's 1+X ledger (staff)", params=("project_id",)),
                "post": _op("Add a ledger line: fiscal, donation, sponsorship, crowdfunding or spending", 201,
                            params=("project_id",), body={"type": "object", "required": ["kind", "amount"], "properties": {
                                "kind": {"type": "string", "enum": ["fiscal", "donation", "sponsorship", "crowdfunding",
                                                                   "spending"]},
                                "amount": {"type": "number", "exclusiveMinimum": 0}, "source": {"type": "string"},
                                "note": {"type": "string"}}})},
            "/api/timebank": {"get": _op("My time-bank balance, ledger, hours and redemptions", errors=(401, 403))},
            "/api/timebank/hours": {
                "get": _op("Hours awaiting confirmation in my communities", errors=(401, 403)),
                "post": _op("Log volunteer hours", 201, body={"type": "object", "required": ["hours", "activity"],
                                                              "properties": {"hours": {"type": "number"},
                                                                             "activity": {"type": "string"},
                                                                             "served_on": {"type": "string", "format": "date"},
                                                                             "volunteer": {"type": "string"},
                                                                             "source": {"type": "string"}}})},
            "/api/timebank/hours/{hours_id}/decision": {"post": _op(
                "Confirm (points credited) or reject logged hours", params=("hours_id",),
                body={"type": "object", "required": ["confirm"], "properties": {"confirm": {"type": "boolean"}}})},
            "/api/timebank/redemptions": {"post": _op(
                "Redeem points (400 when the balance is short; then approved by the community)", 201,
                body={"type": "object", "required": ["item", "points"], "properties": {
                    "item": {"type": "string", "maxLength": 200}, "points": {"type": "integer", "minimum": 1}}})},
            "/api/processes": {
                "get": _op("Process definitions and versions", errors=(401, 403)),
                "post": {**_op("Deploy a new version", 201, errors=(400, 401, 403, 422)), "requestBody": {
                    "required": True, "content": {
                        "multipart/form-data": {"schema": {"type": "object", "properties": {
                            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                            "entry_process": {"type": "string"}}}},
                        "application/xml": {"schema": {"type": "string"}},
                        "application/json": {"schema": PACKAGE}}}},
            },
            "/api/processes/check": {"post": _op(
                "Check a package without deploying it: {ok, problems: [{element, message}]}", errors=(400, 401, 403),
                body=PACKAGE)},
            "/api/processes/dry-run": {"post": _op(
                "Run a package in memory against scripted answers: {status, path, flows, waiting_at, error, ...}; "
                "nothing is stored and no helper function really runs", errors=(400, 401, 403, 422), body=DRY_RUN)},
            "/api/processes/{process_id}/versions/{version}/bpmn": {"get": {
                **_op("A version's BPMN", errors=(401, 403, 404), params=("process_id", "version")),
                "responses": {"200": {"description": "BPMN XML", "content": {"application/xml": {"schema": {"type": "string"}}}}}}},
            "/api/processes/{process_id}/versions/{version}/files": {"get": _op(
                "Every file of a version (BPMN, DMN, forms)", errors=(401, 403, 404), params=("process_id", "version"))},
            "/api/processes/{process_id}/versions/{version}/retire": {"post": _op(
                "Retire a version: new instances start on the newest version in use; running ones stay",
                errors=(401, 403, 404, 409), params=("process_id", "version"))},
            "/api/processes/{process_id}/versions/{version}/restore": {"post": _op(
                "Put a retired version back in use", errors=(401, 403, 404, 409), params=("process_id", "version"))},
            "/api/processes/{process_id}/diff": {"get": {
                **_op("Elements added, removed and changed between two versions", errors=(400, 401, 403, 404),
                      params=("process_id",)),
                "parameters": [{"name": "process_id", "in": "path", "required": True, "schema": {"type": "string"}},
                               {"name": "from", "in": "query", "required": True, "schema": {"type": "integer"}},
                               {"name": "to", "in": "query", "required": True, "schema": {"type": "integer"}}]}},
        },
    }
