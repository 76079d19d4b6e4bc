"""Errors as answers: the API's JSON error document on API paths, pages elsewhere."""
from flask import Flask, flash, jsonify, make_response, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app.errors import OperationError


def register(app: Flask) -> None:
    """Page versions of 403 and 404 (the API answers JSON through its own handler)."""
    app.register_error_handler(403, lambda e: _http_page(e, _("You may not open this page.")))
    app.register_error_handler(404, lambda e: _http_page(e, _("Not found.")))


def _http_page(err: HTTPException, default: str):
    if request.path.startswith("/api/") or request.path == "/healthz":
        return http_error(err)
    custom = err.description if err.description != type(err).description else None
    return render_template("error.html", status=err.code, message=custom or default), err.code


def error_body(code: str, message: str, fields: dict | None = None, **extra) -> dict:
    """The API's error document."""
    return {"error": code, "message": message, "fields": fields or {}, **extra}


def http_error(err: HTTPException):
    """HTTP errors as the API's JSON error document on API paths; unchanged elsewhere."""
    if request.path.startswith("/api/") or request.path == "/healthz":
        code = (err.name or "error").lower().replace(" ", "_")
        return jsonify(error_body(code, err.description or err.name)), err.code
    return err


def operation_error_page(err: OperationError):
    """A refused operation: back to the page it came from with the message, or an error page."""
    if err.status in (400, 409) and request.method == "POST" and request.referrer:
        flash(_(err.message), "error")
        return redirect(request.referrer)
    return render_template("error.html", status=err.status, message=_(err.message)), err.status


def busy_page():
    """The page for a request refused because the database was busy (the caller sets 503 and Retry-After)."""
    return make_response(render_template("error.html", status=503,
                                         message=_("The system is busy. Please try again in a moment.")))
