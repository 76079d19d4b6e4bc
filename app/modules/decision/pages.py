"""The decision's pages (五议): the printable 会议记录, the signed minutes, the delivery records of notices, and the
clerk's page of an online two-committee vote (who has voted; the votes of members without an account)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import Invalid
from app.extensions import commit, db
from app.modules.decision import meetings
from app.modules.decision.ballots import record_ballot, vote_sheet
from app.people.policy import BALLOT_CLERKS, holds_any
from app.workflow.attachments import read_uploads

bp = Blueprint("decision", __name__, template_folder="templates")
bp.app_context_processor(lambda: {"ballot_clerks": BALLOT_CLERKS})  # the case page links to the vote for them


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
    return redirect(url_for("decision.meeting_record", project_id=project_id, meeting_id=meeting_id))


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


@bp.get("/instances/<id:instance_id>/ballots")
@login_required
def ballots(instance_id: int, status: int = 200):
    instance, roster = vote_sheet(db(), current_user, instance_id)
    return render_template("ballots.html", instance=instance, roster=roster), status


@bp.post("/instances/<id:instance_id>/ballots")
@login_required
def ballots_post(instance_id: int):
    try:
        record_ballot(db(), current_user, instance_id, request.form.to_dict())
    except Invalid as err:
        db().rollback()
        named = {"member_id": _("register_name"), "vote": _("Vote"), "reason": _("Why the clerk records it")}
        flash(err.translated(_) + "：" + "；".join(f"{named.get(k, k)}：{_(v)}" for k, v in err.fields.items()), "error")
        return ballots(instance_id, status=400)
    commit()
    flash(_("The vote is recorded."), "success")
    return redirect(url_for("decision.ballots", instance_id=instance_id))
