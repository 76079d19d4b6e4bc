"""Administration: community registers, users' roles, and repairs to one instance."""
import io
import json

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import commit, db
from app.workflow.models.instance import Instance
from app.modules.admin import operations as admin_actions
from app.errors import Invalid
from app.workflow.instances import current_data
from app.workflow.queries import ready_tasks_of
from app.modules.decision import register_files
from app.modules.decision import registers as reg
from app.modules.decision.models import REGISTER_BODIES, RegisterMember
from app.modules.decision.registers import registers_table
from app.people.org import Organisation
from app.tables.exports import XLSX_TYPE
from app.people.roles import ROLES
from app.http.auth import admins_only

bp = Blueprint("admin", __name__, template_folder="templates", url_prefix="/admin")

admins_only(bp)


# ---- registers (花名册) ----------------------------------------------------------------------------------------

@bp.get("/registers")
def registers():
    return render_template("admin_registers.html", table=registers_table(db()), bodies=REGISTER_BODIES)


@bp.get("/registers/<community>/<body>")
def register(community: str, body: str, problems=None, form=None, status: int = 200):
    org, body = reg.community(db(), community), reg.checked_body(body)
    return render_template("admin_register.html", org=org, body=body, members=reg.members(db(), org, body),
                           figures=reg.counts(db(), org.id, body), grids=reg.grids(db(), org), today=reg.today(),
                           statuses=reg.STATUS_LABELS, mask=reg.mask_phone, problems=problems or [],
                           form=form or {}, headers=register_files.HEADERS), status


@bp.post("/registers/<community>/<body>")
def register_add_post(community: str, body: str):
    try:
        member = reg.add_member(db(), current_user, community, body, request.form.to_dict())
    except Invalid as err:
        db().rollback()
        flash(err.translated(_) + _field_list(err), "error")
        return register(community, body, form=request.form.to_dict(), status=400)
    commit()
    flash(_("%(name)s is on the register.", name=member.name), "success")
    return redirect(url_for("admin.register", community=community, body=body))


@bp.post("/registers/<community>/<body>/import")
def register_import_post(community: str, body: str):
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose the register file (.xlsx) to import."), "error")
        return register(community, body, status=400)
    try:
        result = register_files.import_register(db(), current_user, community, body, upload.read())
    except register_files.RegisterFileRefused as err:
        db().rollback()
        flash(err.translated(_), "error")
        return register(community, body, problems=[(p.row, p.column, p.translated(_)) for p in err.problems],
                        status=400)
    except Invalid as err:
        db().rollback()
        flash(err.translated(_), "error")
        return register(community, body, status=400)
    commit()
    flash(_("Register imported: %(added)s added, %(updated)s updated, %(left)s left the register.", **result),
          "success")
    return redirect(url_for("admin.register", community=community, body=body))


@bp.get("/registers/<community>/<body>/export")
def register_export(community: str, body: str):
    content = register_files.export_register(db(), current_user, community, reg.checked_body(body))
    commit()
    return send_file(io.BytesIO(content), mimetype=XLSX_TYPE, as_attachment=True,
                     download_name=f"花名册-{community}-{body}.xlsx")


@bp.get("/registers/members/<id:member_id>")
def register_member(member_id: int, status: int = 200, form: dict | None = None):
    member = db().get(RegisterMember, member_id) or abort(404)
    org = db().get(Organisation, member.community_id)
    return render_template("admin_register_member.html", member=member, org=org, grids=reg.grids(db(), org),
                           statuses=reg.STATUS_LABELS, mask=reg.mask_phone, form=form or {}), status


@bp.post("/registers/members/<id:member_id>")
def register_member_post(member_id: int):
    fields = request.form.to_dict()
    member = db().get(RegisterMember, member_id) or abort(404)
    if not fields.get("phone"):
        fields["phone"] = member.phone  # the page shows the number masked: left empty, it stays as it was
    try:
        member = reg.update_member(db(), current_user, member_id, fields)
    except Invalid as err:
        db().rollback()
        flash(err.translated(_) + _field_list(err), "error")
        return register_member(member_id, status=400, form=request.form.to_dict())  # as typed (the phone as well)
    org = db().get(Organisation, member.community_id)
    commit()
    flash(_("Saved for %(name)s.", name=member.name), "success")
    return redirect(url_for("admin.register", community=org.code, body=member.body))


@bp.post("/registers/members/<id:member_id>/remove")
def register_member_remove_post(member_id: int):
    member = db().get(RegisterMember, member_id) or abort(404)
    org, body, name = db().get(Organisation, member.community_id), member.body, member.name
    reg.remove_member(db(), current_user, member_id)
    commit()
    flash(_("%(name)s is taken off the register.", name=name), "success")
    return redirect(url_for("admin.register", community=org.code, body=body))


def _field_list(err: Invalid) -> str:
    """The refused fields of a member form, named as the page names them."""
    problems = getattr(err, "problems", {})
    return "：" + "；".join(f"{_('register_' + k)}：{_(m, **p) if p else _(m)}" for k, (m, p) in problems.items()
                           ) if problems else ""


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
