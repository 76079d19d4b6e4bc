"""Instances: start one, save its state with the ready-task projection, and read it back."""
import json

from sqlalchemy import JSON, bindparam, cast, column, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql as postgresql_dialect, sqlite as sqlite_dialect
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from app.db import one_or_many, utcnow
from app import clock
from app.engine import HumanTask, RunResult, StateNotStorable, recovery
from app.engine.failures import explain
from app.status import TransitionRefused, check_transition
from app.workflow.models.instance import ENDED, Instance, InstanceStatus, InstanceTrail, ReadyTask, TaskSpan
from app.people.org import Organisation
from app.people.models import User
from app.people.roles import role_for_lane
from app.workflow import audit
from app.errors import Conflict, ProcessFailed, refusal_in
from app.workflow.helpers import bound_to
from app.workflow.notifications import notify_first_responder, notify_task_ready
from app.workflow.versions import bundle_for, engine, latest_version


def _reopening_insert(dialect):
    """Open spans; a task offered again (withdrawn when its instance failed, back after a retry) reopens its own."""
    opened = dialect.insert(_SPANS)
    return opened.on_conflict_do_update(index_elements=[_SPANS.c.id], set_={
        "ended_at": None, "outcome": None, "completed_by_id": None, "result": None, "due_at": opened.excluded.due_at})


# Built once: the completion path runs these on every step, and building a statement here costs
# more than the database takes to run it.
_SPANS = TaskSpan.__table__
_OPEN_SPANS = {name: _reopening_insert(dialect) for name, dialect in (("sqlite", sqlite_dialect),
                                                                      ("postgresql", postgresql_dialect))}
_END_SPAN = update(_SPANS).where(_SPANS.c.id == bindparam("span_id"), _SPANS.c.ended_at.is_(None)).values(
    ended_at=bindparam("ended"), outcome=bindparam("how"), completed_by_id=bindparam("by"),
    result=bindparam("values", type_=_SPANS.c.result.type))
_KEEP_TRAIL = insert(InstanceTrail.__table__)
_READY = ReadyTask.__table__
_OFFER_NEW = {name: dialect.insert(_READY).on_conflict_do_nothing().returning(_READY.c.id)
              for name, dialect in (("sqlite", sqlite_dialect), ("postgresql", postgresql_dialect))}
# The ids to keep go in as one JSON array: an expanding IN list would be re-rendered on every run.
_KEPT_IDS = {"sqlite": select(column("value")).select_from(func.json_each(bindparam("keep"))),
             "postgresql": select(func.json_array_elements_text(cast(bindparam("keep"), JSON)))}
_WITHDRAW_OTHERS = {name: delete(_READY)
                    .where(_READY.c.instance_id == bindparam("instance_id"), _READY.c.id.not_in(kept))
                    .returning(_READY.c.id, _READY.c.bpmn_id, _READY.c.name)
                    for name, kept in _KEPT_IDS.items()}
_INSTANCE = Instance.__table__
# The SET clause comes from the parameters given: routed_roles, routed_orgs, state, status, outcome, timers,
# version, and a failed run's failure_record.
_STORE_RUN = update(_INSTANCE).where(_INSTANCE.c.id == bindparam("row_id"),
                                     _INSTANCE.c.lock_version == bindparam("seen_version"))
_LOCK = (select(Instance).where(Instance.id == bindparam("instance_id")).with_for_update(of=Instance)
         .execution_options(populate_existing=True))


def start_process(session: Session, process_id: str, data: dict, community: Organisation,
                  actor: User | None, business_key: str | None = None) -> Instance:
    """Start the latest version of a process with its start data."""
    version = latest_version(session, process_id)
    # Built before the first run (added to the session after it): the helpers the start runs act
    # only inside this instance's case, and their audit events name it.
    instance = Instance(version=version, process_id=process_id, business_key=business_key,
                        title=str(data.get("title", ""))[:200], community=community, started_by=actor,
                        category=data.get("category"), grid=data.get("grid") or None,
                        first_responder_id=_user_id(session, data.get("first_responder")))
    with bound_to(session, actor, instance):
        workflow, result = engine().start(bundle_for(session, version.id), data)
    if result.status == InstanceStatus.ERROR:
        raise ProcessFailed("the process could not start: %(reason)s", params={"reason": result.error},
                            refusal=refusal_in(result.error), explanation=explain(result.error))
    ready = _ready(workflow, result)
    trail = _apply_run(None, instance, workflow, result, ready)
    session.add(instance)
    session.flush()  # one INSERT with the first state; the ready tasks need its id
    _keep_trail(session, instance, trail)
    audit.record(session, "instance_started", actor, instance=instance,
                 summary=f"{process_id} v{version.version}", changes={k: [None, v] for k, v in data.items()})
    _project_run(session, instance, result, ready, actor)
    return instance


