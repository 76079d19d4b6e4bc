"""JSON shapes of the API's objects."""
from app.workflow.models.audit import AuditEvent
from app.workflow.models.instance import Instance, ReadyTask
from app.people.models import User
from app.people.roles import offered_roles


def user_json(user: User) -> dict:
    """A user as the API shows it."""
    return {"username": user.username, "display_name": user.display_name,
            "roles": sorted(user.role_ids), "org": user.org.code}


def task_json(task: ReadyTask) -> dict:
    """A ready task as inboxes list it."""
    return {
        "id": task.id, "bpmn_id": task.bpmn_id, "name": task.name, "instance_id": task.instance_id,
        "process_id": task.process_id, "lane": task.lane, "role": task.role,
        "offered_to": offered_roles(task.role),  # the roles that may take it (several for a role group's lane)
        "community": task.community.code, "due_at": _iso(task.due_at),
        "claimed_by": task.claimed_by.username if task.claimed_by else None,
    }


def instance_json(instance: Instance, data: dict, ready: list[ReadyTask]) -> dict:
    """An instance with its data and ready tasks."""
    return {
        "id": instance.id, "process_id": instance.process_id, "version": instance.version.version,
        "status": instance.status, "outcome": instance.outcome, "business_key": instance.business_key,
        "title": instance.title, "community": instance.community.code,
        "created_at": _iso(instance.created_at), "updated_at": _iso(instance.updated_at),
        "first_responder": _person(instance.first_responder),
        "data": data, "ready_tasks": [task_json(t) for t in ready],
    }


def _person(user) -> dict | None:
    """Someone a record names: username and display name."""
    return {"username": user.username, "display_name": user.display_name} if user is not None else None


def incident_json(instance: Instance) -> dict:
    """A failed instance as the incident list shows it (status tells whether it is still open)."""
    return {
        "instance_id": instance.id, "title": instance.title, "business_key": instance.business_key,
        "process_id": instance.process_id, "version": instance.version.version, "status": instance.status,
        "community": instance.community.code,
        "element": {"id": instance.failed_element, "name": instance.failed_element_name},
        "error": instance.failure, "failed_at": _iso(instance.failed_at),
    }


def event_json(event: AuditEvent) -> dict:
    """One audit event."""
    return {
        "seq": event.seq, "at": _iso(event.at), "actor": event.actor_name, "event_type": event.event_type,
        "summary": event.summary,
        "task": {"id": event.task_id, "bpmn_id": event.task_bpmn_id, "name": event.task_name} if event.task_id else None,
        "data_changes": event.data_changes, "hash": event.hash, "prev_hash": event.prev_hash, "mac": event.mac,
    }


def attachment_json(attachment) -> dict:
    """An attachment's metadata (download it from /api/attachments/<id>)."""
    return {"id": attachment.id, "filename": attachment.filename, "content_type": attachment.content_type,
            "size": attachment.size, "sha256": attachment.sha256, "task": attachment.task_bpmn_id,
            "created_at": _iso(attachment.created_at)}


def _iso(value):
    return value.isoformat() if value is not None else None
