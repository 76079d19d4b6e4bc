"""The caller's notifications."""
from flask import Blueprint, jsonify

from app.extensions import db
from app.workflow.notifications import recent, unread_count
from app.http.auth import api_user, requires
from app.http.docs import documented

bp = Blueprint("api_notifications", __name__, url_prefix="/api")


@bp.get("/notifications")
@documented("My newest notifications and the unread count", errors=(401,))
@requires()
def notification_list():
    user = api_user()
    return jsonify({"unread": unread_count(db(), user), "notifications": [{
        "id": n.id, "message": n.message, "instance_id": n.instance_id, "task_id": n.task_id,
        "created_at": n.created_at.isoformat(), "read": n.read_at is not None} for n in recent(db(), user)]})
