"""Diagram functions for the decision (五议): registers, projects' status, meetings and ballots."""
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.modules.decision import meetings
from app.modules.decision.models import Ballot, CommunityRegister, Meeting, Project, ProjectStatus
from app.people.models import User, UserRole
from app.workflow.models.instance import Instance
from app.status import change_status
from app.errors import Refusal
from app.workflow.helpers import (OutsideCase, bound, case, own_community, own_key, own_record, record_write,
                                  report_verdict)

VOTES = ("for", "against", "abstain")


def register_size(community, body) -> int:
    """Members on record for the case community's body (the denominator of its quorum rules)."""
    session, _ = bound()
    found = own_community(community)
    members = session.scalar(select(CommunityRegister.members).where(
        CommunityRegister.community_id == found.id, CommunityRegister.body == str(body)))
    if members is None:
        raise Refusal("no register of '%(body)s' for community %(community)s: an administrator must record it",
                      body=body, community=community)
    return members


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
    """Usernames of the case community's two-committee members (for online voting)."""
    session, _ = bound()
    found = own_community(community)
    return list(session.scalars(select(User.username).join(UserRole).where(
        UserRole.role == "committee_member", User.org_id == found.id, User.is_active.is_(True))
        .order_by(User.username)))


def cast_ballot(ballot_key, voter, vote) -> bool:
    """Store the acting member's own vote on a ballot of this case; a second vote on it is refused."""
    session, actor = bound()
    if vote not in VOTES:
        raise Refusal("vote must be one of %(votes)s", votes=", ".join(VOTES))
    key = _own_ballot(ballot_key)
    if actor is None or str(voter) != actor.username:
        raise OutsideCase("a ballot is cast only by the member submitting it, not for %(voter)s", voter=voter)
    if "committee_member" not in actor.role_ids or actor.org_id != case().community.id:
        raise OutsideCase("%(voter)s is not a two-committee member of this case's community", voter=voter)
    try:
        with session.begin_nested():
            session.add(Ballot(ballot_key=key, instance_id=case().instance.id, voter_id=actor.id, vote=vote))
    except IntegrityError:
        raise Refusal("%(voter)s has already voted", voter=voter) from None
    record_write("ballot_cast", summary=f"{key}: {voter}", changes={"ballot_key": key, "vote": [None, vote]})
    return True


def tally_ballots(ballot_key) -> dict:
    """The count of ballots cast on a ballot of this case, by vote."""
    session, _ = bound()
    key = _own_ballot(ballot_key)
    counts = dict(session.execute(select(Ballot.vote, func.count()).where(Ballot.ballot_key == key)
                                  .group_by(Ballot.vote)).all())
    return {"present": sum(counts.values()), "votes_for": counts.get("for", 0),
            "votes_against": counts.get("against", 0), "abstain": counts.get("abstain", 0)}


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
    days_between)}
