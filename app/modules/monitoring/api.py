"""For auditors and the monitoring desk: the dashboard's figures, instance search, an instance's path."""
from flask import Blueprint, jsonify, request

from app.extensions import db
from app.modules.audit import search
from app.modules.audit.history import instance_trace
from app.modules.monitoring.operations import dashboard_for
from app.workflow.queries import visible_instance
from app.http.auth import api_user, requires
from app.http.docs import documented
from app.http import schemas

bp = Blueprint("api_monitoring", __name__, url_prefix="/api")


@bp.get("/dashboard")
@documented("The monitoring dashboard's figures: needs by stage, tier, category and community; overdue tasks; "
            "median time per step; satisfaction; two-way evaluation", errors=(400, 401, 403),
            query=schemas.filters("community", "year", "from", "to"))
@requires()
def dashboard():
    return jsonify(dashboard_for(db(), api_user(), request.args))


@bp.get("/instances")
@documented("Search instances in your scope: {total, page, per_page, instances}", errors=(400, 401),
            query=schemas.SEARCH_FILTERS)
@requires()
def instance_search():
    terms = search.read_search(db(), api_user(), request.args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total, rows = search.search_page(db(), api_user(), terms, page)
    return jsonify({"total": total, "page": page, "per_page": search.PER_PAGE, "instances": [{
        "id": i.id, "business_key": i.business_key, "title": i.title, "process_id": i.process_id,
        "version": i.version.version, "community": i.community.code, "status": i.status, "outcome": i.outcome,
        "created_at": i.created_at.isoformat()} for i in rows]})


@bp.get("/instances/<id:instance_id>/trace")
@documented("Where an instance has been: path (elements in order, with times), flows taken, current tokens, "
            "each user task's ready/ended times")
@requires()
def instance_trace_json(instance_id: int):
    instance = visible_instance(db(), api_user(), instance_id)
    traced = instance_trace(db(), instance)
    return jsonify({key: traced[key] for key in ("path", "flows", "current", "steps")}
                   | {"instance_id": instance.id, "version": instance.version.version, "files": list(traced["files"])})
