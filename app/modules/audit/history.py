"""One instance's history for auditors: its events with roles and changes, the path on the diagram, step times."""
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.engine.trace import trace
from app.workflow.models.audit import AuditEvent
from app.workflow.models.instance import Instance, InstanceTrail, TaskSpan
from app.people.roles import role_label
from app.workflow.data_view import case_labels, change_rows, readable
from app.workflow.forms import field_labels
from app.tables.filters import china_time
from app.workflow.instances import load_workflow
from app.workflow.queries import history
from app.workflow.versions import bpmn_files, bundle_for

EXPORT_HEADERS = ["seq", "at", "actor", "role", "event", "task", "field", "before", "after", "version", "hash"]


def instance_trace(session: Session, instance: Instance) -> dict:
    """Where the instance has been and stands, with each user task's time: for the diagram."""
    trails = session.execute(select(InstanceTrail.path, InstanceTrail.flows)
                             .where(InstanceTrail.instance_id == instance.id).order_by(InstanceTrail.id)).all()
    traced = trace(load_workflow(session, instance), [{"path": p, "flows": f} for p, f in trails])
    steps = step_times(session, instance.id)
    return traced | {"steps": steps, "files": diagram_files(session, instance)}


def diagram_files(session: Session, instance: Instance) -> dict[str, str]:
    """The BPMN files of the instance's version, the main process's file first."""
    files = bundle_for(session, instance.version_id).files
    return {name: files[name] for name in bpmn_files(files, instance.process_id)}


def step_times(session: Session, instance_id: int) -> list[dict]:
    """Each user task of the instance: when it became ready, when it ended, how, and how long it took."""
    spans = session.scalars(select(TaskSpan).where(TaskSpan.instance_id == instance_id).order_by(TaskSpan.ready_at))
    now = clock.now()  # the app clock, which `timers run --now` and tests move
    return [{"bpmn_id": s.bpmn_id, "name": s.name, "role": s.role, "ready_at": s.ready_at.isoformat(),
             "ended_at": s.ended_at.isoformat() if s.ended_at else None, "outcome": s.outcome,
             "seconds": round(((s.ended_at or now) - s.ready_at).total_seconds())} for s in spans]


def timeline(session: Session, instance: Instance, locale: str = "zh_CN") -> list[dict]:
    """Every event of the instance: who, in which role, when, what changed (labelled), which version."""
    bundle = bundle_for(session, instance.version_id)
    events = history(session, instance.id)
    labels = case_labels(session, field_labels(bundle), instance.community, [e.data_changes or {} for e in events])
    changes = partial(change_rows, labels, bundle.forms)
    roles = dict(session.execute(select(TaskSpan.id, TaskSpan.role).where(TaskSpan.instance_id == instance.id)).all())
    names = {instance.process_id: instance.version.definition.name}
    return [_event_row(event, changes, roles, instance.version.version, locale, bundle.forms, names) for event in events]


def _event_row(event: AuditEvent, changes, task_roles: dict, version: int, locale: str, forms: dict,
               names: dict) -> dict:
    role = task_roles.get(event.task_id) if event.task_id else None
    actor_roles = sorted(event.actor.role_ids) if event.actor else []
    return {
        "seq": event.seq, "at": event.at, "actor": event.actor.display_name if event.actor else event.actor_name,
        "username": event.actor_name, "role": role_label(role, locale) if role else
        "、".join(role_label(r, locale) for r in actor_roles), "event_type": event.event_type,
        "task": event.task_name, "task_bpmn_id": event.task_bpmn_id, "summary": readable(event.summary, forms, names),
        "version": version, "hash": event.hash,
        "changes": changes(event.data_changes),
    }


def export_rows(events: list[dict]) -> list[list]:
    """The timeline as table rows (one per changed field; events without changes get one row)."""
    rows = []
    for e in events:
        base = [e["seq"], china_time(e["at"], "%Y-%m-%d %H:%M:%S"), f"{e['actor']} ({e['username']})", e["role"], e["event_type"],
                e["task"] or ""]
        for change in e["changes"] or [None]:
            values = [change["label"], change["before"], change["after"]] if change else ["", "", ""]
            rows.append(base + values + [e["version"], e["hash"]])
    return rows


