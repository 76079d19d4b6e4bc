"""Sign-in shared by the page and the token endpoint: throttled, with failures counted durably and audited."""
from flask import current_app, request

from app.db import writing
from app.extensions import db
from app.people.models import User
from app.workflow import audit
from app.modules.accounts.operations import authenticate, record_failure, refuse_if_throttled
from app.errors import Unauthenticated


def sign_in(username, password, via: str) -> User:
    """The user with these credentials; 401 (counted) or 429 when guessed at too often.

    `via` ("web" or "api") goes into the audit event; the caller commits the success's event."""
    address = request.remote_addr or "unknown"
    refuse_if_throttled(db(), username, address)
    try:
        user = authenticate(db(), username, password)
    except Unauthenticated:
        db().rollback()
        with writing(), current_app.extensions["db_sessions"]() as session:
            record_failure(session, username, address)
            changes = _access(via, address) | {"username": username[:64] if isinstance(username, str) else ""}
            audit.record(session, "sign_in_failed", None, actor_name="anonymous", changes=changes,
                         summary=f"{changes['username']} · {via} · {changes['address']}")
            session.commit()
        raise
    audit.record(db(), "user_signed_in", user, changes=_access(via, address), summary=f"{via} · {address[:64]}")
    return user


def record_sign_out(user: User) -> None:
    """Queue the sign-out event of a page session (the caller commits)."""
    address = request.remote_addr or "unknown"
    audit.record(db(), "user_signed_out", user, changes=_access("web", address), summary=f"web · {address[:64]}")


def _access(via: str, address: str) -> dict:
    """Where a sign-in came from (a failure adds the username tried; the password is never recorded)."""
    return {"via": via, "address": address[:64]}
