"""The time bank as pages and the API read it: a volunteer's account, hours awaiting confirmation, and their JSON."""
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.modules.timebank.models import HoursStatus, Redemption, TimeBankAccount, TimeBankEntry, VolunteerHours
from app.people.models import User
from app.people.scope import community_ids_in_scope

SHOWN = 200  # newest entries, hours and redemptions an account shows


def points_per_hour() -> int:
    """Points credited per confirmed hour (TIME_BANK_POINTS_PER_HOUR)."""
    return int(current_app.config["TIME_BANK_POINTS_PER_HOUR"])


def balance(session: Session, user_id: int) -> int:
    """A volunteer's points balance (0 before their first entry)."""
    return session.scalar(select(TimeBankAccount.balance).where(TimeBankAccount.user_id == user_id)) or 0


def account_view(session: Session, user: User) -> dict:
    """A volunteer's balance, ledger, hours and redemptions (newest first)."""
    return {
        "balance": balance(session, user.id), "points_per_hour": points_per_hour(),
        "entries": _newest(session, TimeBankEntry, TimeBankEntry.user_id == user.id),
        "hours": _newest(session, VolunteerHours, VolunteerHours.volunteer_id == user.id),
        "redemptions": _newest(session, Redemption, Redemption.volunteer_id == user.id),
    }


def pending_hours(session: Session, user: User) -> list[VolunteerHours]:
    """Hours awaiting confirmation in the communities this worker answers for."""
    return list(session.scalars(select(VolunteerHours).where(
        VolunteerHours.status == HoursStatus.PENDING,
        VolunteerHours.community_id.in_(community_ids_in_scope(session, user))).order_by(VolunteerHours.id)))


def account_json(view: dict) -> dict:
    """An account view (account_view) as JSON."""
    return {"balance": view["balance"], "points_per_hour": view["points_per_hour"],
            "entries": [entry_json(e) for e in view["entries"]], "hours": [hours_json(h) for h in view["hours"]],
            "redemptions": [redemption_json(r) for r in view["redemptions"]]}


def entry_json(entry: TimeBankEntry) -> dict:
    """A ledger entry as JSON."""
    return {"id": entry.id, "kind": entry.kind, "points": entry.points, "balance_after": entry.balance_after,
            "note": entry.note, "at": entry.at.isoformat()}


def hours_json(hours: VolunteerHours) -> dict:
    """Logged hours as JSON."""
    return {"id": hours.id, "volunteer": hours.volunteer.username, "activity": hours.activity,
            "source": hours.source, "served_on": hours.served_on.isoformat(), "hours": hours.tenths / 10,
            "status": hours.status, "points": hours.points}


def redemption_json(redemption: Redemption) -> dict:
    """A redemption as JSON (in an account)."""
    return {"id": redemption.id, "item": redemption.item, "points": redemption.points, "status": redemption.status,
            "reason": redemption.reason}


def _newest(session: Session, model, where) -> list:
    return list(session.scalars(select(model).where(where).order_by(model.id.desc()).limit(SHOWN)))
