"""Needs: public submission and progress by code; recording on a resident's behalf."""
from flask import Blueprint, jsonify

from app.extensions import commit, db
from app.modules.needs.operations import public_progress, rate_need, submit_need, withdraw_need
from app.people.roles import WORKER_ROLES
from app.http.auth import api_user, json_body, requires
from app.http.docs import documented
from app.http import schemas
from app.workflow.queries import first_responded_by, waiting_task_names

bp = Blueprint("api_needs", __name__, url_prefix="/api")


@bp.post("/public/needs")
@documented("Submit a need (online channel)", ok=201, body=schemas.NEED, errors=(400,))
def public_need_submit():
    instance = submit_need(db(), json_body(), actor=None, public=True)
    commit()
    return jsonify({"tracking_code": instance.business_key}), 201


@bp.get("/public/needs/<code>")
@documented("Progress by tracking code", errors=(404,))
def public_need_progress(code: str):
    return jsonify(public_progress(db(), code))


@bp.post("/public/needs/<code>/feedback")
@documented("The resident rates the handling (回访评价) by tracking code", errors=(400, 404, 409), body={
    "type": "object", "required": ["satisfaction"], "properties": {
        "satisfaction": {"type": "integer", "minimum": 1, "maximum": 5},
        "feedback_comment": {"type": "string", "maxLength": 2000}}})
def public_need_feedback(code: str):
    rate_need(db(), code, json_body())
    commit()
    return jsonify(public_progress(db(), code))


@bp.post("/public/needs/<code>/withdraw")
@documented("The resident withdraws an open need (撤回)", errors=(400, 404, 409), body=schemas.REASON)
def public_need_withdraw(code: str):
    withdraw_need(db(), code, json_body().get("reason"))
    commit()
    return jsonify(public_progress(db(), code))


@bp.post("/needs")
@documented("Record a need on a resident's behalf", ok=201, body=schemas.RECORDED_NEED)
@requires(*WORKER_ROLES)
def need_record():
    instance = submit_need(db(), json_body(), actor=api_user(), public=False)
    commit()
    return jsonify({"tracking_code": instance.business_key, "instance_id": instance.id}), 201


@bp.get("/needs/first-responder")
@documented("The needs you are first responder of (我首问的需求), wherever each now stands: {count, items}, "
            "each with its status, outcome and the steps it waits for", errors=(401,))
@requires()
def first_responder_needs():
    needs = first_responded_by(db(), api_user())
    waiting = waiting_task_names(db(), [n.id for n in needs])
    return jsonify({"count": len(needs), "items": [{
        "instance_id": n.id, "tracking_code": n.business_key, "title": n.title, "community": n.community.code,
        "status": n.status, "outcome": n.outcome, "waiting_for": waiting.get(n.id, []),
        "created_at": n.created_at.isoformat(), "updated_at": n.updated_at.isoformat()} for n in needs]})
