"""POST /api/tokens: trade a username and password for a bearer token."""
from flask import Blueprint, current_app, jsonify

from ..extensions import commit, db
from ..ops.accounts import issue_token
from ..signin import sign_in
from .auth import json_body
from .serialize import user_json
from .docs import documented

bp = Blueprint("api_tokens", __name__, url_prefix="/api")


@bp.post("/tokens")
@documented("Sign in for a bearer token", ok=201, errors=(400, 401), body={
    "type": "object", "required": ["username", "password"],
    "properties": {"username": {"type": "string"}, "password": {"type": "string"}}})
def create_token():
    body = json_body()
    user = sign_in(body.get("username"), body.get("password"), "api")
    token = issue_token(db(), user, current_app.config["TOKEN_TTL_HOURS"])
    commit()
    return jsonify({"token": token, "user": user_json(user)}), 201
