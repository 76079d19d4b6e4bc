"""Server-rendered pages for people (zh-CN by default)."""
from flask import Flask
from flask_babel import get_locale

from ..db import utcnow
from ..people.roles import WORKER_ROLES, role_label


def register_pages(app: Flask) -> None:
    """Mount the page blueprints and the template helpers."""
    from . import auth, errors, home, instances, needs, tasks

    for module in (auth, home, tasks, needs, instances):
        app.register_blueprint(module.bp)
    errors.register(app)
    app.jinja_env.globals.update(role_label=role_label, worker_roles=sorted(WORKER_ROLES))
    app.jinja_env.filters.update(localtime=_localtime, form_value=_form_value, choice=_choice)
    app.context_processor(lambda: {"now_utc": utcnow(), "locale": str(get_locale())})


def _localtime(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC timestamp shown in China Standard Time."""
    from datetime import timedelta, timezone
    if value is None:
        return ""
    return value.astimezone(timezone(timedelta(hours=8))).strftime(fmt)


def _form_value(value) -> str:
    """How a schema value is written in an HTML input (booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _choice(value) -> dict:
    """A plain enum value as a choice with itself as the title."""
    return {"const": value, "title": str(value)}
