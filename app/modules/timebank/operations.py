"""The volunteer time bank: hours confirmed into points, redemptions, and a ledger that never goes negative."""
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import clock
from app.people.org import Organisation
from app.modules.timebank.models import (HoursStatus, Redemption, RedemptionStatus, TimeBankAccount, TimeBankEntry,
                                         VolunteerHours)
from app.modules.timebank.reads import balance, points_per_hour
from app.people.models import User, UserRole
from app.people.scope import community_ids_in_scope
from app.workflow import audit
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.people.policy import CONFIRMING_ROLES
from app.status import change_status
from app.workflow.instances import start_process

REDEMPTION_PROCESS = "time_bank_redemption"
# Started only by a volunteer's redemption: POST /api/processes/…/instances refuses it.
STARTED_BY = {REDEMPTION_PROCESS: "POST /api/timebank/redemptions"}
MAX_TENTHS = 240  # one entry covers at most a day


def log_hours(session: Session, actor: User, payload) -> VolunteerHours:
    """Record hours: a volunteer logs their own; a worker may log them for a volunteer of their community."""
    payload = payload if isinstance(payload, dict) else {}
    volunteer = _volunteer_for(session, actor, payload.get("volunteer"))
    errors = {}
    tenths = _tenths(payload.get("hours"), errors)
    activity, source = payload.get("activity"), payload.get("source", "")
    if not isinstance(activity, str) or not activity.strip() or len(activity) > 200:
        errors["activity"] = "say what the service was (at most 200 characters)"
    if not isinstance(source, str) or len(source) > 64:
        errors["source"] = "at most 64 characters"
    served_on = _served_on(payload.get("served_on"), errors)
    if errors:
        raise Invalid("the hours need correcting", errors)
    return _add_hours(session, volunteer, tenths, activity.strip(), source.strip(), served_on, actor)


def log_hours_for(session: Session, username: str, hours, activity: str, community_code: str, source: str,
                  actor: User | None) -> VolunteerHours | None:
    """Pending hours recorded by a process (e.g. a fulfilled micro-wish); none for zero hours."""
    volunteer = session.scalars(select(User).where(User.username == str(username))).first()
    if volunteer is None:
        raise ValueError(f"unknown volunteer {username}")
    errors: dict = {}
    tenths = _tenths(hours, errors) if hours else 0
    if errors or not tenths:
        return None
    community = session.scalars(select(Organisation).where(Organisation.code == str(community_code))).first()
    return _add_hours(session, volunteer, tenths, str(activity)[:200], str(source)[:64], clock.now().date(), actor,
                      community_id=community.id if community else volunteer.org_id)


def decide_hours(session: Session, hours_id: int, actor: User, payload) -> VolunteerHours:
    """A worker confirms (points credited at the configured rate) or rejects pending hours."""
    payload = payload if isinstance(payload, dict) else {}
    confirm = payload.get("confirm")
    if not isinstance(confirm, bool):
        raise Invalid("say whether the hours are confirmed", {"confirm": "true or false"})
    hours = session.scalars(select(VolunteerHours).where(VolunteerHours.id == hours_id).with_for_update()
                            .execution_options(populate_existing=True)).first()
    if hours is None:
        raise NotFound("no such hours record")
    if not CONFIRMING_ROLES & set(actor.role_ids) or hours.community_id not in community_ids_in_scope(session, actor):
        raise Forbidden("only the community's workers confirm volunteer hours")
    if hours.status != HoursStatus.PENDING:
        raise Conflict("these hours were already confirmed" if hours.status == HoursStatus.CONFIRMED
                       else "these hours were already rejected")
    before, after = change_status(hours, HoursStatus, HoursStatus.CONFIRMED if confirm else HoursStatus.REJECTED)
    hours.decided_by_id, hours.decided_at = actor.id, clock.now()
    audit.record(session, "hours_" + after, actor, summary=f"{hours.volunteer.username} {hours.tenths / 10}h",
                 changes={"hours_id": hours.id, "status": [before, after]})
    if confirm:
        hours.points = hours.tenths * points_per_hour() // 10
        credit(session, hours.volunteer_id, hours.points, actor, note=hours.activity, hours_id=hours.id)
    return hours


