"""Public notices (公示) and objections to them; workers record objections made in person and keep the notice."""
import io

from flask import Blueprint, jsonify, request, send_file

from app.extensions import commit, db
from app.modules.disclosure.operations import (attach_posting_photo, disclosure, disclosure_json, disclosures,
                                               file_objection, posting_photo, record_objection, set_notice_details)
from app.errors import Invalid, Unauthenticated
from app.http.auth import api_user, json_body, requires
from app.http.docs import documented
from app.http import schemas
from app.people.roles import WORKER_ROLES
from app.workflow.attachments import read_uploads

bp = Blueprint("api_disclosures", __name__, url_prefix="/api")
OBJECTION = {"content": {"type": "string", "maxLength": 2000}, "contact": {"type": "string", "maxLength": 100}}


@bp.get("/public/disclosures")
@documented("Public notices (公示), newest first", errors=(), query=[
    {"name": n, "in": "query", "required": False, "schema": {"type": "string"}} for n in ("community", "kind")])
def disclosure_list():
    found = disclosures(db(), community=request.args.get("community"), kind=request.args.get("kind"))
    return jsonify({"disclosures": [disclosure_json(db(), d) for d in found]})


@bp.get("/public/disclosures/<id:disclosure_id>")
@documented("One public notice", errors=(404,))
def disclosure_detail(disclosure_id: int):
    return jsonify(disclosure_json(db(), disclosure(db(), disclosure_id)))


@bp.get("/public/disclosures/<id:disclosure_id>/photo")
@documented("The photo of the notice as posted on the bulletin board (张贴照片)", errors=(404,),
            ok_content={"image/jpeg": {}, "image/png": {}})
def disclosure_photo(disclosure_id: int):
    photo = posting_photo(db(), disclosure_id)
    return send_file(io.BytesIO(photo.data), mimetype=photo.content_type, download_name=photo.filename)


@bp.post("/public/disclosures/<id:disclosure_id>/objections")
@documented("Object to a notice during its publicity period (signed in: told the answer in-app)", ok=201,
            errors=(400, 404, 409), body={"type": "object", "required": ["content"], "properties": OBJECTION})
def objection_create(disclosure_id: int):
    objection = file_objection(db(), disclosure_id, json_body(), _caller())
    commit()
    return jsonify({"id": objection.id, "status": objection.status}), 201


def _caller():
    """The signed-in objector (told the answer in-app), or None: the endpoint is public, and a stale or unknown
    token makes the objection anonymous rather than refused, as before tokens counted here."""
    if not request.headers.get("Authorization"):
        return None
    try:
        return api_user()
    except Unauthenticated:
        return None


@bp.post("/disclosures/<id:disclosure_id>/objections")
@documented("Record an objection made in person, by phone or in writing (现场 / 电话 / 书面)", ok=201,
            errors=(400, 401, 403, 404, 409), body={
                "type": "object", "required": ["content", "objector_name", "channel"], "properties": OBJECTION | {
                    "objector_name": {"type": "string", "maxLength": 100},
                    "channel": {"type": "string", "enum": ["in_person", "phone", "written"]},
                    "objector_account": {"type": "string", "description": "the objector's username, if any"}}})
@requires(*WORKER_ROLES)
def objection_record(disclosure_id: int):
    objection = record_objection(db(), disclosure_id, json_body(), api_user())
    commit()
    return jsonify({"id": objection.id, "status": objection.status, "channel": objection.channel,
                    "instance_id": objection.instance_id}), 201


@bp.post("/disclosures/<id:disclosure_id>/details")
@documented("Set who issues the notice and where objections go (phone, address)", errors=(400, 401, 403, 404),
            body={"type": "object", "properties": {k: {"type": "string"} for k in
                                                    ("issuer", "objection_phone", "objection_address")}})
@requires(*WORKER_ROLES)
def disclosure_update(disclosure_id: int):
    notice = set_notice_details(db(), disclosure_id, json_body(), api_user())
    commit()
    return jsonify(disclosure_json(db(), notice))


@bp.post("/disclosures/<id:disclosure_id>/photo")
@documented("Attach the photo of the posted notice (张贴照片: jpg or png, 5 MB)", ok=201,
            errors=(400, 401, 403, 404, 409), body_content=schemas.UPLOADS)
@requires(*WORKER_ROLES)
def disclosure_photo_upload(disclosure_id: int):
    uploads = read_uploads(request.files.getlist("files"))
    if not uploads:
        raise Invalid("send multipart 'files'", {"files": "required"})
    photo = attach_posting_photo(db(), disclosure_id, uploads, api_user())
    commit()
    return jsonify({"photo_id": photo.id, "filename": photo.filename}), 201
