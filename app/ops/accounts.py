"""Accounts: sign-in checks and API tokens."""
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import utcnow
from ..models import ApiToken, User
from ..people.passwords import check_password, hash_password, new_token
from . import audit
from .errors import Invalid, Unauthenticated

# Checked against when the username is unknown, so both failures take the same time.
_DUMMY_HASH = hash_password("no-such-user")


def authenticate(session: Session, username, password) -> User:
    """The active user with these credentials, or 401."""
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise Invalid("username and password are required",
                      {k: "required" for k, v in (("username", username), ("password", password)) if not v})
    user = session.scalars(select(User).where(User.username == username)).first()
    if not check_password(user.password_hash if user else _DUMMY_HASH, password) or not user.is_active:
        raise Unauthenticated("wrong username or password")
    return user


def issue_token(session: Session, user: User, ttl_hours: int) -> str:
    """A new bearer token for the user (only its hash is stored)."""
    token, digest = new_token()
    session.add(ApiToken(token_hash=digest, user_id=user.id, expires_at=utcnow() + timedelta(hours=ttl_hours)))
    audit.record(session, "token_issued", user)
    return token
