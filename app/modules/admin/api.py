"""Administration: reassign tasks, edit or cancel instances, change users' roles (admins only)."""
from flask import Blueprint, jsonify

from app.extensions import commit, db
from app.people.models import User
from app.modules.admin import operations as admin_actions
from app.errors import Invalid
from app.workflow.instances import current_data
from app.workflow.queries import ready_tasks_of
from app.http.auth import api_user, json_body, requires
from app.http.serialize import instance_json, task_json, user_json
from app.http.docs import documented
from app.http import schemas

bp = Blueprint("api_admin", __name__, url_prefix="/api/admin")


@bp.post("/tasks/<task_id>/reassign")
@documented("Reassign a ready task to a user holding its role in its community, or back to the queue "
            "(audited: assignee and claimed_by before and after)", body={
                "type": "object", "required": ["username"], "properties": {"username": {"type": ["string", "null"]}}})
@requires("admin")
def task_reassign(task_id: str):
    body = json_body()
    if "username" not in body:
        raise Invalid("send {\"username\": ...} (null returns the task to the queue)", {"username": "required"})
    task = admin_actions.reassign_task(db(), api_user(), task_id, body["username"])
    commit()
    return jsonify(task_json(task) | {"assignee": task.assignee.username if task.assignee else None})


@bp.post("/instances/<id:instance_id>/data")
@documented("Set process data fields of a running instance, with a reason (audited before and after)",
            body={"type": "object", "required": ["data", "reason"], "properties": {
                "data": {"type": "object"}, "reason": {"type": "string", "maxLength": 500}}})
@requires("admin")
def instance_data_edit(instance_id: int):
    body = json_body()
    instance = admin_actions.edit_instance_data(db(), api_user(), instance_id, body.get("data"), body.get("reason"))
    commit()
    return jsonify(_instance_body(instance))


@bp.post("/instances/<id:instance_id>/cancel")
@documented("Cancel a running instance, with a reason (audited)", body=schemas.REASON)
@requires("admin")
def instance_cancel(instance_id: int):
    instance = admin_actions.cancel_instance(db(), api_user(), instance_id, json_body().get("reason"))
    commit()
    return jsonify(_instance_body(instance))


@bp.get("/users")
@documented("Users with their roles and whether they are active", errors=(401, 403))
@requires("admin")
def user_list():
    return jsonify({"users": [_user_body(u) for u in admin_actions.all_users(db())]})


@bp.post("/users/<username>/roles")
@documented("Set a user's roles (and optionally whether they are active); audited before and after", body={
    "type": "object", "required": ["roles"], "properties": {
        "roles": {"type": "array", "items": {"type": "string"}}, "active": {"type": "boolean"}}})
@requires("admin")
def user_roles(username: str):
    body = json_body()
    user = admin_actions.set_roles(db(), api_user(), username, body.get("roles"), body.get("active"))
    commit()
    return jsonify(_user_body(user))


def _instance_body(instance) -> dict:
    return instance_json(instance, current_data(db(), instance), ready_tasks_of(db(), instance.id))


def _user_body(user: User) -> dict:
    return user_json(user) | {"active": user.is_active}
