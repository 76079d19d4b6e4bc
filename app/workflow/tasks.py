"""Tasks: who may act on a ready task, and claim / release / complete."""
from typing import NamedTuple

from flask_babel import gettext
from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from app import clock
from app.engine import LiveDataFailed, NotShown, TaskNotReady
from app.engine.failures import explain
from app.workflow.models.audit import AuditEvent
from app.workflow.models.instance import Instance, InstanceStatus, ReadyTask
from app.people.models import User
from app.people.roles import acting_roles
from app.people.scope import community_ids_in_scope
from app.workflow import audit
from app.errors import Conflict, FieldRefusal, Forbidden, Invalid, NotFound, ProcessFailed, refusal_in
from app.workflow.helpers import bound_to
from app.workflow.forms import prefill, task_form, validate_submission, with_readonly_values
from app.workflow.instances import load_workflow, lock_instance, save_state
from app.workflow.notifications import notify_lead_of_overdue
from app.workflow.trial import plays_trials, trial_community_id
from app.workflow.versions import bundle_for, engine


class Completion(NamedTuple):
    """A completed task's case, the tasks now ready, and what the rules decided, if a helper said (a verdict)."""

    instance: Instance
    next_tasks: list[ReadyTask]
    verdict: dict | None = None


# What a person hears at once when the rules refuse what a submission recorded (the task is still completed).
VERDICT_MESSAGES = {"void": "Meeting void: %(reason)s", "not_passed": "Vote not passed: %(reason)s"}


def verdict_message(verdict: dict | None) -> str | None:
    """"会议无效：原因" or "表决未通过：原因" in the reader's language; None when nothing was refused."""
    if not verdict or verdict.get("outcome") not in VERDICT_MESSAGES:
        return None
    return gettext(VERDICT_MESSAGES[verdict["outcome"]], reason=verdict.get("reason") or "")


_TASK_WITH_LOCKED_INSTANCE = (select(ReadyTask, Instance).join(Instance, ReadyTask.instance_id == Instance.id)
                              .where(ReadyTask.id == bindparam("task_id")).with_for_update(of=Instance)
                              .execution_options(populate_existing=True))


def may_act(session: Session, user: User, task: ReadyTask) -> bool:
    """Whether the user holds the task's role in its community, or in the organisation it is restricted to (and
    is its assignee, if it names one); the assignee a task names acts on it in their communities whatever their
    role (a member voting from a register)."""
    if task.assignee_id is not None and task.assignee_id != user.id:
        return False
    if plays_trials(user) and task.community_id == trial_community_id(session):
        return True  # a designer trying a process out plays every lane of the trial
    named = task.assignee_id is not None and task.assignee_id == user.id
    roles = acting_roles(user.role_ids)
    if task.candidate_org_id is not None:  # offered to one organisation's users alone (a department dispatched to)
        return (named or task.role in roles) and task.candidate_org_id == user.org_id
    return (named or task.role in roles) and task.community_id in community_ids_in_scope(session, user)


def actionable_task(session: Session, task_id: str, user: User) -> ReadyTask:
    """The ready task if this user may act on it; 404 / 409 / 403 otherwise."""
    task = session.get(ReadyTask, task_id)
    if task is None:
        raise _not_ready(session, task_id)
    return _for_actor(session, user, task)


def _for_actor(session: Session, user: User, task: ReadyTask) -> ReadyTask:
    """The task, or 403 when the user may not act on it."""
    if not may_act(session, user, task):
        raise Forbidden("this task is not yours to act on")
    return task


def _not_ready(session: Session, task_id: str) -> Exception:
    """409 for a task that was ready once (completed or cancelled since), 404 for one never seen."""
    if session.scalar(select(exists().where(AuditEvent.task_id == task_id))):
        return Conflict("this task is no longer ready: it was completed or cancelled")
    return NotFound("no such task")


def task_view(session: Session, task: ReadyTask, viewer: User | None = None) -> dict:
    """The task with its form, pre-filled data and rendered instructions."""
    human = engine().ready_human_task(load_workflow(session, task.instance), task.id)
    if human is None:
        raise Conflict("this task is no longer ready")
    human = with_live_data(session, viewer, task.instance, human)
    form = task_form(bundle_for(session, task.instance.version_id), human)
    return {"task": task, "form": form, "data": prefill(form, human.data),
            "instructions": shown_instructions(human.rendered_instructions())}


def with_live_data(session: Session, actor: User | None, instance: Instance, human):
    """The task with the data its diagram reads when it is viewed or submitted (its `liveData` script), if any.

    Such a script only reads (a meeting held days after the instance started lists the records as they are
    now); one that writes anything is refused, so a page view never changes a record."""
    if not human.properties.get("liveData"):
        return human
    queued, touched = len(session.info.get("audit_pending", ())), set(session.new) | set(session.dirty)
    try:
        with bound_to(session, actor, instance):
            live = engine().with_live_data(human)
    except LiveDataFailed as err:
        raise ProcessFailed("the task's current data could not be read: %(reason)s", params={"reason": str(err)},
                            refusal=refusal_in(str(err)), explanation=explain(str(err))) from None
    if len(session.info.get("audit_pending", ())) != queued or not set(session.new) | set(session.dirty) <= touched:
        raise ProcessFailed("the task's live-data script may only read, and it changed a record")
    return live


