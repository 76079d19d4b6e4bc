"""Process definitions: list, deploy a new version, read a version's BPMN."""
from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select

from ..extensions import commit, db
from ..models import ProcessDefinition, ProcessVersion
from ..ops.errors import Invalid, NotFound
from ..ops.versions import deploy
from .auth import api_user, requires

bp = Blueprint("api_processes", __name__, url_prefix="/api/processes")
ALLOWED_SUFFIXES = (".bpmn", ".dmn", ".json")


@bp.get("")
@requires("designer", "auditor", "admin")
def process_list():
    definitions = db().scalars(select(ProcessDefinition).order_by(ProcessDefinition.process_id))
    return jsonify({"processes": [{
        "process_id": d.process_id, "name": d.name,
        "latest_version": max((v.version for v in d.versions if not v.is_retired), default=None),
        "versions": [{"version": v.version, "content_hash": v.content_hash, "retired": v.is_retired,
                      "created_at": v.created_at.isoformat()} for v in d.versions],
    } for d in definitions]})


@bp.post("")
@requires("designer")
def process_deploy():
    version, created = deploy(db(), _uploaded_files(), api_user())
    commit()
    return jsonify({"process_id": version.definition.process_id, "version": version.version,
                    "created": created}), 201 if created else 200


@bp.get("/<process_id>/versions/<id:number>/bpmn")
@requires("designer", "auditor", "admin")
def version_bpmn(process_id: str, number: int):
    version = db().scalars(select(ProcessVersion).join(ProcessDefinition).where(
        ProcessDefinition.process_id == process_id, ProcessVersion.version == number)).first()
    if version is None:
        raise NotFound("no such process version")
    main = next((text for name, text in sorted(version.files.items()) if name.endswith(".bpmn")), "")
    return Response(main, mimetype="application/xml")


def _uploaded_files() -> dict[str, str]:
    if request.mimetype in ("application/xml", "text/xml"):
        return {"process.bpmn": _decode("process.bpmn", request.get_data())}
    uploads = request.files.getlist("files")
    if not uploads:
        raise Invalid("send multipart 'files' (.bpmn, .dmn, form .json) or one BPMN as application/xml",
                      {"files": "required"})
    files = {}
    for upload in uploads:
        name = (upload.filename or "").rsplit("/", 1)[-1]
        if not name.endswith(ALLOWED_SUFFIXES):
            raise Invalid(f"'{name}' is not a .bpmn, .dmn or .json file", {"files": "unsupported file type"})
        files[name] = _decode(name, upload.read())
    return files


def _decode(name: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid(f"'{name}' is not UTF-8 text", {"files": "must be UTF-8"}) from None
