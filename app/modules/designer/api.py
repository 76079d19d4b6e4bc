"""Process definitions: list, check, dry-run and deploy versions; read, compare and retire them."""
from flask import Blueprint, Response, jsonify, request
from flask import url_for
from sqlalchemy import select

from app.extensions import commit, db
from app.workflow.models.process import ProcessDefinition
from app.modules.designer import operations as designer
from app.errors import Invalid
from app.workflow.versions import deploy, main_bpmn
from app.http.auth import api_user, json_body, requires
from app.workflow.instances import current_data
from app.workflow.queries import ready_tasks_of
from app.workflow.starting import START_BODY, start_on_request
from app.http.serialize import instance_json
from app.http.docs import documented
from app.http import schemas

bp = Blueprint("api_processes", __name__, url_prefix="/api/processes")
ALLOWED_SUFFIXES = (".bpmn", ".dmn", ".json")


@bp.get("")
@documented("Process definitions and versions", errors=(401, 403))
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
@documented("Deploy a new version", ok=201, errors=(400, 401, 403, 422), body_content={
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}, "entry_process": {"type": "string"}}}},
    "application/xml": {"schema": {"type": "string"}}, "application/json": {"schema": schemas.PACKAGE}})
@requires("designer")
def process_deploy():
    version, created = deploy(db(), _uploaded_files(), api_user(), _entry_process())
    commit()
    return jsonify({"process_id": version.definition.process_id, "version": version.version,
                    "created": created}), 201 if created else 200


@bp.post("/check")
@documented("Check a package without deploying it: {ok, problems: [{element, message}]}", errors=(400, 401, 403),
            body=schemas.PACKAGE)
@requires("designer")
def process_check():
    problems = designer.check_files(db(), _uploaded_files(), _entry_process())
    return jsonify({"ok": not problems, "problems": [p.as_dict() for p in problems]})


@bp.post("/dry-run")
@documented("Run a package in memory against scripted answers: {status, path, flows, waiting_at, error, ...}; "
            "nothing is stored and no helper function really runs", errors=(400, 401, 403, 422), body=schemas.DRY_RUN)
@requires("designer")
def process_dry_run():
    body = json_body()
    return jsonify(designer.dry_run_files(db(), designer.package_files(body.get("files")), body))


@bp.get("/<process_id>/versions/<id:version>/bpmn")
@documented("A version's BPMN", errors=(401, 403, 404),
            ok_content={"application/xml": {"schema": {"type": "string"}}})
@requires("designer", "auditor", "admin")
def version_bpmn(process_id: str, version: int):
    found = designer.version_of(db(), process_id, version)
    main = main_bpmn(found.files, process_id)
    return Response(found.files.get(main, ""), mimetype="application/xml")


@bp.get("/<process_id>/versions/<id:version>/files")
@documented("Every file of a version (BPMN, DMN, forms)", errors=(401, 403, 404))
@requires("designer", "auditor", "admin")
def version_files(process_id: str, version: int):
    found = designer.version_of(db(), process_id, version)
    return jsonify({"process_id": process_id, "version": version, "retired": found.is_retired,
                    "content_hash": found.content_hash, "files": found.files})


@bp.post("/<process_id>/versions/<id:version>/retire")
@documented("Retire a version: new instances start on the newest version in use; running ones stay",
            errors=(401, 403, 404, 409))
@requires("designer")
def version_retire(process_id: str, version: int):
    return _set_retired(process_id, version, True)


@bp.post("/<process_id>/versions/<id:version>/restore")
@documented("Put a retired version back in use", errors=(401, 403, 404, 409))
@requires("designer")
def version_restore(process_id: str, version: int):
    return _set_retired(process_id, version, False)


def _set_retired(process_id: str, number: int, retired: bool):
    designer.set_retired(db(), process_id, number, retired, api_user())
    commit()
    return jsonify({"process_id": process_id, "version": number, "retired": retired})


@bp.get("/<process_id>/diff")
@documented("Elements added, removed and changed between two versions", errors=(400, 401, 403, 404), query=[
    {"name": "from", "in": "query", "required": True, "schema": {"type": "integer"}},
    {"name": "to", "in": "query", "required": True, "schema": {"type": "integer"}}])
@requires("designer", "auditor", "admin")
def version_diff(process_id: str):
    old, new = request.args.get("from", type=int), request.args.get("to", type=int)
    if old is None or new is None:
        raise Invalid("give the versions to compare as ?from=N&to=M", {"from": "required", "to": "required"})
    return jsonify(designer.version_diff(db(), process_id, old, new))


@bp.post("/<process_id>/instances")
@documented("Start an instance of the process's newest version in a community, with start data (as Camunda's "
            "process-definition/key/{key}/start): for the roles its start lane names, in their communities; "
            "designers start trials in the trial community TRIAL. 201 with the instance and a Location header; "
            "422 names each refused field", ok=201, body=START_BODY, errors=(400, 401, 403, 404, 422))
@requires()
def instance_start(process_id: str):
    instance = start_on_request(db(), process_id, json_body(), api_user())
    commit()
    body = instance_json(instance, current_data(db(), instance), ready_tasks_of(db(), instance.id))
    return jsonify(body), 201, {"Location": url_for("api_instances.instance_detail", instance_id=instance.id)}


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
