"""Request schemas and query parameters that several API views (and the OpenAPI document) share."""

ERROR = {"type": "object", "required": ["error", "message"], "properties": {
    "error": {"type": "string"}, "message": {"type": "string"}, "fields": {"type": "object"}}}

REASON = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string", "maxLength": 500}}}

NEED = {"type": "object", "required": ["title", "description", "category", "community"], "properties": {
    "title": {"type": "string", "maxLength": 100}, "description": {"type": "string", "maxLength": 2000},
    "category": {"type": "string"}, "community": {"type": "string"}, "grid": {"type": "string"},
    "contact": {"type": "string"}}}
RECORDED_NEED = NEED | {"properties": NEED["properties"] | {
    "channel": {"type": "string"}, "visit_type": {"type": "string"}, "resident_name": {"type": "string"},
    "anonymous": {"type": "boolean"}}}

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

UPLOADS = {"multipart/form-data": {"schema": {"type": "object", "properties": {
    "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}

LIST_FILTERS = {"community": "a community code in your scope", "status": "a status code", "category": "a category code",
                "kind": "unit, organisation, volunteer, venue or fund", "year": "e.g. 2026 (China time)",
                "from": "first day, YYYY-MM-DD", "to": "last day, YYYY-MM-DD", "q": "text in titles, codes, names"}
SEARCH_FILTERS = {**{k: LIST_FILTERS[k] for k in ("community", "status", "year", "from", "to", "q")},
                  "process": "a process id", "version": "a version number", "actor": "a username who acted on it",
                  "field": "a data field some event set (e.g. tier)", "value": "the value it was set to (as text)",
                  "page": "page number, 50 per page"}


def filters(*names: str) -> dict:
    """The list filters of these names, with their descriptions."""
    return {name: LIST_FILTERS[name] for name in names}
