"""Diagram functions for the registers and sign-in sheets (签到): who is due at a meeting, who came, who was excused.

A meeting's 应到 is the body's register on the day (every member on it, whatever their status), less the
members the sheet excuses; only members on leave (请假), away (流动) or abroad (出国) may be excused, each with
the reason. 实到 is the number of members signed in: nobody off the register can sign, so attendance can
never exceed the register, and votes above attendance are refused with the rule named."""
from sqlalchemy import select

from app.errors import FieldRefusal, Refusal
from app.modules.decision.models import EXCUSABLE, REGISTER_BODIES, Meeting, MeetingAttendance, Project, RegisterMember
from app.modules.decision.registers import STATUS_LABELS, counts, on_register, today
from app.workflow.helpers import OutsideCase, bound, case, own_community, record_write

BODY_LABELS = {"party_committee": "党组织委员会委员", "two_committees": "两委成员", "party_members": "党员",
               "representatives": "居民代表", "residents": "户代表"}


def register_size(community, body) -> int:
    """Members on the case community's register of `body` today (the 应到 before anyone is excused)."""
    session, _ = bound()
    found = own_community(community)
    due = counts(session, found.id, _body(body))["due"]
    if not due:
        raise Refusal("no register of '%(body)s' for community %(community)s: an administrator must record it",
                      body=body, community=community)
    return due


def register_roster(community, body, excusable=False, labelled=False) -> list[dict]:
    """The register as options of a sign-in sheet ({"const": member id, "title": 姓名（网格·状态）}); only the
    members who may be excused when `excusable`; each title led by the body's name when `labelled`."""
    session, _ = bound()
    rows = _current(session, own_community(community).id, _body(body))
    if excusable:
        rows = [m for m in rows if m.status in EXCUSABLE]
    lead = f"【{BODY_LABELS[str(body)]}】" if labelled else ""
    return [{"const": str(m.id), "title": lead + _title(m)} for m in rows]


def sign_in(community, body, attendees, excused, excused_reason, votes_for, votes_against, abstain) -> dict:
    """The sheet checked against the register: {"present", "members_total" (应到 after excusals), "on_register",
    "attendees", "excused", "excused_reason", "names"}; a name off the register, an excusal the rules do not
    allow, or more votes than members present is refused with the rule."""
    session, _ = bound()
    found, body = own_community(community), _body(body)
    register = {str(m.id): m for m in _current(session, found.id, body)}
    present, away = _members(register, attendees, body), _members(register, excused, body)
    for member in away:
        if member in present:
            raise FieldRefusal({"excused": "a member cannot be signed in and excused at once"},
                               "%(name)s is signed in and excused at once", name=member.name)
        if member.status not in EXCUSABLE:
            raise FieldRefusal({"excused": "only members on leave, away or abroad may be excused"},
                               "%(name)s is %(status)s on the register: only members on leave, away or abroad may be "
                               "excused (they then leave the denominator)", name=member.name,
                               status=STATUS_LABELS[member.status])
    reason = str(excused_reason or "").strip()
    if away and not reason:
        raise FieldRefusal({"excused_reason": "required"}, "give the reason the excused members could not attend")
    votes = sum(_count(v, name) for v, name in ((votes_for, "votes_for"), (votes_against, "votes_against"),
                                                 (abstain, "abstain")))
    if votes > len(present):  # the rule the meeting record checks too (meetings._votes_within_attendance)
        rule = "votes cast cannot be more than those present"
        raise FieldRefusal({"votes_for": rule, "votes_against": rule, "abstain": rule},
                           "votes cast (%(cast)s) cannot be more than those present (%(present)s)",
                           cast=votes, present=len(present))
    return {"present": len(present), "members_total": len(register) - len(away), "on_register": len(register),
            "attendees": [str(m.id) for m in present], "excused": [str(m.id) for m in away],
            "excused_reason": reason[:300], "names": "、".join(m.name for m in present)}


def record_sign_in(meeting_id, sheet) -> bool:
    """Keep a saved meeting's sign-in sheet (who came, who was excused and why) with its record."""
    session, _ = bound()
    meeting = session.get(Meeting, _count(meeting_id, "meeting_id"))
    project = session.get(Project, meeting.project_id) if meeting is not None and meeting.project_id else None
    if project is None or project.project_key != case().key:
        raise OutsideCase("meeting %(id)s is not one of this case's meetings: a process acts only on its own case",
                          id=meeting_id)
    if not sheet:
        return False
    sheet = dict(sheet)
    wanted = [_count(i, "attendees") for i in list(sheet.get("attendees") or []) + list(sheet.get("excused") or [])]
    found = {m.id: m for m in session.scalars(select(RegisterMember).where(
        RegisterMember.id.in_(wanted), RegisterMember.community_id == meeting.community_id))}
    excused = {_count(i, "excused") for i in sheet.get("excused") or []}
    for member_id in dict.fromkeys(wanted):
        if member_id in found:
            session.add(MeetingAttendance(meeting_id=meeting.id, member_id=member_id, name=found[member_id].name,
                                          excused=member_id in excused,
                                          reason=str(sheet.get("excused_reason") or "")[:300] if member_id in excused
                                          else ""))
    record_write("meeting_signed_in", summary=f"{project.project_key}: {meeting.meeting}",
                 changes={"meeting_id": meeting.id, "present": [None, len(wanted) - len(excused)],
                          "excused": [None, len(excused)]})
    return True


def _count(value, name: str) -> int:
    """A whole number of at least 0 (a count, or an id a form sent as text), or the script fails naming it."""
    if value in (None, ""):
        return 0
    text = str(value).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()):
        raise Refusal("%(name)s must be a whole number of at least 0, not %(value)s", name=name, value=value)
    return int(text)


def _body(body) -> str:
    if str(body) not in REGISTER_BODIES:
        raise Refusal("unknown body %(body)s", body=body)
    return str(body)


def _current(session, community_id: int, body: str) -> list[RegisterMember]:
    query = select(RegisterMember).where(RegisterMember.community_id == community_id, RegisterMember.body == body)
    return list(session.scalars(on_register(query, today()).order_by(RegisterMember.id)))


def _members(register: dict, chosen, body: str) -> list[RegisterMember]:
    picked = []
    for key in dict.fromkeys(str(c) for c in (chosen or [])):
        if key not in register:
            raise Refusal("member %(member)s is not on the register of %(body)s: only members on the register sign "
                          "in", member=key, body=BODY_LABELS[body])
        picked.append(register[key])
    return picked


def _title(member: RegisterMember) -> str:
    notes = [member.grid.name] if member.grid else []
    if member.status != "on_record":
        notes.append(STATUS_LABELS[member.status])
    return member.name + (f"（{'·'.join(notes)}）" if notes else "")
