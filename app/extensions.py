"""Per-request database sessions, sign-in, CSRF, translations and security headers."""
from flask import Flask, abort, current_app, g, request, session as cookie
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.routing import IntegerConverter

from app.db import make_engine, make_session_factory, write_intent
from app.errors import Conflict
from app.workflow import audit
from app.people.models import User

class RowId(IntegerConverter):
    """A row id in a URL: larger numbers than the database's integer columns hold are simply not found."""

    def __init__(self, url_map):
        super().__init__(url_map, max=2**31 - 1)


login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Babel reads "zh_CN" as zh_Hans_CN, whose catalogue gettext finds under translations/zh/.
LOCALES = ("zh_CN", "en")


def init_app(app: Flask) -> None:
    """Wire the extensions into the app."""
    engine = make_engine(app.config["SQLALCHEMY_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessions"] = make_session_factory(engine)
    # Every session carries the audit chain's HMAC key; it lives in the settings, never in the database.
    app.extensions["db_sessions"].configure(info={audit.KEY_INFO: app.config["AUDIT_KEY"].encode()})
    audit.install(Session)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_refuse_nul_characters)
    app.before_request(_mark_writers)
    app.teardown_request(_close_session)
    app.after_request(_security_headers)


def db() -> Session:
    """This request's database session (opened on first use)."""
    if "db" not in g:
        g.db = current_app.extensions["db_sessions"]()
    return g.db


def select_locale() -> str:
    """zh-CN unless the person chose English (?lang=en is remembered)."""
    chosen = request.args.get("lang")
    if chosen in LOCALES:
        cookie["lang"] = chosen
    return cookie.get("lang", "zh_CN")


@login_manager.user_loader
def _load_user(user_id: str):
    user = db().get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.is_active else None


def _refuse_nul_characters() -> None:
    """NUL never belongs in text (and PostgreSQL cannot store it): refuse it wherever text arrives."""
    suspicious = "\x00" in request.path or b"%00" in request.query_string
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        texts = [*request.form.values(), *(f.filename or "" for f in request.files.values())]
        suspicious = suspicious or any("\x00" in text for text in texts)
    elif request.content_length:
        body = request.get_data(cache=True)
        suspicious = suspicious or b"\x00" in body or b"\\u0000" in body.lower()
    if suspicious:
        abort(400, description="text must not contain NUL characters")


def _mark_writers() -> None:
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        g.write_token = write_intent.set(True)


def _close_session(_exc) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.rollback()
        session.close()
    token = g.pop("write_token", None)
    if token is not None:
        write_intent.reset(token)


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")
    return response


def commit() -> None:
    """The request's one commit point: its work is kept, or on any error rolled back whole.

    A lost optimistic race becomes a 409. Views call this once, after the operations and before
    the answer; any error before it reaches app.http.errors, which rolls back, and the request's
    teardown rolls back whatever was left uncommitted."""
    try:
        db().commit()
    except StaleDataError:
        db().rollback()
        raise Conflict("the instance changed meanwhile; reload and try again") from None
    except BaseException:
        db().rollback()
        raise
