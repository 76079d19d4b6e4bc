"""Diagram functions for dispatch (派单): the department options, the dispatch itself, escalation, reminders."""
from app.errors import FieldRefusal, Refusal
from app.modules.departments import operations as directory
from app.people.org import Organisation
from app.workflow.helpers import bound, chinese_day, own_community, record_write
from app.workflow.notifications import notify, users_in_org


def department_options(community) -> list[dict]:
    """The departments of the case's district, as options for the street's dispatch."""
    session, _ = bound()
    return directory.choices(session, own_community(community))


def dispatch_to_department(community, department, deadline_days) -> dict:
    """Dispatch the case to a department of its district with a time limit; its code, name and due day."""
    session, _ = bound()
    own = own_community(community)
    found = directory.chosen(session, own, department)
    if not department:
        raise FieldRefusal({"assigned_department": "required"}, "choose the department to dispatch the need to")
    if found is None:
        raise FieldRefusal({"assigned_department": "choose one of the offered options"},
                           "%(code)s is not a department of this district", code=department)
    days = _days(deadline_days)
    return _dispatched(found, days, "need_dispatched")


def escalate_to_department(community, deadline_days) -> dict:
    """Hand a need the street let run late to the district's escalation department (code "" if it has none)."""
    session, _ = bound()
    found = directory.escalation_receiver(session, own_community(community))
    days = _days(deadline_days)
    if found is None:
        record_write("need_escalated", summary="no department in the directory: offered to the district's role",
                     changes={"assigned_department": [None, ""]})
        due = directory.due_date(days)
        return {"code": "", "name": "", "due": due, "due_text": chinese_day(due)}
    return _dispatched(found, days, "need_escalated")


def _dispatched(department: Organisation, days: int, event: str) -> dict:
    due = directory.due_date(days)
    record_write(event, summary=department.name,
                 changes={"assigned_department": [None, department.code], "district_deadline_days": [None, days],
                          "district_due_date": [None, due]})
    return {"code": department.code, "name": department.name, "due": due, "due_text": chinese_day(due)}


def _days(value) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if not 1 <= days <= directory.MAX_DAYS:
        raise FieldRefusal({"district_deadline_days": "out of range"},
                           "the time limit must be between 1 and %(most)s days", most=directory.MAX_DAYS)
    return days


def notify_department(department, community, message) -> bool:
    """Notify the users of the department the case was dispatched to (in-app and SMS outbox)."""
    session, _ = bound()
    found = directory.chosen(session, own_community(community), department)
    if found is None:
        raise Refusal("%(code)s is not a department of this district", code=department)
    users = users_in_org(session, "district_department", found.id)
    notify(session, users, str(message))
    record_write("notification_sent", summary=f"{found.code}: {message}",
                 changes={"department": [None, found.code], "recipients": [None, len(users)]})
    return True


def street_of(community) -> str:
    """The code of the street office above the case's community (the body a street-handled need rates)."""
    org = own_community(community).parent
    while org is not None and org.kind != "street":
        org = org.parent
    return org.code if org is not None else ""


HELPERS = {f.__name__: f for f in (department_options, dispatch_to_department, escalate_to_department,
                                   notify_department, street_of)}
