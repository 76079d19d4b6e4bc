"""Time-bank pages: a volunteer's account and redemptions; workers confirm hours."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import commit, db
from app.modules.timebank import operations as timebank, reads
from app.errors import Forbidden

bp = Blueprint("timebank", __name__, template_folder="templates")


@bp.get("/timebank")
@login_required
def timebank_page():
    is_volunteer = "volunteer" in current_user.role_ids
    confirms = bool(timebank.CONFIRMING_ROLES & current_user.role_ids)
    if not is_volunteer and not confirms:
        raise Forbidden("the time bank is for volunteers and the community's workers")
    return render_template("timebank.html", account=reads.account_view(db(), current_user) if is_volunteer else None,
                           pending=reads.pending_hours(db(), current_user) if confirms else [])


@bp.post("/timebank/hours")
@login_required
def hours_post():
    timebank.log_hours(db(), current_user, {k: request.form.get(k, "") for k in
                                            ("hours", "activity", "served_on", "source", "volunteer")})
    commit()
    flash(_("The hours were recorded and await confirmation."), "success")
    return redirect(url_for("timebank.timebank_page"))


@bp.post("/timebank/hours/<id:hours_id>/decision")
@login_required
def hours_decision_post(hours_id: int):
    timebank.decide_hours(db(), hours_id, current_user, {"confirm": request.form.get("confirm") == "true"})
    commit()
    flash(_("The decision was recorded."), "success")
    return redirect(url_for("timebank.timebank_page"))


@bp.post("/timebank/redemptions")
@login_required
def redemption_post():
    timebank.request_redemption(db(), current_user, {"item": request.form.get("item", ""),
                                                     "points": request.form.get("points", "")})
    commit()
    flash(_("Your redemption request was sent for approval."), "success")
    return redirect(url_for("timebank.timebank_page"))


