"""Per-view OpenAPI declarations: what a route's summary, body, query and answers are.

The document itself (`openapi.py`) walks the app's url_map and reads these from each view, so a
route is in the document whether or not it is declared; the suite refuses an undeclared one."""
DEFAULT_ERRORS = (400, 401, 403, 404, 409)


def documented(summary: str, *, ok: int = 200, body: dict | None = None, errors: tuple = DEFAULT_ERRORS,
               query: dict | list | None = None, ok_content: dict | None = None, body_content: dict | None = None,
               variants: dict | None = None):
    """Declare a view's operation: summary, success status, JSON body schema, error statuses, query parameters.

    `query`: name → description (optional text parameters), or full OpenAPI parameter objects.
    `ok_content` / `body_content`: media type → media object, for answers or bodies that are not JSON.
    `variants`: for a rule with an `any(...)` part, each value → the declarations that differ on its path."""
    def declare(view):
        view.openapi = {"summary": summary, "ok": ok, "body": body, "errors": tuple(errors), "query": query,
                        "ok_content": ok_content, "body_content": body_content,
                        "variants": variants or {}}
        return view
    return declare
