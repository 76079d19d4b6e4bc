"""The clerk's page of an online two-committee vote: who has voted, and the votes of members without an account."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.errors import Invalid
from app.extensions import commit, db
from app.modules.decision.ballots import record_ballot, vote_sheet
from app.people.policy import BALLOT_CLERKS

bp = Blueprint("decision", __name__, template_folder="templates")
bp.app_context_processor(lambda: {"ballot_clerks": BALLOT_CLERKS})  # the case page links here for them


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
