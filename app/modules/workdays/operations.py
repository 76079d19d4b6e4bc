"""The calendar table: administrators list, record and remove days (each change audited)."""
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.modules.workdays import days
from app.modules.workdays.models import CalendarDay
from app.people.models import User
from app.workflow import audit
from app.errors import Invalid, NotFound

FIRST_YEAR, LAST_YEAR = 2000, 2100
NOTE_LENGTH = 100


def calendar_days(session: Session, year: int | None = None) -> list[CalendarDay]:
    """The days recorded in the table (of one year, if given), in date order."""
    query = select(CalendarDay).order_by(CalendarDay.day)
    if year is not None:
        query = query.where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    return list(session.scalars(query))


def calendar_day_json(row: CalendarDay) -> dict:
    """A recorded day as the API gives it."""
    return {"day": row.day.isoformat(), "is_working_day": row.is_working_day, "note": row.note}


def years_json(session: Session) -> dict:
    """Which years the package and the table know (a year neither knows is counted Monday to Friday)."""
    known = days.package_years()
    return {"package_years": [known.start, known.stop - 1], "table_years": sorted(days.table_years(session))}


def set_day(session: Session, actor: User, payload) -> CalendarDay:
    """Record a day as a working day or a day off, replacing what the table said of it before."""
    day, working, note = _day_payload(payload)
    row = session.get(CalendarDay, day)
    before = calendar_day_json(row) if row else None
    if row is None:
        row = CalendarDay(day=day, is_working_day=working, note=note, created_by_id=actor.id)
        session.add(row)
    else:
        row.is_working_day, row.note = working, note
    session.flush()
    audit.record(session, "calendar_day_set", actor, summary=f"{day.isoformat()}: {'working' if working else 'off'}",
                 changes={"day": day.isoformat(), "entry": [before, calendar_day_json(row)]})
    return row


def remove_day(session: Session, actor: User, value) -> None:
    """Take a day out of the table: the package (or Monday to Friday) says again what it is."""
    day = parse_day(value)
    row = session.get(CalendarDay, day)
    if row is None:
        raise NotFound("%(day)s is not on the calendar table", params={"day": day.isoformat()})
    before = calendar_day_json(row)
    session.delete(row)
    audit.record(session, "calendar_day_removed", actor, summary=day.isoformat(),
                 changes={"day": day.isoformat(), "entry": [before, None]})


def parse_day(value) -> date:
    """An ISO date (2027-10-01) within the years the calendar keeps, or refused with the rule."""
    try:
        day = date.fromisoformat(str(value).strip())
    except ValueError:
        raise Invalid("a day is written as an ISO date such as 2027-10-01", {"day": "invalid"}) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise Invalid("the calendar keeps the years %(first)s to %(last)s", {"day": "out of range"},
                      params={"first": FIRST_YEAR, "last": LAST_YEAR})
    return day


def _day_payload(payload) -> tuple[date, bool, str]:
    if not isinstance(payload, dict):
        raise Invalid("send {\"day\", \"is_working_day\", \"note\"?}", {"day": "required"})
    errors = {}
    if "day" not in payload:
        errors["day"] = "required"
    working = payload.get("is_working_day")
    if not isinstance(working, bool):
        errors["is_working_day"] = "required: true (a working day) or false (a day off)"
    note = payload.get("note") or ""
    if not isinstance(note, str) or len(note) > NOTE_LENGTH:
        errors["note"] = "text of at most 100 characters"
    if errors:
        raise Invalid("a calendar day needs the day, whether it is a working day, and at most a short note", errors)
    return parse_day(payload["day"]), working, note.strip()
