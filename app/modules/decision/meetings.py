"""The meeting record (会议记录) of each 议: its checks at submission, the delivery records (送达记录) of
notices, the signed minutes, and what staff and the public see of it.

The checks run when the record is saved (`save_meeting`, inside the submission): a record that breaks one
refuses the whole submission with the field and the rule named, so nothing is stored. The rules:
- a meeting is not in the future (the app's clock, China time), and not before the need was recorded;
- each 议 comes after every meeting already recorded for the project (a reconvened one after the void one);
- votes cast (for + against + abstain) are not more than those present;
- the convener and the chair's post fit the body: the community party organisation (社区党组织) convenes the
  party committee, the joint meeting of the two committees and the 党员大会; the residents' committee
  (社区居民委员会) convenes the 居民（代表）会议 and its chair is its director or deputy director;
- the 党员大会's notice date is proved by a delivery record (送达记录) of the plan to the party members,
  recorded in the app on that date (stamped by the app's clock, so it cannot be dated back), after the
  previous 议; the 3-day minimum itself stays in the rules table (meeting_rules), which voids a late one.
"""
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.errors import Conflict, FieldRefusal, Forbidden, Invalid, NotFound
from app.modules.decision.models import Meeting, MeetingNotice, Project
from app.people.models import User
from app.people.policy import PROJECT_STAFF, holds_any
from app.people.scope import community_ids_in_scope
from app.workflow import audit
from app.workflow.attachments import add_attachments
from app.workflow.models.instance import Instance
from app.workflow.trial import TRIAL_KIND

CHINA = timezone(timedelta(hours=8))
PARTY, RESIDENTS = "party_organisation", "residents_committee"
# Who convenes each 议, and the posts that may chair it.
CONVENERS = {"resident_suggestion": {PARTY, RESIDENTS}, "party_proposal": {PARTY},
             "committees_deliberation": {PARTY}, "party_members_review": {PARTY},
             "representatives_resolution": {RESIDENTS}}
PARTY_LEADS = {"party_secretary", "party_deputy_secretary"}
RESIDENT_LEADS = {"committee_director", "committee_deputy_director"}
CHAIR_POSTS = {"resident_suggestion": PARTY_LEADS | RESIDENT_LEADS | {"party_committee_member"},
               "party_proposal": PARTY_LEADS, "committees_deliberation": PARTY_LEADS,
               "party_members_review": PARTY_LEADS | {"party_committee_member"},
               "representatives_resolution": RESIDENT_LEADS}
_BY_PARTY = ("the party organisation convenes the party committee's meeting, the joint meeting of the two "
             "committees and the party members' assembly")
CONVENER_RULES = {"resident_suggestion": "the residents' suggestions are gathered by the party organisation or the "
                                         "residents' committee",
                  "party_proposal": _BY_PARTY, "committees_deliberation": _BY_PARTY, "party_members_review": _BY_PARTY,
                  "representatives_resolution": "the residents' committee convenes the residents' (representatives') "
                                                "meeting"}
_PARTY_CHAIR = "this meeting is chaired by the party organisation's secretary or deputy secretary"
CHAIR_RULES = {"resident_suggestion": "choose the post of the person chairing",
               "party_proposal": _PARTY_CHAIR, "committees_deliberation": _PARTY_CHAIR,
               "party_members_review": "the party members' assembly is chaired by the party organisation's secretary, "
                                       "deputy secretary or a committee member it entrusts",
               "representatives_resolution": "the residents' (representatives') meeting is chaired by the residents' "
                                             "committee's director or deputy director"}
NOTICE_METHODS = ("in_person", "sms", "wechat", "posted")
# Staff who record deliveries and upload the signed minutes (the others of PROJECT_STAFF only read).
RECORDING_ROLES = frozenset({"community_worker", "party_secretary"})
ORDER = ("resident_suggestion", "party_proposal", "committees_deliberation", "party_members_review",
         "representatives_resolution")


# ---- the checks at submission ---------------------------------------------------------------------------------

