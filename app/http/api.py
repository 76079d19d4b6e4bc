"""The JSON API (`/api`): the same operations as the pages, for programs."""
from flask import Flask, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.db import RETRY_AFTER_SECONDS, is_lock_timeout, write_intent
from app.errors import OperationError
from app.extensions import csrf, db
from app.http import meta
from app.http.errors import busy_page, error_body, http_error, operation_error_page
from app.modules import APIS, blueprints


def register_api(app: Flask) -> None:
    """Mount the API blueprints and their JSON error handling."""
    for blueprint in [*blueprints(APIS), meta.bp]:
        csrf.exempt(blueprint)  # bearer tokens only: no cookie, so no cross-site forgery
        app.register_blueprint(blueprint)
    app.register_error_handler(OperationError, _operation_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(OperationalError, _database_error)


def _operation_error(err: OperationError):
    db().rollback()
    if request.path.startswith("/api/"):
        return jsonify(error_body(err.code, err.message, err.fields, **err.extra)), err.status
    return operation_error_page(err)


def _database_error(err: OperationalError):
    """A lock not had within a few seconds is 503 with Retry-After (JSON or a page); other faults stay 500."""
    if not is_lock_timeout(err):
        raise err
    db().rollback()
    write_intent.set(False)  # the answer only reads (the signed-in user, for the page): no second wait
    if request.path.startswith("/api/") or request.path == "/healthz":
        response = jsonify(error_body("busy", "the database is busy with other work; try again in a moment"))
    else:
        response = busy_page()
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
