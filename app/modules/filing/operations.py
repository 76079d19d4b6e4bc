"""Filing (一备案): a decision reported to the street gets a number, sequential per street and year, and a
receipt the community prints; a rejected project is filed too. Guard → act → record; never commits."""
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.modules.decision.models import Meeting, Project
from app.modules.disclosure.models import Disclosure
from app.modules.filing.models import Filing, FilingOutcome
from app.people.models import User
from app.people.org import Organisation
from app.people.policy import PROJECT_STAFF, holds_any
from app.people.scope import community_ids_in_scope
from app.workflow import audit
from app.workflow.trial import TRIAL_KIND
from app.errors import Forbidden, NotFound, Refusal

RECEIPT_PATH = "/filings/{id}/receipt"  # the page blueprint's route (app.modules.filing.pages)
NOTE_LENGTH = 2000


def street_of(community: Organisation) -> Organisation:
    """The street office a community files with (the organisation above it of kind street; itself if none)."""
    org = community
    while org is not None and org.kind != "street":
        org = org.parent
    return org or community


def number_prefix(street: Organisation) -> str:
    """The district and street part of a filing number: 芝罘区-幸福街道."""
    district = street.parent
    return f"{district.name}-{street.name}" if district is not None and district.kind == "district" else street.name


def file_project(session: Session, project: Project, outcome: str, note: str, actor: User | None,
                 filed_on: date) -> Filing:
    """File the project's decision with its street under the next number of that street's year.

    Two filings in one street at the same moment queue on the street's row (PostgreSQL: a row lock; SQLite:
    the database's write lock), so the second counts after the first has committed; the unique key on
    (street, year, sequence) would refuse a number taken twice. No savepoint: releasing one would write the
    audit events the engine run has queued before their instance is known."""
    if outcome not in tuple(FilingOutcome):
        raise Refusal("a filing's outcome is one of %(outcomes)s, not %(outcome)s",
                      outcomes=", ".join(FilingOutcome), outcome=outcome)
    street = street_of(project.community)
    session.execute(select(Organisation.id).where(Organisation.id == street.id).with_for_update())
    sequence = 1 + (session.scalar(select(func.max(Filing.sequence)).where(
        Filing.street_id == street.id, Filing.year == filed_on.year)) or 0)
    filing = Filing(project_id=project.id, street_id=street.id, year=filed_on.year, sequence=sequence,
                    number=f"{number_prefix(street)}-{filed_on.year}-{sequence:04d}", filed_on=filed_on,
                    filed_by_id=actor.id if actor else None, outcome=outcome, note=str(note or "")[:NOTE_LENGTH])
    session.add(filing)
    session.flush()
    audit.record(session, "decision_filed", actor, summary=f"{filing.number}: {project.title}",
                 changes={"filing": [None, filing.number], "outcome": [None, outcome]})
    return filing


def latest_filing(session: Session, project_id: int) -> Filing | None:
    """The project's newest filing (a project decided again after a poor rating is filed again)."""
    return session.scalars(select(Filing).where(Filing.project_id == project_id)
                           .order_by(Filing.id.desc()).limit(1)).first()


def filing_json(filing: Filing | None) -> dict | None:
    """A filing as the project endpoints give it."""
    if filing is None:
        return None
    return {"number": filing.number, "outcome": filing.outcome, "filed_on": filing.filed_on.isoformat(),
            "note": filing.note, "receipt_url": RECEIPT_PATH.format(id=filing.id)}


def receipt_filing(session: Session, user: User, filing_id: int) -> Filing:
    """A filing whose receipt this user may print: project staff of its community (404 for a trial's)."""
    filing = session.get(Filing, filing_id)
    project = session.get(Project, filing.project_id) if filing else None
    if project is None or project.community.kind == TRIAL_KIND:
        raise NotFound("no such filing")
    if not holds_any(user, PROJECT_STAFF) or project.community_id not in community_ids_in_scope(session, user):
        raise Forbidden("this filing is outside your communities")
    return filing


def receipt(session: Session, filing: Filing) -> dict:
    """What the receipt (备案回执) shows: the project, its community, each deliberation of this decision with its
    date and result, the decision notice's period, the filing and who filed it."""
    project = session.get(Project, filing.project_id)
    earlier = session.scalar(select(func.max(Filing.created_at)).where(
        Filing.project_id == project.id, Filing.id < filing.id))
    meetings = select(Meeting).where(Meeting.project_id == project.id, Meeting.recorded_at <= filing.created_at)
    notices = select(Disclosure).where(Disclosure.project_id == project.id, Disclosure.kind == "decision",
                                       Disclosure.starts_at <= filing.created_at)
    if earlier is not None:  # only this decision's records, not those of a decision filed before
        meetings = meetings.where(Meeting.recorded_at > earlier)
        notices = notices.where(Disclosure.starts_at > earlier)
    filer = session.get(User, filing.filed_by_id) if filing.filed_by_id else None
    return {"filing": filing, "project": project, "community": project.community, "street": filing.street,
            "meetings": list(session.scalars(meetings.order_by(Meeting.id))),
            "notice": session.scalars(notices.order_by(Disclosure.id.desc()).limit(1)).first(),
            "filed_by": filer.display_name if filer else ""}
