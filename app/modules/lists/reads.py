"""三张清单: the needs, resources and projects lists for staff, in their communities, and a row as JSON.

A page, its export and the API read the same query, so an export holds exactly the rows the page counts."""
from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, load_only

from app.modules.delivery.models import FundEntry
from app.workflow.models.instance import ENDED, Instance, InstanceStatus
from app.people.org import Organisation
from app.modules.decision.models import Project, ProjectStatus
from app.modules.lists.models import Resource
from app.people.models import User
from app.modules.delivery.models import FUND_INCOME
from app.modules.lists.models import RESOURCE_KINDS
from app.people.scope import community_ids_in_scope
from app.errors import Forbidden, Invalid
from app.tables.filters import Filters, read_filters
from app.modules.needs.operations import OUTCOME_STATUS, PROCESS_ID as NEED_PROCESS, intake_form
from app.workflow.queries import routed_condition
from app.people.policy import LIST_ROLES

NEED_STATUSES = ("open", "resolved", "closed_unreasonable", "wish_closed", "merged", "withdrawn", "completed", "cancelled", "error")
# The statuses the decision and delivery processes set (named "project_<status>" for people); others found
# in the database are offered too.
PROJECT_STATUSES = tuple(ProjectStatus)
PER_PAGE = 50
_NEED_COLUMNS = (Instance.id, Instance.business_key, Instance.title, Instance.community_id, Instance.category,
                 Instance.grid, Instance.supporters, Instance.status, Instance.outcome, Instance.created_at,
                 Instance.first_responder_id)


class Listing(NamedTuple):
    rows: list[dict]
    total: int


def need_list(session: Session, user: User, filters: Mapping, page: int | None = None) -> Listing:
    """Needs (need_lifecycle instances) in the user's communities, newest first."""
    names, labels = _communities(session, user), category_labels(session)
    found = read_filters(filters, _codes(names), {"status": NEED_STATUSES, "category": labels})
    where = [Instance.process_id == NEED_PROCESS, *_scope(session, user, Instance.community_id, found),
             *_dated(Instance.created_at, found), *_text(found, Instance.title, Instance.business_key)]
    routed = routed_condition(user)  # like the cases list: a street, district or department sees what reached it
    if routed is not None:
        where.append(routed)
    if found.status:
        where.append(_need_status_is(found.status))
    if found.category:
        where.append(Instance.category == found.category)
    query = select(Instance).options(load_only(*_NEED_COLUMNS)).where(*where).order_by(Instance.id.desc())
    total = session.scalar(select(func.count(Instance.id)).where(*where))
    grids = _grid_names(session)
    found_needs = list(session.scalars(_page(query, page)))
    people = _people(session, {i.first_responder_id for i in found_needs} - {None})
    rows = [_need_row(i, names, labels, grids) | _responder(i, people) for i in found_needs]
    return Listing(rows, total)


