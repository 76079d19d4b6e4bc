"""Administration: the community registers that quorum rules count against."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import commit, db
from ..ops.errors import Invalid
from ..ops.registers import registers_table, set_register

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    if "admin" not in current_user.role_ids:
        abort(403)


@bp.get("/registers")
def registers():
    return render_template("admin_registers.html", table=registers_table(db()))


@bp.post("/registers")
def registers_post():
    try:
        for key, value in request.form.items():
            if key.startswith("r:") and value.strip():
                community, body = key.split(":", 2)[1:]
                set_register(db(), current_user, community, body, value)
    except Invalid as err:
        db().rollback()
        flash(_(err.message), "error")
        return redirect(url_for("admin.registers"))
    commit()
    flash(_("Registers saved."), "success")
    return redirect(url_for("admin.registers"))
