"""Named read queries: inbox (mine), queue (I may claim), instances in scope, history."""
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import Session

from app import clock
from app.workflow.models.audit import AuditEvent
from app.workflow.models.follower import InstanceFollower
from app.workflow.models.instance import Instance, ReadyTask
from app.people.org import Organisation
from app.people.models import User
from app.people.roles import acting_roles
from app.people.scope import community_ids_in_scope, department_of
from app.errors import Forbidden, NotFound
from app.workflow.trial import TRIAL_KIND, TRIAL_VIEWERS, plays_trials, trial_community_id
from app.people.policy import ROUTED_ROLES, VIEWER_ROLES  # noqa: F401 (imported from here elsewhere)


def inbox(session: Session, user: User, limit: int = 200, task: str | None = None,
          community: str | None = None, overdue: bool = False) -> list[ReadyTask]:
    """Ready tasks this user may act on: their own claims first, then the unclaimed, by due date."""
    scope = community_ids_in_scope(session, user)
    query = (select(ReadyTask)
             .options(joinedload(ReadyTask.community), joinedload(ReadyTask.claimed_by),
                      # lists show a case's title and code; its engine state stays in the database
                      joinedload(ReadyTask.instance).load_only(Instance.title, Instance.business_key))
             .where(_may_take(session, user, scope),
                    or_(ReadyTask.claimed_by_id.is_(None), ReadyTask.claimed_by_id == user.id),
                    or_(ReadyTask.assignee_id.is_(None), ReadyTask.assignee_id == user.id))
             .order_by(ReadyTask.claimed_by_id.is_(None), ReadyTask.due_at.is_(None), ReadyTask.due_at,
                       ReadyTask.created_at)
             .limit(limit))
    if task:
        query = query.where(ReadyTask.bpmn_id == task)
    if community:
        query = query.where(ReadyTask.community.has(Organisation.code == community))
    if overdue:
        query = query.where(ReadyTask.due_at < clock.now())
    return list(session.scalars(query))


def _may_take(session: Session, user: User, scope: set[int]):
    """Tasks of the user's roles in their communities, and those named to them there (a register member's own
    ballot, whatever their role); for designers, every task of a trial too."""
    mine = and_(or_(ReadyTask.role.in_(acting_roles(user.role_ids)), ReadyTask.assignee_id == user.id),
                in_reach(user, scope))
    trial = trial_community_id(session) if plays_trials(user) else None
    return or_(mine, ReadyTask.community_id == trial) if trial is not None else mine


def in_reach(user: User, scope: set[int]):
    """Tasks offered where the user works: restricted to their organisation, or unrestricted in their communities."""
    return or_(and_(ReadyTask.candidate_org_id.is_(None), ReadyTask.community_id.in_(scope)),
               ReadyTask.candidate_org_id == user.org_id)


def ready_tasks_of(session: Session, instance_id: int) -> list[ReadyTask]:
    """An instance's ready tasks."""
    return list(session.scalars(select(ReadyTask).where(ReadyTask.instance_id == instance_id)
                                .order_by(ReadyTask.created_at)))


def visible_instance(session: Session, user: User, instance_id: int) -> Instance:
    """An instance the user may look at (its community is in their scope, or they are its first responder),
    else 404 / 403."""
    instance = session.get(Instance, instance_id)
    if instance is None:
        raise NotFound("no such instance")
    if instance.first_responder_id == user.id:
        return instance  # 首问负责: the first responder follows the case wherever it goes (street, district)
    if follows(session, user, instance.id):
        return instance  # a need's lead (兜底负责) and its lines' contacts follow it wherever it goes
    if not user.role_ids & VIEWER_ROLES or instance.community_id not in community_ids_in_scope(session, user):
        if instance.community.kind == TRIAL_KIND and user.role_ids & TRIAL_VIEWERS:
            return instance  # a trial: designers follow it, auditors and administrators oversee it
        raise Forbidden("this instance is outside your communities")
    department = department_of(user)
    if department is not None and not routed_to_org(instance, department.code):
        raise Forbidden("this instance was not dispatched to your department")
    if department is None and _routed_only(user) and not any(f",{r}," in instance.routed_roles for r in user.role_ids):
        raise Forbidden("this instance was not routed to you")
    return instance


