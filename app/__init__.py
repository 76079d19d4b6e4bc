"""minxu: the 民需 cycle as BPMN, with a thin server-rendered UI and a JSON API."""
from flask import Flask

from app.config import load_settings


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: settings, database, people, pages, API, commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_settings(test_config))

    from app import extensions
    extensions.init_app(app)
    app.url_map.converters["id"] = extensions.RowId

    from app.people import readonly
    readonly.install(app)

    from app.modules import diagram_helpers
    from app.workflow import versions
    versions.install_engine(diagram_helpers())

    from app.http.pages import register_pages
    register_pages(app)

    from app.http.api import register_api
    register_api(app)

    from app.http import errors
    errors.register(app)  # one error path for pages and API: JSON or a page, by request

    from app.cli import register_commands
    register_commands(app)
    return app
