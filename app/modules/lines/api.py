"""JSON for the lead: the needs one leads, and one need's cooperating lines."""
from flask import Blueprint, jsonify

from app.extensions import db
from app.http.auth import api_user, requires
from app.http.docs import documented
from app.modules.lines import operations as lines

bp = Blueprint("api_lines", __name__, url_prefix="/api")


@bp.get("/lines/led")
@documented("The needs you lead (我牵头的需求): each with its status, the steps waiting and its cooperating lines",
            errors=(401,))
@requires()
def led():
    return jsonify({"needs": [_case_json(c["instance"], c["lines"], c["waiting"])
                              for c in lines.led_by(db(), api_user())]})


@bp.get("/instances/<id:instance_id>/lines")
@documented("A need's lead and cooperating lines (配合单位/条线) with each line's contact, status and report")
@requires()
def case_lines(instance_id: int):
    found = lines.case_lines(db(), api_user(), instance_id)
    lead = found["lead"]
    return jsonify(_case_json(found["instance"], found["lines"], found["waiting"])
                   | {"lead": lead.username if lead else None, "lead_name": lead.display_name if lead else None})


def _case_json(instance, rows, waiting) -> dict:
    return {"instance_id": instance.id, "tracking_code": instance.business_key, "title": instance.title,
            "community": instance.community.code, "status": instance.status, "outcome": instance.outcome,
            "waiting": waiting, "lines": [lines.line_json(line) for line in rows]}