def check_record(session: Session, project: Project | None, need_recorded_at: datetime, meeting: str,
                 record: dict) -> datetime:
    """The instant the meeting was held, if its record keeps every rule; else FieldRefusal naming the field."""
    held_at = _held_at(record)
    _not_in_future(held_at)
    if held_at < need_recorded_at.replace(second=0, microsecond=0):
        raise FieldRefusal({"meeting_date": "a meeting cannot be held before the need was recorded"},
                           "a meeting cannot be held before the need was recorded (%(recorded)s)",
                           recorded=_shown(need_recorded_at))
    previous = _latest_meeting(session, project)
    if previous is not None and not _after(held_at, previous.held_at, same_minute=bool(record.get("online"))):
        raise FieldRefusal({"meeting_date": "each deliberation comes after the previous one"},
                           "each deliberation comes after the previous one: the last was held at %(previous)s",
                           previous=_shown(previous.held_at))
    _votes_within_attendance(record)
    if not record.get("online"):
        _convened_and_chaired_by_the_body(meeting, record)
    if record.get("notice_date"):
        # A meeting reconvened after a void one may rest on the notice given before the first: the plan must
        # only have been delivered after the previous 议 of another kind.
        _notice_delivered(session, project, meeting, record, _latest_meeting(session, project, other_than=meeting))
    return held_at


def _after(held_at: datetime, previous: datetime, same_minute: bool) -> bool:
    """Whether a meeting comes after the previous one; an online vote is dated when its tally runs (to the
    minute), so for it the same minute as the last meeting is in order."""
    return held_at >= previous if same_minute else held_at > previous


def _held_at(record: dict) -> datetime:
    try:
        day = date.fromisoformat(str(record.get("meeting_date"))[:10])
        hour, minute = (int(part) for part in str(record.get("meeting_time") or "").split(":"))
        return datetime.combine(day, time(hour, minute), CHINA).astimezone(timezone.utc)
    except ValueError:
        raise FieldRefusal({"meeting_time": "give the meeting's date and time (HH:MM)"},
                           "give the meeting's date and time (HH:MM)") from None


def _not_in_future(held_at: datetime) -> None:
    now = clock.now()
    if held_at.astimezone(CHINA).date() > now.astimezone(CHINA).date():
        raise FieldRefusal({"meeting_date": "a meeting cannot be dated in the future"},
                           "a meeting cannot be dated in the future: it is dated %(held)s, today is %(today)s",
                           held=_shown(held_at), today=_shown_day(now))
    if held_at > now:
        raise FieldRefusal({"meeting_time": "a meeting cannot be dated in the future"},
                           "a meeting cannot be dated in the future: it is dated %(held)s, today is %(today)s",
                           held=_shown(held_at), today=_shown_day(now))


def _votes_within_attendance(record: dict) -> None:
    cast = sum(int(record.get(k) or 0) for k in ("votes_for", "votes_against", "abstain"))
    present = int(record.get("present") or 0)
    if cast > present:
        rule = "votes cast cannot be more than those present"
        raise FieldRefusal({"votes_for": rule, "votes_against": rule, "abstain": rule},
                           "votes cast (%(cast)s) cannot be more than those present (%(present)s)",
                           cast=cast, present=present)


def _convened_and_chaired_by_the_body(meeting: str, record: dict) -> None:
    if meeting in CONVENERS and record.get("convener") not in CONVENERS[meeting]:
        rule = CONVENER_RULES[meeting]
        raise FieldRefusal({"convener": rule}, rule)
    if meeting in CHAIR_POSTS and record.get("chair_post") not in CHAIR_POSTS[meeting]:
        rule = CHAIR_RULES[meeting]
        raise FieldRefusal({"chair_post": rule}, rule)


def _notice_delivered(session: Session, project: Project | None, meeting: str, record: dict,
                      previous: Meeting | None) -> None:
    notice_day = date.fromisoformat(str(record["notice_date"])[:10])
    delivered = {n.delivered_at.astimezone(CHINA).date() for n in notices_of(session, project, meeting)}
    if notice_day not in delivered:
        raise FieldRefusal({"notice_date": "the notice date must be that of a delivery record"},
                           "no delivery record (送达记录) of the plan on %(day)s: record the delivery on the project "
                           "page when the plan is sent, and give its date", day=_shown_day(notice_day))
    if previous is not None and previous.held_on is not None and notice_day < previous.held_on:
        raise FieldRefusal({"notice_date": "the plan is delivered after the previous deliberation"},
                           "the plan is delivered after the previous deliberation (%(previous)s)",
                           previous=_shown_day(previous.held_on))


