"""The home page: what the signed-in person's roles let them do."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.extensions import db
from app.workflow.queries import inbox, started_by

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/")
@login_required
def index():
    return render_template("home.html", tasks=inbox(db(), current_user, limit=10),
                           own_needs=started_by(db(), current_user))