def routed_to_org(instance: Instance, code: str) -> bool:
    """Whether a task of the instance was ever offered to this organisation alone (a need dispatched to it)."""
    return f",{code}," in (instance.routed_orgs or ",")


def follows(session: Session, user: User, instance_id: int) -> bool:
    """Whether the user is named on the case (its lead, a cooperating line's contact)."""
    return session.scalar(select(InstanceFollower.id).where(InstanceFollower.instance_id == instance_id,
                                                             InstanceFollower.user_id == user.id).limit(1)) is not None


def _routed_only(user: User) -> bool:
    """Whether the user sees cases only once routed to one of their roles."""
    return bool(user.role_ids & ROUTED_ROLES) and not user.role_ids & (VIEWER_ROLES - ROUTED_ROLES)


def routed_condition(user: User):
    """The WHERE condition of cases routed to the user, or None when they see every case of their communities.

    A department's users see only the cases dispatched to their department; street and district offices the
    cases offered to one of their roles."""
    department = department_of(user)
    if department is not None:
        return Instance.routed_orgs.contains(f",{department.code},", autoescape=True)
    if _routed_only(user):
        return or_(*(Instance.routed_roles.contains(f",{r},") for r in user.role_ids & ROUTED_ROLES))
    return None


def instances_in_scope(session: Session, user: User, status: str | None = None, limit: int = 200) -> list[Instance]:
    """The newest instances in the user's communities."""
    if not user.role_ids & VIEWER_ROLES:
        return []
    query = select(Instance).where(*scope_conditions(session, user))
    if status:
        query = query.where(Instance.status == status)
    query = query.options(joinedload(Instance.community))
    return list(session.scalars(query.order_by(Instance.id.desc()).limit(limit)))


def waiting_task_names(session: Session, instance_ids: list[int]) -> dict[int, list[str]]:
    """Instance id → names of its ready tasks, oldest first (in chunks, for long id lists)."""
    found: dict[int, list[str]] = {}
    for chunk in (instance_ids[n:n + 500] for n in range(0, len(instance_ids), 500)):
        rows = session.execute(select(ReadyTask.instance_id, ReadyTask.name)
                               .where(ReadyTask.instance_id.in_(chunk)).order_by(ReadyTask.created_at))
        for instance_id, name in rows:
            found.setdefault(instance_id, []).append(name)
    return found


def scope_conditions(session: Session, user: User) -> list:
    """WHERE conditions limiting instances to those the user may see (see visible_instance)."""
    if not user.role_ids & VIEWER_ROLES:
        return [Instance.id.is_(None)]
    conditions = [Instance.community_id.in_(community_ids_in_scope(session, user))]
    routed = routed_condition(user)
    if routed is not None:
        conditions.append(routed)
    return conditions


def history(session: Session, instance_id: int) -> list[AuditEvent]:
    """Every audit event of an instance, in order."""
    return list(session.scalars(select(AuditEvent).options(joinedload(AuditEvent.actor))
                                .where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)))


def first_responded_by(session: Session, user: User, limit: int = 200) -> list[Instance]:
    """The cases a person is first responder of (我首问的需求), newest first, wherever they now stand."""
    return list(session.scalars(select(Instance).options(joinedload(Instance.community))
                                .where(Instance.first_responder_id == user.id)
                                .order_by(Instance.id.desc()).limit(limit)))


def started_by(session: Session, user: User, limit: int = 50) -> list[Instance]:
    """The needs a person submitted themselves (a signed-in resident's own list)."""
    return list(session.scalars(select(Instance).where(Instance.started_by_id == user.id,
                                                       Instance.process_id == "need_lifecycle")
                                .order_by(Instance.id.desc()).limit(limit)))
