"""The duty roster (值班表): administrators keep it (each change audited); online needs read it.

A shift is a date range, both ends included, in China dates: a weekly rota is one shift per week, a single day a
shift that starts and ends on it. Shifts of one community never overlap, so a day has one on-duty worker or none."""
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app import clock
from app.db import utcnow
from app.errors import Invalid, NotFound
from app.modules.duty.models import DutyShift
from app.people.models import User, UserRole
from app.people.org import Organisation
from app.tables.filters import chinese_date
from app.workflow import audit
from app.workflow.helpers import CHINA

DUTY_ROLE = "community_worker"  # 值班社工
NOTE_LENGTH = 100
LONGEST_SHIFT_DAYS = 366
FIELDS = ("community", "username", "starts_on", "ends_on", "note")


def china_today() -> date:
    """Today's date in China by the app's clock: the day a roster is read for."""
    return clock.now().astimezone(CHINA).date()


def communities(session: Session) -> list[Organisation]:
    """Every community, by code (the roster is kept per community)."""
    return list(session.scalars(select(Organisation).where(Organisation.kind == "community")
                                .order_by(Organisation.code)))


def eligible_workers(session: Session, community: Organisation) -> list[User]:
    """Active community workers at the community or one of its grids: who may be put on its roster."""
    grids = select(Organisation.id).where(Organisation.parent_id == community.id)
    return list(session.scalars(select(User).join(UserRole).where(
        UserRole.role == DUTY_ROLE, User.is_active.is_(True),
        or_(User.org_id == community.id, User.org_id.in_(grids))).order_by(User.id)))


def shifts(session: Session, community: Organisation | None = None, since: date | None = None) -> list[DutyShift]:
    """The roster's shifts (of one community; ending on or after `since`), by community and first day."""
    query = select(DutyShift).join(DutyShift.community)
    if community is not None:
        query = query.where(DutyShift.community_id == community.id)
    if since is not None:
        query = query.where(DutyShift.ends_on >= since)
    return list(session.scalars(query.order_by(Organisation.code, DutyShift.starts_on)))


def on_duty(session: Session, community: Organisation, day: date) -> User | None:
    """The community's on-duty worker on `day`, if the roster names one who may still be on duty."""
    shift = session.scalars(select(DutyShift).where(
        DutyShift.community_id == community.id, DutyShift.starts_on <= day, DutyShift.ends_on >= day)).first()
    if shift is None or shift.user.id not in {u.id for u in eligible_workers(session, community)}:
        return None  # none rostered, or the one rostered has left the post since
    return shift.user


def shift_json(shift: DutyShift) -> dict:
    """A shift as the API gives it."""
    return {"id": shift.id, "community": shift.community.code, "community_name": shift.community.name,
            "username": shift.user.username, "display_name": shift.user.display_name,
            "starts_on": shift.starts_on.isoformat(), "ends_on": shift.ends_on.isoformat(), "note": shift.note}


def add_shift(session: Session, actor: User, payload) -> DutyShift:
    """Put a community worker on duty at a community for a date range (audited)."""
    community, user, starts_on, ends_on, note = _checked(session, payload)
    _refuse_overlap(session, community, starts_on, ends_on, None)
    shift = DutyShift(community_id=community.id, user_id=user.id, starts_on=starts_on, ends_on=ends_on, note=note,
                      created_by_id=actor.id)
    session.add(shift)
    session.flush()
    session.refresh(shift)
    audit.record(session, "duty_shift_added", actor, summary=_summary(shift),
                 changes={"shift": [None, shift_json(shift)]})
    return shift