def save_state(session: Session, instance: Instance, workflow, result: RunResult, actor: User | None,
               completed_task_id: str | None = None, submitted: dict | None = None) -> list[ReadyTask]:
    """Store state, status, timer index and ready tasks together; audit how the run ended.

    Returns the instance's ready tasks as they now stand."""
    ready = _ready(workflow, result)
    _keep_trail(session, instance, _apply_run(session, instance, workflow, result, ready))
    return _project_run(session, instance, result, ready, actor, completed_task_id, submitted)


def _ready(workflow, result: RunResult) -> list[HumanTask]:
    return engine().ready_human_tasks(workflow) if result.status == InstanceStatus.RUNNING else []


def _apply_run(session: Session | None, instance: Instance, workflow, result: RunResult,
               ready: list[HumanTask]) -> dict | None:
    """Put the run on the instance row; the history compaction moved out of the live state, if any.

    A stored instance is written at once with one UPDATE checked against its version (`session` given);
    a new one gets the values as attributes, for its INSERT."""
    eng = engine()
    routed = instance.routed_roles or ","
    for role in sorted({role_for_lane(t.lane) for t in ready} - {None}):
        if f",{role}," not in routed:
            routed += f"{role},"
    orgs = instance.routed_orgs or ","
    for code in sorted({candidate_org_code(t) for t in ready} - {None}):
        if f",{code}," not in orgs:
            orgs += f"{code},"
    # Keeps a long case as cheap as a fresh one: only live work and what the engine consults is saved.
    trail = eng.compact(workflow) if result.status == InstanceStatus.RUNNING else None
    values = {"routed_roles": routed, "routed_orgs": orgs, "state": _dump(workflow), "status": result.status,
              "outcome": result.outcome, "updated_at": utcnow(),
              "next_timer_at": eng.next_timer_at(workflow) if result.status == InstanceStatus.RUNNING else None}
    if result.status == InstanceStatus.ERROR:
        values |= failure_record(workflow, result)
    if session is None:
        for name, value in values.items():
            setattr(instance, name, value)
    else:
        _store_run(session, instance, values)
    return trail


MAX_FAILURE = 2000  # characters of an error kept for the incident list


def _dump(workflow) -> str:
    """The workflow's state; a value it cannot be written with refuses the step (422), like a script error."""
    try:
        return engine().dump(workflow)
    except StateNotStorable as err:
        raise ProcessFailed("the process could not go on with this submission: %(reason)s",
                            params={"reason": str(err)}, explanation=explain(str(err))) from None


def mark_failed(session: Session, instance: Instance, reason: str) -> None:
    """Mark an instance failed with the reason, keeping its last stored state (its ready tasks withdrawn).

    For a failure the engine could not report as a run result: its state, or the write, failed."""
    _store_run(session, instance, {"status": InstanceStatus.ERROR, "next_timer_at": None, "updated_at": utcnow(),
                                   "failed_at": clock.now(), "failure": reason[:MAX_FAILURE]})
    _project_run(session, instance, RunResult(InstanceStatus.ERROR, error=reason), [], None)
def failure_record(workflow, result: RunResult) -> dict:
    """What an incident shows of a failed run: when, the element it failed at, and the message."""
    bpmn_id, name = recovery.failed_element(workflow)
    return {"failed_at": clock.now(), "failed_element": bpmn_id and bpmn_id[:100],
            "failed_element_name": name and name[:200], "failure": (result.error or "")[:MAX_FAILURE]}


