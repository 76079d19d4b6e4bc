"""Public disclosures (公示) and the objections residents file against them."""
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app import clock
from app.modules.disclosure.models import RECORDED_CHANNELS, Disclosure, Objection
from app.modules.disclosure.notices import china_day, issuer_of, notice_heading, period_text, without_phones
from app.workflow.attachments import add_attachments
from app.workflow.models.attachment import Attachment
from app.workflow.models.instance import ENDED, Instance
from app.modules.decision.models import Meeting, Project
from app.people.models import User, UserRole
from app.people.org import Organisation
from app.people.policy import RESIDENT_ROLES, holds_any
from app.people.roles import WORKER_ROLES
from app.people.scope import community_ids_in_scope
from app.workflow import audit
from app.errors import Conflict, Forbidden, Invalid, NotFound
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
    """Whether objections are accepted: the period runs by the engine's clock AND its process still waits in it
    (not closed by the process, not replaced by a newer notice, its case not ended)."""
    at = at or clock.now()
    in_period = notice.ends_at is not None and notice.starts_at <= at < notice.ends_at
    return in_period and closed_reason(notice) is None


def closed_reason(notice: Disclosure) -> str | None:
    """Why the process no longer takes objections to the notice ("superseded", "ended"), or None."""
    if notice.superseded_by_id is not None:
        return "superseded"
    case = notice.instance
    if notice.closed_at is not None or (case is not None and case.status in ENDED):
        return "ended"
    return None


def file_objection(session: Session, disclosure_id: int, payload, objector: User | None = None) -> Objection:
    """Someone objects online during the publicity period (signed in: told the answer in-app)."""
    notice = disclosure(session, disclosure_id)
    content, contact = _objection_text(payload)
    objection = Objection(content=content, contact=contact, channel="online",
                          objector_id=objector.id if objector else None)
    return _filed(session, notice, objection, None)


def record_objection(session: Session, disclosure_id: int, payload, worker: User) -> Objection:
    """A worker records an objection made in person, by phone or in writing; it is handled like one made online."""
    notice = disclosure(session, disclosure_id)
    if not holds_any(worker, WORKER_ROLES) or notice.community_id not in community_ids_in_scope(session, worker):
        raise Forbidden("only the community's workers record objections made in person, by phone or in writing")
    content, contact = _objection_text(payload)
    name, channel, account = (payload.get(k) for k in ("objector_name", "channel", "objector_account"))
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise Invalid("give the objector's name (at most 100 characters)", {"objector_name": "required"})
    if channel not in RECORDED_CHANNELS:
        raise Invalid("say how the objection was made: in person, by phone or in writing",
                      {"channel": "in person, by phone or in writing"})
    objector = _resident_account(session, account, notice.community_id)
    if not contact and objector is None:
        raise Invalid("leave a contact (phone) or the objector's account, so that they can be told the answer",
                      {"contact": "required"})
    objection = Objection(content=content, contact=contact, channel=channel, objector_name=name.strip(),
                          objector_id=objector.id if objector else None, recorded_by_id=worker.id)
    return _filed(session, notice, objection, worker)


def _objection_text(payload) -> tuple[str, str]:
    content = payload.get("content") if isinstance(payload, dict) else None
    contact = payload.get("contact", "") if isinstance(payload, dict) else ""
    if not isinstance(content, str) or not content.strip() or len(content) > 2000:
        raise Invalid("say what you object to (at most 2000 characters)", {"content": "required"})
    if not isinstance(contact, str) or len(contact) > 100:
        raise Invalid("the contact is too long", {"contact": "too long"})
    return content.strip(), contact.strip()


def _resident_account(session: Session, username, community_id: int) -> User | None:
    """The objector's own account: an active resident of the notice's community (one answer for any other name,
    so the field cannot be used to learn which accounts exist)."""
    if username in (None, ""):
        return None
    user = session.scalar(select(User).join(UserRole).where(
        User.username == str(username), User.is_active.is_(True), User.org_id == community_id,
        UserRole.role.in_(RESIDENT_ROLES)))
    if user is None:
        raise Invalid("no resident account %(name)s in this community", {"objector_account": "unknown account"},
                      params={"name": username})
    return user


def _filed(session: Session, notice: Disclosure, objection: Objection, worker: User | None) -> Objection:
    """Store the objection and start its handling, if the notice still takes objections."""
    # Under the notice's row lock: the period's end (end_publicity, objection_state) and this filing never interleave.
    session.execute(select(Disclosure.id).where(Disclosure.id == notice.id).with_for_update())
    session.refresh(notice)
    _check_open(notice)
    objection.disclosure_id = notice.id
    session.add(objection)
    session.flush()
    start = {"objection_id": objection.id, "disclosure_id": notice.id, "content": objection.content,
             "community": notice.community.code, "title": notice.title,
             "project_key": notice.project.project_key if notice.project else "", "channel": objection.channel}
    with audit.acting_as("resident"):  # events without an account name the objector's side, never their name
        instance = start_process(session, OBJECTION_PROCESS, start, notice.community, worker,
                                 business_key=f"OBJ{objection.id}")
    objection.instance_id = instance.id
    audit.record(session, "objection_filed", worker, instance=instance, actor_name=None if worker else "resident",
                 summary=notice.title, changes={"disclosure_id": [None, notice.id],
                                                "objection_id": [None, objection.id],
                                                "channel": [None, objection.channel]})
    return objection


