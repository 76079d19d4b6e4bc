"""Instances: state and data, history, and the audit chain check."""
import io

from flask import Blueprint, jsonify, request, send_file

from app.extensions import commit, db
from app.workflow.attachments import add_attachments, attachment_for, attachments_of, read_uploads
from app.errors import Invalid
from app.people.roles import WORKER_ROLES
from app.workflow.audit import OUTSIDE_PER_PAGE, events_outside_instances, verify_chain
from app.workflow.instances import current_data
from app.workflow.queries import history, ready_tasks_of, visible_instance
from app.http.auth import api_user, requires
from app.http.serialize import attachment_json, event_json, instance_json
from app.http.docs import documented
from app.http import schemas

bp = Blueprint("api_instances", __name__, url_prefix="/api")


@bp.get("/instances/<id:instance_id>")
@documented("An instance")
@requires()
def instance_detail(instance_id: int):
    instance = visible_instance(db(), api_user(), instance_id)
    body = instance_json(instance, current_data(db(), instance), ready_tasks_of(db(), instance.id))
    return jsonify(body | {"attachments": [attachment_json(a) for a in attachments_of(db(), instance.id)]})


@bp.get("/instances/<id:instance_id>/history")
@documented("An instance's audit history")
@requires()
def instance_history(instance_id: int):
    instance = visible_instance(db(), api_user(), instance_id)
    return jsonify({"instance_id": instance.id, "events": [event_json(e) for e in history(db(), instance.id)]})


@bp.post("/instances/<id:instance_id>/attachments")
@documented("Attach files to a case (pdf, images, Word, Excel, text; 5 MB each)", ok=201,
            body_content=schemas.UPLOADS)
@requires(*WORKER_ROLES)
def attachment_upload(instance_id: int):
    instance = visible_instance(db(), api_user(), instance_id)
    uploads = read_uploads(request.files.getlist("files"))
    if not uploads:
        raise Invalid("send multipart 'files'", {"files": "required"})
    stored = add_attachments(db(), instance, uploads, api_user())
    commit()
    return jsonify({"attachments": [attachment_json(a) for a in stored]}), 201


@bp.get("/attachments/<id:attachment_id>")
@documented("Download an attachment", errors=(401, 403, 404),
            ok_content={"application/octet-stream": {}})
@requires()
def attachment_download(attachment_id: int):
    found = attachment_for(db(), api_user(), attachment_id)
    return send_file(io.BytesIO(found.data), mimetype=found.content_type, as_attachment=True,
                     download_name=found.filename)


@bp.get("/audit/verify")
@documented("Verify the audit chain, its hashes and its keyed MACs (AUDIT_KEY): "
            "{ok, events_checked, first_broken: {seq, reason}, keyed}", errors=(401, 403))
@requires("auditor", "admin")
def audit_verify():
    return jsonify(verify_chain(db()))


@bp.get("/audit/events")
@documented("Events outside any instance (sign-ins, sign-outs, failed sign-ins, tokens, deployments, "
            "accounts), newest first; query type, actor, page: {total, page, per_page, events}", errors=(401, 403))
@requires("auditor", "admin")
def audit_events():
    """Events outside any instance (sign-ins, failed sign-ins, tokens...), newest first; ?type=&actor=&page=."""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total, rows = events_outside_instances(db(), request.args.get("type") or None,
                                           request.args.get("actor") or None, page)
    return jsonify({"total": total, "page": page, "per_page": OUTSIDE_PER_PAGE, "events": [event_json(e) for e in rows]})
