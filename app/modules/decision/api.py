"""The decision's API (五议): meeting records, the delivery records of notices, the signed minutes, and the clerk's
record of an online vote by a two-committee member who has no account."""
from flask import Blueprint, jsonify, request

from app.extensions import commit, db
from app.http.auth import api_user, json_body, requires
from app.http.docs import documented
from app.modules.decision import meetings
from app.modules.decision.ballots import record_ballot
from app.people.policy import BALLOT_CLERKS
from app.workflow.attachments import read_uploads

bp = Blueprint("api_decision", __name__, url_prefix="/api")


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


@bp.post("/instances/<id:instance_id>/ballots")
@documented("While a case's online two-committee vote is open, record the vote of a member on the register who has "
            "no account, with the reason (audited); a member votes once", ok=201, body={
                "type": "object", "required": ["member_id", "vote", "reason"], "properties": {
                    "member_id": {"type": "integer"}, "vote": {"enum": ["for", "against", "abstain"]},
                    "reason": {"type": "string", "maxLength": 300}}}, errors=(400, 401, 403, 404, 409))
@requires(*BALLOT_CLERKS)
def ballot_record(instance_id: int):
    ballot = record_ballot(db(), api_user(), instance_id, json_body())
    commit()
    return jsonify({"id": ballot.id, "member_id": ballot.member_id, "vote": ballot.vote}), 201