def _check_open(notice: Disclosure) -> None:
    """409 with the reason when the notice takes no objections now."""
    reason = closed_reason(notice)
    if reason == "superseded":
        raise Conflict("this notice was replaced by a newer one (notice %(id)s): object to that one",
                       params={"id": notice.superseded_by_id})
    if reason == "ended" or (notice.ends_at is not None and clock.now() >= notice.ends_at):
        raise Conflict("the publicity period of this notice has ended: objections are not accepted any more")
    if not is_open(notice):
        raise Conflict("this notice is not in its publicity period: objections are not accepted now")


def set_notice_details(session: Session, disclosure_id: int, payload, worker: User) -> Disclosure:
    """The worker sets who issues the bulletin-board notice and where objections go (phone, address)."""
    notice = _worker_notice(session, disclosure_id, worker)
    if not isinstance(payload, dict):
        raise Invalid("send a JSON object with Content-Type: application/json")
    limits = {"issuer": 200, "objection_phone": 50, "objection_address": 200}
    unknown = {k: "unknown field" for k in payload if k not in limits}
    if unknown:
        raise Invalid("some fields need correcting", unknown)
    bad = {k: "too long" if isinstance(v, str) else "must be text" for k, v in payload.items()
           if not isinstance(v, str) or len(v.strip()) > limits[k]}
    if bad:
        raise Invalid("some fields need correcting", bad)
    changes = {}
    for key, value in payload.items():
        if getattr(notice, key) != value.strip():
            changes[key] = [getattr(notice, key), value.strip()]
            setattr(notice, key, value.strip())
    if changes:
        audit.record(session, "disclosure_details_changed", worker, instance=notice.instance, summary=notice.title,
                     changes={"disclosure_id": notice.id} | changes)
    return notice


PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")


def attach_posting_photo(session: Session, disclosure_id: int, uploads: list[tuple[str, bytes]], worker: User):
    """The worker attaches a photo of the notice as posted (张贴照片); it is shown with the notice."""
    notice = _worker_notice(session, disclosure_id, worker)
    if notice.instance is None:
        raise Conflict("this notice belongs to no case, so a photo cannot be kept with it")
    if len(uploads) != 1:
        raise Invalid("attach one photo of the posted notice", {"photo": "one file"})
    name = uploads[0][0] or ""
    if not name.lower().endswith(PHOTO_SUFFIXES):
        raise Invalid("the posting photo must be a jpg or png image", {"photo": "jpg or png"})
    photo = add_attachments(session, notice.instance, uploads, worker)[0]
    session.flush()
    before, notice.photo_id = notice.photo_id, photo.id
    audit.record(session, "disclosure_photo_attached", worker, instance=notice.instance, summary=photo.filename,
                 changes={"disclosure_id": notice.id, "photo_id": [before, photo.id]})
    return photo


def posting_photo(session: Session, disclosure_id: int):
    """The notice's posting photo (public, like the notice), or 404."""
    notice = disclosure(session, disclosure_id)
    if notice.photo_id is None:
        raise NotFound("this notice has no posting photo")
    return session.get(Attachment, notice.photo_id)


def _worker_notice(session: Session, disclosure_id: int, worker: User) -> Disclosure:
    notice = disclosure(session, disclosure_id)
    if not holds_any(worker, WORKER_ROLES) or notice.community_id not in community_ids_in_scope(session, worker):
        raise Forbidden("only the community's workers keep its notices")
    return notice


def may_keep(session: Session, notice: Disclosure, user) -> bool:
    """Whether the user is one of the notice community's workers (records objections, attaches the photo)."""
    return bool(user and getattr(user, "is_authenticated", False) and holds_any(user, WORKER_ROLES)
                and notice.community_id in community_ids_in_scope(session, user))


def disclosure_json(session: Session, notice: Disclosure) -> dict:
    """A disclosure as the public sees it (never the objectors' contacts)."""
    project = notice.project
    return {
        # The project's own id: project keys are tracking codes, which act as residents' credentials.
        "id": notice.id, "kind": notice.kind, "project": project.id if project else None, "title": notice.title,
        "text": notice.text, "community": notice.community.code, "starts_at": notice.starts_at.isoformat(),
        "ends_at": notice.ends_at.isoformat() if notice.ends_at else None, "open": is_open(notice),
        "closed": closed_reason(notice), "superseded_by": notice.superseded_by_id,
        "heading": notice_heading(notice.title) if notice.kind == "decision" else notice.title,
        "issuer": issuer_of(notice), "period": period_text(notice.starts_at, notice.ends_at),
        "issued_on": china_day(notice.starts_at), "objection_phone": notice.objection_phone,
        "objection_address": notice.objection_address, "has_photo": notice.photo_id is not None,
        "objections": len(notice.objections),
        "answers": [{"at": o.created_at.isoformat(), "content": without_phones(o.content), "status": o.status,
                     "answer": without_phones(o.answer), "channel": o.channel} for o in notice.objections],
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


