"""Process definitions: list, check, dry-run and deploy versions; read, compare and retire them."""
from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select

from app.extensions import commit, db
from app.workflow.models.process import ProcessDefinition
from app.modules.designer import operations as designer
from app.errors import Invalid
from app.workflow.versions import deploy
from app.http.auth import api_user, json_body, requires

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
    version, created = deploy(db(), _uploaded_files(), api_user(), _entry_process())
    commit()
    return jsonify({"process_id": version.definition.process_id, "version": version.version,
                    "created": created}), 201 if created else 200


@bp.post("/check")
@requires("designer")
def process_check():
    problems = designer.check_files(db(), _uploaded_files(), _entry_process())
    return jsonify({"ok": not problems, "problems": problems})


@bp.post("/dry-run")
@requires("designer")
def process_dry_run():
    body = json_body()
    return jsonify(designer.dry_run_files(db(), designer.package_files(body.get("files")), body))


@bp.get("/<process_id>/versions/<id:number>/bpmn")
@requires("designer", "auditor", "admin")
def version_bpmn(process_id: str, number: int):
    version = designer.version_of(db(), process_id, number)
    files = sorted(n for n in version.files if n.endswith(".bpmn"))
    main = next((n for n in files if f'id="{process_id}"' in version.files[n]), files[0] if files else None)
    return Response(version.files.get(main, ""), mimetype="application/xml")


@bp.get("/<process_id>/versions/<id:number>/files")
@requires("designer", "auditor", "admin")
def version_files(process_id: str, number: int):
    version = designer.version_of(db(), process_id, number)
    return jsonify({"process_id": process_id, "version": number, "retired": version.is_retired,
                    "content_hash": version.content_hash, "files": version.files})


@bp.post("/<process_id>/versions/<id:number>/retire")
@requires("designer")
def version_retire(process_id: str, number: int):
    return _set_retired(process_id, number, True)


@bp.post("/<process_id>/versions/<id:number>/restore")
@requires("designer")
def version_restore(process_id: str, number: int):
    return _set_retired(process_id, number, False)


def _set_retired(process_id: str, number: int, retired: bool):
    designer.set_retired(db(), process_id, number, retired, api_user())
    commit()
    return jsonify({"process_id": process_id, "version": number, "retired": retired})


@bp.get("/<process_id>/diff")
@requires("designer", "auditor", "admin")
def version_diff(process_id: str):
    old, new = request.args.get("from", type=int), request.args.get("to", type=int)
    if old is None or new is None:
        raise Invalid("give the versions to compare as ?from=N&to=M", {"from": "required", "to": "required"})
    return jsonify(designer.version_diff(db(), process_id, old, new))


def _entry_process() -> str | None:
    """The entry process chosen for a check or deploy: `entry_process` (or `process_id`) in the JSON
    body, the multipart form or the query string; None keeps the default rule."""
    source = json_body() if request.is_json else request.form if request.form else request.args
    return designer.entry_process_of(source.get("entry_process", source.get("process_id")))


def _uploaded_files() -> dict[str, str]:
    """The package of a deploy or check: JSON {"files": {...}}, multipart 'files', or one BPMN document."""
    if request.is_json:
        return designer.package_files(json_body().get("files"))
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
            raise Invalid("'%(name)s' is not a .bpmn, .dmn or .json file", {"files": "unsupported file type"},
                          params={"name": name})
        files[name] = _decode(name, upload.read())
    return files


def _decode(name: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("'%(name)s' is not UTF-8 text", {"files": "must be UTF-8"}, params={"name": name}) from None
