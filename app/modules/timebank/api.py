"""The volunteer time bank: my account, logging and confirming hours, redemptions."""
from flask import Blueprint, jsonify

from app.extensions import commit, db
from app.modules.timebank import operations as timebank, reads
from app.http.auth import api_user, json_body, requires
from app.http.docs import documented

bp = Blueprint("api_timebank", __name__, url_prefix="/api/timebank")


@bp.get("")
@documented("My time-bank balance, ledger, hours and redemptions", errors=(401, 403))
@requires("volunteer")
def account():
    return jsonify(reads.account_json(reads.account_view(db(), api_user())))


@bp.post("/hours")
@documented("Log volunteer hours", ok=201, body={"type": "object", "required": ["hours", "activity"], "properties": {
    "hours": {"type": "number"}, "activity": {"type": "string"}, "served_on": {"type": "string", "format": "date"},
    "volunteer": {"type": "string"}, "source": {"type": "string"}}})
@requires("volunteer", *timebank.CONFIRMING_ROLES)
def hours_create():
    hours = timebank.log_hours(db(), api_user(), json_body())
    commit()
    return jsonify(reads.hours_json(hours)), 201


@bp.get("/hours")
@documented("Hours awaiting confirmation in my communities", errors=(401, 403))
@requires(*timebank.CONFIRMING_ROLES)
def hours_pending():
    return jsonify({"hours": [reads.hours_json(h) for h in reads.pending_hours(db(), api_user())]})


@bp.post("/hours/<id:hours_id>/decision")
@documented("Confirm (points credited) or reject logged hours", body={
    "type": "object", "required": ["confirm"], "properties": {"confirm": {"type": "boolean"}}})
@requires(*timebank.CONFIRMING_ROLES)
def hours_decide(hours_id: int):
    hours = timebank.decide_hours(db(), hours_id, api_user(), json_body())
    commit()
    return jsonify(reads.hours_json(hours))


@bp.post("/redemptions")
@documented("Redeem points (400 when the balance is short; then approved by the community)", ok=201, body={
    "type": "object", "required": ["item", "points"], "properties": {
        "item": {"type": "string", "maxLength": 200}, "points": {"type": "integer", "minimum": 1}}})
@requires("volunteer")
def redemption_create():
    redemption = timebank.request_redemption(db(), api_user(), json_body())
    commit()
    return jsonify({"id": redemption.id, "status": redemption.status, "instance_id": redemption.instance_id}), 201
