"""Instances: state and data, history, and the audit chain check."""
from flask import Blueprint, jsonify

from ..extensions import db
from ..ops.audit import verify_chain
from ..ops.instances import current_data
from ..ops.queries import history, ready_tasks_of, visible_instance
from .auth import api_user, requires
from .serialize import event_json, instance_json

bp = Blueprint("api_instances", __name__, url_prefix="/api")


@bp.get("/instances/<int:instance_id>")
@requires()
def instance_detail(instance_id: int):
    instance = visible_instance(db(), api_user(), instance_id)
    return jsonify(instance_json(instance, current_data(db(), instance), ready_tasks_of(db(), instance.id)))


@bp.get("/instances/<int:instance_id>/history")
@requires()
def instance_history(instance_id: int):
    instance = visible_instance(db(), api_user(), instance_id)
    return jsonify({"instance_id": instance.id, "events": [event_json(e) for e in history(db(), instance.id)]})


@bp.get("/audit/verify")
@requires("auditor", "admin")
def audit_verify():
    return jsonify(verify_chain(db()))
