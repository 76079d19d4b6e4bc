"""The department directory: list the district's departments, add one, and choose one for a dispatch.

Each department is an organisation of kind `department` under its district, with its own users (role
`district_department`). Writes guard, act and record an audit event; none commits."""
import re
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.errors import Invalid
from app.people.models import User, UserRole
from app.people.org import DEPARTMENT, Organisation
from app.workflow import audit
from app.workflow.helpers import CHINA

CODE = re.compile(r"[a-z0-9][a-z0-9-]{1,63}")
MAX_NAME = 100
DEFAULT_DAYS, MAX_DAYS = 10, 90  # 办理时限 a street gives a department: 10 days unless it says otherwise


def district_of(org: Organisation | None) -> Organisation | None:
    """The district an organisation sits in (itself, for a district)."""
    while org is not None and org.kind != "district":
        org = org.parent
    return org


def departments(session: Session, district: Organisation | None = None) -> list[Organisation]:
    """The departments of a district (of every district when none is named), oldest first."""
    query = select(Organisation).where(Organisation.kind == DEPARTMENT)
    if district is not None:
        query = query.where(Organisation.parent_id == district.id)
    return list(session.scalars(query.order_by(Organisation.id)))


def staff(session: Session, department: Organisation) -> list[User]:
    """The active users of a department who handle dispatched needs."""
    return list(session.scalars(select(User).join(UserRole).where(
        User.org_id == department.id, UserRole.role == "district_department", User.is_active.is_(True))
        .order_by(User.username)))


def staff_counts(session: Session) -> dict[int, int]:
    """Department id → how many active users handle its dispatched needs."""
    rows = session.execute(select(User.org_id, func.count(User.id)).join(UserRole).where(
        UserRole.role == "district_department", User.is_active.is_(True)).group_by(User.org_id))
    return dict(rows.all())


def add_department(session: Session, actor: User, fields) -> Organisation:
    """Add a department to a district's directory (audited)."""
    if not isinstance(fields, dict):
        raise Invalid("send the department as a JSON object", {"data": "must be an object"})
    code, name = str(fields.get("code") or "").strip(), str(fields.get("name") or "").strip()
    problems = {}
    if not CODE.fullmatch(code):
        problems["code"] = "use 2 to 64 lowercase letters, digits or hyphens"
    elif session.scalar(select(Organisation.id).where(Organisation.code == code)) is not None:
        problems["code"] = "already taken"
    if not name:
        problems["name"] = "required"
    elif len(name) > MAX_NAME:
        problems["name"] = "too long"
    district = _district(session, fields.get("district"), problems)
    if problems:
        raise Invalid("some fields need correcting", problems)
    department = Organisation(code=code, name=name, kind=DEPARTMENT, parent=district)
    session.add(department)
    session.flush()
    audit.record(session, "department_added", actor, summary=f"{code}: {name}",
                 changes={"code": [None, code], "name": [None, name], "district": [None, district.code]})
    return department


def _district(session: Session, code, problems: dict) -> Organisation | None:
    """The district named, or the only one when none is named."""
    districts = list(session.scalars(select(Organisation).where(Organisation.kind == "district")
                                     .order_by(Organisation.id)))
    if code:
        found = next((d for d in districts if d.code == str(code).strip()), None)
        if found is None:
            problems["district"] = "no such district"
        return found
    if len(districts) != 1:
        problems["district"] = "required"
        return None
    return districts[0]


def choices(session: Session, community: Organisation) -> list[dict]:
    """The departments a need of this community may be dispatched to, as select options (code → name)."""
    district = district_of(community)
    return [{"const": d.code, "title": d.name} for d in departments(session, district)] if district else []


def chosen(session: Session, community: Organisation, code) -> Organisation | None:
    """The department of the community's district that `code` names, if any."""
    district = district_of(community)
    if district is None or not code:
        return None
    return session.scalars(select(Organisation).where(Organisation.code == str(code).strip(),
                                                      Organisation.kind == DEPARTMENT,
                                                      Organisation.parent_id == district.id)).first()


def escalation_receiver(session: Session, community: Organisation) -> Organisation | None:
    """The department that takes a need the street let run late (超时督办 / 提级办理): the directory's first."""
    district = district_of(community)
    found = departments(session, district) if district is not None else []
    return found[0] if found else None


def due_date(days: int) -> str:
    """The day a dispatch is due, `days` from now in China time (ISO date)."""
    return (clock.now().astimezone(CHINA) + timedelta(days=days)).date().isoformat()