def shown_instructions(text: str) -> str:
    """Rendered instructions as the person reads them: the engine's note, if any, in their language."""
    return gettext(text.msgid, **text.params) if isinstance(text, NotShown) else text


def claim(session: Session, task_id: str, user: User) -> ReadyTask:
    """Take a task so others see it is being handled; 409 if someone else holds it."""
    task = actionable_task(session, task_id, user)
    task = session.scalars(select(ReadyTask).where(ReadyTask.id == task_id).with_for_update(of=ReadyTask)
                           .execution_options(populate_existing=True)).first()
    if task is None:
        raise Conflict("this task is no longer ready")
    if task.claimed_by_id not in (None, user.id):
        raise Conflict("this task is held by someone else", claimed_by=task.claimed_by.username)
    if task.claimed_by_id is None:
        task.claimed_by = user
        audit.record(session, "task_claimed", user, instance=task.instance, task=task,
                     changes={"claimed_by": [None, user.username]})
    return task


def release(session: Session, task_id: str, user: User) -> ReadyTask:
    """Give a claimed task back to the queue (only its holder may)."""
    task = actionable_task(session, task_id, user)
    if task.claimed_by_id != user.id:
        raise Conflict("only the person holding this task can release it")
    task.claimed_by = None
    audit.record(session, "task_released", user, instance=task.instance, task=task,
                 changes={"claimed_by": [user.username, None]})
    return task


def complete(session: Session, task_id: str, user: User, data) -> Completion:
    """Validate and apply a submission; exactly one of concurrent submissions wins, the rest get 409."""
    # The task and its instance, locked, in one round trip: this is every completion's first statement.
    found = session.execute(_TASK_WITH_LOCKED_INSTANCE, {"task_id": task_id}).first()
    if found is None:
        raise _not_ready(session, task_id)
    task, instance = _for_actor(session, user, found[0]), found[1]
    if task.claimed_by_id not in (None, user.id):
        raise Conflict("this task is held by someone else", claimed_by=task.claimed_by.username)
    return apply_submission(session, task, user, data, locked=instance)


def _timer_due(instance: Instance) -> bool:
    """Whether the timer index says a deadline of this instance has passed (then it fires first)."""
    return instance.next_timer_at is not None and instance.next_timer_at <= clock.now()


def apply_submission(session: Session, task: ReadyTask, actor: User | None, data, actor_name: str | None = None,
                     locked: Instance | None = None) -> Completion:
    """Complete a ready task whose permission is already checked; 409 if it is no longer ready.

    `locked`: the task's instance, when the caller has already read and locked it."""
    # The locked, freshly read state decides: a concurrent winner has already moved it on.
    instance = locked or lock_instance(session, task.instance_id)
    workflow = load_workflow(session, instance)
    human = engine().ready_human_task(workflow, task.id)
    if human is None:
        raise Conflict("this task is no longer ready: someone else completed it")
    human = with_live_data(session, actor, instance, human)
    form = task_form(bundle_for(session, instance.version_id), human)
    clean = validate_submission(form["schema"], with_readonly_values(form, human.data, data))
    before = {key: human.data.get(key) for key in clean}
    if human.properties.get("recordActorAs") and actor is not None:
        clean[human.properties["recordActorAs"]] = actor.username
    timers_due = _timer_due(instance)
    # Deadlines passed since the last timer pass fire first, in this run: their steps are overdue now.
    overdue = [t for t in engine().ready_human_tasks(workflow)
               if t.due_at is not None and t.due_at <= clock.now()] if timers_due else []
    try:
        with bound_to(session, actor, instance) as run:
            result = engine().complete(workflow, task.id, clean, timers_due=timers_due)
    except TaskNotReady:
        raise Conflict("this task is no longer ready: its deadline passed") from None
    if result.status == InstanceStatus.ERROR:
        # A person's submission never leaves a case dead: refuse it, roll back, say why.
        refusal = refusal_in(result.error)
        if isinstance(refusal, FieldRefusal):  # the helper named the fields at fault: a bad input, 400
            raise Invalid(refusal.msgid, refusal.fields, params=refusal.params)
        raise ProcessFailed("the process could not go on with this submission: %(reason)s",
                            params={"reason": result.error}, refusal=refusal, explanation=explain(result.error))
    audit.record(session, "task_completed", actor, instance=instance, task=task, actor_name=actor_name,
                 changes={key: [before.get(key), value] for key, value in clean.items()})
    next_tasks = save_state(session, instance, workflow, result, actor, completed_task_id=task.id, submitted=clean)
    notify_lead_of_overdue(session, instance, overdue)
    return Completion(instance, next_tasks, run.verdict)
