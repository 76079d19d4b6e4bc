"""Working days in China: the calendar table first, then the chinese-calendar package, else Monday to Friday.

The package knows the State Council's holiday schedule for the years it was released with (2004–2026 in
1.11.0); the table (`calendar_day`) holds the days an administrator records, and overrides the package. A
year neither knows is a documented fallback, not a refusal: its days are counted Monday to Friday and the
answer says the year was assumed (`assumed_years`), so a deadline never stalls a case while the
administrator has yet to enter next year's schedule; `is_working_day(..., strict=True)` refuses instead."""
from dataclasses import dataclass
from functools import cache
from datetime import date, datetime, time, timedelta

import chinese_calendar
from chinese_calendar import constants as package_data
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Refusal
from app.modules.workdays.models import CalendarDay
from app.workflow.helpers import CHINA

OFFICE_CLOSES = time(17, 30)  # a deadline in working days falls due when that day's office hours end
MAX_WORKING_DAYS = 250  # about a year: a deadline further out is a typing mistake in a diagram


@dataclass(frozen=True)
class DayStatus:
    """Whether a day is a working day, and who says so: the table, the package, or the Monday–Friday fallback
    ("assumed"); the note an administrator wrote for a recorded day."""

    day: date
    is_working_day: bool
    source: str
    note: str = ""


@cache
def package_years() -> range:
    """The years the chinese-calendar package knows."""
    years = {d.year for d in package_data.holidays}
    return range(min(years), max(years) + 1)


def table_years(session: Session) -> set[int]:
    """The years in which an administrator recorded at least one day."""
    return {d.year for d in session.scalars(select(CalendarDay.day))}


class Calendar:
    """The working-day status of days, read from the table once for the years asked about (or, without a
    session, from the days it was given: a snapshot for a dry run, which holds no transaction open)."""

    def __init__(self, session: Session | None, recorded: dict[date, CalendarDay] | None = None):
        self._session, self._table, self._loaded = session, dict(recorded or {}), set()

    @classmethod
    def snapshot(cls, session: Session) -> "Calendar":
        """Every recorded day, read now; the calendar then needs no session."""
        return cls(None, {r.day: r for r in session.scalars(select(CalendarDay))})

    def status(self, day: date) -> DayStatus:
        """Whether `day` is a working day, and on whose word."""
        self._load(day.year)
        row = self._table.get(day)
        if row is not None:
            return DayStatus(day, row.is_working_day, "table", row.note)
        if day.year in package_years():
            return DayStatus(day, chinese_calendar.is_workday(day), "package")
        # A later year: the days recorded are its holidays and adjusted working days, the rest Monday to Friday.
        return DayStatus(day, day.weekday() < 5, "table" if day.year in self._table_years else "assumed")

    def _load(self, year: int) -> None:
        if self._session is None or year in self._loaded:
            return
        rows = self._session.scalars(select(CalendarDay).where(
            CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))).all()
        self._table.update({r.day: r for r in rows})
        self._loaded.add(year)

    @property
    def _table_years(self) -> set[int]:
        return {d.year for d in self._table}


def is_working_day(session: Session, day: date, strict: bool = False) -> bool:
    """Whether `day` is a working day; `strict` refuses a year neither the table nor the package knows."""
    status = Calendar(session).status(day)
    if strict and status.source == "assumed":
        raise Refusal("the working-day calendar knows nothing of %(year)s: an administrator must record that "
                      "year's public holidays and adjusted working days on the calendar page", year=day.year)
    return status.is_working_day


def add_working_days(session: Session | Calendar, start: date, count: int) -> tuple[date, list[int]]:
    """The day `count` working days after `start` (`start` itself not counted), and the years assumed Monday to
    Friday on the way (none when the table or the package knew every day counted)."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_WORKING_DAYS:
        raise Refusal("a number of working days must be a whole number from 1 to %(max)s, not %(value)s",
                      max=MAX_WORKING_DAYS, value=count)
    calendar = session if isinstance(session, Calendar) else Calendar(session)
    day, counted, assumed = start, 0, set()
    while counted < count:
        if day >= date(9999, 12, 31):
            raise Refusal("a deadline cannot fall after the year 9999 (%(start)s + %(count)s working days)",
                          start=start.isoformat(), count=count)
        day += timedelta(days=1)
        status = calendar.status(day)
        if status.source == "assumed":
            assumed.add(day.year)
        counted += status.is_working_day
    return day, sorted(assumed)


def deadline(session: Session | Calendar, start, count) -> tuple[str, list[int]]:
    """The end of office hours `count` working days after `start` (an ISO date or instant; an instant without a
    zone is China time), as an ISO 8601 instant a timer's timeDate takes; and the years assumed on the way."""
    due, assumed = add_working_days(session, china_date(start), count)
    return datetime.combine(due, OFFICE_CLOSES, CHINA).isoformat(), assumed


def china_date(value) -> date:
    """The China date of an ISO date or instant."""
    try:
        instant = datetime.fromisoformat(str(value))
    except ValueError:
        raise Refusal("%(value)s is not an ISO 8601 date or instant", value=value) from None
    return instant.date() if instant.tzinfo is None else instant.astimezone(CHINA).date()