def update_shift(session: Session, actor: User, shift_id: int, payload) -> DutyShift:
    """Change a shift (who, which community, which days, the note; audited before and after)."""
    shift = _shift(session, shift_id)
    before = shift_json(shift)
    community, user, starts_on, ends_on, note = _checked(session, payload)
    _refuse_overlap(session, community, starts_on, ends_on, shift.id)
    shift.community_id, shift.user_id, shift.starts_on, shift.ends_on, shift.note = (
        community.id, user.id, starts_on, ends_on, note)
    shift.updated_at = utcnow()
    session.flush()
    session.refresh(shift)
    after = shift_json(shift)
    if after != before:
        audit.record(session, "duty_shift_changed", actor, summary=_summary(shift), changes={"shift": [before, after]})
    return shift


def remove_shift(session: Session, actor: User, shift_id: int) -> None:
    """Take a shift off the roster (audited)."""
    shift = _shift(session, shift_id)
    audit.record(session, "duty_shift_removed", actor, summary=_summary(shift),
                 changes={"shift": [shift_json(shift), None]})
    session.delete(shift)


def _shift(session: Session, shift_id: int) -> DutyShift:
    shift = session.get(DutyShift, shift_id)
    if shift is None:
        raise NotFound("no such shift on the duty roster")
    return shift


def _summary(shift: DutyShift) -> str:
    return f"{shift.community.code} {shift.user.username} {shift.starts_on.isoformat()}…{shift.ends_on.isoformat()}"


def _checked(session: Session, payload) -> tuple[Organisation, User, date, date, str]:
    """The shift's community, worker, days and note, or Invalid naming every refused field."""
    if not isinstance(payload, dict):
        raise Invalid("send the shift as an object: community, username, starts_on, ends_on, note",
                      {"shift": "must be an object"})
    errors: dict[str, str] = {}
    community = session.scalars(select(Organisation).where(
        Organisation.code == str(payload.get("community") or ""), Organisation.kind == "community")).first()
    if community is None:
        errors["community"] = "choose one of the communities"
    user = _worker(session, community, payload.get("username"), errors)
    starts_on, ends_on = _day(payload, "starts_on", errors), _day(payload, "ends_on", errors)
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors["ends_on"] = "the last day comes on or after the first"
        elif ends_on - starts_on >= timedelta(days=LONGEST_SHIFT_DAYS):
            errors["ends_on"] = "a shift lasts at most 366 days"
    note = payload.get("note") or ""
    if not isinstance(note, str) or len(note.strip()) > NOTE_LENGTH:
        errors["note"] = "text of at most 100 characters"
    if errors:
        raise Invalid("the shift needs a community, one of its community workers, a first and a last day",
                      errors)
    return community, user, starts_on, ends_on, note.strip()


def _worker(session: Session, community: Organisation | None, username, errors: dict) -> User | None:
    if not isinstance(username, str) or not username.strip():
        errors["username"] = "required"
        return None
    user = session.scalars(select(User).where(User.username == username.strip())).first()
    if user is None:
        errors["username"] = "no such user"
    elif community is not None and user.id not in {u.id for u in eligible_workers(session, community)}:
        errors["username"] = "not an active community worker of this community"
    return user


def _day(payload: dict, key: str, errors: dict) -> date | None:
    value = payload.get(key)
    if value in (None, ""):
        errors[key] = "required"
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[key] = "a date such as 2027-10-01"
        return None


def _refuse_overlap(session: Session, community: Organisation, starts_on: date, ends_on: date,
                    shift_id: int | None) -> None:
    """One on-duty worker a day: a shift overlapping another of the same community is refused, naming it."""
    query = select(DutyShift).where(DutyShift.community_id == community.id, DutyShift.starts_on <= ends_on,
                                    DutyShift.ends_on >= starts_on)
    if shift_id is not None:
        query = query.where(DutyShift.id != shift_id)
    other = session.scalars(query.order_by(DutyShift.starts_on)).first()
    if other is not None:
        raise Invalid("%(name)s is already on duty at %(community)s from %(first)s to %(last)s: one worker a day",
                      {"starts_on": "overlaps another shift", "ends_on": "overlaps another shift"},
                      params={"name": other.user.display_name, "community": community.name,
                              "first": chinese_date(other.starts_on), "last": chinese_date(other.ends_on)})
