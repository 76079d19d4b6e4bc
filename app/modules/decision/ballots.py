"""The clerk's side of an online vote: a two-committee member without an account has their vote recorded."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.modules.decision.models import VOTES
from app.modules.decision.models import Ballot, RegisterMember
from app.modules.decision.registers import on_register, today
from app.people.models import User
from app.people.policy import BALLOT_CLERKS
from app.people.scope import community_ids_in_scope
from app.workflow import audit
from app.workflow.instances import current_data
from app.workflow.models.instance import Instance, ReadyTask


def record_ballot(session: Session, clerk: User, instance_id: int, fields: dict) -> Ballot:
    """Record a member's vote on the case's open online vote, for a member without an account, with the reason."""
    instance = _open_vote(session, clerk, instance_id)
    member, vote, reason = _checked(session, instance, fields)
    key = str(current_data(session, instance)["ballot_key"])
    try:
        with session.begin_nested():
            ballot = Ballot(ballot_key=key, instance_id=instance.id, member_id=member.id, vote=vote,
                            recorded_by_id=clerk.id, reason=reason)
            session.add(ballot)
    except IntegrityError:
        raise Conflict("%(name)s has already voted", params={"name": member.name}) from None
    audit.record(session, "ballot_recorded", clerk, instance=instance, summary=f"{key}: {member.name}",
                 changes={"ballot_key": key, "member_id": member.id, "vote": [None, vote], "reason": reason})
    return ballot


def vote_sheet(session: Session, clerk: User, instance_id: int) -> tuple[Instance, list[tuple[RegisterMember, bool]]]:
    """The open online vote's roster (the two-committee register) with whether each member has voted."""
    instance = _open_vote(session, clerk, instance_id)
    key = str(current_data(session, instance)["ballot_key"])
    voted = set(session.scalars(select(Ballot.member_id).where(Ballot.ballot_key == key)))
    roster = session.scalars(on_register(select(RegisterMember).where(
        RegisterMember.community_id == instance.community_id, RegisterMember.body == "two_committees"), today())
        .order_by(RegisterMember.id)).all()
    return instance, [(m, m.id in voted) for m in roster]


def _open_vote(session: Session, clerk: User, instance_id: int) -> Instance:
    """The case, if the clerk may record its votes and its online vote is open."""
    instance = session.get(Instance, instance_id)
    if instance is None:
        raise NotFound("no such instance")
    if not clerk.role_ids & BALLOT_CLERKS or instance.community_id not in community_ids_in_scope(session, clerk):
        raise Forbidden("only the community's workers and party secretary record votes for members")
    if session.scalar(select(ReadyTask.id).where(ReadyTask.instance_id == instance.id,
                                                 ReadyTask.bpmn_id == "committee_vote").limit(1)) is None:
        raise Conflict("this case has no online vote open")
    return instance


def _checked(session: Session, instance: Instance, fields: dict) -> tuple[RegisterMember, str, str]:
    problems = {}
    vote, reason = fields.get("vote"), str(fields.get("reason") or "").strip()
    if vote not in VOTES:
        problems["vote"] = "choose one of the offered options"
    if not reason:
        problems["reason"] = "required"
    member = session.scalars(on_register(select(RegisterMember).where(
        RegisterMember.id == _int(fields.get("member_id")), RegisterMember.community_id == instance.community_id,
        RegisterMember.body == "two_committees"), today())).first()
    if member is None:
        problems["member_id"] = "not on the two-committee register"
    elif member.user_id is not None:
        problems["member_id"] = "this member has an account and votes in person"
    if problems:
        raise Invalid("some fields need correcting", problems)
    return member, vote, reason[:300]


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