def _store_run(session: Session, instance: Instance, values: dict) -> None:
    """One prebuilt UPDATE instead of an ORM flush (the costliest part of a step), same version check."""
    seen = instance.lock_version
    if "status" in values:
        try:
            values = values | {"status": check_transition(InstanceStatus, instance.status, values["status"])}
        except TransitionRefused as err:
            raise Conflict(str(err)) from None
    with session.no_autoflush:  # a flush now would move the version under this statement
        stored = session.execute(_STORE_RUN, values | {"lock_version": seen + 1, "row_id": instance.id,
                                                       "seen_version": seen}).rowcount
    if stored != 1:
        raise Conflict("the instance changed meanwhile; reload and try again")
    for name, value in values.items() | {("lock_version", seen + 1)}:
        set_committed_value(instance, name, value)


def _keep_trail(session: Session, instance: Instance, trail: dict | None) -> None:
    """Store what compaction moved out of the live state, for the history diagram."""
    if trail:
        # A Core INSERT, like the span update: no ORM bookkeeping on every completion of a long case.
        session.execute(_KEEP_TRAIL, {"instance_id": instance.id, "created_at": utcnow(), **trail})


def _project_run(session: Session, instance: Instance, result: RunResult, ready: list[HumanTask],
                 actor: User | None, completed_task_id: str | None = None,
                 submitted: dict | None = None) -> list[ReadyTask]:
    current, removed = sync_ready_tasks(session, instance, ready, actor)
    for gone in removed:
        done = gone.id == completed_task_id
        _end_span(session, gone.id, actor if done else None, submitted if done else None)
        if not done:
            audit.record(session, "task_cancelled", actor, instance=instance, task=gone,
                         changes={"status": ["ready", "cancelled"]})
    if result.status == InstanceStatus.ERROR:
        audit.record(session, "instance_failed", actor, instance=instance, summary=result.error or "")
    elif result.status in ENDED:
        audit.record(session, f"instance_{result.status}", actor, instance=instance, summary=result.outcome or "",
                     changes={"outcome": [None, result.outcome]})
        notify_first_responder(session, instance, actor, _closing_message(session, instance, result))
    return current


# How a cancelled case ended, for its first responder (the reasons an instance is cancelled with).
CANCELLED_BECAUSE = {"withdrawn": "居民已撤回", "terminated": "管理员已取消"}


def _closing_message(session: Session, instance: Instance, result: RunResult) -> str:
    """The first responder's notice of the close, with its outcome as people name it (the end event's name)."""
    if result.status == InstanceStatus.CANCELLED:
        return f"您首问的需求已终止：{CANCELLED_BECAUSE.get(result.outcome or '', '已取消')}（{instance.title}）"
    ended_at = engine().element_name(bundle_for(session, instance.version_id), result.outcome)
    if not ended_at or ended_at == result.outcome:  # an unnamed end event: never its id
        ended_at = "已结束"
    return f"您首问的需求已办结：{ended_at}（{instance.title}）"


def sync_ready_tasks(session: Session, instance: Instance, tasks: list[HumanTask],
                     actor: User | None = None) -> tuple[list[ReadyTask], list]:
    """Make the projection match the ready tasks, keeping claims; return (current rows, removed rows).

    New tasks are offered to their lane's role (or to the assignee the task names) and notified, and so is the
    case's first responder (首问责任人), unless `actor`, whose step opened them, is that person.
    Removed rows come back with id, bpmn_id and name. Two statements, whatever the projection held:
    one DELETE of every row no longer ready, one INSERT of every ready task it did not hold yet."""
    dialect = _dialect(session)
    removed = session.execute(_WITHDRAW_OTHERS[dialect],
                              {"instance_id": instance.id, "keep": json.dumps([t.id for t in tasks])}).all()
    for gone in removed:
        stale = session.identity_map.get(identity_key(ReadyTask, gone.id))
        if stale is not None:
            session.expunge(stale)
    offers = {t.id: _offer(session, instance, t) for t in tasks}
    added = set(session.execute(_OFFER_NEW[dialect], one_or_many(list(offers.values()))).scalars()
                ) if offers else set()
    current = []
    for task in tasks:
        if task.id in added:
            current.append(_as_stored(session, offers[task.id]))
            continue
        row = session.get(ReadyTask, task.id)
        if task.due_at and task.due_at != row.due_at:
            # A non-interrupting deadline that already fired leaves the task ready: it stays overdue.
            row.due_at = task.due_at
        current.append(row)
    new_rows = [row for row in current if row.id in added]
    if new_rows:
        session.execute(_OPEN_SPANS[dialect], one_or_many([
            {"id": r.id, "instance_id": r.instance_id, "process_id": r.process_id, "bpmn_id": r.bpmn_id,
             "name": r.name, "role": r.role, "community_id": r.community_id, "due_at": r.due_at} for r in new_rows]))
        told: set[int] = set()
        for row in new_rows:
            told |= notify_task_ready(session, row, instance)
        # Here, where every run's new tasks land, not per diagram element: a task a designer adds is covered too.
        names = "、".join(dict.fromkeys(row.name for row in new_rows))
        notify_first_responder(session, instance, actor, f"您首问的需求进入新环节：{names}（{instance.title}）", told)
    return current, removed