def _latest_meeting(session: Session, project: Project | None, other_than: str | None = None) -> Meeting | None:
    if project is None:
        return None
    query = select(Meeting).where(Meeting.project_id == project.id, Meeting.held_at.is_not(None))
    if other_than is not None:
        query = query.where(Meeting.meeting != other_than)
    return session.scalars(query.order_by(Meeting.held_at.desc(), Meeting.id.desc()).limit(1)).first()


def _shown(at: datetime) -> str:
    local = at.astimezone(CHINA)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _shown_day(day) -> str:
    day = day.astimezone(CHINA).date() if isinstance(day, datetime) else day
    return f"{day.year}年{day.month}月{day.day}日"


# ---- the verdict the person hears at once ---------------------------------------------------------------------

def verdict_of(row: Meeting) -> dict:
    """What the rules decided about a recorded meeting: void, not passed or passed, with the reason."""
    outcome = "void" if not row.is_valid else "passed" if row.passed else "not_passed"
    return {"meeting": row.meeting, "meeting_id": row.id, "project": row.project_id, "outcome": outcome,
            "valid": row.is_valid, "passed": row.passed, "reason": row.reason}


# ---- delivery records and signed minutes (operations: guard, act, record; never commit) ------------------------

def may_see(session: Session, user: User | None, project: Project) -> bool:
    """Whether the user sees the project's meeting records: its staff, in their communities."""
    return holds_any(user, PROJECT_STAFF) and project.community_id in community_ids_in_scope(session, user)


def staff_project(session: Session, user: User | None, project_id: int, recording: bool = False) -> Project:
    """The project for its staff (recording: those who record deliveries and minutes); 404 / 403 otherwise."""
    project = session.get(Project, project_id)
    if project is None or project.community.kind == TRIAL_KIND:
        raise NotFound("no such project")
    if not may_see(session, user, project) or (recording and not holds_any(user, RECORDING_ROLES)):
        raise Forbidden("this project is outside your communities")
    return project


def meetings_of(session: Session, project: Project) -> list[Meeting]:
    """Every recorded meeting of the project, void ones too, in the order they were held."""
    return list(session.scalars(select(Meeting).where(Meeting.project_id == project.id)
                                .order_by(Meeting.held_at, Meeting.id)))


def meeting_of(session: Session, project: Project, meeting_id: int) -> Meeting:
    """One meeting record of the project, or 404."""
    found = session.get(Meeting, meeting_id)
    if found is None or found.project_id != project.id:
        raise NotFound("no such meeting record")
    return found


def submitted_with(session: Session, row: Meeting) -> list:
    """The files attached when the meeting was recorded (sign-in sheets, photos): same case, task and request."""
    from app.workflow.models.attachment import Attachment
    project = session.get(Project, row.project_id) if row.project_id else None
    if project is None or project.instance_id is None:
        return []
    window = timedelta(minutes=1)
    return list(session.scalars(select(Attachment).where(
        Attachment.instance_id == project.instance_id, Attachment.task_bpmn_id == row.meeting,
        Attachment.created_at.between(row.recorded_at - window, row.recorded_at + window)).order_by(Attachment.id)))


def notices_of(session: Session, project: Project | None, meeting: str | None = None) -> list[MeetingNotice]:
    """The project's delivery records (of one meeting, if given), oldest first."""
    if project is None:
        return []
    query = select(MeetingNotice).where(MeetingNotice.project_id == project.id)
    if meeting:
        query = query.where(MeetingNotice.meeting == meeting)
    return list(session.scalars(query.order_by(MeetingNotice.delivered_at, MeetingNotice.id)))


