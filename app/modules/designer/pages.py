"""The process designer: processes and versions, the BPMN/DMN/form editor, check, dry run, deploy."""
from functools import wraps
from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request,
                   send_from_directory, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.engine.package import FORM_PROPERTY
from app.engine.text import translated
from app.extensions import commit, db
from app.people.org import Organisation
from app.workflow.models.process import ProcessDefinition
from app.modules.designer import operations as designer
from app.errors import Invalid, OperationError
from app.workflow.forms import preview_form
from app.workflow.queries import waiting_task_names
from app.workflow.trial import trial_community
from app.workflow.versions import deploy, main_bpmn
from app.people.roles import ROLE_GROUPS, ROLES
from app.http.formdata import coerce_form

bp = Blueprint("designer", __name__, template_folder="templates", url_prefix="/designer")
VENDOR_PACKAGES = ("bpmn-js", "dmn-js")
MAX_IMPORT_BYTES = 2_000_000


@bp.before_request
@login_required
def designers_only():
    if request.endpoint != "designer.vendor" and "designer" not in current_user.role_ids:
        abort(403)


def json_view(view):
    """A JSON endpoint for the editor: its refusals come back as JSON through app.http.errors."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        g.wants_json = True
        return view(*args, **kwargs)
    return wrapped


@bp.get("")
def process_list(new: dict | None = None):
    definitions = db().scalars(select(ProcessDefinition).order_by(ProcessDefinition.process_id)).all()
    return render_template("designer_list.html", definitions=definitions, running=designer.running_counts(db()),
                           drafts=designer.drafts_of(db(), current_user), new=new or {})


@bp.post("/new")
def process_new():
    process_id, name = request.form.get("process_id", "").strip(), request.form.get("name", "").strip()

    def template():
        if designer.draft_of(db(), current_user, process_id) or _is_deployed(process_id):
            raise Invalid("a process or draft with this id exists already: open it instead", {"process_id": "taken"})
        return process_id, designer.new_process_template(process_id, name)
    return _open_as_draft(template)


@bp.post("/import")
def process_import():
    upload = request.files.get("file")
    filename = Path(upload.filename or "imported.bpmn").name if upload else ""

    def imported():
        raw = upload.read(MAX_IMPORT_BYTES + 1) if upload else b""
        if not raw or len(raw) > MAX_IMPORT_BYTES:
            raise Invalid("choose a .bpmn file of at most 2 MB")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("the file is not UTF-8 text") from None
        process_id = designer.imported_process_id(text, Path(filename).stem)
        return process_id, {filename if filename.endswith(".bpmn") else f"{process_id}.bpmn": text}
    return _open_as_draft(imported)


def _open_as_draft(make):
    """Save what `make()` gives ((process id, files)) as the designer's draft and open it in the editor."""
    try:
        process_id, files = make()
        designer.save_draft(db(), current_user, process_id, files, None)
    except OperationError as err:  # the list with its forms again, filled in, and the reason
        db().rollback()
        flash(err.translated(_), "error")
        return process_list({"process_id": request.form.get("process_id", ""),
                             "name": request.form.get("name", "")}), err.status
    commit()
    return redirect(url_for("designer.editor", process_id=process_id))


@bp.get("/<process_id>/edit")
def editor(process_id: str):
    version = request.args.get("version", type=int)
    package = designer.editor_package(db(), current_user, process_id, version)
    roles = [{"id": r, "label": zh} for r, (zh, _en) in ROLES.items()
             if r not in ("designer", "auditor", "admin")]
    roles += [{"id": g, "label": zh} for g, (zh, _en, _members) in ROLE_GROUPS.items()]  # a lane for several roles
    return render_template("designer_edit.html", process_id=process_id, package=package, roles=roles,
                           form_property=FORM_PROPERTY)


@bp.post("/<process_id>/draft")
@json_view
def draft_save(process_id: str):
    body = _json()
    draft = designer.save_draft(db(), current_user, process_id, body.get("files"), body.get("base_version"))
    commit()
    return jsonify({"saved_at": draft.updated_at.isoformat()})


@bp.post("/<process_id>/draft/discard")
def draft_discard(process_id: str):
    designer.discard_draft(db(), current_user, process_id)
    commit()
    flash(_("The draft was discarded."), "success")
    return redirect(url_for("designer.process_list"))


@bp.post("/check")
@json_view
def check():
    body = _json()
    problems = designer.check_files(db(), designer.package_files(body.get("files")),
                                    designer.entry_process_of(body.get("entry_process")))
    return jsonify({"problems": [p.as_dict(_) for p in problems]})


