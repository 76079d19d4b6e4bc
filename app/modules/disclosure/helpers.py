"""Diagram functions for public disclosures (公示) and the objections residents file."""
from datetime import timedelta

from sqlalchemy import select

from app.db import utcnow
from app import clock
from app.modules.decision.models import Project
from app.modules.disclosure.models import Disclosure, Objection, ObjectionStatus
from app.status import change_status
from app.errors import Refusal
from app.workflow.helpers import bound, own_community, own_key, own_record, public_text, record_write

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
    notice = Disclosure(kind=str(kind), community_id=found.id, project_key=key, project_id=project_id,
                        title=title[:200], text=text, starts_at=starts,
                        ends_at=starts + timedelta(days=int(days)) if int(days) > 0 else None)
    session.add(notice)
    session.flush()
    record_write("disclosure_opened", summary=f"{kind}: {title}",
                 changes={"disclosure_id": [None, notice.id], "kind": [None, kind], "days": [None, int(days)],
                          "links_or_markup_removed": given != (title, text)})
    return notice.id


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
    session, _ = bound()
    own_key(f"OBJ{int(objection_id)}")
    objection = session.get(Objection, int(objection_id))
    if objection is None:
        raise Refusal("no objection %(id)s", id=objection_id)
    own_record(objection.disclosure, f"the disclosure objection {objection_id} is about")
    before, after = change_status(objection, ObjectionStatus,
                                  ObjectionStatus.SETTLED if settled else ObjectionStatus.UNSETTLED)
    objection.answer, objection.answered_at = str(answer), utcnow()
    record_write("objection_answered", summary=f"OBJ{objection.id}: {after}",
                 changes={"objection_id": objection.id, "status": [before, after]})
    return True


def _own_disclosure(session, disclosure_id) -> Disclosure:
    """A disclosure of the case's community, and of its project when it names one."""
    notice = own_record(session.get(Disclosure, int(disclosure_id)), f"disclosure {disclosure_id}")
    if notice.project_key:
        own_key(notice.project_key)
    return notice


HELPERS = {f.__name__: f for f in (open_disclosure, objection_state, answer_objection_record)}
