"""Diagram functions for deadlines stated in working days."""
from app.modules.workdays import days
from app.workflow.helpers import bound, record_write


def add_working_days(start, count) -> str:
    """The end of office hours (17:30 China time) `count` working days after `start` (an ISO date or instant;
    that day itself not counted), as ISO 8601: a timer's timeDate. Public holidays and adjusted working days
    come from the calendar table, then the chinese-calendar package; a year neither knows is counted Monday to
    Friday, and that is written in the case's history."""
    session, _ = bound()
    due, assumed = days.deadline(session, start, count)
    if assumed:
        record_write("working_days_assumed", summary=f"{days.china_date(start)} + {count}: {assumed}",
                     changes={"assumed_years": [None, assumed]})
    return due


HELPERS = {f.__name__: f for f in (add_working_days,)}
