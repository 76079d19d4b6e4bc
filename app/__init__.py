"""minxu: the 民需 cycle as BPMN, with a thin server-rendered UI and a JSON API."""
from flask import Flask

from app.config import load_settings


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: settings, database, people, pages, API, commands."""
    # Imported here, not at the top, on purpose: `import app.clock` (or any app module) runs this package's
    # __init__, and must not load the database, the engine and every blueprint with it.
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_settings(test_config))

    from app.engine import hardstop
    hardstop.configure(app.config["HARD_CPU_SECONDS"])

    from app import extensions
    extensions.init_app(app)
    app.url_map.converters["id"] = extensions.RowId

    from app.http import readonly
    readonly.install(app)

    from app.modules import diagram_helpers, relied_on_elements, started_by_operations
    from app.workflow import starting, versions
    versions.install_engine(diagram_helpers())
    versions.rely_on_elements(relied_on_elements())
    starting.install_started_elsewhere(started_by_operations())

    from app.http.pages import register_pages
    register_pages(app)

    from app.http.api import register_api
    register_api(app)

    from app.http import errors
    errors.register(app)  # one error path for pages and API: JSON or a page, by request

    from app.cli import register_commands
    register_commands(app)
    return app
