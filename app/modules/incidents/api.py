"""Incidents: failed instances for administrators and designers; retry after a fix, or cancel."""
from flask import Blueprint, jsonify

from app.extensions import commit, db
from app.modules.incidents import operations as incidents
from app.http.auth import api_user, json_body, requires
from app.http.serialize import incident_json
from app.http.docs import documented
from app.http import schemas

bp = Blueprint("api_incidents", __name__, url_prefix="/api/incidents")


@bp.get("")
@documented("Incidents (failed instances) in your communities, newest failure first: {incidents: [{instance_id, "
            "process_id, version, community, element: {id, name}, error, failed_at, ...}]}", errors=(401, 403))
@requires(*incidents.ROLES)
def incident_list():
    return jsonify({"incidents": [incident_json(i) for i in incidents.open_incidents(db(), api_user())]})


@bp.get("/<id:instance_id>")
@documented("One incident, with the data its failed step ran with and the newer versions it may move to",
            errors=(401, 403, 404))
@requires(*incidents.ROLES)
def incident_detail(instance_id: int):
    return jsonify(_detail(incidents.incident(db(), api_user(), instance_id)))


@bp.post("/<id:instance_id>/retry")
@documented("Retry the failed step after a fix: data corrections merged into its data, and/or a newer version "
            "of the process (a number, or \"latest\"); audited. Failing again keeps the incident, with the "
            "new error", body={"type": "object", "properties": {
                "data": {"type": "object", "description": "field → corrected value"},
                "version": {"oneOf": [{"type": "integer"}, {"const": "latest"}]}}})
@requires(*incidents.ROLES)
def incident_retry(instance_id: int):
    body = json_body()
    instance = incidents.retry(db(), api_user(), instance_id, body.get("data"), body.get("version"))
    commit()
    return jsonify(incident_json(instance))  # status "error" and the new error when it failed again


@bp.post("/<id:instance_id>/cancel")
@documented("Cancel a failed instance, with a reason (audited)", body=schemas.REASON)
@requires(*incidents.ROLES)
def incident_cancel(instance_id: int):
    instance = incidents.cancel(db(), api_user(), instance_id, json_body().get("reason"))
    commit()
    return jsonify(incident_json(instance))


def _detail(instance) -> dict:
    return incident_json(instance) | {
        "data": incidents.failed_step_data(db(), instance),
        "newer_versions": [v.version for v in incidents.newer_versions(db(), instance)]}