def credit(session: Session, user_id: int, points: int, actor: User | None, *, note: str = "",
           hours_id: int | None = None) -> TimeBankEntry:
    """Add points to a volunteer's account."""
    _ensure_account(session, user_id)
    session.execute(update(TimeBankAccount).where(TimeBankAccount.user_id == user_id).values(
        balance=TimeBankAccount.balance + points, updated_at=clock.now()))
    return _entry(session, user_id, "earn", points, actor, note=note, hours_id=hours_id)


def debit(session: Session, user_id: int, points: int, actor: User | None, *, note: str = "",
          redemption_id: int | None = None) -> TimeBankEntry | None:
    """Take points if the balance covers them (one conditional UPDATE: never below zero); else None."""
    _ensure_account(session, user_id)
    taken = session.execute(update(TimeBankAccount).where(
        TimeBankAccount.user_id == user_id, TimeBankAccount.balance >= points).values(
        balance=TimeBankAccount.balance - points, updated_at=clock.now())).rowcount
    if taken != 1:
        return None
    return _entry(session, user_id, "redeem", -points, actor, note=note, redemption_id=redemption_id)


def request_redemption(session: Session, user: User, payload) -> Redemption:
    """A volunteer asks to redeem points; refused at once when the balance is short, else sent for approval."""
    if "volunteer" not in user.role_ids:
        raise Forbidden("only volunteers redeem time-bank points")
    payload = payload if isinstance(payload, dict) else {}
    item, points = payload.get("item"), payload.get("points")
    errors = {}
    if not isinstance(item, str) or not item.strip() or len(item) > 200:
        errors["item"] = "say what you want to redeem (at most 200 characters)"
    if isinstance(points, str) and points.strip().isdigit():
        points = int(points)
    if isinstance(points, bool) or not isinstance(points, int) or not 0 < points <= 1_000_000:
        errors["points"] = "a whole number of points above 0"
    if errors:
        raise Invalid("the redemption cannot be requested", errors)
    if points > balance(session, user.id):
        raise Invalid("not enough points for this redemption",
                      {"points": f"not enough points: the balance is {balance(session, user.id)}"})
    redemption = Redemption(volunteer_id=user.id, community_id=user.org_id, item=item.strip(), points=points,
                            created_at=clock.now())
    session.add(redemption)
    session.flush()
    community = session.get(Organisation, user.org_id)
    instance = start_process(session, REDEMPTION_PROCESS, {
        "redemption_id": redemption.id, "volunteer": user.username, "community": community.code,
        "item": redemption.item, "points": points, "title": f"积分兑换：{redemption.item}"},
        community, user, business_key=f"RD{redemption.id}")
    redemption.instance_id = instance.id
    audit.record(session, "redemption_requested", user, instance=instance, summary=redemption.item,
                 changes={"points": [None, points]})
    return redemption


def redeem(session: Session, redemption_id: int, actor: User | None) -> bool:
    """Debit an approved redemption; a short balance refuses it instead (the ledger is untouched)."""
    redemption = session.get(Redemption, int(redemption_id))
    if redemption is None or redemption.status != RedemptionStatus.REQUESTED:
        raise ValueError(f"redemption {redemption_id} is not awaiting a decision")
    entry = debit(session, redemption.volunteer_id, redemption.points, actor, note=redemption.item,
                  redemption_id=redemption.id)
    decided = RedemptionStatus.REDEEMED if entry else RedemptionStatus.REFUSED
    _decide(session, redemption, decided, "" if entry else "积分不足", actor)
    return entry is not None


