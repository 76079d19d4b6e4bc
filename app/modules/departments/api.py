"""The department directory as JSON (administrators): list the departments, add one."""
from flask import Blueprint, jsonify

from app.extensions import commit, db
from app.http.auth import api_user, json_body, requires
from app.http.docs import documented
from app.modules.departments import operations as directory

bp = Blueprint("api_departments", __name__, url_prefix="/api/admin/departments")

DEPARTMENT = {"type": "object", "required": ["code", "name"], "properties": {
    "code": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,63}$"}, "name": {"type": "string", "maxLength": 100},
    "district": {"type": "string", "description": "the district's code (optional when there is only one)"}}}


@bp.get("")
@documented("The district departments (区级职能部门) a street may dispatch needs to, with their staff; the first of a "
            "district takes the needs its streets let run late (超时督办 / 提级办理)", errors=(401, 403))
@requires("admin")
def department_list():
    found = directory.departments(db())
    first = {}
    for department in found:
        first.setdefault(department.parent_id, department.id)
    return jsonify({"departments": [_body(d, first.get(d.parent_id) == d.id) for d in found]})


@bp.post("")
@documented("Add a department to a district's directory (audited)", ok=201, body=DEPARTMENT, errors=(400, 401, 403))
@requires("admin")
def department_add():
    department = directory.add_department(db(), api_user(), json_body())
    commit()
    return jsonify(_body(department, len(directory.departments(db(), department.parent)) == 1)), 201


def _body(department, takes_escalations: bool) -> dict:
    return {"code": department.code, "name": department.name,
            "district": department.parent.code if department.parent else None,
            "takes_escalations": takes_escalations,
            "users": [u.username for u in directory.staff(db(), department)]}
