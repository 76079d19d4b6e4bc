"""Public disclosures (公示) and the objections residents file against them."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app import clock
from app.modules.disclosure.models import Disclosure, Objection
from app.workflow.models.instance import Instance
from app.modules.decision.models import Meeting, Project
from app.people.org import Organisation
from app.workflow import audit
from app.errors import Conflict, Invalid, NotFound
from app.workflow.instances import start_process
from app.workflow.trial import TRIAL_KIND, is_public

OBJECTION_PROCESS = "objection_handling"
# Started only by an objection against a notice: POST /api/processes/…/instances refuses it.
STARTED_BY = {OBJECTION_PROCESS: "POST /api/public/disclosures/<id>/objections"}
DECISION_TARGET_DAYS = 20


def disclosures(session: Session, community: str | None = None, kind: str | None = None,
                limit: int = 100) -> list[Disclosure]:
    """The newest disclosures, optionally of one community or kind."""
    query = (select(Disclosure).options(joinedload(Disclosure.community)).order_by(Disclosure.id.desc()).limit(limit)
             .where(Disclosure.community.has(is_public(Organisation.kind))))
    if community:
        query = query.where(Disclosure.community.has(Organisation.code == community))
    if kind:
        query = query.where(Disclosure.kind == kind)
    return list(session.scalars(query))


def disclosure(session: Session, disclosure_id: int) -> Disclosure:
    """One disclosure, or 404."""
    found = session.get(Disclosure, disclosure_id)
    if found is None or found.community.kind == TRIAL_KIND:  # a trial's notices are never public
        raise NotFound("no such disclosure")
    return found


def is_open(notice: Disclosure, at: datetime | None = None) -> bool:
    """Whether the publicity period is running (objections accepted), by the engine's clock."""
    at = at or clock.now()
    return notice.ends_at is not None and notice.starts_at <= at < notice.ends_at


def file_objection(session: Session, disclosure_id: int, payload) -> Objection:
    """A resident objects during the publicity period; the committee must answer within 3 days."""
    notice = disclosure(session, disclosure_id)
    content = payload.get("content") if isinstance(payload, dict) else None
    contact = payload.get("contact", "") if isinstance(payload, dict) else ""
    if not isinstance(content, str) or not content.strip() or len(content) > 2000:
        raise Invalid("say what you object to (at most 2000 characters)", {"content": "required"})
    if not isinstance(contact, str) or len(contact) > 100:
        raise Invalid("the contact is too long", {"contact": "too long"})
    # Under the notice's row lock: the period's end (objection_state) and this filing never interleave.
    session.execute(select(Disclosure.id).where(Disclosure.id == notice.id).with_for_update())
    if not is_open(notice):
        raise Conflict("this notice is not in its publicity period: objections are not accepted now")
    objection = Objection(disclosure_id=notice.id, content=content.strip(), contact=contact.strip())
    session.add(objection)
    session.flush()
    start = {"objection_id": objection.id, "disclosure_id": notice.id, "content": objection.content,
             "community": notice.community.code, "project_key": notice.project_key or "", "title": notice.title}
    with audit.acting_as("resident"):
        instance = start_process(session, OBJECTION_PROCESS, start, notice.community, None,
                                 business_key=f"OBJ{objection.id}")
    objection.instance_id = instance.id
    audit.record(session, "objection_filed", None, instance=instance, actor_name="resident",
                 summary=notice.title, changes={"disclosure_id": [None, notice.id],
                                                "objection_id": [None, objection.id]})
    return objection


def disclosure_json(session: Session, notice: Disclosure) -> dict:
    """A disclosure as the public sees it (never the objectors' contacts)."""
    project = notice.project
    return {
        # The project's own id: project keys are tracking codes, which act as residents' credentials.
        "id": notice.id, "kind": notice.kind, "project": project.id if project else None, "title": notice.title,
        "text": notice.text, "community": notice.community.code, "starts_at": notice.starts_at.isoformat(),
        "ends_at": notice.ends_at.isoformat() if notice.ends_at else None, "open": is_open(notice),
        "objections": len(notice.objections),
        "answers": [{"at": o.created_at.isoformat(), "content": o.content, "status": o.status, "answer": o.answer}
                    for o in notice.objections],
        "project_days": project_days(session, notice.project_id),
        "meetings": [{"meeting": m.meeting, "held_on": m.held_on.isoformat() if m.held_on else None,
                      "members_total": m.members_total, "present": m.present, "votes_for": m.votes_for,
                      "votes_against": m.votes_against, "abstain": m.abstain, "valid": m.is_valid,
                      "passed": m.passed, "reason": m.reason} for m in meetings_of(session, notice.project_id)],
    }


def project_days(session: Session, project_id: int | None) -> dict | None:
    """Days the project's decision has taken against the 20-day target."""
    project = session.get(Project, project_id) if project_id else None
    if project is None:
        return None
    end = project.decided_at or clock.now()
    elapsed = (end - project.started_at).days
    return {"started_at": project.started_at.isoformat(), "elapsed_days": elapsed, "target_days": DECISION_TARGET_DAYS,
            "late": elapsed > DECISION_TARGET_DAYS, "status": project.status}


def meetings_of(session: Session, project_id: int | None) -> list[Meeting]:
    """A project's valid deliberations in the order they were held: a void meeting stays in the case's history
    and its staff's records, never on a public notice."""
    if not project_id:
        return []
    return list(session.scalars(select(Meeting).where(Meeting.project_id == project_id, Meeting.is_valid.is_(True))
                                .order_by(Meeting.held_at, Meeting.id)))


def collected_needs(session: Session, community: str | None = None, limit: int = 100) -> list[dict]:
    """征集公开: the needs collected, anonymised (title, category, when, status, supporters)."""
    query = (select(Instance.title, Instance.category, Instance.created_at, Instance.status, Instance.outcome,
                    Instance.supporters, Organisation.name)
             .join(Organisation, Instance.community_id == Organisation.id)
             .where(Instance.process_id == "need_lifecycle", is_public(Organisation.kind))
             .order_by(Instance.id.desc()).limit(limit))
    if community:
        query = query.where(Organisation.code == community)
    return [row._asdict() for row in session.execute(query)]


