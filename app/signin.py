"""Sign-in shared by the page and the token endpoint: throttled, with failures counted durably."""
from flask import current_app, request

from .db import writing
from .extensions import db
from .models import User
from .ops.accounts import authenticate, record_failure, refuse_if_throttled
from .ops.errors import Unauthenticated


def sign_in(username, password) -> User:
    """The user with these credentials; 401 (counted) or 429 when guessed at too often."""
    address = request.remote_addr or "unknown"
    refuse_if_throttled(db(), username, address)
    try:
        return authenticate(db(), username, password)
    except Unauthenticated:
        db().rollback()
        with writing(), current_app.extensions["db_sessions"]() as session:
            record_failure(session, username, address)
            session.commit()
        raise
