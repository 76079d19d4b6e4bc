"""Community registers (花名册): the people on each body's register, kept by administrators and audited.

Every count the meeting rules use is derived from these rows, never typed: a member counts toward 应到 on a day
when they are on the register then (joined by that day, not yet left), whatever their status; members on leave
(请假), away (流动) or abroad (出国) may be excused at a meeting, with a reason, and leave its denominator."""
import re
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.db import utcnow
from app.errors import Conflict, Invalid, NotFound
from app.modules.decision.models import (EXCUSABLE, REGISTER_BODIES, Ballot, MeetingAttendance, MemberStatus,
                                         RegisterMember)
from app.people.models import User
from app.people.org import Organisation
from app.workflow import audit
from app.workflow.helpers import CHINA

STATUS_LABELS = {MemberStatus.ON_RECORD: "在册", MemberStatus.ON_LEAVE: "请假", MemberStatus.AWAY: "流动",
                 MemberStatus.ABROAD: "出国", MemberStatus.OTHER: "其他"}
PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}|\d{7,8})$")


class MemberRefused(Invalid):
    """A member's entry with refused fields; `problems` keeps each field's msgid and params for the page."""

    def __init__(self, problems: dict[str, tuple[str, dict]]):
        super().__init__("some fields need correcting", {k: m % p if p else m for k, (m, p) in problems.items()})
        self.problems = problems


def today() -> date:
    """Today in China, the day registers are read for."""
    return clock.now().astimezone(CHINA).date()


def mask_phone(phone: str) -> str:
    """A phone number as people see it: 138****1234 (the first three and last four digits)."""
    digits = phone or ""
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else ("****" if digits else "")


def community(session: Session, code: str) -> Organisation:
    """The community with this code, or Invalid."""
    found = session.scalars(select(Organisation).where(Organisation.code == str(code),
                                                       Organisation.kind == "community")).first()
    if found is None:
        raise Invalid("unknown community")
    return found


def checked_body(body: str) -> str:
    if body not in REGISTER_BODIES:
        raise Invalid("unknown body %(body)s", params={"body": body})
    return body


def on_register(query, day: date):
    """Members on the register on `day`."""
    return query.where((RegisterMember.joined_on.is_(None)) | (RegisterMember.joined_on <= day),
                       (RegisterMember.left_on.is_(None)) | (RegisterMember.left_on > day))


def members(session: Session, org: Organisation, body: str, current_only: bool = False) -> list[RegisterMember]:
    """A body's register in the order it was kept (members who left included unless `current_only`)."""
    query = select(RegisterMember).where(RegisterMember.community_id == org.id, RegisterMember.body == body)
    if current_only:
        query = on_register(query, today())
    return list(session.scalars(query.order_by(RegisterMember.id)))


def counts(session: Session, org_id: int, body: str) -> dict[str, int]:
    """{"due": members counting toward 应到 today, "excusable": those of them who may be excused}."""
    query = on_register(select(RegisterMember.status, func.count()).where(
        RegisterMember.community_id == org_id, RegisterMember.body == body), today())
    by_status = dict(session.execute(query.group_by(RegisterMember.status)).all())
    return {"due": sum(by_status.values()), "excusable": sum(by_status.get(s, 0) for s in EXCUSABLE)}


def registers_table(session: Session) -> list[tuple[Organisation, dict[str, dict[str, int]]]]:
    """Each community with its registers' figures per body, derived from the members."""
    communities = session.scalars(select(Organisation).where(Organisation.kind == "community")
                                  .order_by(Organisation.code)).all()
    return [(c, {b: counts(session, c.id, b) for b in REGISTER_BODIES}) for c in communities]


def grids(session: Session, org: Organisation) -> list[Organisation]:
    return list(session.scalars(select(Organisation).where(Organisation.parent_id == org.id,
                                                           Organisation.kind == "grid").order_by(Organisation.code)))


def add_member(session: Session, actor: User, code: str, body: str, fields: dict) -> RegisterMember:
    """Put a person on a body's register (audited)."""
    org = community(session, code)
    member = RegisterMember(community_id=org.id, body=checked_body(body))
    _apply(session, org, member, fields)
    session.add(member)
    session.flush()
    _audit(session, actor, "register_member_added", org, member, {"name": [None, member.name]})
    return member


def update_member(session: Session, actor: User, member_id: int, fields: dict) -> RegisterMember:
    """Change a member's entry (audited with before and after)."""
    member = _member(session, member_id)
    before = _snapshot(member)
    _apply(session, session.get(Organisation, member.community_id), member, fields)
    member.updated_at = utcnow()
    after = _snapshot(member)
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        _audit(session, actor, "register_member_changed", member.community_id, member, changes)
    return member


