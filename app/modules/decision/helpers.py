"""Diagram functions for the decision (五议): projects' status, meetings and ballots (registers: sign_in.py)."""
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.modules.decision import meetings
from app.modules.decision.models import VOTES, Ballot, Meeting, Project, ProjectStatus, RegisterMember
from app.modules.decision.registers import on_register, today
from app.modules.decision.sign_in import record_sign_in, register_roster, register_size, sign_in
from app.people.models import User
from app.workflow.models.instance import Instance
from app.status import change_status
from app.errors import Refusal
from app.workflow.helpers import (OutsideCase, bound, case, own_community, own_key, own_record, record_write,
                                  report_verdict)



def register_project(project_key, community, title) -> bool:
    """Put the case's project on the projects list (项目清单) when its decision starts."""
    session, _ = bound()
    key, found = own_key(project_key), own_community(community)
    if session.scalars(select(Project).where(Project.project_key == key)).first() is None:
        instance = case().instance
        session.add(Project(project_key=key, community_id=found.id, title=str(title)[:200], started_at=clock.now(),
                            instance_id=instance.id, category=instance.category))
        record_write("project_registered", summary=f"{key}: {title}", changes={"project_key": [None, key]})
    return True


def set_project_status(project_key, status) -> bool:
    """Record where the case's project stands (deciding, disclosed, filed, rejected, …); an unknown status, or
    one the project cannot go to from where it stands, fails the script with the reason."""
    session, actor = bound()
    project = _own_project(session, project_key)
    before, after = change_status(project, ProjectStatus, status)
    record_write("project_status_changed", summary=f"{project_key}: {before} → {after}",
                 changes={"project_key": project_key, "status": [before, after]})
    if after in (ProjectStatus.FILED, ProjectStatus.REJECTED):
        project.decided_at = clock.now()
    if after == ProjectStatus.COMPLETED:
        project.completed_at = clock.now()
    return True


def save_meeting(project_key, meeting, record) -> int:
    """Store one deliberation of the case's project as its meeting record, with the rule's verdict.

    The record is checked first (meetings.check_record: dates in order, votes within attendance, the body's
    convener and chair, the notice's delivery record); a record that breaks a rule refuses the submission."""
    session, actor = bound()
    record = dict(record)
    key, found = own_key(project_key), own_community(record.get("community"))
    project = session.scalars(select(Project).where(Project.project_key == key)).first()
    recorded = session.scalar(select(func.min(Instance.created_at)).where(
        Instance.business_key == key, Instance.community_id == found.id)) or case().instance.created_at
    held_at = meetings.check_record(session, project, recorded, str(meeting), record)
    row = Meeting(project_id=project.id if project else None, community_id=found.id,
                  meeting=str(meeting), held_on=_date(record.get("meeting_date")),
                  notice_date=_date(record.get("notice_date")), assembly=str(record.get("assembly") or ""),
                  members_total=int(record.get("members_total") or 0), present=int(record.get("present") or 0),
                  votes_for=int(record.get("votes_for") or 0), votes_against=int(record.get("votes_against") or 0),
                  abstain=int(record.get("abstain") or 0), evidence_count=int(record.get("evidence_count") or 0),
                  minutes=str(record.get("minutes") or ""), is_valid=bool(record.get("valid")),
                  passed=bool(record.get("passed")), reason=str(record.get("reason") or "")[:300],
                  recorded_by_id=actor.id if actor else None, **_meeting_record(record, held_at))
    session.add(row)
    session.flush()
    record_write("meeting_recorded", summary=f"{key}: {meeting}: {row.reason}",
                 changes={"meeting_id": [None, row.id], "valid": [None, row.is_valid], "passed": [None, row.passed]})
    report_verdict(meetings.verdict_of(row))
    return row.id


def _meeting_record(record: dict, held_at) -> dict:
    """The meeting record's own columns (会议记录): when, where, who convened, chaired and recorded, and what."""
    text = {name: str(record.get(name) or "")[:size] for name, size in (
        ("place", 200), ("convener", 32), ("chair", 50), ("chair_post", 32), ("recorder", 50), ("observers", 1000),
        ("agenda", 1000), ("discussion", 10000))}
    return text | {"held_at": held_at, "is_online": bool(record.get("online"))}


