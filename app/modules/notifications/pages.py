"""The signed-in person's notifications."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.extensions import commit, db
from app.workflow.notifications import mark_all_read, recent

bp = Blueprint("notifications", __name__, template_folder="templates")


@bp.get("/notifications")
@login_required
def notification_list():
    return render_template("notifications.html", notifications=recent(db(), current_user))


@bp.post("/notifications/read")
@login_required
def notifications_read():
    mark_all_read(db(), current_user)
    commit()
    return redirect(url_for("notifications.notification_list"))
