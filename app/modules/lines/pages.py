"""The lead's pages: 我牵头的需求, and one need's lines with their status (牵头办理情况)."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.extensions import db
from app.modules.lines import operations as lines

bp = Blueprint("lines", __name__, template_folder="templates")


@bp.get("/lines/led")
@login_required
def led_page():
    return render_template("lines_led.html", cases=lines.led_by(db(), current_user))


@bp.get("/lines/<id:instance_id>")
@login_required
def case_page(instance_id: int):
    return render_template("lines_case.html", **lines.case_lines(db(), current_user, instance_id))
