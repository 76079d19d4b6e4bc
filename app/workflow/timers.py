"""Timers: find instances whose next deadline has passed and let the engine fire them, once."""
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import clock
from app.workflow.models.instance import Instance, InstanceStatus
from app.people.org import Organisation
from app.workflow.models.process import ProcessDefinition
from app.workflow import audit
from app.workflow.helpers import CHINA, bound_to
from app.workflow.instances import load_workflow, lock_instance, mark_failed, save_state, start_process
from app.workflow.notifications import notify_lead_of_overdue
from app.workflow.versions import engine

ANNUAL_REVIEW = "annual_review"
# Started only by the timer pass on 1 December: POST /api/processes/…/instances refuses it.
STARTED_BY = {ANNUAL_REVIEW: "the timer pass, each 1 December"}
MAX_TIMER_ATTEMPTS = 2  # passes ended from outside (killed) on one instance before it becomes an incident
# The msgid the incident pages translate (定时处理在运行中被强制中止两次).
INTERRUPTED_TWICE = "the timer pass was stopped by force twice while running this instance"
_ATTEMPTS = Instance.__table__.c.timer_attempts


def due_instance_ids(session: Session, now: datetime, limit: int = 100) -> list[int]:
    """Running instances with a timer due at `now`, earliest first; ones a killed pass was running last."""
    return list(session.scalars(
        select(Instance.id).where(Instance.status == InstanceStatus.RUNNING, Instance.next_timer_at <= now)
        .order_by(Instance.timer_attempts, Instance.next_timer_at).limit(limit)
    ))


def _locked_due(session: Session, instance_id: int, now: datetime) -> Instance | None:
    return session.scalars(
        select(Instance).where(Instance.id == instance_id, Instance.status == InstanceStatus.RUNNING,
                               Instance.next_timer_at <= now)
        .with_for_update(of=Instance, skip_locked=True).execution_options(populate_existing=True)
    ).first()


def begin_attempt(session: Session, instance_id: int, now: datetime) -> str:
    """Count a timer attempt on a due instance (the caller commits it before firing).

    "fire": counted; "skip": held by another worker or no longer due; "exhausted": passes were
    killed on it MAX_TIMER_ATTEMPTS times, so it is marked failed here instead of run again."""
    instance = _locked_due(session, instance_id, now)
    if instance is None:
        return "skip"
    if instance.timer_attempts >= MAX_TIMER_ATTEMPTS:
        mark_failed(session, instance, INTERRUPTED_TWICE)
        _set_attempts(session, instance_id, 0)
        return "exhausted"
    # A Core UPDATE: no version bump, so a person's submission on this instance meanwhile still saves.
    session.execute(update(Instance.__table__).where(Instance.__table__.c.id == instance_id)
                    .values(timer_attempts=_ATTEMPTS + 1))
    return "fire"


def end_attempt(session: Session, instance_id: int) -> None:
    """Take back an attempt that did not run (the row or the database was locked)."""
    session.execute(update(Instance.__table__).where(Instance.__table__.c.id == instance_id, _ATTEMPTS > 0)
                    .values(timer_attempts=_ATTEMPTS - 1))


def _set_attempts(session: Session, instance_id: int, value: int) -> None:
    session.execute(update(Instance.__table__).where(Instance.__table__.c.id == instance_id)
                    .values(timer_attempts=value))


def fire_instance_timers(session: Session, instance_id: int, now: datetime) -> bool:
    """Fire the due timers of one instance; False when another worker holds it or already did."""
    instance = _locked_due(session, instance_id, now)
    if instance is None:
        return False
    workflow = load_workflow(session, instance)
    waiting = engine().ready_human_tasks(workflow)
    before = {t.bpmn_id for t in waiting}
    # Each ready task whose deadline is due now fires its timer in this run, once: its step is overdue.
    overdue = [t for t in waiting if t.due_at is not None and t.due_at <= now]
    with clock.frozen_at(now), bound_to(session, None, instance):
        result = engine().run(workflow)
    running = result.status == InstanceStatus.RUNNING
    after = {t.bpmn_id for t in engine().ready_human_tasks(workflow)} if running else set()
    audit.record(session, "timer_fired", None, instance=instance, summary=f"at {now.isoformat()}",
                 changes={"ready_tasks": [sorted(before), sorted(after)]})
    save_state(session, instance, workflow, result, None)
    notify_lead_of_overdue(session, instance, overdue)
    _set_attempts(session, instance_id, 0)  # this pass ran to its end
    return True


def fail_instance(session: Session, instance_id: int, reason: str) -> bool:
    """Mark a running instance failed (audited as instance_failed); False when it no longer runs."""
    instance = lock_instance(session, instance_id)
    if instance is None or instance.status != InstanceStatus.RUNNING:
        return False
    mark_failed(session, instance, reason)
    _set_attempts(session, instance_id, 0)  # the pass ended (with a reason): a retried incident starts afresh
    return True


def schedule_annual_reviews(session: Session, now: datetime) -> int:
    """Give each community its annual review for `now`'s year, waiting on the diagram's start timer.

    The date is the diagram's (a timer start event): an instance created after it starts at once."""
    definition = session.scalars(select(ProcessDefinition).where(ProcessDefinition.process_id == ANNUAL_REVIEW)
                                 .with_for_update()).first()  # two workers never both create one
    if definition is None:
        return 0
    year = now.astimezone(CHINA).year
    communities = session.scalars(select(Organisation).where(Organisation.kind == "community")).all()
    keys = {f"AR-{c.code}-{year}": c for c in communities}
    existing = set(session.scalars(select(Instance.business_key).where(Instance.business_key.in_(keys))))
    for key in sorted(keys.keys() - existing):
        community = keys[key]
        with clock.frozen_at(now):
            start_process(session, ANNUAL_REVIEW, {"community": community.code, "review_year": year,
                                                   "title": f"{community.name}{year}年度项目评议"},
                          community, None, business_key=key)
    return len(keys.keys() - existing)
