"""Search across instances for auditors and the monitoring desk: process, version, community, status,
actor, period and a data field, within what the searcher may see."""
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload

from app.workflow.models.audit import AuditEvent
from app.workflow.models.instance import Instance, InstanceStatus
from app.people.org import Organisation
from app.workflow.models.process import ProcessDefinition, ProcessVersion
from app.people.models import User
from app.people.scope import community_ids_in_scope
from app.errors import Invalid
from app.tables.filters import Filters, china_time, read_filters
from app.workflow.queries import scope_conditions, waiting_task_names

STATUSES = tuple(InstanceStatus)
FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
PER_PAGE = 50
EXPORT_LIMIT = 10_000


@dataclass(frozen=True)
class Search:
    """Checked search terms; `base` holds those the three lists share (community, status, q, period)."""

    base: Filters
    process: str | None = None
    version: int | None = None
    actor: str | None = None
    field: str | None = None
    value: str | None = None


def read_search(session: Session, user: User, raw: Mapping) -> Search:
    """The search in `raw` (query parameters), or one 400 naming every bad term."""
    processes = session.scalars(select(ProcessDefinition.process_id)).all()
    errors: dict[str, str] = {}
    try:
        base = read_filters(raw, communities_in_scope(session, user), {"status": STATUSES})
    except Invalid as err:
        errors.update(err.fields)
        base = Filters()
    if raw.get("process") and raw.get("process") not in processes:
        errors["process"] = "choose one of the offered options"
    version = _version(raw.get("version"), errors)
    actor, field, value = (str(raw.get(k) or "").strip()[:100] or None for k in ("actor", "field", "value"))
    if field and not FIELD_NAME.match(field):
        errors["field"] = "a field name such as tier"
    if value and not field:
        errors["field"] = "required"
    if errors:
        raise Invalid("some filters are not valid", errors)
    return Search(base, raw.get("process") or None, version, actor, field, value)


def _version(text, errors: dict) -> int | None:
    if not text:
        return None
    if not str(text).isdecimal() or len(str(text)) > 6:
        errors["version"] = "a version number such as 2"
        return None
    return int(text)


def search_query(session: Session, user: User, search: Search) -> Select:
    """The instances matching the search, newest first."""
    query = select(Instance).where(*scope_conditions(session, user))
    base = search.base
    for column, operator, value in ((Instance.community_id, "__eq__", base.community_id),
                                    (Instance.status, "__eq__", base.status),
                                    (Instance.process_id, "__eq__", search.process),
                                    (Instance.created_at, "__ge__", base.since),
                                    (Instance.created_at, "__lt__", base.until)):
        if value is not None:
            query = query.where(getattr(column, operator)(value))
    if base.q:
        like = f"%{base.q}%"
        query = query.where(or_(Instance.title.ilike(like), Instance.business_key.ilike(like)))
    if search.version:
        query = query.where(Instance.version_id.in_(select(ProcessVersion.id).where(
            ProcessVersion.version == search.version)))
    if search.actor:
        query = query.where(_has_event(AuditEvent.actor_name == search.actor))
    if search.field:
        query = query.where(_has_event(*_field_conditions(search.field, search.value)))
    return query.order_by(Instance.id.desc())


def _has_event(*conditions):
    return exists(select(AuditEvent.seq).where(AuditEvent.instance_id == Instance.id, *conditions))


def _field_conditions(field: str, value: str | None) -> list:
    """An event that set `field` (to `value`, compared as text): changes are stored as [before, after]."""
    after = AuditEvent.data_changes[(field, 1)]
    if value is None:
        return [after.as_string().is_not(None) | AuditEvent.data_changes[field].as_string().is_not(None)]
    texts = {value, {"true": "1", "false": "0"}.get(value.lower(), value)}
    return [or_(*(after.as_string() == text for text in texts))]


def search_page(session: Session, user: User, search: Search, page: int) -> tuple[int, list[Instance]]:
    """(total, one page of matching instances with community and version loaded)."""
    query = search_query(session, user, search)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.options(joinedload(Instance.community), joinedload(Instance.version))
                           .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).unique().all()
    return total, list(rows)


def export_rows(session: Session, user: User, search: Search) -> list[list]:
    """Every matching instance (up to EXPORT_LIMIT) as table rows, with the tasks it waits at."""
    query = search_query(session, user, search).options(joinedload(Instance.community), joinedload(Instance.version))
    instances = session.scalars(query.limit(EXPORT_LIMIT)).unique().all()
    waiting = waiting_task_names(session, [i.id for i in instances])
    return [[i.id, i.business_key or "", i.title, i.process_id, i.version.version, i.community.name, i.status,
             i.outcome or "", china_time(i.created_at), china_time(i.updated_at),
             "、".join(waiting.get(i.id, []))] for i in instances]


EXPORT_HEADERS = ["id", "tracking code", "title", "process", "version", "community", "status", "outcome",
                  "started", "updated", "waiting at"]


def process_versions(session: Session) -> list[tuple[str, list[int]]]:
    """Each process with its version numbers, for the search form."""
    rows = session.execute(select(ProcessDefinition.process_id, ProcessVersion.version)
                           .join(ProcessVersion).order_by(ProcessDefinition.process_id, ProcessVersion.version))
    grouped: dict[str, list[int]] = {}
    for process_id, version in rows:
        grouped.setdefault(process_id, []).append(version)
    return list(grouped.items())


def community_names(session: Session, codes) -> dict[str, str]:
    """Community code → name, for the given codes."""
    return dict(session.execute(select(Organisation.code, Organisation.name).where(Organisation.code.in_(codes))).all())


def communities_in_scope(session: Session, user: User) -> dict[str, int]:
    """Code → id of the communities the user may search."""
    ids = community_ids_in_scope(session, user)
    return dict(session.execute(select(Organisation.code, Organisation.id).where(Organisation.id.in_(ids))).all())