def committee_roster(community) -> list[str]:
    """Usernames of the members on the case community's two-committee register who have an account: each gets
    their own ballot (members without one have their vote recorded by the clerk, with the reason)."""
    session, _ = bound()
    found = own_community(community)
    query = on_register(select(User.username).join(RegisterMember, RegisterMember.user_id == User.id).where(
        RegisterMember.community_id == found.id, RegisterMember.body == "two_committees",
        User.is_active.is_(True)), today())
    return list(dict.fromkeys(session.scalars(query.order_by(RegisterMember.id))))


def cast_ballot(ballot_key, voter, vote) -> bool:
    """Store the acting member's own vote on a ballot of this case; a second vote on it is refused."""
    session, actor = bound()
    if vote not in VOTES:
        raise Refusal("vote must be one of %(votes)s", votes=", ".join(VOTES))
    key = _own_ballot(ballot_key)
    if actor is None or str(voter) != actor.username:
        raise OutsideCase("a ballot is cast only by the member submitting it, not for %(voter)s", voter=voter)
    member = session.scalars(on_register(select(RegisterMember).where(
        RegisterMember.user_id == actor.id, RegisterMember.body == "two_committees",
        RegisterMember.community_id == case().community.id), today())).first()
    if member is None:
        raise OutsideCase("%(voter)s is not on the two-committee register of this case's community", voter=voter)
    store_ballot(session, key, case().instance.id, member, vote, voter_id=actor.id)
    record_write("ballot_cast", summary=f"{key}: {voter}", changes={"ballot_key": key, "vote": [None, vote]})
    return True


def store_ballot(session, key: str, instance_id: int, member: RegisterMember, vote: str, **fields) -> Ballot:
    """One member's vote on a ballot; a second vote by the same member (or account) is refused."""
    try:
        with session.begin_nested():
            ballot = Ballot(ballot_key=key, instance_id=instance_id, member_id=member.id, vote=vote, **fields)
            session.add(ballot)
    except IntegrityError:
        raise Refusal("%(voter)s has already voted", voter=member.name) from None
    return ballot


def tally_ballots(ballot_key) -> dict:
    """The count of ballots cast on a ballot of this case, by vote, and the sheet of who voted."""
    session, _ = bound()
    key = _own_ballot(ballot_key)
    counts = dict(session.execute(select(Ballot.vote, func.count()).where(Ballot.ballot_key == key)
                                  .group_by(Ballot.vote)).all())
    voted = [str(m) for m in session.scalars(select(Ballot.member_id).where(Ballot.ballot_key == key,
                                                                            Ballot.member_id.is_not(None)))]
    return {"present": sum(counts.values()), "votes_for": counts.get("for", 0),
            "votes_against": counts.get("against", 0), "abstain": counts.get("abstain", 0),
            "sheet": {"attendees": voted, "excused": [], "excused_reason": ""}}


def days_between(start, end) -> int:
    """Whole days from one ISO date to another."""
    return (date.fromisoformat(str(end)[:10]) - date.fromisoformat(str(start)[:10])).days


def _own_project(session, project_key) -> Project:
    """The case's project (its key is the case's business key)."""
    project = session.scalars(select(Project).where(Project.project_key == own_key(project_key))).first()
    if project is None:
        raise Refusal("no project %(key)s", key=project_key)
    return own_record(project, f"project {project_key}")


def _own_ballot(ballot_key) -> str:
    """A ballot key of this case: the case's business key, a colon, then the round."""
    key, own = str(ballot_key), case().key
    if own is None or not key.startswith(own + ":"):
        raise OutsideCase("ballot %(key)s is not one of this case's ballots: a process acts only on its own case",
                          key=key)
    return key


def _date(value) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


HELPERS = {f.__name__: f for f in (
    register_size, register_project, set_project_status, save_meeting, committee_roster, cast_ballot, tally_ballots,
    days_between, register_roster, sign_in, record_sign_in)}