def _people(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    """id → (username, display name) of these accounts (in chunks, for a long export)."""
    found, ordered = {}, sorted(ids)
    for chunk in (ordered[n:n + 500] for n in range(0, len(ordered), 500)):
        found |= {row.id: (row.username, row.display_name) for row in session.execute(
            select(User.id, User.username, User.display_name).where(User.id.in_(chunk)))}
    return found


def _responder(instance: Instance, people: dict[int, tuple[str, str]]) -> dict:
    """The need's first responder (首问责任人): username for programs, display name for people."""
    username, name = people.get(instance.first_responder_id, (None, ""))
    return {"first_responder": username, "first_responder_name": name}


def resource_list(session: Session, user: User, filters: Mapping, page: int | None = None) -> Listing:
    """Resources (units, organisations, volunteer teams, venues, funds) in the user's communities."""
    names = _communities(session, user)
    found = read_filters(filters, _codes(names), {"kind": RESOURCE_KINDS}, dated=False)
    where = [*_scope(session, user, Resource.community_id, found),
             *_text(found, Resource.name, Resource.contact, Resource.capacity, Resource.description)]
    if found.kind:
        where.append(Resource.kind == found.kind)
    query = select(Resource).where(*where).order_by(Resource.community_id, Resource.kind, Resource.id)
    total = session.scalar(select(func.count(Resource.id)).where(*where))
    return Listing([resource_row(r, names) for r in session.scalars(_page(query, page))], total)


def project_list(session: Session, user: User, filters: Mapping, page: int | None = None) -> Listing:
    """Projects in the user's communities with their 1+X fund totals, newest first."""
    names, labels = _communities(session, user), category_labels(session)
    found = read_filters(filters, _codes(names), {"status": project_statuses(session), "category": labels})
    where = [*_scope(session, user, Project.community_id, found), *_dated(Project.started_at, found),
             *_text(found, Project.title, Project.project_key, Project.provider_name)]
    if found.status:
        where.append(Project.status == found.status)
    if found.category:
        where.append(Project.category == found.category)
    funds = _fund_totals()
    query = (select(Project, funds.c.raised, funds.c.spent).outerjoin(funds, funds.c.project_id == Project.id)
             .where(*where).order_by(Project.id.desc()))
    total = session.scalar(select(func.count(Project.id)).where(*where))
    return Listing([_project_row(p, raised, spent, names, labels)
                    for p, raised, spent in session.execute(_page(query, page))], total)


# The lists, each with the query that reads it and the filters it takes (the same for pages and API).
READERS = {"needs": need_list, "resources": resource_list, "projects": project_list}
FILTERS = {
    "needs": ("community", "status", "category", "year", "from", "to", "q"),
    "resources": ("community", "kind", "q"),
    "projects": ("community", "status", "category", "year", "from", "to", "q"),
}


def list_item_json(row: dict) -> dict:
    """A list row as JSON: timestamps in ISO 8601, each amount in fen and as yuan with two decimals."""
    item = {key: value.isoformat() if hasattr(value, "isoformat") else value
            for key, value in row.items() if not key.endswith("_fen")}
    for key in (k for k in row if k.endswith("_fen")):
        item[key] = row[key]
        item[key[:-4] + "_yuan"] = f"{Decimal(row[key]) / 100:.2f}"
    return item


def require_list_role(user: User) -> None:
    """Residents, volunteers and providers do not see the staff lists."""
    if not user.role_ids & LIST_ROLES:
        raise Forbidden("the lists are for community staff")


def community_choices(session: Session, user: User) -> list[tuple[str, str]]:
    """(code, name) of the communities the user may filter by."""
    return sorted(_communities(session, user).values())


def category_labels(session: Session) -> dict[str, str]:
    """Category code → title, as the latest need intake form names them (家门口 seven categories)."""
    spec = intake_form(session)["schema"]["properties"].get("category", {})
    return {c["const"]: c.get("title", c["const"]) for c in spec.get("oneOf", []) if "const" in c}


def project_statuses(session: Session) -> tuple[str, ...]:
    """The statuses a project may be filtered by: the known ones and any the database holds."""
    held = session.scalars(select(Project.status).distinct()).all()
    return PROJECT_STATUSES + tuple(sorted(set(held) - set(PROJECT_STATUSES)))


def read_page(value) -> int:
    """A page number from a query parameter (1 when absent)."""
    text = str(value or "1").strip()
    if not text.isdecimal() or len(text) > 6 or int(text) < 1:
        raise Invalid("some filters are not valid", {"page": "a whole number from 1"})
    return int(text)


def need_status(instance: Instance) -> str:
    """Where a need stands, as residents see it (open, resolved, …), or the instance's own status."""
    if instance.status == InstanceStatus.RUNNING:
        return "open"
    if instance.status in ENDED and instance.outcome in OUTCOME_STATUS:
        return OUTCOME_STATUS[instance.outcome]
    return instance.status


def _need_status_is(status: str):
    if status == "open":
        return Instance.status == InstanceStatus.RUNNING
    ended = Instance.status.in_(ENDED)
    if status in OUTCOME_STATUS:
        return ended & (Instance.outcome == status)
    if status in ENDED:
        return (Instance.status == status) & or_(Instance.outcome.is_(None), Instance.outcome.notin_(OUTCOME_STATUS))
    return Instance.status == status


def _communities(session: Session, user: User) -> dict[int, tuple[str, str]]:
    """id → (code, name) of the user's communities; refuses people who may not see the lists."""
    require_list_role(user)
    ids = community_ids_in_scope(session, user)
    rows = session.execute(select(Organisation.id, Organisation.code, Organisation.name)
                           .where(Organisation.id.in_(ids))).all()
    return {org_id: (code, name) for org_id, code, name in rows}


def _codes(names: dict[int, tuple[str, str]]) -> dict[str, int]:
    return {code: org_id for org_id, (code, _) in names.items()}


def _scope(session: Session, user: User, column, found: Filters) -> list:
    if found.community_id is not None:
        return [column == found.community_id]
    return [column.in_(community_ids_in_scope(session, user))]


def _dated(column, found: Filters) -> list:
    where = [column >= found.since] if found.since else []
    return where + ([column < found.until] if found.until else [])


def _text(found: Filters, *columns) -> list:
    return [or_(*(c.icontains(found.q, autoescape=True) for c in columns))] if found.q else []


def _page(query, page: int | None):
    return query if page is None else query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)


