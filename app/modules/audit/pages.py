"""Auditors and the monitoring desk: search across instances, export the results, verify the audit chain."""
from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.modules.audit import search
from app.workflow.audit import OUTSIDE_PER_PAGE, events_outside_instances, types_outside_instances, verify_chain
from app.errors import Invalid
from app.workflow.queries import VIEWER_ROLES
from app.people.roles import READ_ALL_ROLES
from app.tables.exports import table_download

bp = Blueprint("audit", __name__, template_folder="templates", url_prefix="/audit")


@bp.before_request
@login_required
def staff_only():
    if not current_user.role_ids & VIEWER_ROLES:
        abort(403)


@bp.get("")
def search_page():
    fmt = request.args.get("format")
    try:
        terms = search.read_search(db(), current_user, request.args)
    except Invalid as err:
        return _page(errors=err.fields, status=400)
    if fmt in ("csv", "xlsx"):
        rows = search.export_rows(db(), current_user, terms)
        return table_download(_("Instances"), [_(h) for h in search.EXPORT_HEADERS], rows, fmt)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total, rows = search.search_page(db(), current_user, terms, page)
    return _page(total=total, rows=rows, page=page)


def _page(errors: dict | None = None, status: int = 200, total: int = 0, rows=(), page: int = 1):
    codes = search.communities_in_scope(db(), current_user)
    return render_template(
        "audit_search.html", errors=errors or {}, total=total, rows=rows, page=page, per_page=search.PER_PAGE,
        args=request.args, statuses=search.STATUSES, versions=search.process_versions(db()),
        communities=sorted(codes), names=search.community_names(db(), codes),
        may_verify=bool(current_user.role_ids & READ_ALL_ROLES)), status


@bp.get("/verify")
def verify():
    _read_all_only()
    return render_template("audit_verify.html", result=verify_chain(db()))


@bp.get("/events")
def events_page():
    """Events outside any instance (sign-ins, failed sign-ins, tokens, deployments, accounts): read-all roles."""
    _read_all_only()
    event_type = request.args.get("type") or None
    actor = (request.args.get("actor") or "").strip()[:64] or None
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total, rows = events_outside_instances(db(), event_type, actor, page)
    return render_template("audit_events.html", total=total, rows=rows, page=page, per_page=OUTSIDE_PER_PAGE,
                           args=request.args, types=types_outside_instances(db()))


def _read_all_only() -> None:
    """Auditors and admins only: these views cover every community."""
    if not current_user.role_ids & READ_ALL_ROLES:
        abort(403)
