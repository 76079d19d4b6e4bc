"""An administrator's repairs: reassign a task, edit or cancel an instance, change a user's roles.

Each guards, acts and records an audit event with before and after values; none commits."""
import json

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.engine import RunResult
from app.workflow.models.audit import AuditEvent
from app.workflow.models.instance import Instance, InstanceStatus, ReadyTask
from app.people.models import User, UserRole
from app.people.roles import ROLES, members_of
from app.people.scope import community_ids_in_scope
from app.workflow import audit
from app.errors import Conflict, Invalid, NotFound
from app.workflow.forms import storable
from app.workflow.instances import load_workflow, lock_instance, save_state
from app.workflow.notifications import notify
from app.workflow.versions import engine

MAX_REASON = 500
MAX_VALUE_CHARS = 20000
# Instance columns projected from the start data; an edit of these fields keeps them in step.
PROJECTED = {"title": 200, "category": 32, "grid": 64}


def eligible_assignees(session: Session, task: ReadyTask) -> list[User]:
    """Active users who hold the task's role and work in its community."""
    if not task.role:
        return []
    users = session.scalars(select(User).join(UserRole).where(UserRole.role.in_(members_of(task.role)),
                                                              User.is_active.is_(True))
                            .distinct().order_by(User.username))
    return [u for u in users if _works_where(session, task, u)]


def _works_where(session: Session, task: ReadyTask, user: User) -> bool:
    """Whether the user works where the task is offered: its organisation, if restricted to one, else its community."""
    if task.candidate_org_id is not None:  # a need dispatched to one department stays with that department
        return user.org_id == task.candidate_org_id
    return task.community_id in community_ids_in_scope(session, user)


def reassign_task(session: Session, actor: User, task_id: str, username: str | None) -> ReadyTask:
    """Assign a ready task to another eligible user, or (username None) give it back to its role's queue."""
    if username is not None and (not isinstance(username, str) or not username.strip()):
        raise Invalid("name the user to assign, or null to return the task to the queue",
                      {"username": "must be a username or null"})
    task = _locked_task(session, task_id)
    user = _assignee(session, task, username.strip()) if username else None
    before = {"assignee": _name(task.assignee), "claimed_by": _name(task.claimed_by)}
    task.assignee = user
    if task.claimed_by is not None and task.claimed_by is not user:
        task.claimed_by = None  # the old holder may no longer act on it
    after = {"assignee": _name(task.assignee), "claimed_by": _name(task.claimed_by)}
    if after != before:
        audit.record(session, "task_reassigned", actor, instance=task.instance, task=task,
                     changes={key: [before[key], after[key]] for key in before})
        if user is not None:
            notify(session, [user], f"任务转派给您：{task.name}（{task.instance.title}）", task.instance, task.id)
    return task


def edit_instance_data(session: Session, actor: User, instance_id: int, values, reason) -> Instance:
    """Set process data fields of a running instance; audited with before and after and the reason."""
    check_values(values)
    reason = _reason(reason)
    instance = _locked_instance(session, instance_id, (InstanceStatus.RUNNING,))
    workflow = load_workflow(session, instance)
    current = engine().current_data(workflow)
    changes = {key: [current.get(key), value] for key, value in values.items()
               if key not in current or _canonical(current[key]) != _canonical(value)}
    if not changes:
        return instance
    engine().set_data(workflow, values)
    for key, limit in PROJECTED.items():
        if key in changes and isinstance(values[key], str):
            setattr(instance, key, values[key][:limit] if key == "title" else values[key][:limit] or None)
    audit.record(session, "instance_data_edited", actor, instance=instance, summary=reason, changes=changes)
    save_state(session, instance, workflow, RunResult(InstanceStatus.RUNNING), actor)
    return instance


def cancel_instance(session: Session, actor: User, instance_id: int, reason) -> Instance:
    """Stop a running (or failed) instance; its ready tasks are cancelled."""
    reason = _reason(reason)
    instance = _locked_instance(session, instance_id, (InstanceStatus.RUNNING, InstanceStatus.ERROR))
    workflow = load_workflow(session, instance)
    audit.record(session, "instance_terminated", actor, instance=instance, summary=reason,
                 changes={"status": [instance.status, InstanceStatus.CANCELLED]})
    # save_state records the ending itself (task_cancelled for each open task, then instance_cancelled).
    save_state(session, instance, workflow, engine().cancel(workflow, "terminated"), actor)
    return instance


