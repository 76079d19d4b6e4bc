"""Instance pages: the list in one's communities, and one instance with its data and history."""
import io
from functools import partial

from flask import Blueprint, abort, render_template, request, send_file
from flask_babel import get_locale, gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.modules.decision.models import Project
from app.modules.lines.operations import lines_of
from app.workflow.attachments import attachment_for, attachments_of
from app.modules.audit.history import EXPORT_HEADERS, export_rows, instance_trace, timeline
from app.workflow.data_view import case_labels, change_rows, data_sections, readable
from app.workflow.forms import field_labels
from app.workflow.instances import current_data
from app.workflow.versions import bundle_for
from app.workflow.queries import history, instances_in_scope, ready_tasks_of, visible_instance
from app.tables.exports import table_download

bp = Blueprint("instances", __name__, template_folder="templates")


@bp.get("/instances")
@login_required
def instance_list():
    status = request.args.get("status") or None
    return render_template("instances.html", instances=instances_in_scope(db(), current_user, status), status=status)


@bp.get("/instances/<id:instance_id>")
@login_required
def instance(instance_id: int):
    found = visible_instance(db(), current_user, instance_id)
    bundle = bundle_for(db(), found.version_id)
    data, events = current_data(db(), found), history(db(), found.id)
    labels = case_labels(db(), field_labels(bundle), found.community, [data, *(e.data_changes or {} for e in events)])
    known, other = data_sections(labels, bundle.forms, data)
    names = {found.process_id: found.version.definition.name}  # "need_lifecycle v1" in a summary: 民需全周期 v1
    return render_template("instance.html", instance=found, data=known, other_data=other,
                           changes_of=partial(change_rows, labels, bundle.forms),
                           readable=partial(readable, forms=bundle.forms, names=names),
                           ready=ready_tasks_of(db(), found.id), events=events, attachments=attachments_of(db(), found.id),
                           project=db().scalars(select(Project).where(Project.instance_id == found.id)).first(),
                           has_lines=bool(lines_of(db(), found.id)))


@bp.get("/instances/<id:instance_id>/history")
@login_required
def instance_history(instance_id: int):
    found = visible_instance(db(), current_user, instance_id)
    events = timeline(db(), found, str(get_locale()))
    fmt = request.args.get("format")
    if fmt is not None:
        if fmt not in ("csv", "xlsx"):
            abort(400)
        title = f"{_('History')}-{found.business_key or found.id}"
        return table_download(title, [_(h) for h in EXPORT_HEADERS], export_rows(events), fmt)
    return render_template("instance_history.html", instance=found, events=events, trace=instance_trace(db(), found))


@bp.get("/attachments/<id:attachment_id>")
@login_required
def attachment_download(attachment_id: int):
    found = attachment_for(db(), current_user, attachment_id)
    return send_file(io.BytesIO(found.data), mimetype=found.content_type, as_attachment=True,
                     download_name=found.filename)
