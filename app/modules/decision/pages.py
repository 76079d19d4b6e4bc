"""Meeting records of a project's decision (五议): the printable 会议记录, the signed minutes, the delivery records."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import commit, db
from app.errors import Invalid
from app.modules.decision import meetings
from app.people.policy import holds_any
from app.workflow.attachments import read_uploads

bp = Blueprint("meetings", __name__, template_folder="templates")


@bp.get("/projects/<id:project_id>/meetings/<id:meeting_id>")
@login_required
def meeting_record(project_id: int, meeting_id: int):
    project = meetings.staff_project(db(), current_user, project_id)
    row = meetings.meeting_of(db(), project, meeting_id)
    notices = meetings.notices_of(db(), project, row.meeting) if row.notice_date else []
    return render_template("meeting_record.html", project=project, m=row, notices=notices,
                           submitted=meetings.submitted_with(db(), row),
                           recording=holds_any(current_user, meetings.RECORDING_ROLES))


@bp.post("/projects/<id:project_id>/meetings/<id:meeting_id>/minutes")
@login_required
def minutes_post(project_id: int, meeting_id: int):
    project = meetings.staff_project(db(), current_user, project_id, recording=True)
    meetings.attach_minutes(db(), current_user, project, meetings.meeting_of(db(), project, meeting_id),
                            read_uploads(request.files.getlist("file")))
    commit()
    flash(_("The signed minutes were attached."), "success")
    return redirect(url_for("meetings.meeting_record", project_id=project_id, meeting_id=meeting_id))


@bp.post("/projects/<id:project_id>/notices")
@login_required
def notice_post(project_id: int):
    project = meetings.staff_project(db(), current_user, project_id, recording=True)
    try:
        meetings.record_notice(db(), current_user, project, {
            k: request.form.get(k, "") for k in ("meeting", "method", "recipients", "delivered_by", "note")})
    except Invalid as err:
        db().rollback()
        flash(_("The delivery record was not saved: %(reason)s", reason=err.translated(_)), "error")
        return redirect(url_for("projects.project_page", project_id=project_id))
    commit()
    flash(_("The delivery was recorded."), "success")
    return redirect(url_for("projects.project_page", project_id=project_id))
