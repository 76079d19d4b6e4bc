"""Diagram functions for deadlines stated in working days."""
from datetime import date, datetime, time

from app.modules.workdays import days
from app.errors import Refusal
from app.workflow.helpers import CHINA, bound, record_write

OFFICE_CLOSES = time(17, 30)  # a deadline in working days falls due when that day's office hours end


def add_working_days(start, count) -> str:
    """The end of office hours (17:30 China time) `count` working days after `start` (an ISO date or instant;
    that day itself not counted), as ISO 8601: a timer's timeDate. Public holidays and adjusted working days
    come from the calendar table, then the chinese-calendar package; a year neither knows is counted Monday to
    Friday, and that is written in the case's history."""
    session, _ = bound()
    due, assumed = days.add_working_days(session, _china_date(start), count)
    if assumed:
        record_write("working_days_assumed", summary=f"{_china_date(start)} + {count}: {assumed}",
                     changes={"assumed_years": [None, assumed]})
    return datetime.combine(due, OFFICE_CLOSES, CHINA).isoformat()


def _china_date(value) -> date:
    """The China date of an ISO date or instant (an instant without a zone is China time)."""
    try:
        instant = datetime.fromisoformat(str(value))
    except ValueError:
        raise Refusal("%(value)s is not an ISO 8601 date or instant", value=value) from None
    if len(str(value)) == 10 or instant.tzinfo is None:
        return instant.date()
    return instant.astimezone(CHINA).date()


HELPERS = {f.__name__: f for f in (add_working_days,)}
