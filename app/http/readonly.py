"""Auditors are read-only: every write request by an auditor is refused before any view runs.

Why one guard at the edge rather than role checks in the views: an auditor checks the record, so the
auditor's own hand must never be in it. Per-view checks cannot promise that. Public endpoints (a need
submitted online, an objection, a survey answer) accept anybody, so an auditor could use them, and a
route added later would be writable until someone remembered the rule. One app-level `before_request`
covers every blueprint, those added later included. Signing in and out and getting a token stay open:
an auditor needs them to read at all, and they change no case data."""
from flask import Flask, abort, request
from flask_login import current_user

from app.http.auth import api_user
from app.errors import Forbidden, Unauthenticated

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# POST /login, POST /logout and POST /api/tokens.
EXEMPT_ENDPOINTS = frozenset({"auth.login_submit", "auth.logout", "api_tokens.create_token"})
MESSAGE = "auditors have read-only access"


def install(app: Flask) -> None:
    """Guard every request of every blueprint."""
    app.before_request(refuse_auditor_writes)


def refuse_auditor_writes() -> None:
    """403 for an auditor's write: the API's JSON error on /api/, the normal 403 page elsewhere."""
    # An unmatched URL or method keeps its own 404 or 405.
    if request.method in READ_METHODS or request.endpoint in EXEMPT_ENDPOINTS or request.routing_exception:
        return
    if request.path.startswith("/api/"):
        if _token_holder_is_auditor():
            raise Forbidden(MESSAGE)
    elif "auditor" in getattr(current_user, "role_ids", ()):
        abort(403)


def _token_holder_is_auditor() -> bool:
    """Whether the bearer token belongs to an auditor (the API uses tokens only, never the cookie)."""
    if "Authorization" not in request.headers:
        return False
    try:
        return "auditor" in api_user().role_ids
    except Unauthenticated:
        # Left to the view: protected endpoints answer their usual 401, public ones ignore the header.
        return False
