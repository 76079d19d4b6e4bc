"""POST /api/tokens: trade a username and password for a bearer token."""
from flask import Blueprint, current_app, jsonify

from app.extensions import commit, db
from app.modules.accounts.operations import issue_token
from app.modules.accounts.signin import sign_in
from app.http.auth import json_body
from app.http.serialize import user_json
from app.http.docs import documented

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
