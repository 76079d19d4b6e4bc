"""The one error path: operation errors, HTTP errors and lock timeouts become a JSON document or a page.

JSON for /api/ and /healthz, and for a request that asks for JSON (Accept: application/json, as the
designer's editor does); a page in the site's look everywhere else. Every answer here first rolls the
request's work back, so nothing half-done is committed after an error.
"""
from flask import Flask, flash, g, jsonify, make_response, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.engine import Problem
from app.errors import OperationError

# What a page says for an HTTP error that carries no message of its own.
_PAGE_MESSAGES = {
    400: lazy_gettext("The request could not be understood. Go back and try again."),
    403: lazy_gettext("You may not open this page."),
    404: lazy_gettext("Not found."),
    405: lazy_gettext("This address does not accept that kind of request."),
    413: lazy_gettext("What you sent is too large. Attachments may be at most 5 MB each."),
    500: lazy_gettext("Something went wrong on our side. Please try again later."),
}
DETAIL_ROLES = frozenset({"designer", "admin"})  # who sees a failed script's technical detail
BUSY_MESSAGE = "the database is busy with other work; try again in a moment"


def register(app: Flask) -> None:
    """Register the error path on the app (called once by create_app)."""
    app.register_error_handler(OperationError, operation_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(OperationalError, database_error)


def wants_json() -> bool:
    """Whether this request is answered with JSON: API paths, /healthz, or a caller asking for JSON."""
    if request.path.startswith("/api/") or request.path == "/healthz" or g.get("wants_json"):
        return True
    accept = request.accept_mimetypes
    return accept.best_match(["text/html", "application/json"]) == "application/json" and not accept.accept_html


def error_body(code: str, message: str, fields: dict | None = None, **extra) -> dict:
    """The JSON error document (the API's, and the editor's)."""
    return {"error": code, "message": message, "fields": fields or {}, **extra}


def operation_error(err: OperationError):
    """A refused operation: the JSON document, the page it came from with the message, or an error page."""
    _roll_back()
    if wants_json():
        extra = {name: _details_for_people(value) for name, value in err.extra.items()}
        return jsonify(error_body(err.code, _for_people(err), err.fields, **extra)), err.status
    if err.status in (400, 409) and request.method == "POST" and request.referrer:
        # A button with no form fields of its own (claim, sign up, retire): back where it was pressed.
        # Forms with fields catch Invalid themselves and re-render with the errors and 400.
        flash(err.translated(_), "error")
        return redirect(request.referrer)
    return render_template("error.html", status=err.status, message=err.translated(_),
                           detail=_detail_for_designers(err)), err.status


def _detail_for_designers(err: OperationError) -> str:
    """The engine's own words of a failed step, for the designers and administrators who correct it."""
    detail = getattr(err, "technical_detail", "")
    return detail if detail and current_user.is_authenticated and current_user.role_ids & DETAIL_ROLES else ""


def http_error(err: HTTPException):
    """An HTTP error (400, 403, 404, 405, 413, …): the JSON document or a page; redirects pass through."""
    if err.code is None or err.code < 400:
        return err  # routing redirects (308) are HTTPExceptions too
    _roll_back()
    custom = err.description if err.description != type(err).description else None
    default = _PAGE_MESSAGES.get(err.code, _PAGE_MESSAGES[500 if err.code >= 500 else 400])
    if wants_json():
        code = (err.name or "error").lower().replace(" ", "_")
        plain = err.description or err.name  # the API's documented English; people's JSON gets the page's words
        message = _for_people(custom) if custom else plain if _is_api() else str(default)
        response = jsonify(error_body(code, message))
    else:
        response = make_response(render_template("error.html", status=err.code,
                                                 message=_(custom) if custom else default))
    response.status_code = err.code
    if err.code == 405 and isinstance(err.valid_methods, (list, tuple, set)):
        response.headers["Allow"] = ", ".join(sorted(err.valid_methods))
    return response


def database_error(err: OperationalError):
    """A lock not had within a few seconds is 503 with Retry-After (JSON or a page); other faults are 500."""
    from app.db import RETRY_AFTER_SECONDS, is_lock_timeout, write_intent
    if not is_lock_timeout(err):
        raise err
    _roll_back()
    write_intent.set(False)  # the answer only reads (the signed-in user, for the page): no second wait
    if wants_json():
        response = jsonify(error_body("busy", _for_people(BUSY_MESSAGE)))
    else:
        response = make_response(render_template(
            "error.html", status=503, message=_("The system is busy. Please try again in a moment.")))
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _roll_back() -> None:
    from app.extensions import db
    if "db" in g:
        db().rollback()


def _for_people(message) -> str:
    """The API speaks English as documented; JSON for people's pages (the editor) speaks their language."""
    api = _is_api()
    if isinstance(message, OperationError):
        return message.message if api else message.translated(_)
    return message if api else _(message)


def _details_for_people(value):
    """An error's details (a package's problems) as JSON, in English for the API, else in the reader's language."""
    if isinstance(value, list):
        gettext = None if _is_api() else _
        return [item.as_dict(gettext) if isinstance(item, Problem) else item for item in value]
    return value


def _is_api() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"
