"""Notifications: tell the people a task waits for (in-app, plus an SMS outbox row)."""
import time

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from app.db import one_or_many, utcnow
from app.workflow.models.instance import Instance, ReadyTask
from app.workflow.models.notification import Notification, OutboxMessage
from app.people.org import DEPARTMENT, Organisation
from app.people.models import User, UserRole
from app.people.roles import members_of
from app.workflow import audit


# Who holds a role around a community changes rarely; a short cache keeps the lookup off the
# completion path. A change of people or roles reaches notifications within this many seconds.
RECIPIENT_CACHE_SECONDS = 30.0
_NOTIFY = insert(Notification.__table__)
_SEND_SMS = insert(OutboxMessage.__table__)
_recipients: dict[tuple[str, str, int], tuple[float, list]] = {}


def users_for(session: Session, role: str, community_id: int) -> list:
    """(id, username) of active users holding `role` at the community, its grids or an office above."""
    key = (str(session.get_bind().url), role, community_id)
    cached = _recipients.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    rows = _query_users(session, role, community_id)
    _recipients[key] = (time.monotonic() + RECIPIENT_CACHE_SECONDS, rows)
    return rows


def _query_users(session: Session, role: str, community_id: int) -> list:
    grids = select(Organisation.id).where(Organisation.parent_id == community_id)
    above = _community_and_above(session, community_id)
    # A district's departments are offices above its communities too (told, e.g., of a late filing to supervise).
    departments = select(Organisation.id).where(Organisation.parent_id.in_(above), Organisation.kind == DEPARTMENT)
    # A role group (a lane offered to several roles) reaches everyone holding one of its roles, each once.
    return list(session.execute(select(User.id, User.username).join(UserRole).where(
        UserRole.role.in_(members_of(role)), User.is_active.is_(True),
        or_(User.org_id.in_(above), User.org_id.in_(grids), User.org_id.in_(departments)))
        .distinct().order_by(User.id)).all())


def users_in_org(session: Session, role: str, org_id: int) -> list:
    """(id, username) of active users holding `role` (or a role of its group) in this organisation itself."""
    return list(session.execute(select(User.id, User.username).join(UserRole).where(
        UserRole.role.in_(members_of(role)), User.is_active.is_(True), User.org_id == org_id)
        .distinct().order_by(User.id)).all())


def notify(session: Session, users: list, message: str, instance: Instance | None = None,
           task_id: str | None = None) -> None:
    """One in-app notification and one outbox message per user (anything with .id and .username)."""
    if not users:
        return
    # Core INSERTs, one per table for all recipients: this runs on every completion that offers a task.
    session.execute(_NOTIFY, one_or_many([
        {"user_id": user.id, "instance_id": instance.id if instance else None, "task_id": task_id,
         "message": message[:500]} for user in users]))
    session.execute(_SEND_SMS, one_or_many([
        {"channel": "sms", "recipient_id": user.id, "payload": {"to": user.username, "text": message[:500]}}
        for user in users]))


def queue_sms(session: Session, to: str, message: str) -> None:
    """One outbox SMS to a number that belongs to no account (the sender, issue 22's, delivers it)."""
    session.execute(_SEND_SMS, [{"channel": "sms", "recipient_id": None,
                                 "payload": {"to": to, "text": message[:500]}}])


def notify_task_ready(session: Session, task: ReadyTask, instance: Instance) -> set[int]:
    """Tell whoever may act on a newly ready task; the ids of the users told."""
    if task.assignee_id is not None:
        users = [session.get(User, task.assignee_id)]
    elif task.role and task.candidate_org_id is not None:
        users = users_in_org(session, task.role, task.candidate_org_id)
    elif task.role:
        users = users_for(session, task.role, task.community_id)
    else:
        users = []
    notify(session, users, f"新任务：{task.name}（{instance.title}）", instance, task.id)
    return {user.id for user in users}


def notify_first_responder(session: Session, instance: Instance, actor: User | None, message: str,
                           told: set[int] = frozenset()) -> None:
    """Tell a case's first responder (首问责任人) of a stage change: not of their own step, nor twice."""
    responder_id = instance.first_responder_id
    if responder_id is None or responder_id in told or (actor is not None and actor.id == responder_id):
        return
    responder = session.get(User, responder_id)
    if responder is not None and responder.is_active:
        notify(session, [responder], message, instance)


# The process variable naming a case's lead (牵头负责人, a username): whatever the diagram, the lead is told of
# every overdue step of the case (兜底负责), generically, not by a script per deadline.
LEAD_VARIABLE = "lead"


def notify_lead_of_overdue(session: Session, instance: Instance, overdue: list) -> int:
    """Tell the lead each task's data names that the task (a step of their case) passed its deadline."""
    told = set()
    for task in overdue:
        username = task.data.get(LEAD_VARIABLE)
        if not isinstance(username, str) or not username or (username, task.bpmn_id) in told:
            continue
        lead = session.scalars(select(User).where(User.username == username, User.is_active.is_(True))).first()
        if lead is None:
            continue
        told.add((username, task.bpmn_id))
        message = f"超时提醒：你牵头负责的需求“{instance.title}”中，“{task.name}”已超过办理时限"
        notify(session, [lead], message, instance, task.id)
    return len(told)


def unread_count(session: Session, user: User) -> int:
    """How many of the user's notifications are unread."""
    return session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def recent(session: Session, user: User, limit: int = 50) -> list[Notification]:
    """The user's newest notifications."""
    return list(session.scalars(select(Notification).where(Notification.user_id == user.id)
                                .order_by(Notification.id.desc()).limit(limit)))


def mark_all_read(session: Session, user: User) -> None:
    """Mark every notification of the user read (audited with how many were unread)."""
    marked = session.execute(update(Notification).where(Notification.user_id == user.id,
                                                        Notification.read_at.is_(None)).values(read_at=utcnow()))
    if marked.rowcount:
        audit.record(session, "notifications_read", user, changes={"unread": [marked.rowcount, 0]})


def _community_and_above(session: Session, community_id: int) -> list[int]:
    """The community and the offices above it (street, district); identity-map lookups."""
    found, current = [], session.get(Organisation, community_id)
    while current is not None:
        found.append(current.id)
        current = current.parent
    return found
