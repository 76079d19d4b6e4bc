"""The monitoring dashboard page: charts of the figures `/api/dashboard` gives, each with its numbers."""
from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.workflow.models.process import ProcessDefinition
from app.errors import Invalid
from app.modules.lists.reads import category_labels
from app.modules.evaluation.ratings import period_label
from app.modules.monitoring.operations import NEED_PROCESS, dashboard_for, require_dashboard_role
from app.modules.audit.search import communities_in_scope, community_names
from app.workflow.versions import latest_version

bp = Blueprint("dashboard", __name__, template_folder="templates")


@bp.get("/dashboard")
@login_required
def dashboard_page():
    require_dashboard_role(current_user)
    codes = communities_in_scope(db(), current_user)
    names = community_names(db(), codes)
    try:
        figures, errors = _labelled(dashboard_for(db(), current_user, request.args), names), {}
    except Invalid as err:
        figures, errors = None, err.fields
    return render_template("dashboard.html", figures=figures, errors=errors, args=request.args, names=names,
                           diagram=_need_diagram()), 400 if errors else 200


def _labelled(figures: dict, names: dict[str, str]) -> dict:
    """The figures with labels people read (categories, tiers, communities, bodies) beside their codes."""
    categories = category_labels(db())
    tiers = {"A": _("Tier A: done at once"), "B": _("Tier B: done by a deadline"), "C": _("Tier C: solved periodically"), "ungraded": _("not graded yet")}
    bodies = {"street": _("street office"), "district": _("district departments")}
    for key, labels in (("by_category", categories), ("by_tier", tiers), ("by_community", names)):
        for item in figures[key]:
            item["label"] = labels.get(item["key"], item["key"])
    for item in figures["by_stage"]:
        item["label"] = _("waiting for a timer") if item["key"] == "timer" else item.get("label", item["key"])
    for item in figures["two_way"]["departments"]:
        item["label"] = item["name"]
    for item in figures["two_way"]["earlier_scores"]:
        item["label"] = bodies[item["key"]]
    for item in figures["two_way"]["communities"]:
        item["label"] = item["name"]
        item["latest_label"] = _("%(year)s, quarter %(quarter)s", **period_label(item["latest_period"])) \
            if item["latest_period"] else None
    return figures


def _need_diagram() -> str | None:
    """The newest need_lifecycle BPMN in use, for the heat map of step times."""
    if db().scalar(select(ProcessDefinition.id).where(ProcessDefinition.process_id == NEED_PROCESS)) is None:
        return None
    files = latest_version(db(), NEED_PROCESS).files
    return next((text for name, text in sorted(files.items()) if f'id="{NEED_PROCESS}"' in text), None)
