"""Incident pages: failed instances for administrators and designers, with retry and cancel."""
import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.engine.failures import explained, technical_detail
from app.extensions import commit, db
from app.modules.incidents import operations as incidents
from app.modules.admin.operations import parse_json_value
from app.errors import Invalid
from app.workflow.queries import VIEWER_ROLES
from app.workflow.timers import INTERRUPTED_TWICE

bp = Blueprint("incidents", __name__, template_folder="templates", url_prefix="/incidents")
# How the pages write a failure time: China time, as the glossary says dates are shown to people.
WHEN = "%Y年%-m月%-d日 %H:%M"


def N_(text: str) -> str:
    """Marks a message for translation where it is raised, not shown (gettext's N_)."""
    return text


# What the incident operations raise and these pages show (see op_messages.py), for the translators.
MESSAGES = (
    N_("this instance has no open incident"),
    N_("this instance has no open incident: only a failed instance can be retried"),
    N_("this instance has no open incident: only a failed instance is cancelled here"),
    N_("no newer version of this process is deployed"), N_('version is a version number or "latest"'),
    N_("choose a newer version of this process that is in use"),
    N_("the new version lacks elements this instance stands on"),
    N_("this instance's state does not fit the new version"),
    N_("write the corrections as a JSON object, e.g. {\"field\": value}"), N_("incident_retried"),
    N_("the timer pass was stopped by force twice while running this instance"),
)


# Failures the app itself words; the engine's are explained (app.engine.failures).
_FAILURES = {INTERRUPTED_TWICE}


@bp.app_template_filter("failure_text")
def failure_text(text: str | None) -> str:
    """An instance's failure reason as people read it, in their language."""
    return _(text) if text in _FAILURES else explained(text).translated(_)


@bp.app_template_filter("failure_detail")
def failure_detail(text: str | None) -> str:
    """The engine's own words beyond the explained reason (for the designer correcting it), or ""."""
    return "" if text in _FAILURES else technical_detail(text)


@bp.before_request
@login_required
def _admins_and_designers_only():
    if not current_user.role_ids & set(incidents.ROLES):
        abort(403)


@bp.get("")
def incident_list():
    return render_template("incidents.html", incidents=incidents.open_incidents(db(), current_user), when=WHEN,
                           sees_cases=_sees_cases())


@bp.get("/<id:instance_id>")
def incident_page(instance_id: int):
    found = incidents.incident(db(), current_user, instance_id)
    data = json.dumps(incidents.failed_step_data(db(), found), ensure_ascii=False, indent=2, sort_keys=True,
                      default=str)
    return render_template("incident.html", incident=found, data=data, when=WHEN,
                           newer=incidents.newer_versions(db(), found), sees_cases=_sees_cases())


@bp.post("/<id:instance_id>/retry")
def incident_retry_post(instance_id: int):
    text = request.form.get("data", "").strip()
    corrections = parse_json_value(text) if text else None
    if corrections is not None and not isinstance(corrections, dict):
        raise Invalid("write the corrections as a JSON object, e.g. {\"field\": value}", {"data": "must be an object"})
    version = request.form.get("version") or None
    instance = incidents.retry(db(), current_user, instance_id, corrections,
                               int(version) if version and version.isdigit() else version)
    commit()
    if instance.status == incidents.FAILED:
        flash(_("The retry failed again: %(error)s", error=failure_text(instance.failure)), "error")
        return redirect(url_for("incidents.incident_page", instance_id=instance_id))
    flash(_("The retry succeeded: the case goes on."), "success")
    return redirect(url_for("incidents.incident_list"))


def _sees_cases() -> bool:
    """Whether the person may open case pages (a designer sees the incident, not the case's page)."""
    return bool(current_user.role_ids & VIEWER_ROLES)


@bp.post("/<id:instance_id>/cancel")
def incident_cancel_post(instance_id: int):
    incidents.cancel(db(), current_user, instance_id, request.form.get("reason"))
    commit()
    flash(_("The instance is cancelled."), "success")
    return redirect(url_for("incidents.incident_list"))
