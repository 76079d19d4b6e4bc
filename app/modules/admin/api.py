"""Administration: reassign tasks, edit or cancel instances, change users' roles (admins only)."""
import io

from flask import Blueprint, jsonify, request, send_file

from app.extensions import commit, db
from app.people.models import User
from app.modules.admin import operations as admin_actions
from app.modules.decision import register_files, registers
from app.modules.decision.models import MemberStatus
from app.tables.exports import XLSX_TYPE
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


# ---- registers (花名册) ----------------------------------------------------------------------------------------

REGISTER_FILE = {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary"}}}}}
MEMBER = {"type": "object", "required": ["name"], "properties": {
    "name": {"type": "string", "maxLength": 50}, "grid": {"type": "string"}, "phone": {"type": "string"},
    "affiliation": {"type": "string", "maxLength": 100}, "status": {"enum": [s.value for s in MemberStatus]},
    "joined_on": {"type": "string", "format": "date"}, "left_on": {"type": "string", "format": "date"},
    "username": {"type": "string"}}}


@bp.get("/registers/<community>/<body>")
@documented("A body's register (花名册) in a community: its members (phones masked) and the figures derived from "
            "them (due: members counting toward 应到 today; excusable: those on leave, away or abroad)",
            errors=(400, 401, 403))
@requires("admin")
def register_list(community: str, body: str):
    org, body = registers.community(db(), community), registers.checked_body(body)
    return jsonify({"community": org.code, "body": body, **registers.counts(db(), org.id, body),
                    "members": [_member_body(m) for m in registers.members(db(), org, body)]})


@bp.post("/registers/<community>/<body>/members")
@documented("Put a person on a body's register (audited)", ok=201, body=MEMBER, errors=(400, 401, 403))
@requires("admin")
def register_add(community: str, body: str):
    member = registers.add_member(db(), api_user(), community, body, json_body())
    commit()
    return jsonify(_member_body(member)), 201


@bp.post("/registers/<community>/<body>/import")
@documented("Import a body's register from an .xlsx file (姓名、网格、电话、身份/所属组织、状态、入册日期、离册日期、账号). "
            "Every row is checked; with any bad row nothing is imported and the answer (400) lists each one "
            "(`problems`: row, column, problem). A clean file becomes the register: members missing from it leave "
            "the register today", body_content=REGISTER_FILE, errors=(400, 401, 403))
@requires("admin")
def register_import(community: str, body: str):
    upload = request.files.get("file")
    if upload is None:
        raise Invalid("send the register as multipart 'file'", {"file": "required"})
    result = register_files.import_register(db(), api_user(), community, body, upload.read())
    commit()
    return jsonify(result)


@bp.get("/registers/<community>/<body>/export")
@documented("A body's register as an .xlsx file, in the columns the import reads (audited)",
            ok_content={XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}, errors=(400, 401, 403))
@requires("admin")
def register_export(community: str, body: str):
    content = register_files.export_register(db(), api_user(), community, body)
    commit()
    return send_file(io.BytesIO(content), mimetype=XLSX_TYPE, as_attachment=True,
                     download_name=f"register-{community}-{body}.xlsx")


def _member_body(member) -> dict:
    return {"id": member.id, "name": member.name, "grid": member.grid.code if member.grid else None,
            "phone": registers.mask_phone(member.phone), "affiliation": member.affiliation,
            "status": member.status, "joined_on": member.joined_on.isoformat() if member.joined_on else None,
            "left_on": member.left_on.isoformat() if member.left_on else None,
            "username": member.user.username if member.user else None}


def _instance_body(instance) -> dict:
    return instance_json(instance, current_data(db(), instance), ready_tasks_of(db(), instance.id))


def _user_body(user: User) -> dict:
    return user_json(user) | {"active": user.is_active}
