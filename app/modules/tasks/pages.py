"""Inbox and task pages: see, claim, release and complete the work assigned to your role."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import commit, db
from app.workflow import tasks
from app.workflow.attachments import add_attachments, read_uploads
from app.errors import Invalid
from app.workflow.queries import inbox
from app.http.formdata import coerce_form

bp = Blueprint("tasks", __name__, template_folder="templates")


@bp.get("/inbox")
@login_required
def inbox_page():
    chosen = {k: request.args.get(k, "") for k in ("task", "community", "overdue")}
    everything = inbox(db(), current_user)
    shown = inbox(db(), current_user, task=chosen["task"] or None, community=chosen["community"] or None,
                  overdue=chosen["overdue"] == "1") if any(chosen.values()) else everything
    options = {"task": sorted({(t.bpmn_id, t.name) for t in everything}, key=lambda o: o[1]),
               "community": sorted({(t.community.code, t.community.name) for t in everything})}
    return render_template("inbox.html", tasks=shown, chosen=chosen, options=options)


@bp.get("/tasks/<task_id>")
@login_required
def task(task_id: str):
    view = tasks.task_view(db(), tasks.actionable_task(db(), task_id, current_user), current_user)
    return render_template("task.html", **view, errors={})


@bp.post("/tasks/<task_id>")
@login_required
def task_submit(task_id: str):
    view = tasks.task_view(db(), tasks.actionable_task(db(), task_id, current_user), current_user)
    data = coerce_form(view["form"]["schema"], request.form)
    uploads = read_uploads(request.files.getlist("attachments"))
    try:
        done = tasks.complete(db(), task_id, current_user, data)
        add_attachments(db(), done.instance, uploads, current_user, task=view["task"])
    except Invalid as err:
        db().rollback()
        flash(_("Some fields need correcting.") if err.msgid == "some fields need correcting" else err.translated(_),
              "error")
        return render_template("task.html", **(view | {"data": data}), errors=err.fields), 400
    commit()
    refused = tasks.verdict_message(done.verdict)  # a void meeting or a failed vote says so at once, in red
    flash(refused or _("Done: %(name)s.", name=view["task"].name), "error" if refused else "success")
    return redirect(url_for("instances.instance", instance_id=done.instance.id))


@bp.post("/tasks/<task_id>/claim")
@login_required
def task_claim(task_id: str):
    tasks.claim(db(), task_id, current_user)
    commit()
    return redirect(url_for("tasks.task", task_id=task_id))


@bp.post("/tasks/<task_id>/release")
@login_required
def task_release(task_id: str):
    tasks.release(db(), task_id, current_user)
    commit()
    return redirect(url_for("tasks.inbox_page"))
