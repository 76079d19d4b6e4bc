"""三张清单 for programs: the needs, resources and projects lists with the pages' filters; adding a resource."""
from flask import Blueprint, jsonify, request

from app.extensions import commit, db
from app.modules.lists.reads import FILTERS, LIST_ROLES, READERS, list_item_json, resource_row
from app.modules.lists.resources import RESOURCE_EDITORS, add_resource
from app.http.auth import api_user, json_body, requires
from app.http.docs import documented
from app.http import schemas

bp = Blueprint("api_lists", __name__, url_prefix="/api")


@bp.get("/lists/<any(needs, resources, projects):name>")
@documented("A 三张清单 list in your communities: {count, items}", errors=(400, 401, 403), variants={
    name: {"summary": f"The {name} list (三张清单) in your communities: {{count, items}}", "query": schemas.filters(*f)}
    for name, f in FILTERS.items()})
@requires(*LIST_ROLES)
def list_rows(name: str):
    listing = READERS[name](db(), api_user(), request.args)
    return jsonify({"count": listing.total, "items": [list_item_json(row) for row in listing.rows]})


@bp.post("/resources")
@documented("Add a resource to the resources list (资源清单)", ok=201, body=schemas.RESOURCE, errors=(400, 401, 403))
@requires(*RESOURCE_EDITORS)
def resource_add():
    resource = add_resource(db(), api_user(), json_body())
    commit()
    return jsonify(list_item_json(resource_row(resource))), 201
