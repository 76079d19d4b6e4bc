"""The working-day calendar page (administrators): the days recorded, add one, remove one."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import clock
from app.extensions import commit, db
from app.modules.workdays import days, operations as calendar
from app.errors import Invalid, NotFound
from app.tables.filters import chinese_date
from app.workflow.helpers import CHINA
from app.http.auth import admins_only

bp = Blueprint("calendar", __name__, template_folder="templates", url_prefix="/admin/calendar")
bp.add_app_template_filter(chinese_date, "cndate")

admins_only(bp)


@bp.get("")
def calendar_page(entry: dict | None = None, errors: dict | None = None):
    this_year = clock.now().astimezone(CHINA).year
    known = days.package_years()
    table_years = days.table_years(db())
    years = [(y, "package" if y in known else "table" if y in table_years else "assumed")
             for y in range(this_year - 1, this_year + 3)]
    return render_template("admin_calendar.html", rows=calendar.calendar_days(db()), years=years,
                           package_years=known, entry=entry or {}, errors=errors or {})


@bp.post("")
def calendar_post():
    entry = {"day": request.form.get("day", ""), "kind": request.form.get("kind", ""),
             "note": request.form.get("note", "")}
    payload = {"day": entry["day"], "note": entry["note"],
               "is_working_day": {"working": True, "off": False}.get(entry["kind"])}
    try:
        row = calendar.set_day(db(), current_user, payload)
    except Invalid as err:  # the page again, with what was typed and why it was refused
        db().rollback()
        flash(err.translated(_), "error")
        return calendar_page(entry, err.fields), 400
    commit()
    flash(_("Saved: %(day)s.", day=chinese_date(row.day)), "success")
    return redirect(url_for("calendar.calendar_page"))


@bp.post("/<day>/remove")
def calendar_remove(day: str):
    try:
        calendar.remove_day(db(), current_user, day)
    except (Invalid, NotFound) as err:
        db().rollback()
        flash(err.translated(_), "error")
        return calendar_page(), err.status
    commit()
    flash(_("Removed from the calendar."), "success")
    return redirect(url_for("calendar.calendar_page"))
