"""Recording a need on a resident's behalf (the intake form), for worker roles."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import commit, db
from app.people.org import Organisation
from app.errors import Invalid
from app.modules.needs.operations import intake_form, submit_need
from app.people.roles import WORKER_ROLES
from app.people.scope import community_ids_in_scope
from app.http.formdata import coerce_form
from app.workflow.queries import first_responded_by, waiting_task_names

bp = Blueprint("needs", __name__, template_folder="templates")


def _communities():
    ids = community_ids_in_scope(db(), current_user)
    return db().scalars(select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.code)).all()


@bp.get("/needs/new")
@login_required
def need_new():
    if not current_user.role_ids & WORKER_ROLES:
        abort(403)
    return render_template("need_new.html", form=intake_form(db()), data={}, errors={}, communities=_communities(),
                           community=current_user.org.code)


@bp.post("/needs/new")
@login_required
def need_new_submit():
    if not current_user.role_ids & WORKER_ROLES:
        abort(403)
    form = intake_form(db())
    data = coerce_form(form["schema"], request.form)
    community = request.form.get("community", "")
    if community not in {c.code for c in _communities()}:
        community = ""
    try:
        instance = submit_need(db(), data | {"community": community}, actor=current_user, public=False)
    except Invalid as err:
        db().rollback()
        flash(_("Some fields need correcting."), "error")
        return render_template("need_new.html", form=form, data=data, errors=err.fields,
                               communities=_communities(), community=community), 400
    commit()
    flash(_("Need recorded. Tracking code: %(code)s", code=instance.business_key), "success")
    return redirect(url_for("instances.instance", instance_id=instance.id))


@bp.get("/needs/first-responder")
@login_required
def first_responder_needs():
    """我首问的需求: the needs the signed-in person answers for, wherever each now stands."""
    needs = first_responded_by(db(), current_user)
    return render_template("needs_first_responder.html", needs=needs,
                           waiting=waiting_task_names(db(), [n.id for n in needs]))
