"""Residents' pages: submit a need without an account, follow it by tracking code, rate the result."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import commit, db
from app.errors import Invalid
from app.modules.needs.operations import (PUBLIC_FIELDS, FEEDBACK_TASK, communities_with_grids, intake_form, need_by_code,
                                         public_progress, rate_need, submit_need, withdraw_need)
from app.workflow.instances import load_workflow
from app.workflow.versions import bundle_for, engine
from app.workflow.forms import task_form
from app.http.formdata import coerce_form

bp = Blueprint("public", __name__, template_folder="templates")


def _public_form() -> dict:
    """The intake form cut down to what a resident fills in (community and grid come as selects)."""
    form = intake_form(db())
    schema = dict(form["schema"])
    schema["properties"] = {k: v for k, v in schema["properties"].items() if k in PUBLIC_FIELDS and k != "grid"}
    schema["required"] = [k for k in schema.get("required", []) if k in schema["properties"]]
    return {"schema": schema, "ui_schema": form["ui_schema"]}


@bp.get("/submit")
def submit():
    return render_template("public_submit.html", form=_public_form(), data={}, errors={},
                           communities=communities_with_grids(db()), chosen={})


@bp.post("/submit")
def submit_post():
    form = _public_form()
    data = coerce_form(form["schema"], request.form)
    chosen = {"community": request.form.get("community", ""), "grid": request.form.get("grid", "")}
    payload = data | {"community": chosen["community"]} | ({"grid": chosen["grid"]} if chosen["grid"] else {})
    actor = current_user if current_user.is_authenticated else None
    try:
        instance = submit_need(db(), payload, actor=actor, public=True)
    except Invalid as err:
        db().rollback()
        return render_template("public_submit.html", form=form, data=data, errors=err.fields,
                               communities=communities_with_grids(db()), chosen=chosen), 400
    commit()
    return redirect(url_for("public.track", code=instance.business_key, new=1))


@bp.get("/track")
def track_lookup():
    code = request.args.get("code", "").strip().upper()
    if code:
        return redirect(url_for("public.track", code=code))
    return render_template("public_track.html", progress=None, code="")


@bp.get("/track/<code>")
def track(code: str):
    progress = public_progress(db(), code)
    return render_template("public_track.html", progress=progress, code=code, is_new=request.args.get("new"))


@bp.get("/track/<code>/rate")
def rate(code: str):
    return render_template("public_rate.html", code=code, form=_rating_form(code), data={}, errors={})


@bp.post("/track/<code>/rate")
def rate_post(code: str):
    form = _rating_form(code)
    data = coerce_form(form["schema"], request.form)
    try:
        rate_need(db(), code, data)
    except Invalid as err:
        db().rollback()
        return render_template("public_rate.html", code=code, form=form, data=data, errors=err.fields), 400
    commit()
    return redirect(url_for("public.track", code=code, rated=1))


@bp.post("/track/<code>/withdraw")
def withdraw_post(code: str):
    try:
        withdraw_need(db(), code, request.form.get("reason", ""))
    except Invalid:
        db().rollback()
        flash(_("Please say why you withdraw the need."), "error")
        return redirect(url_for("public.track", code=code))
    commit()
    return redirect(url_for("public.track", code=code))


def _rating_form(code: str) -> dict:
    """The resident_feedback form of the need, or 404 when it is not waiting for a rating."""
    instance = need_by_code(db(), code)
    task = next((t for t in engine().ready_human_tasks(load_workflow(db(), instance)) if t.bpmn_id == FEEDBACK_TASK), None)
    if task is None:
        abort(404, description=_("This need is not waiting for a rating."))
    return task_form(bundle_for(db(), instance.version_id), task)
