"""Named read queries: inbox (mine), queue (I may claim), instances in scope, history."""
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import Session

from ..models import AuditEvent, Instance, ReadyTask, User
from ..people.roles import READ_ALL_ROLES, WORKER_ROLES
from ..people.scope import community_ids_in_scope
from .errors import Forbidden, NotFound

VIEWER_ROLES = WORKER_ROLES | READ_ALL_ROLES | {"district_department", "committee_member", "supervision_committee"}


def inbox(session: Session, user: User, limit: int = 200) -> list[ReadyTask]:
    """Ready tasks this user may act on: their own claims first, then the unclaimed, by due date."""
    scope = community_ids_in_scope(session, user)
    query = (select(ReadyTask)
             .options(joinedload(ReadyTask.community), joinedload(ReadyTask.claimed_by),
                      joinedload(ReadyTask.instance))
             .where(ReadyTask.role.in_(user.role_ids), ReadyTask.community_id.in_(scope),
                    or_(ReadyTask.claimed_by_id.is_(None), ReadyTask.claimed_by_id == user.id))
             .order_by(ReadyTask.claimed_by_id.is_(None), ReadyTask.due_at.is_(None), ReadyTask.due_at,
                       ReadyTask.created_at)
             .limit(limit))
    return list(session.scalars(query))


def ready_tasks_of(session: Session, instance_id: int) -> list[ReadyTask]:
    """An instance's ready tasks."""
    return list(session.scalars(select(ReadyTask).where(ReadyTask.instance_id == instance_id)
                                .order_by(ReadyTask.created_at)))


def visible_instance(session: Session, user: User, instance_id: int) -> Instance:
    """An instance the user may look at (its community is in their scope), else 404 / 403."""
    instance = session.get(Instance, instance_id)
    if instance is None:
        raise NotFound("no such instance")
    if not user.role_ids & VIEWER_ROLES or instance.community_id not in community_ids_in_scope(session, user):
        raise Forbidden("this instance is outside your communities")
    return instance


def instances_in_scope(session: Session, user: User, status: str | None = None, limit: int = 200) -> list[Instance]:
    """The newest instances in the user's communities."""
    if not user.role_ids & VIEWER_ROLES:
        return []
    query = select(Instance).where(Instance.community_id.in_(community_ids_in_scope(session, user)))
    if status:
        query = query.where(Instance.status == status)
    query = query.options(joinedload(Instance.community))
    return list(session.scalars(query.order_by(Instance.id.desc()).limit(limit)))


def history(session: Session, instance_id: int) -> list[AuditEvent]:
    """Every audit event of an instance, in order."""
    return list(session.scalars(select(AuditEvent).options(joinedload(AuditEvent.actor))
                                .where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)))