@bp.post("/dry-run")
@json_view
def dry_run():
    body = _json()
    result = designer.dry_run_files(db(), designer.package_files(body.get("files")), body)
    error = result["error"] and result["error"] | {"message": translated(result["error"]["message"], _)}
    return jsonify(result | {"message": translated(result["message"], _), "error": error})


@bp.post("/<process_id>/deploy")
@json_view
def deploy_draft(process_id: str):
    body = _json()
    version, created = deploy(db(), designer.package_files(body.get("files")), current_user,
                              designer.entry_process_of(body.get("entry_process")))
    designer.discard_draft(db(), current_user, process_id)
    if version.definition.process_id != process_id:
        designer.discard_draft(db(), current_user, version.definition.process_id)
    commit()
    return jsonify({"process_id": version.definition.process_id, "version": version.version, "created": created,
                    "retired": version.is_retired,
                    "start_url": url_for("designer.trial", process_id=version.definition.process_id)}), \
        201 if created else 200


@bp.post("/form-preview")
@json_view
def form_preview():
    body = _json()
    form = preview_form(body.get("schema"), body.get("ui_schema") or {})
    return render_template("_form_preview_partial.html", form=form)


@bp.post("/<process_id>/versions/<int:number>/retire")
def version_retire(process_id: str, number: int):
    return _set_retired(process_id, number, True)


@bp.post("/<process_id>/versions/<int:number>/restore")
def version_restore(process_id: str, number: int):
    return _set_retired(process_id, number, False)


def _set_retired(process_id: str, number: int, retired: bool):
    try:
        designer.set_retired(db(), process_id, number, retired, current_user)
    except OperationError as err:
        db().rollback()
        flash(err.translated(_), "error")
        return redirect(url_for("designer.process_list"))
    commit()
    flash(_("Version %(n)s retired.", n=number) if retired else _("Version %(n)s restored.", n=number), "success")
    return redirect(url_for("designer.process_list"))


@bp.get("/<process_id>/diff")
def diff(process_id: str):
    old, new = request.args.get("from", type=int), request.args.get("to", type=int)
    if old is None or new is None:
        abort(400)
    changes = designer.version_diff(db(), process_id, old, new)
    after = designer.version_of(db(), process_id, new)
    main = main_bpmn(after.files, process_id)
    return render_template("designer_diff.html", process_id=process_id, diff=changes, files=after.files, main=main)


@bp.get("/<process_id>/start")
def trial(process_id: str):
    return render_template("designer_start.html", process_id=process_id, communities=_communities(),
                           form=designer.trial_form(db(), process_id), data={}, errors={})


@bp.post("/<process_id>/start")
def trial_submit(process_id: str):
    form = designer.trial_form(db(), process_id)
    data = coerce_form(form["schema"], request.form) if form else {}
    try:
        instance = designer.start_trial(db(), process_id, request.form.get("community", ""), data, current_user)
    except OperationError as err:
        db().rollback()
        flash(err.translated(_), "error")
        if getattr(err, "technical_detail", ""):  # the designer corrects the script from the engine's own words
            flash(_("Technical detail (as the engine wrote it)") + _(": ") + err.technical_detail, "error")
        return render_template("designer_start.html", process_id=process_id, communities=_communities(),
                               form=form, data=data, errors=err.fields), err.status
    waiting = waiting_task_names(db(), [instance.id]).get(instance.id, [])
    commit()
    flash(_("Instance %(id)s started; now waiting at: %(tasks)s.", id=instance.id,
            tasks="、".join(waiting) or _("nothing (it has finished or waits for a timer)")), "success")
    return redirect(url_for("designer.process_list"))


@bp.get("/vendor/<package>/<path:filename>")
def vendor(package: str, filename: str):
    """bpmn-js and dmn-js, installed from npm, served from their dist folders."""
    if package not in VENDOR_PACKAGES:
        abort(404)
    folder = Path(current_app.config["NODE_MODULES_DIR"]) / package / "dist"
    return send_from_directory(folder, filename, max_age=86400)


def _json() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Invalid("send a JSON object")
    return body


def _communities() -> list[Organisation]:
    """Where a trial may start: the trial community only, never a real one."""
    found = trial_community(db())
    return [found] if found else []


def _is_deployed(process_id: str) -> bool:
    return db().scalar(select(ProcessDefinition.id).where(ProcessDefinition.process_id == process_id)) is not None
