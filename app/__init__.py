"""minxu: the 民需 cycle as BPMN, with a thin server-rendered UI and a JSON API."""
from flask import Flask

from .config import load_settings


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: settings, database, people, pages, API, commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_settings(test_config))

    from .engine import hardstop
    hardstop.configure(app.config["HARD_CPU_SECONDS"])

    from . import extensions
    extensions.init_app(app)
    app.url_map.converters["id"] = extensions.RowId

    from .people import readonly
    readonly.install(app)

    from .web import register_pages
    register_pages(app)

    from .api import register_api
    register_api(app)

    from .cli import register_commands
    register_commands(app)
    return app
