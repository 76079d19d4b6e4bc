"""The duty roster over the API (administrators): the shifts, add one, change one, remove one."""
from flask import Blueprint, jsonify, request

from app.extensions import commit, db
from app.errors import Invalid
from app.modules.duty import operations as roster
from app.http.auth import api_user, json_body, requires
from app.http.docs import documented

bp = Blueprint("api_duty", __name__, url_prefix="/api/admin/duty")

SHIFT = {"type": "object", "required": ["community", "username", "starts_on", "ends_on"], "properties": {
    "community": {"type": "string"}, "username": {"type": "string"},
    "starts_on": {"type": "string", "format": "date"}, "ends_on": {"type": "string", "format": "date"},
    "note": {"type": "string", "maxLength": roster.NOTE_LENGTH}}}


@bp.get("")
@documented("The duty roster (值班表): each shift, a community worker on duty at a community from starts_on to "
            "ends_on (China dates, both included), and who is on duty today", errors=(400, 401, 403),
            query={"community": "only this community's shifts (its code)"})
@requires("admin")
def roster_list():
    code = request.args.get("community")
    chosen = next((c for c in roster.communities(db()) if c.code == code), None)
    if code and chosen is None:
        raise Invalid("unknown community", {"community": "choose one of the communities"})
    today = roster.china_today()
    return jsonify({"today": today.isoformat(), "shifts": [roster.shift_json(s) for s in roster.shifts(db(), chosen)],
                    "on_duty_today": {c.code: getattr(roster.on_duty(db(), c, today), "username", None)
                                      for c in roster.communities(db()) if chosen in (None, c)}})


@bp.post("")
@documented("Put a community worker on duty at a community for a date range; a shift overlapping another of the "
            "same community is refused (audited)", ok=201, body=SHIFT, errors=(400, 401, 403))
@requires("admin")
def shift_add():
    shift = roster.add_shift(db(), api_user(), json_body())
    commit()
    return jsonify(roster.shift_json(shift)), 201


@bp.put("/<id:shift_id>")
@documented("Change a shift: all its fields, checked as when added (audited before and after)", body=SHIFT,
            errors=(400, 401, 403, 404))
@requires("admin")
def shift_update(shift_id: int):
    shift = roster.update_shift(db(), api_user(), shift_id, json_body())
    commit()
    return jsonify(roster.shift_json(shift))


@bp.delete("/<id:shift_id>")
@documented("Take a shift off the duty roster (audited)", errors=(401, 403, 404))
@requires("admin")
def shift_remove(shift_id: int):
    roster.remove_shift(db(), api_user(), shift_id)
    commit()
    return jsonify({"removed": shift_id})
