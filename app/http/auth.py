"""Bearer-token authentication for the API."""
from functools import wraps

from flask import abort, g, request
from flask_login import current_user, login_required
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.db import utcnow
from app.extensions import db
from app.people.models import ApiToken, User
from app.errors import Forbidden, Invalid, Unauthenticated
from app.workflow.forms import storable
from app.people.passwords import token_hash

# One query for token, user, organisation and roles, built once: this runs on every API request.
_TOKEN_OWNER = (select(ApiToken).where(ApiToken.token_hash == bindparam("hash"))
                .options(joinedload(ApiToken.user).joinedload(User.roles)))


def api_user() -> User:
    """The user behind the request's bearer token, or 401."""
    if "api_user" not in g:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise Unauthenticated("send Authorization: Bearer <token> (POST /api/tokens gives one)")
        token = db().scalars(_TOKEN_OWNER, {"hash": token_hash(header[7:].strip())}).unique().first()
        if token is None or token.expires_at < utcnow() or not token.user.is_active:
            raise Unauthenticated("the token is unknown or expired")
        g.api_user = token.user
    return g.api_user


def requires(*roles: str):
    """Require a token, and one of these roles when any are given."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = api_user()
            if roles and not user.role_ids & set(roles):
                raise Forbidden("needs one of the roles: %(roles)s", params={"roles": ", ".join(roles)})
            return view(*args, **kwargs)
        wrapped.required_roles = roles  # the OpenAPI document marks the view as needing a bearer token
        return wrapped
    return decorate


def json_body() -> dict:
    """The request's JSON object, or a 400 saying why not."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid("send a JSON object with Content-Type: application/json")
    if not storable(body):
        raise Invalid("the JSON holds values that cannot be stored (NaN, Infinity or broken unicode)")
    return body


def admins_only(bp) -> None:
    """Every page of the blueprint for signed-in administrators alone (a visitor signs in first, others get 403)."""
    @bp.before_request
    @login_required
    def _admins_only():
        if "admin" not in current_user.role_ids:
            abort(403)
