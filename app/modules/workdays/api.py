"""The working-day calendar over the API (administrators): the days recorded, set one, remove one."""
from flask import Blueprint, jsonify, request

from app.extensions import commit, db
from app.modules.workdays import operations as calendar
from app.errors import Invalid
from app.http.auth import api_user, json_body, requires
from app.http.docs import documented

bp = Blueprint("api_calendar", __name__, url_prefix="/api/admin/calendar")


@bp.get("")
@documented("The working-day calendar: the days an administrator recorded (holidays and adjusted working days), "
            "and the years the holiday package and the table know", errors=(400, 401, 403),
            query={"year": "only the days of this year (2027)"})
@requires("admin")
def calendar_list():
    year = request.args.get("year")
    known = year is not None and year.isascii() and year.isdigit()  # ²⁰²⁷ passes isdigit() alone, and int() fails
    if year is not None and not (known and calendar.FIRST_YEAR <= int(year) <= calendar.LAST_YEAR):
        raise Invalid("the calendar keeps the years %(first)s to %(last)s", {"year": "out of range"},
                      params={"first": calendar.FIRST_YEAR, "last": calendar.LAST_YEAR})
    rows = calendar.calendar_days(db(), int(year) if year else None)
    return jsonify({"days": [calendar.calendar_day_json(r) for r in rows]} | calendar.years_json(db()))


@bp.post("")
@documented("Record a day as a public holiday or an adjusted working day (it overrides the holiday package; audited)",
            ok=201, body={"type": "object", "required": ["day", "is_working_day"], "properties": {
                "day": {"type": "string", "format": "date"}, "is_working_day": {"type": "boolean"},
                "note": {"type": "string", "maxLength": calendar.NOTE_LENGTH}}}, errors=(400, 401, 403))
@requires("admin")
def calendar_day_set():
    row = calendar.set_day(db(), api_user(), json_body())
    commit()
    return jsonify(calendar.calendar_day_json(row)), 201


@bp.delete("/<day>")
@documented("Remove a recorded day: the holiday package (or Monday to Friday) says again what it is (audited)",
            errors=(400, 401, 403, 404))
@requires("admin")
def calendar_day_remove(day: str):
    calendar.remove_day(db(), api_user(), day)
    commit()
    return jsonify({"removed": day})
