"""Public notices (公示) and objections to them."""
from flask import Blueprint, jsonify, request

from app.extensions import commit, db
from app.modules.disclosure.operations import disclosure, disclosure_json, disclosures, file_objection
from app.http.auth import json_body
from app.http.docs import documented

bp = Blueprint("api_disclosures", __name__, url_prefix="/api/public/disclosures")


@bp.get("")
@documented("Public notices (公示), newest first", errors=(), query=[
    {"name": n, "in": "query", "required": False, "schema": {"type": "string"}} for n in ("community", "kind")])
def disclosure_list():
    found = disclosures(db(), community=request.args.get("community"), kind=request.args.get("kind"))
    return jsonify({"disclosures": [disclosure_json(db(), d) for d in found]})


@bp.get("/<id:disclosure_id>")
@documented("One public notice", errors=(404,))
def disclosure_detail(disclosure_id: int):
    return jsonify(disclosure_json(db(), disclosure(db(), disclosure_id)))


@bp.post("/<id:disclosure_id>/objections")
@documented("Object to a notice during its publicity period", ok=201, errors=(400, 404, 409), body={
    "type": "object", "required": ["content"], "properties": {
        "content": {"type": "string", "maxLength": 2000}, "contact": {"type": "string", "maxLength": 100}}})
def objection_create(disclosure_id: int):
    objection = file_objection(db(), disclosure_id, json_body())
    commit()
    return jsonify({"id": objection.id, "status": objection.status}), 201
