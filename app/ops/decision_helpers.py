"""Diagram functions for 五议两公开一备案: registers, meetings, ballots, disclosures, objections."""
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..db import utcnow
from ..engine import clock
from ..models import (Ballot, CommunityRegister, Disclosure, Instance, Meeting, Objection, Organisation, Project, User,
                      UserRole)
from . import audit
from .diagram_helpers import bound

DISCLOSURE_KINDS = ("collection", "decision", "implementation", "results", "effect", "annual", "rejection")
VOTES = ("for", "against", "abstain")


def register_size(community, body) -> int:
    """Members on record for a community's body (the denominator of its quorum rules)."""
    session, _ = bound()
    members = session.scalar(select(CommunityRegister.members).join(
        Organisation, CommunityRegister.community_id == Organisation.id).where(
        Organisation.code == str(community), CommunityRegister.body == str(body)))
    if members is None:
        raise ValueError(f"no register of '{body}' for community {community}: an administrator must record it")
    return members


def register_project(project_key, community, title) -> bool:
    """Put the project on the projects list (项目清单) when its decision starts."""
    session, _ = bound()
    if session.scalars(select(Project).where(Project.project_key == str(project_key))).first() is None:
        need = session.execute(select(Instance.id, Instance.category).where(
            Instance.business_key == str(project_key))).first()
        session.add(Project(project_key=str(project_key), community_id=_community_id(community),
                            title=str(title)[:200], started_at=clock.now(),
                            instance_id=need.id if need else None, category=need.category if need else None))
    return True


def set_project_status(project_key, status) -> bool:
    """Record where the project stands (deciding, disclosed, filed, rejected, …)."""
    session, actor = bound()
    project = session.scalars(select(Project).where(Project.project_key == str(project_key))).one()
    audit.record(session, "project_status_changed", actor, summary=f"{project_key}: {project.status} → {status}",
                 changes={"project_key": project_key, "status": [project.status, str(status)]})
    project.status = str(status)
    if status in ("filed", "rejected"):
        project.decided_at = clock.now()
    if status == "completed":
        project.completed_at = clock.now()
    return True


def save_meeting(project_key, meeting, record) -> int:
    """Store one deliberation as the public record, with the rule's verdict."""
    session, actor = bound()
    record = dict(record)
    row = Meeting(project_key=str(project_key), community_id=_community_id(record.get("community")),
                  meeting=str(meeting), held_on=_date(record.get("meeting_date")),
                  notice_date=_date(record.get("notice_date")), assembly=str(record.get("assembly") or ""),
                  members_total=int(record.get("members_total") or 0), present=int(record.get("present") or 0),
                  votes_for=int(record.get("votes_for") or 0), votes_against=int(record.get("votes_against") or 0),
                  abstain=int(record.get("abstain") or 0), evidence_count=int(record.get("evidence_count") or 0),
                  minutes=str(record.get("minutes") or ""), is_valid=bool(record.get("valid")),
                  passed=bool(record.get("passed")), reason=str(record.get("reason") or "")[:300],
                  recorded_by_id=actor.id if actor else None)
    session.add(row)
    session.flush()
    return row.id


def open_disclosure(kind, community, project_key, title, text, days) -> int:
    """Post a public notice for `days` days (0: no publicity period)."""
    session, actor = bound()
    if kind not in DISCLOSURE_KINDS:
        raise ValueError(f"unknown disclosure kind {kind}")
    starts = clock.now()  # the engine's time, so a moved clock (timers run --now) moves publicity too
    notice = Disclosure(kind=str(kind), community_id=_community_id(community), project_key=str(project_key),
                        title=str(title)[:200], text=str(text), starts_at=starts,
                        ends_at=starts + timedelta(days=int(days)) if int(days) > 0 else None)
    session.add(notice)
    session.flush()
    audit.record(session, "disclosure_opened", actor, summary=f"{kind}: {title}",
                 changes={"disclosure_id": [None, notice.id], "kind": [None, kind], "days": [None, int(days)]})
    return notice.id


def objection_state(disclosure_id) -> str:
    """"open" if an objection awaits its answer, "unsettled" if one was not settled, else "clear"."""
    session, _ = bound()
    # Wait for any objection being filed right now (it holds this lock) before judging the period.
    session.execute(select(Disclosure.id).where(Disclosure.id == int(disclosure_id)).with_for_update())
    statuses = set(session.scalars(select(Objection.status).where(Objection.disclosure_id == int(disclosure_id))))
    return "open" if "open" in statuses else "unsettled" if "unsettled" in statuses else "clear"


def answer_objection_record(objection_id, settled, answer) -> bool:
    """Record the committee's answer to an objection."""
    session, _ = bound()
    objection = session.get(Objection, int(objection_id))
    objection.status = "settled" if settled else "unsettled"
    objection.answer, objection.answered_at = str(answer), utcnow()
    return True


def committee_roster(community) -> list[str]:
    """Usernames of the community's two-committee members (for online voting)."""
    session, _ = bound()
    return list(session.scalars(select(User.username).join(UserRole).where(
        UserRole.role == "committee_member", User.org_id == _community_id(community), User.is_active.is_(True))
        .order_by(User.username)))


def cast_ballot(ballot_key, voter, vote) -> bool:
    """Store one member's vote; a second vote by the same member on the same ballot is refused."""
    session, _ = bound()
    if vote not in VOTES:
        raise ValueError(f"vote must be one of {VOTES}")
    voter_id = session.scalar(select(User.id).where(User.username == str(voter)))
    try:
        with session.begin_nested():
            session.add(Ballot(ballot_key=str(ballot_key), voter_id=voter_id, vote=vote))
    except IntegrityError:
        raise ValueError(f"{voter} has already voted") from None
    return True


def tally_ballots(ballot_key) -> dict:
    """The count of ballots cast, by vote."""
    session, _ = bound()
    counts = dict(session.execute(select(Ballot.vote, func.count()).where(Ballot.ballot_key == str(ballot_key))
                                  .group_by(Ballot.vote)).all())
    return {"present": sum(counts.values()), "votes_for": counts.get("for", 0),
            "votes_against": counts.get("against", 0), "abstain": counts.get("abstain", 0)}


def days_between(start, end) -> int:
    """Whole days from one ISO date to another."""
    return (date.fromisoformat(str(end)[:10]) - date.fromisoformat(str(start)[:10])).days


def _community_id(code) -> int:
    session, _ = bound()
    found = session.scalar(select(Organisation.id).where(Organisation.code == str(code)))
    if found is None:
        raise ValueError(f"unknown community {code}")
    return found


def _date(value) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


DECISION_HELPERS = {f.__name__: f for f in (
    register_size, register_project, set_project_status, save_meeting, open_disclosure, objection_state,
    answer_objection_record, committee_roster, cast_ballot, tally_ballots, days_between)}