def _fund_totals():
    raised = func.sum(case((FundEntry.kind.in_(FUND_INCOME), FundEntry.amount_fen), else_=0))
    spent = func.sum(case((FundEntry.kind == "spending", FundEntry.amount_fen), else_=0))
    return (select(FundEntry.project_id, raised.label("raised"), spent.label("spent"))
            .group_by(FundEntry.project_id).subquery())


def _grid_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Organisation.code, Organisation.name).where(Organisation.kind == "grid")).all())


def _need_row(instance: Instance, names: dict, labels: dict, grids: dict) -> dict:
    code, name = names[instance.community_id]
    return {"id": instance.id, "tracking_code": instance.business_key, "title": instance.title,
            "community": code, "community_name": name, "grid": instance.grid,
            "grid_name": grids.get(instance.grid or "", instance.grid), "category": instance.category,
            "category_label": labels.get(instance.category or "", instance.category), "status": need_status(instance),
            "supporters": instance.supporters, "created_at": instance.created_at}


def resource_row(resource: Resource, names: dict | None = None) -> dict:
    """A resource as the list shows it."""
    code, name = names[resource.community_id] if names else (resource.community.code, resource.community.name)
    return {"id": resource.id, "community": code, "community_name": name, "kind": resource.kind,
            "name": resource.name, "contact": resource.contact, "capacity": resource.capacity,
            "description": resource.description, "active": resource.active, "created_at": resource.created_at}


def _project_row(project: Project, raised: int | None, spent: int | None, names: dict, labels: dict) -> dict:
    code, name = names[project.community_id]
    raised, spent = int(raised or 0), int(spent or 0)
    return {"id": project.id, "project_key": project.project_key, "title": project.title, "community": code,
            "community_name": name, "instance_id": project.instance_id, "category": project.category,
            "category_label": labels.get(project.category or "", project.category), "status": project.status,
            "budget_fen": project.budget_fen, "raised_fen": raised, "spent_fen": spent, "balance_fen": raised - spent,
            "provider_name": project.provider_name, "selection_mode": project.selection_mode,
            "progress_percent": project.progress_percent, "started_at": project.started_at,
            "decided_at": project.decided_at, "published_at": project.published_at,
            "completed_at": project.completed_at, "survey_responses": project.survey_responses,
            "satisfaction_avg": project.satisfaction_avg, "satisfied_share": project.satisfied_share,
            "self_score": project.self_score, "community_score": project.community_score,
            "third_party_score": project.third_party_score, "follow_up_code": project.follow_up_code}
