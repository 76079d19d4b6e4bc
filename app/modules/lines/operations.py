"""指定责任 / 兜底负责: name a need's lead and cooperating lines, record each line's report, the lead's sign-off."""
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, joinedload

from app import clock
from app.modules.lines.models import LineStatus, NeedLine
from app.people.models import User, UserRole
from app.people.org import Organisation
from app.people.roles import role_label
from app.status import change_status
from app.workflow.models.follower import InstanceFollower
from app.workflow.models.instance import Instance
from app.workflow.queries import visible_instance, waiting_task_names

PROCESS_ID = "need_lifecycle"
LINE_TASK, SIGN_OFF_TASK = "cooperate_line", "lead_sign_off"
# The diagram's elements these operations' records stand for: deploy refuses a version without them.
RELIED_ON = {PROCESS_ID: {"designate_lead": "the lead and lines of a need (我牵头的需求)",
                          LINE_TASK: "each cooperating line's report", SIGN_OFF_TASK: "the lead's sign-off"}}
LEAD_ROLES = ("community_worker", "party_secretary", "street_officer")
CONTACT_ROLES = ("community_worker", "party_secretary", "street_officer", "district_department")
MIN_LINES = 2
LEAD, LINE = "lead", "line"


def candidates(session: Session, community: Organisation, roles: tuple[str, ...]) -> list[User]:
    """Active users holding one of `roles` at the community, its grids, an office above it (street, district) or
    one of that district's departments."""
    above, current = [], community
    while current is not None:
        above.append(current.id)
        current = current.parent
    grids = select(Organisation.id).where(Organisation.parent_id == community.id)
    departments = select(Organisation.id).where(Organisation.parent_id.in_(above), Organisation.kind == "department")
    users = session.scalars(select(User).join(UserRole).where(
        UserRole.role.in_(roles), User.is_active.is_(True),
        or_(User.org_id.in_(above), User.org_id.in_(grids), User.org_id.in_(departments)))
        .order_by(User.org_id.desc(), User.username)).unique()
    return list(users)


def person_label(user: User, roles: tuple[str, ...]) -> str:
    """王芳（南山社区 社区工作者）: how a lead or contact is offered in a form."""
    held = [role_label(r) for r in roles if r in user.role_ids]
    return f"{user.display_name}（{user.org.name} {'、'.join(held)}）"


def designate(session: Session, instance: Instance, lead: User, lines: list[tuple[str, User]]) -> list[NeedLine]:
    """Name the lead and the lines (replacing any named before, e.g. on a reopened need); the lines, in order."""
    session.execute(delete(NeedLine).where(NeedLine.instance_id == instance.id))
    session.execute(delete(InstanceFollower).where(InstanceFollower.instance_id == instance.id,
                                                   InstanceFollower.reason.in_((LEAD, LINE))))
    rows = [NeedLine(instance_id=instance.id, community_id=instance.community_id, position=n, line_name=name,
                     contact_id=contact.id, lead_id=lead.id, status=LineStatus.PENDING, report="")
            for n, (name, contact) in enumerate(lines, start=1)]
    session.add_all(rows)
    followers = {(lead.id, LEAD)} | {(contact.id, LINE) for _, contact in lines}
    session.add_all([InstanceFollower(instance_id=instance.id, user_id=uid, reason=why) for uid, why in followers])
    session.flush()
    return rows


def line_at(session: Session, instance: Instance, position: int) -> NeedLine | None:
    """The case's line at `position`."""
    return session.scalars(select(NeedLine).where(NeedLine.instance_id == instance.id,
                                                  NeedLine.position == int(position))).first()


def record_report(line: NeedLine, report: str) -> tuple[str, str]:
    """Mark a line done with its report; (status before, after)."""
    before, after = change_status(line, LineStatus, LineStatus.DONE)
    line.report, line.reported_at = report, clock.now()
    return before, after


def send_back(session: Session, instance: Instance) -> list[NeedLine]:
    """The lead sent the lines back: each is to report again (a new round, the last report kept until then)."""
    rows = lines_of(session, instance.id)
    for line in rows:
        change_status(line, LineStatus, LineStatus.PENDING)
        line.rounds += 1
    return rows


def lines_of(session: Session, instance_id: int) -> list[NeedLine]:
    """A need's cooperating lines, in order, with their contacts."""
    return list(session.scalars(select(NeedLine).options(joinedload(NeedLine.contact), joinedload(NeedLine.lead))
                                .where(NeedLine.instance_id == instance_id).order_by(NeedLine.position)))


def led_by(session: Session, user: User, limit: int = 200) -> list[dict]:
    """The needs this user leads (我牵头的需求), newest first: the case, its lines and the steps waiting."""
    instances = list(session.scalars(
        select(Instance).options(joinedload(Instance.community)).join(
            InstanceFollower, InstanceFollower.instance_id == Instance.id)
        .where(InstanceFollower.user_id == user.id, InstanceFollower.reason == LEAD)
        .order_by(Instance.id.desc()).limit(limit)))
    waiting = waiting_task_names(session, [i.id for i in instances])
    return [{"instance": i, "lines": lines_of(session, i.id), "waiting": waiting.get(i.id, [])} for i in instances]


def case_lines(session: Session, user: User, instance_id: int) -> dict:
    """One need's lead view: the case (if the user may see it), its lead, its lines and the steps waiting."""
    instance = visible_instance(session, user, instance_id)
    lines = lines_of(session, instance.id)
    return {"instance": instance, "lines": lines, "lead": lines[0].lead if lines else None,
            "waiting": waiting_task_names(session, [instance.id]).get(instance.id, [])}


def line_json(line: NeedLine) -> dict:
    """A line as the API gives it."""
    return {"position": line.position, "line": line.line_name, "contact": line.contact.username,
            "contact_name": line.contact.display_name, "status": line.status, "report": line.report,
            "rounds": line.rounds, "reported_at": line.reported_at.isoformat() if line.reported_at else None}
