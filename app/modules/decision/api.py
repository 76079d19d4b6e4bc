"""Meeting records of a project's decision (五议): the records, the delivery records of notices, the signed minutes."""
from flask import Blueprint, jsonify, request

from app.extensions import commit, db
from app.http.auth import api_user, json_body, requires
from app.http.docs import documented
from app.modules.decision import meetings
from app.workflow.attachments import read_uploads

bp = Blueprint("api_meetings", __name__, url_prefix="/api")


@bp.get("/projects/<id:project_id>/meetings")
@documented("A project's meeting records (void ones too) and the delivery records of its notices")
@requires()
def meeting_list(project_id: int):
    project = meetings.staff_project(db(), api_user(), project_id)
    return jsonify({"meetings": [meetings.meeting_json(m) for m in meetings.meetings_of(db(), project)],
                    "notices": [meetings.notice_json(n) for n in meetings.notices_of(db(), project)]})


@bp.get("/projects/<id:project_id>/meetings/<id:meeting_id>")
@documented("One meeting record (会议记录)")
@requires()
def meeting_detail(project_id: int, meeting_id: int):
    project = meetings.staff_project(db(), api_user(), project_id)
    return jsonify(meetings.meeting_json(meetings.meeting_of(db(), project, meeting_id)))


@bp.post("/projects/<id:project_id>/notices")
@documented("Record that the plan was delivered to a body's members today (送达记录)", ok=201, body={
    "type": "object", "required": ["method", "recipients", "delivered_by"], "properties": {
        "meeting": {"type": "string", "enum": list(meetings.ORDER)},
        "method": {"type": "string", "enum": list(meetings.NOTICE_METHODS)},
        "recipients": {"type": "integer", "minimum": 1}, "delivered_by": {"type": "string", "maxLength": 50},
        "note": {"type": "string", "maxLength": 500}}})
@requires()
def notice_create(project_id: int):
    project = meetings.staff_project(db(), api_user(), project_id, recording=True)
    notice = meetings.record_notice(db(), api_user(), project, json_body())
    commit()
    return jsonify(meetings.notice_json(notice)), 201


@bp.post("/projects/<id:project_id>/meetings/<id:meeting_id>/minutes")
@documented("Attach the signed minutes (the printed record, signed and scanned) as multipart `file`",
            body_content={"multipart/form-data": {"schema": {"type": "object", "properties": {
                "file": {"type": "string", "format": "binary"}}}}})
@requires()
def minutes_attach(project_id: int, meeting_id: int):
    project = meetings.staff_project(db(), api_user(), project_id, recording=True)
    row = meetings.attach_minutes(db(), api_user(), project, meetings.meeting_of(db(), project, meeting_id),
                                  read_uploads(request.files.getlist("file")))
    commit()
    return jsonify(meetings.meeting_json(row))
