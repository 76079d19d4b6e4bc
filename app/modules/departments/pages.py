"""The department directory page (administrators): the district's departments, their staff, and adding one."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.errors import Invalid
from app.extensions import commit, db
from app.modules.departments import operations as directory
from app.http.auth import admins_only

bp = Blueprint("departments", __name__, template_folder="templates", url_prefix="/admin/departments")

admins_only(bp)


@bp.get("")
def listing(form: dict | None = None, status: int = 200):
    found = directory.departments(db())
    return render_template("admin_departments.html", departments=found,
                           staff={d.id: directory.staff(db(), d) for d in found}, form=form or {}), status


@bp.post("")
def add_post():
    try:
        department = directory.add_department(db(), current_user, request.form.to_dict())
    except Invalid as err:
        db().rollback()
        detail = "；".join(f"{_('department_' + k)}：{_(m)}" for k, m in err.fields.items())
        flash(err.translated(_) + (f"：{detail}" if detail else ""), "error")
        return listing(form=request.form.to_dict(), status=400)
    commit()
    flash(_("%(name)s is in the directory.", name=department.name), "success")
    return redirect(url_for("departments.listing"))
