"""Administration: community registers, users' roles, and repairs to one instance."""
import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import commit, db
from app.workflow.models.instance import Instance
from app.modules.admin import operations as admin_actions
from app.errors import Invalid
from app.workflow.instances import current_data
from app.workflow.queries import ready_tasks_of
from app.modules.decision.registers import registers_table, set_register
from app.people.roles import ROLES

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")


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
    except Invalid as err:  # the table again, as it is stored, with the reason (400)
        db().rollback()
        flash(err.translated(_), "error")
        return registers(), 400
    commit()
    flash(_("Registers saved."), "success")
    return redirect(url_for("admin.registers"))


@bp.get("/users")
def users():
    return render_template("admin_users.html", users=admin_actions.all_users(db()), roles=ROLES)


@bp.post("/users/<username>/roles")
def user_roles_post(username: str):
    admin_actions.set_roles(db(), current_user, username, request.form.getlist("roles"),
                            request.form.get("active") == "1")
    commit()
    flash(_("Saved for %(name)s.", name=username), "success")
    return redirect(url_for("admin.users"))


@bp.get("/instances/<id:instance_id>")
def instance_tools(instance_id: int):
    found = db().get(Instance, instance_id)
    if found is None:
        abort(404)
    ready = ready_tasks_of(db(), found.id)
    # Shown as the JSON an edit takes, with Chinese left readable.
    data = {k: json.dumps(v, ensure_ascii=False, default=str) for k, v in current_data(db(), found).items()}
    return render_template("admin_instance.html", instance=found, ready=ready, data=data,
                           eligible={t.id: admin_actions.eligible_assignees(db(), t) for t in ready})


@bp.post("/tasks/<task_id>/reassign")
def task_reassign_post(task_id: str):
    task = admin_actions.reassign_task(db(), current_user, task_id, request.form.get("username") or None)
    instance_id = task.instance_id
    commit()
    flash(_("Task reassigned."), "success")
    return redirect(url_for("admin.instance_tools", instance_id=instance_id))


@bp.post("/instances/<id:instance_id>/data")
def instance_data_post(instance_id: int):
    value = admin_actions.parse_json_value(request.form.get("value", ""))
    admin_actions.edit_instance_data(db(), current_user, instance_id, {request.form.get("field", "").strip(): value},
                                     request.form.get("reason"))
    commit()
    flash(_("Data saved."), "success")
    return redirect(url_for("admin.instance_tools", instance_id=instance_id))


@bp.post("/instances/<id:instance_id>/cancel")
def instance_cancel_post(instance_id: int):
    admin_actions.cancel_instance(db(), current_user, instance_id, request.form.get("reason"))
    commit()
    flash(_("The instance is cancelled."), "success")
    return redirect(url_for("admin.instance_tools", instance_id=instance_id))
