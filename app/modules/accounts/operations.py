"""Accounts: sign-in checks and API tokens."""
from datetime import timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.people.models import ApiToken, LoginFailure, User
from app.people.passwords import check_password, hash_password, new_token
from app.workflow import audit
from app.errors import Invalid, TooManyRequests, Unauthenticated

# Password guessing: at most this many failures per username (three times as many per address)
# within the window; then sign-in is refused, even with the right password, until the window passes.
MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=15)

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


def refuse_if_throttled(session: Session, username, address: str) -> None:
    """429 when this username or address failed too often recently."""
    since = utcnow() - FAILURE_WINDOW
    name = username if isinstance(username, str) else ""
    by_user, by_address = session.execute(select(
        func.count().filter(LoginFailure.username == name[:64]),
        func.count().filter(LoginFailure.address == address[:64]),
    ).where(LoginFailure.at >= since, or_(LoginFailure.username == name[:64],
                                          LoginFailure.address == address[:64]))).one()
    if by_user >= MAX_FAILURES or by_address >= 3 * MAX_FAILURES:
        raise TooManyRequests("too many failed sign-ins: try again in 15 minutes")


def record_failure(session: Session, username, address: str) -> None:
    """Count a failed sign-in (committed on its own: the failing request itself rolls back)."""
    name = username if isinstance(username, str) else ""
    session.add(LoginFailure(username=name[:64], address=address[:64]))
