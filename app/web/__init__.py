"""Server-rendered pages for people (zh-CN by default)."""
from datetime import datetime

from flask import Flask
from flask_babel import get_locale

from ..db import utcnow
from ..people.roles import WORKER_ROLES, role_label


def register_pages(app: Flask) -> None:
    """Mount the page blueprints and the template helpers."""
    from . import (admin, auth, designer, disclosures, errors, home, instances, lists, needs, notifications, projects,
                   public, tasks)

    for module in (auth, home, tasks, needs, instances, notifications, public, disclosures, projects, lists, admin, designer):
        app.register_blueprint(module.bp)
    errors.register(app)
    app.jinja_env.globals.update(role_label=role_label, worker_roles=sorted(WORKER_ROLES))
    app.jinja_env.filters.update(localtime=_localtime, form_value=_form_value, choice=_choice,
                                 yuan=lambda fen: f"{(fen or 0) / 100:,.2f}",
                                 isotime=lambda text: _localtime(datetime.fromisoformat(text)))
    app.context_processor(lambda: {"now_utc": utcnow(), "locale": str(get_locale()), "unread": _unread()})


def _localtime(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC timestamp shown in China Standard Time."""
    from datetime import timedelta, timezone
    if value is None:
        return ""
    return value.astimezone(timezone(timedelta(hours=8))).strftime(fmt)


def _unread() -> int:
    """The signed-in person's unread notifications, for the header badge."""
    from flask_login import current_user

    from ..extensions import db
    from ..ops.notifications import unread_count
    return unread_count(db(), current_user) if current_user.is_authenticated else 0


def _form_value(value) -> str:
    """How a schema value is written in an HTML input (booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _choice(value) -> dict:
    """A plain enum value as a choice with itself as the title."""
    return {"const": value, "title": str(value)}
