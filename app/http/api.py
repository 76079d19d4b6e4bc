"""The JSON API (`/api`): the same operations as the pages, for programs."""
from flask import Flask

from app.extensions import csrf
from app.http import meta
from app.http.errors import error_body  # noqa: F401 (the API's error document, kept importable from here)
from app.modules import APIS, blueprints


def register_api(app: Flask) -> None:
    """Mount the API blueprints (their errors go through app.http.errors, registered by create_app)."""
    for blueprint in [*blueprints(APIS), meta.bp]:
        csrf.exempt(blueprint)  # bearer tokens only: no cookie, so no cross-site forgery
        app.register_blueprint(blueprint)
