"""Diagram functions for public disclosures (公示) and the objections residents file."""
from datetime import timedelta

from sqlalchemy import select

from app.db import utcnow
from app import clock
from app.modules.decision.models import Project
from app.modules.disclosure.models import Disclosure, Objection, ObjectionStatus
from app.modules.disclosure.notices import objector_message, tell_objector
from app.status import change_status
from app.errors import Refusal
from app.workflow.helpers import bound, case, own_community, own_key, own_record, public_text, record_write

SUPERSEDING_KINDS = ("decision",)
DISCLOSURE_KINDS = ("collection", "decision", "implementation", "results", "effect", "annual", "rejection")


def open_disclosure(kind, community, project_key, title, text, days) -> int:
    """Post a public notice of the case for `days` days (0: no publicity period), links and markup taken out."""
    session, actor = bound()
    if kind not in DISCLOSURE_KINDS:
        raise Refusal("unknown disclosure kind %(kind)s", kind=kind)
    found = own_community(community)
    key = own_key(project_key) if project_key else ""  # "" : a notice of the community, not of a project
    given = (str(title), str(text))
    title, text = public_text(title), public_text(text)
    starts = clock.now()  # the engine's time, so a moved clock (timers run --now) moves publicity too
    project_id = session.scalar(select(Project.id).where(Project.project_key == key)) if key else None
    notice = Disclosure(kind=str(kind), community_id=found.id, project_id=project_id, instance_id=case().instance.id,
                        title=title[:200], text=text, starts_at=starts,
                        ends_at=starts + timedelta(days=int(days)) if int(days) > 0 else None)
    session.add(notice)
    session.flush()
    # A decision posted again (after a revision) replaces the one before; progress reports and the rest add up.
    replaced = _supersede(session, notice) if project_id and notice.kind in SUPERSEDING_KINDS else []
    record_write("disclosure_opened", summary=f"{kind}: {title}",
                 changes={"disclosure_id": [None, notice.id], "kind": [None, kind], "days": [None, int(days)],
                          "links_or_markup_removed": given != (title, text), "replaces": replaced})
    return notice.id


def _supersede(session, notice: Disclosure) -> list[int]:
    """Mark the project's earlier notices of this kind replaced by `notice` (and closed to objections)."""
    older = list(session.scalars(select(Disclosure).where(
        Disclosure.project_id == notice.project_id, Disclosure.kind == notice.kind, Disclosure.id != notice.id,
        Disclosure.superseded_by_id.is_(None)).with_for_update()))
    for old in older:
        old.superseded_by_id = notice.id
        old.closed_at = old.closed_at or notice.starts_at
    return [old.id for old in older]


def end_publicity(disclosure_id) -> bool:
    """The process has left the notice's publicity period: from now on no objection is accepted, whatever the
    clock says (a period ended by `timers run --now` closes as the real one does). Idempotent."""
    session, _ = bound()
    notice = _own_disclosure(session, disclosure_id)
    # Under the row lock that filing an objection takes: an objection is either in before the close or refused.
    session.execute(select(Disclosure.id).where(Disclosure.id == notice.id).with_for_update())
    if notice.closed_at is not None:
        return False
    notice.closed_at = clock.now()
    record_write("disclosure_closed", summary=notice.title,
                 changes={"disclosure_id": notice.id, "closed_at": [None, notice.closed_at.isoformat()]})
    return True


def unsettled_objections(disclosure_id) -> str:
    """The objections to the notice answered but not settled, each with its answer (for the plan's revision)."""
    session, _ = bound()
    _own_disclosure(session, disclosure_id)
    found = session.scalars(select(Objection).where(Objection.disclosure_id == int(disclosure_id),
                                                    Objection.status == ObjectionStatus.UNSETTLED)
                            .order_by(Objection.id))
    return "\n".join(f"{n}. 异议：{o.content}\n   答复：{o.answer}" for n, o in enumerate(found, 1))


def objection_state(disclosure_id) -> str:
    """"open" if an objection awaits its answer, "unsettled" if one was not settled, else "clear"."""
    session, _ = bound()
    _own_disclosure(session, disclosure_id)
    # Wait for any objection being filed right now (it holds this lock) before judging the period.
    session.execute(select(Disclosure.id).where(Disclosure.id == int(disclosure_id)).with_for_update())
    statuses = set(session.scalars(select(Objection.status).where(Objection.disclosure_id == int(disclosure_id))))
    if ObjectionStatus.OPEN in statuses:
        return ObjectionStatus.OPEN.value
    return ObjectionStatus.UNSETTLED.value if ObjectionStatus.UNSETTLED in statuses else "clear"


def answer_objection_record(objection_id, settled, answer) -> bool:
    """Record the committee's answer to the objection this case handles."""
    objection = _own_objection(objection_id)
    before, after = change_status(objection, ObjectionStatus,
                                  ObjectionStatus.SETTLED if settled else ObjectionStatus.UNSETTLED)
    objection.answer, objection.answered_at = str(answer), utcnow()
    record_write("objection_answered", summary=f"OBJ{objection.id}: {after}",
                 changes={"objection_id": objection.id, "status": [before, after]})
    return True


def notify_objector(objection_id) -> str:
    """Tell the objector the answer through the contact they left: in-app when they have an account, else an
    SMS in the outbox. The way ("in_app", "sms" or "none": no contact) is returned and in the history."""
    session, _ = bound()
    objection = _own_objection(objection_id)
    if not objection.answered_at:
        raise Refusal("objection %(id)s has no answer to tell yet", id=objection_id)
    way, masked = tell_objector(session, objection, objector_message(objection), case().instance)
    before, objection.notified_at = objection.notified_at, utcnow() if way != "none" else None
    record_write("objector_notified", summary=f"OBJ{objection.id}: {way}",
                 changes={"objection_id": objection.id, "way": way, "to": masked,
                          "notified_at": [before and before.isoformat(),
                                          objection.notified_at and objection.notified_at.isoformat()]})
    return way


def _own_disclosure(session, disclosure_id) -> Disclosure:
    """A disclosure of the case's community, and of its project when it names one; a community notice (no
    project) only of the case that posted it."""
    notice = own_record(session.get(Disclosure, int(disclosure_id)), f"disclosure {disclosure_id}")
    if notice.project_id:
        own_key(notice.project.project_key)
    elif notice.instance_id is None or notice.instance_id != case().instance.id:
        # another case's community notice (or one posted by a start, before any case had an id): refused alike
        own_record(None, f"disclosure {disclosure_id}")
    return notice


HELPERS = {f.__name__: f for f in (open_disclosure, objection_state, answer_objection_record, end_publicity,
                                   unsettled_objections, notify_objector)}


def _own_objection(objection_id) -> Objection:
    """The objection this case handles (its business key is OBJ<id>), on a notice of the case's community."""
    session, _ = bound()
    own_key(f"OBJ{int(objection_id)}")
    objection = session.get(Objection, int(objection_id))
    if objection is None:
        raise Refusal("no objection %(id)s", id=objection_id)
    own_record(objection.disclosure, f"the disclosure objection {objection_id} is about")
    return objection