def refuse(session: Session, redemption_id: int, reason: str, actor: User | None) -> bool:
    """Refuse a redemption with its reason."""
    redemption = session.get(Redemption, int(redemption_id))
    if redemption is None or redemption.status != RedemptionStatus.REQUESTED:
        raise ValueError(f"redemption {redemption_id} is not awaiting a decision")
    _decide(session, redemption, RedemptionStatus.REFUSED, str(reason)[:500], actor)
    return True


def _decide(session: Session, redemption: Redemption, status: RedemptionStatus, reason: str,
            actor: User | None) -> None:
    before, after = change_status(redemption, RedemptionStatus, status)
    audit.record(session, f"redemption_{after}", actor, summary=redemption.item,
                 changes={"redemption_id": redemption.id, "status": [before, after], "reason": reason})
    redemption.reason, redemption.decided_at = reason, clock.now()


def _entry(session: Session, user_id: int, kind: str, points: int, actor: User | None, **links) -> TimeBankEntry:
    after = session.scalar(select(TimeBankAccount.balance).where(TimeBankAccount.user_id == user_id))
    entry = TimeBankEntry(user_id=user_id, kind=kind, points=points, balance_after=after,
                          actor_id=actor.id if actor else None, at=clock.now(), **links)
    session.add(entry)
    audit.record(session, f"points_{kind}ed" if kind == "earn" else "points_redeemed", actor,
                 summary=f"{points:+d} → {after}", changes={"user_id": user_id, "balance": [after - points, after]})
    return entry


def _ensure_account(session: Session, user_id: int) -> None:
    if session.get(TimeBankAccount, user_id) is not None:
        return
    try:
        with session.begin_nested():
            session.add(TimeBankAccount(user_id=user_id, balance=0, updated_at=clock.now()))
    except IntegrityError:
        pass  # opened concurrently: the row exists now, which is all we need


def _add_hours(session: Session, volunteer: User, tenths: int, activity: str, source: str, served_on: date,
               actor: User | None, community_id: int | None = None) -> VolunteerHours:
    hours = VolunteerHours(volunteer_id=volunteer.id, community_id=community_id or volunteer.org_id, activity=activity,
                           source=source, served_on=served_on, tenths=tenths,
                           recorded_by_id=actor.id if actor else None, created_at=clock.now())
    session.add(hours)
    session.flush()
    audit.record(session, "hours_logged", actor, summary=f"{volunteer.username} {tenths / 10}h {activity}",
                 changes={"hours_id": hours.id, "hours": [None, tenths / 10]})
    return hours


def _volunteer_for(session: Session, actor: User, username) -> User:
    if username in (None, "", actor.username):
        if "volunteer" not in actor.role_ids:
            raise Invalid("name the volunteer whose hours these are", {"volunteer": "required"})
        return actor
    if not CONFIRMING_ROLES & set(actor.role_ids):
        raise Forbidden("volunteers log only their own hours")
    volunteer = session.scalars(select(User).join(UserRole).where(
        User.username == str(username), UserRole.role == "volunteer")).first()
    if volunteer is None or volunteer.org_id not in community_ids_in_scope(session, actor):
        raise Invalid("no such volunteer in your communities", {"volunteer": "unknown volunteer"})
    return volunteer


def _tenths(value, errors: dict) -> int:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        errors["hours"] = "a number of hours, e.g. 2 or 1.5"
        return 0
    tenths = round(value * 10)
    if not 0 < tenths <= MAX_TENTHS or abs(value * 10 - tenths) > 1e-6:
        errors["hours"] = "between 0.1 and 24, in tenths of an hour"
        return 0
    return tenths


def _served_on(value, errors: dict) -> date:
    today = clock.now().date()
    if value in (None, ""):
        return today
    try:
        served = date.fromisoformat(str(value))
    except ValueError:
        errors["served_on"] = "a date like 2026-11-24"
        return today
    if served > today + timedelta(days=1) or served < today - timedelta(days=366):
        errors["served_on"] = "within the past year"
    return served