def _offer(session: Session, instance: Instance, task: HumanTask) -> dict:
    """The projection row a ready task gets when it is new."""
    return dict(id=task.id, instance_id=instance.id, process_id=instance.process_id, bpmn_id=task.bpmn_id,
                name=task.name, lane=task.lane, role=role_for_lane(task.lane), community_id=instance.community_id,
                assignee_id=_assignee_id(session, task), candidate_org_id=_candidate_org_id(session, task),
                due_at=task.due_at, claimed_by_id=None,
                created_at=utcnow())


def _dialect(session: Session) -> str:
    """The database's dialect name, which picks the prebuilt statements written per dialect."""
    return session.get_bind().dialect.name


def _as_stored(session: Session, values: dict) -> ReadyTask:
    """The ORM row for a ready task inserted with Core: in the session as if loaded, no second INSERT."""
    row = ReadyTask(**values)
    make_transient_to_detached(row)
    session.add(row)
    return row


def _end_span(session: Session, task_id: str, completed_by: User | None, submitted: dict | None) -> None:
    """Close a task's span: completed by a person, or cancelled when the process moved on without it."""
    # A Core UPDATE: no ORM bookkeeping (autoflush, session sync) on the hot path of every completion.
    session.execute(_END_SPAN, {"span_id": task_id, "ended": utcnow(),
                                "how": "completed" if submitted is not None else "cancelled",
                                "by": completed_by.id if completed_by else None, "values": _plain(submitted)})


def _plain(values: dict | None) -> dict | None:
    """The submitted values as stored JSON (dates and the like as text)."""
    return json.loads(json.dumps(values, ensure_ascii=False, default=str)) if values is not None else None


def _user_id(session: Session, username) -> int | None:
    """The id of the account a start-data value names by username (None for none)."""
    if not username:
        return None
    return session.scalar(select(User.id).where(User.username == str(username)))


def _assignee_id(session: Session, task: HumanTask) -> int | None:
    """The user a task names through its `assignee` property (a variable holding a username)."""
    variable = task.properties.get("assignee")
    username = _dotted(task.data, variable) if variable else None
    if not username or isinstance(username, (dict, list)):
        return None
    return session.scalar(select(User.id).where(User.username == str(username)))


def _dotted(data: dict, path: str):
    """`data[path]`, or for `line.contact` the `contact` of the `line` value (a multi-instance's own item)."""
    value = data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def lock_instance(session: Session, instance_id: int) -> Instance | None:
    """The instance row, locked for this transaction and freshly read."""
    return session.scalars(_LOCK, {"instance_id": instance_id}).first()


def load_workflow(session: Session, instance: Instance):
    """The instance's workflow, restored onto its pinned version's cached specs."""
    return engine().load(bundle_for(session, instance.version_id), instance.state)


def current_data(session: Session, instance: Instance) -> dict:
    """The instance's process data as it stands now."""
    return engine().current_data(load_workflow(session, instance))


def candidate_org_code(task: HumanTask) -> str | None:
    """The organisation code a task is restricted to through its `candidate_org` property (a variable naming it)."""
    variable = task.properties.get("candidate_org")
    value = task.data.get(variable) if variable else None
    return str(value).strip() or None if value else None


def _candidate_org_id(session: Session, task: HumanTask) -> int | None:
    """The organisation whose users alone are offered the task; None (offered by role and community) if unnamed."""
    code = candidate_org_code(task)
    if code is None:
        return None
    return session.scalar(select(Organisation.id).where(Organisation.code == code))