def record_notice(session: Session, user: User, project: Project, payload) -> MeetingNotice:
    """Record that the plan was delivered to a body's members today (送达), how, by whom and to how many."""
    payload = payload if isinstance(payload, dict) else {}
    fields = {}
    meeting, method = payload.get("meeting", "party_members_review"), payload.get("method")
    if meeting not in ORDER:
        fields["meeting"] = "choose one of the offered options"
    if method not in NOTICE_METHODS:
        fields["method"] = "choose one of the offered options"
    recipients = _whole(payload.get("recipients"))
    if recipients is None or not 1 <= recipients <= 100000:
        fields["recipients"] = "out of range"
    delivered_by = str(payload.get("delivered_by") or "").strip()
    if not delivered_by or len(delivered_by) > 50:
        fields["delivered_by"] = "required"
    note = str(payload.get("note") or "").strip()
    if len(note) > 500:
        fields["note"] = "too long"
    if fields:
        raise Invalid("some fields need correcting", fields)
    if project.status not in ("deciding", "disclosed"):
        raise Conflict("a delivery is recorded while the project is being decided")
    notice = MeetingNotice(project_id=project.id, meeting=meeting, delivered_at=clock.now(), method=method,
                           recipients=recipients, delivered_by=delivered_by, note=note, recorded_by_id=user.id)
    session.add(notice)
    session.flush()
    audit.record(session, "meeting_notice_recorded", user, instance=_case(session, project), summary=f"{meeting}: {method}",
                 changes={"notice_id": [None, notice.id], "recipients": [None, recipients]})
    return notice


def attach_minutes(session: Session, user: User, project: Project, meeting: Meeting,
                   uploads: list[tuple[str, bytes]]) -> Meeting:
    """Store the signed minutes (the printed record, signed and scanned) on the meeting's case."""
    if len(uploads) != 1:
        raise Invalid("attach one file: the signed minutes", {"file": "required"})
    case = _case(session, project)
    if case is None:
        raise NotFound("no such project")
    stored = add_attachments(session, case, uploads, user)[0]
    session.flush()
    before, meeting.minutes_attachment_id = meeting.minutes_attachment_id, stored.id
    audit.record(session, "meeting_minutes_attached", user, instance=case, summary=stored.filename,
                 changes={"meeting_id": meeting.id, "minutes_attachment_id": [before, stored.id]})
    return meeting


def _case(session: Session, project: Project) -> Instance | None:
    return session.get(Instance, project.instance_id) if project.instance_id else None


def _whole(value) -> int | None:
    """A whole number given as a number or digits (a form sends text); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value or "").strip()
    try:
        return int(text) if text.isdigit() else None  # ３ (full width) counts; ² passes isdigit but is no number
    except ValueError:
        return None


# ---- what people see ------------------------------------------------------------------------------------------

def meeting_json(row: Meeting) -> dict:
    """A meeting record as staff read it through the API."""
    return {"id": row.id, "meeting": row.meeting, "held_at": row.held_at.isoformat() if row.held_at else None,
            "held_on": row.held_on.isoformat() if row.held_on else None, "place": row.place,
            "convener": row.convener, "chair": row.chair, "chair_post": row.chair_post, "recorder": row.recorder,
            "observers": row.observers, "agenda": row.agenda, "discussion": row.discussion,
            "assembly": row.assembly, "members_total": row.members_total, "present": row.present,
            "absent": max(row.members_total - row.present, 0), "votes_for": row.votes_for,
            "votes_against": row.votes_against, "abstain": row.abstain, "minutes": row.minutes,
            "notice_date": row.notice_date.isoformat() if row.notice_date else None, "online": row.is_online,
            "valid": row.is_valid, "passed": row.passed, "reason": row.reason,
            "minutes_attachment": row.minutes_attachment_id, "recorded_at": row.recorded_at.isoformat()}


def notice_json(notice: MeetingNotice) -> dict:
    """A delivery record through the API."""
    return {"id": notice.id, "meeting": notice.meeting, "delivered_at": notice.delivered_at.isoformat(),
            "delivered_on": notice.delivered_at.astimezone(CHINA).date().isoformat(), "method": notice.method,
            "recipients": notice.recipients, "delivered_by": notice.delivered_by, "note": notice.note}