def remove_member(session: Session, actor: User, member_id: int) -> None:
    """Take an entry off the register; one that a sign-in sheet or a ballot names is refused (give it a 离册日期)."""
    member = _member(session, member_id)
    used = session.scalar(select(func.count()).select_from(MeetingAttendance)
                          .where(MeetingAttendance.member_id == member.id))
    used += session.scalar(select(func.count()).select_from(Ballot).where(Ballot.member_id == member.id))
    if used:
        raise Conflict("%(name)s is on a meeting's sign-in sheet or a ballot: record the day they left instead",
                       params={"name": member.name})
    _audit(session, actor, "register_member_removed", member.community_id, member, {"name": [member.name, None]})
    session.delete(member)


def parsed_fields(session: Session, org: Organisation, fields: dict) -> tuple[dict, dict[str, tuple]]:
    """A member's fields as stored, and each refused one with (msgid, params); shared by the form and the import."""
    clean, problems = {}, {}
    name = str(fields.get("name") or "").strip()
    if not name:
        problems["name"] = ("a name is required", {})
    elif len(name) > 50:
        problems["name"] = ("at most %(max)s characters", {"max": 50})
    clean["name"] = name
    clean["grid_id"] = _grid_id(session, org, fields.get("grid"), problems)
    phone = re.sub(r"[\s]", "", str(fields.get("phone") or ""))
    if phone and not PHONE.match(phone):
        problems["phone"] = ("not a phone number (11-digit mobile or a landline such as 0535-6210001)", {})
    clean["phone"] = phone
    clean["affiliation"] = str(fields.get("affiliation") or "").strip()[:100]
    clean["status"] = _status(fields.get("status"), problems)
    clean["joined_on"] = _day(fields.get("joined_on"), "joined_on", problems)
    clean["left_on"] = _day(fields.get("left_on"), "left_on", problems)
    if clean["joined_on"] and clean["left_on"] and clean["left_on"] < clean["joined_on"]:
        problems["left_on"] = ("the day a member left cannot be before the day they joined", {})
    clean["user_id"] = _user_id(session, org, fields.get("username"), problems)
    return clean, problems


def _apply(session: Session, org: Organisation, member: RegisterMember, fields: dict) -> None:
    clean, problems = parsed_fields(session, org, fields)
    if problems:
        raise MemberRefused(problems)
    for key, value in clean.items():
        setattr(member, key, value)


def _grid_id(session: Session, org: Organisation, value, problems: dict) -> int | None:
    """The grid a register names: 南山第1网格, 第1网格, 1 or its code."""
    text = str(value or "").strip()
    if not text:
        return None
    for grid in grids(session, org):
        number = grid.code.rsplit("-", 1)[-1]
        if text in (grid.name, grid.code, number, f"第{number}网格"):
            return grid.id
    problems["grid"] = ("no grid %(grid)s in this community (its grids: %(grids)s)",
                        {"grid": text, "grids": "、".join(g.name for g in grids(session, org)) or "—"})
    return None


def _status(value, problems: dict) -> str:
    text = str(value or "").strip()
    if not text:
        return MemberStatus.ON_RECORD
    for status, label in STATUS_LABELS.items():
        if text in (label, status.value):
            return status
    problems["status"] = ("the status must be one of %(statuses)s", {"statuses": "、".join(STATUS_LABELS.values())})
    return MemberStatus.ON_RECORD


def _day(value, field: str, problems: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):  # a spreadsheet's date cell
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    found = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    try:
        return date(*(int(p) for p in found.groups())) if found else date.fromisoformat(text)
    except ValueError:
        problems[field] = ("not a date (write it as 2026-12-05 or 2026年12月5日)", {})
        return None


def _user_id(session: Session, org: Organisation, value, problems: dict) -> int | None:
    username = str(value or "").strip()
    if not username:
        return None
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None or not user.is_active or user.org_id != org.id:
        problems["username"] = ("no active account %(username)s in this community", {"username": username})
        return None
    return user.id


def _member(session: Session, member_id: int) -> RegisterMember:
    member = session.get(RegisterMember, member_id)
    if member is None:
        raise NotFound("no such register member")
    return member


def _snapshot(member: RegisterMember) -> dict:
    return {"name": member.name, "grid_id": member.grid_id, "phone": mask_phone(member.phone),
            "affiliation": member.affiliation, "status": str(member.status),
            "joined_on": str(member.joined_on or ""), "left_on": str(member.left_on or ""),
            "user_id": member.user_id}


def _audit(session: Session, actor: User, event: str, org, member: RegisterMember, changes: dict) -> None:
    code = org.code if isinstance(org, Organisation) else session.get(Organisation, org).code
    audit.record(session, event, actor, summary=f"{code} {member.body}: {member.name}",
                 changes={"community": code, "body": member.body, "member_id": member.id} | changes)
