"""The duty roster page (值班表, administrators): the shifts, add one, change one, remove one."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import commit, db
from app.errors import Invalid, NotFound
from app.modules.duty import operations as roster
from app.modules.duty.models import DutyShift
from app.tables.filters import chinese_date
from app.http.auth import admins_only

bp = Blueprint("duty", __name__, template_folder="templates", url_prefix="/admin/duty")

admins_only(bp)


@bp.get("")
def roster_page(entry: dict | None = None, errors: dict | None = None, editing: DutyShift | None = None):
    communities = roster.communities(db())
    chosen = next((c for c in communities if c.code == request.args.get("community")), None)
    return render_template("admin_duty.html", shifts=roster.shifts(db(), chosen), communities=communities,
                           chosen=chosen, workers=[(c, roster.eligible_workers(db(), c)) for c in communities],
                           today=roster.china_today(), entry=entry or {}, errors=errors or {}, editing=editing,
                           cndate=chinese_date)


@bp.post("")
def roster_add():
    entry = _entry()
    try:
        shift = roster.add_shift(db(), current_user, entry)
    except Invalid as err:  # the page again, with what was typed and why it was refused
        db().rollback()
        flash(err.translated(_), "error")
        return roster_page(entry, err.fields), 400
    commit()
    flash(_("On the duty roster: %(name)s, %(first)s to %(last)s.", name=shift.user.display_name,
            first=chinese_date(shift.starts_on), last=chinese_date(shift.ends_on)), "success")
    return redirect(url_for("duty.roster_page"))


@bp.get("/<id:shift_id>")
def shift_page(shift_id: int):
    shift = db().get(DutyShift, shift_id) or abort(404)
    return roster_page(_shown(shift), editing=shift)


@bp.post("/<id:shift_id>")
def shift_update(shift_id: int):
    shift = db().get(DutyShift, shift_id) or abort(404)
    entry = _entry()
    try:
        shift = roster.update_shift(db(), current_user, shift_id, entry)
    except Invalid as err:
        db().rollback()
        flash(err.translated(_), "error")
        return roster_page(entry, err.fields, editing=db().get(DutyShift, shift_id)), 400
    commit()
    flash(_("Saved for %(name)s.", name=shift.user.display_name), "success")
    return redirect(url_for("duty.roster_page"))


@bp.post("/<id:shift_id>/remove")
def shift_remove(shift_id: int):
    try:
        roster.remove_shift(db(), current_user, shift_id)
    except NotFound:
        abort(404)
    commit()
    flash(_("Taken off the duty roster."), "success")
    return redirect(url_for("duty.roster_page"))


def _entry() -> dict:
    """The form's fields as the operation takes them (the worker is chosen as community:username)."""
    community, _sep, username = request.form.get("worker", "").partition(":")
    return {"community": community, "username": username, "worker": request.form.get("worker", ""),
            "starts_on": request.form.get("starts_on", ""), "ends_on": request.form.get("ends_on", ""),
            "note": request.form.get("note", "")}


def _shown(shift: DutyShift) -> dict:
    return {"worker": f"{shift.community.code}:{shift.user.username}", "starts_on": shift.starts_on.isoformat(),
            "ends_on": shift.ends_on.isoformat(), "note": shift.note}