def set_roles(session: Session, actor: User, username: str, roles, active=None) -> User:
    """Give a user exactly these roles (and, if given, make them active or not); audited."""
    wanted = _check_roles(roles)
    if active is not None and not isinstance(active, bool):
        raise Invalid("active must be true or false", {"active": "wrong type"})
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound("no such user")
    old, was_active = set(user.role_ids), user.is_active
    is_active = was_active if active is None else active
    if "admin" in old and was_active and ("admin" not in wanted or not is_active):
        _refuse_last_admin(session, user)
    if wanted != old:
        user.roles = [r for r in user.roles if r.role in wanted] + [UserRole(role=r) for r in sorted(wanted - old)]
        audit.record(session, "user_roles_changed", actor, summary=username,
                     changes={"roles": [sorted(old), sorted(wanted)]})
    if is_active != was_active:
        user.is_active = is_active
        audit.record(session, "user_activated" if is_active else "user_deactivated", actor, summary=username,
                     changes={"active": [was_active, is_active]})
    return user


def parse_json_value(text: str):
    """A value typed as JSON on a page (text in double quotes), or 400."""
    def refuse(constant):
        raise ValueError(constant)
    try:
        return json.loads(text, parse_constant=refuse)
    except ValueError:
        raise Invalid("the value is not JSON: put text in double quotes", {"value": "invalid format"}) from None


def all_users(session: Session) -> list[User]:
    """Every user, by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def _locked_task(session: Session, task_id: str) -> ReadyTask:
    task = session.scalars(select(ReadyTask).where(ReadyTask.id == task_id).with_for_update(of=ReadyTask)
                           .execution_options(populate_existing=True)).first()
    if task is None:
        if session.scalar(select(exists().where(AuditEvent.task_id == task_id))):
            raise Conflict("this task is no longer ready: it was completed or cancelled")
        raise NotFound("no such task")
    return task


def _assignee(session: Session, task: ReadyTask, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise Invalid("no such user", {"username": "unknown user"})
    if not user.is_active:
        raise Invalid("this user is not active", {"username": "inactive"})
    if not members_of(task.role) & user.role_ids:
        raise Invalid("this user does not hold the role this task is for", {"username": "lacks the role"})
    if not _works_where(session, task, user):
        raise Invalid("this user does not work in the task's community", {"username": "out of scope"})
    return user


def _locked_instance(session: Session, instance_id: int, statuses: tuple[str, ...]) -> Instance:
    instance = lock_instance(session, instance_id)
    if instance is None:
        raise NotFound("no such instance")
    if instance.status not in statuses:
        raise Conflict("this instance is not running")
    return instance


def check_values(values) -> None:
    """Refuse (400) anything but a non-empty object of field names to JSON values."""
    if not isinstance(values, dict) or not values:
        raise Invalid("send the fields to set as a non-empty object", {"data": "must be an object"})
    bad = {str(key)[:100]: "invalid value" for key, value in values.items() if not _is_field(key) or
           not _is_json(value) or len(json.dumps(value, ensure_ascii=False)) > MAX_VALUE_CHARS}
    if bad:
        # "_" names belong to the engine and the forms; scripts read fields by name, so names are identifiers.
        raise Invalid("field names are identifiers not starting with _, and values are JSON", bad)


def _is_field(key) -> bool:
    return isinstance(key, str) and key.isidentifier() and not key.startswith("_") and len(key) <= 100


def _is_json(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_is_json(v) for v in value)
    return (value is None or isinstance(value, (bool, int, float, str))) and storable(value)


def _canonical(value) -> str:
    # 1 and true, or 1 and 1.0, are equal in Python but different data.
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _reason(reason) -> str:
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
        raise Invalid("say why (at most 500 characters)", {"reason": "required"})
    return reason.strip()


def _check_roles(roles) -> set[str]:
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise Invalid("send roles as a list of role ids", {"roles": "wrong type"})
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise Invalid("some roles are unknown", {"roles": "unknown role"}, unknown=unknown)
    if {"admin", "auditor"} <= set(roles):
        # Auditors are read-only everywhere: an auditor-administrator could administer nothing.
        raise Invalid("one person cannot be both auditor and administrator", {"roles": "invalid value"})
    return set(roles)


def _refuse_last_admin(session: Session, user: User) -> None:
    # Lock every active administrator, so two admins cannot demote each other at once and leave none.
    # One who is also an auditor is read-only, so does not count.
    admins = session.scalars(select(User.id).join(UserRole).where(
        UserRole.role == "admin", User.is_active.is_(True), ~User.roles.any(UserRole.role == "auditor"))
        .with_for_update(of=User)).all()
    if not set(admins) - {user.id}:
        raise Conflict("the last active administrator must keep the admin role")


def _name(user: User | None) -> str | None:
    return user.username if user is not None else None
