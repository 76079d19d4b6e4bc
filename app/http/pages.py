"""Server-rendered pages for people (zh-CN by default)."""
from datetime import datetime
from urllib.parse import urlencode

from flask import Flask
from flask_babel import get_locale
from flask_login import current_user

from app import clock
from app.extensions import db
from app.modules import PAGES, blueprints
from app.workflow.notifications import unread_count
from app.tables.filters import china_time
from app.people.roles import WORKER_ROLES, offered_roles, role_label


def register_pages(app: Flask) -> None:
    """Mount the page blueprints and the template helpers."""
    for blueprint in blueprints(PAGES):
        app.register_blueprint(blueprint)
    app.jinja_env.globals.update(role_label=role_label, offered_roles=offered_roles, worker_roles=sorted(WORKER_ROLES))
    app.jinja_env.filters.update(localtime=_localtime, form_value=_form_value, choice=_choice,
                                 yuan=lambda fen: f"{(fen or 0) / 100:,.2f}",
                                 isotime=lambda text: _localtime(datetime.fromisoformat(text)), duration=_duration,
                                 urlencode_args=_urlencode_args,
                                 role_name=lambda role: role_label(role, str(get_locale() or "zh_CN")))
    app.context_processor(lambda: {"now_utc": clock.now(), "locale": str(get_locale()), "unread": _unread()})


def _localtime(value, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC timestamp shown in China Standard Time; on a Chinese page the day reads 2026年12月5日."""
    if value is None:
        return ""
    if not str(get_locale() or "zh").startswith("en"):
        fmt = fmt.replace("%Y-%m-%d", "%Y年%-m月%-d日")
    return china_time(value, fmt)


def _unread() -> int:
    """The signed-in person's unread notifications, for the header badge."""
    return unread_count(db(), current_user) if current_user.is_authenticated else 0


def _urlencode_args(args, fmt: str | None = None, page: int | None = None) -> str:
    """The page's query string with the export format or page number replaced."""
    kept = [(k, v) for k, v in args.items(multi=True) if k not in ("format", "page") and v]
    return urlencode(kept + ([("format", fmt)] if fmt else []) + ([("page", page)] if page else []))


def _duration(seconds: int) -> str:
    """A span of time as people say it: 2天3小时, 5小时20分, 7分."""
    days, hours, minutes = seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分" if minutes else f"{hours}小时"
    return f"{max(minutes, 1 if seconds > 0 else 0)}分"


def _form_value(value) -> str:
    """How a schema value is written in an HTML input (booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _choice(value) -> dict:
    """A plain enum value as a choice with itself as the title."""
    return {"const": value, "title": str(value)}
