"""Timers: find instances whose next deadline has passed and let the engine fire them, once."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..engine import clock
from ..models import Instance
from . import audit
from .diagram_helpers import bound_to
from .instances import load_workflow, save_state
from .versions import engine


def due_instance_ids(session: Session, now: datetime, limit: int = 100) -> list[int]:
    """Running instances with a timer due at `now`, earliest first."""
    return list(session.scalars(
        select(Instance.id).where(Instance.status == "running", Instance.next_timer_at <= now)
        .order_by(Instance.next_timer_at).limit(limit)
    ))


def fire_instance_timers(session: Session, instance_id: int, now: datetime) -> bool:
    """Fire the due timers of one instance; False when another worker holds it or already did."""
    instance = session.scalars(
        select(Instance).where(Instance.id == instance_id, Instance.status == "running",
                               Instance.next_timer_at <= now)
        .with_for_update(of=Instance, skip_locked=True).execution_options(populate_existing=True)
    ).first()
    if instance is None:
        return False
    workflow = load_workflow(session, instance)
    before = {t.bpmn_id for t in engine().ready_human_tasks(workflow)}
    with clock.frozen_at(now), bound_to(session, None):
        result = engine().run(workflow)
    after = {t.bpmn_id for t in engine().ready_human_tasks(workflow)} if result.status == "running" else set()
    audit.record(session, "timer_fired", None, instance=instance, summary=f"at {now.isoformat()}",
                 changes={"ready_tasks": [sorted(before), sorted(after)]})
    save_state(session, instance, workflow, result, None)
    return True
