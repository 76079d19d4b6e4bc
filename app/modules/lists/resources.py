"""The resources list (资源清单): workers record the units, organisations, volunteer teams, venues and funds
their communities can draw on when designing projects."""
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.people.org import Organisation
from app.modules.lists.models import Resource
from app.people.models import User
from app.modules.lists.models import RESOURCE_KINDS
from app.people.scope import community_ids_in_scope
from app.workflow import audit
from app.errors import Forbidden, Invalid
from app.people.policy import RESOURCE_EDITORS

# field → (required, longest)
TEXT_FIELDS = {"name": (True, 200), "contact": (False, 100), "capacity": (False, 200), "description": (False, 2000)}
RESOURCE_FIELDS = ("community", "kind", *TEXT_FIELDS)


def add_resource(session: Session, actor: User, payload) -> Resource:
    """Check a new resource field by field and add it to one of the actor's communities; audited."""
    if not actor.role_ids & RESOURCE_EDITORS:
        raise Forbidden("only community workers, party secretaries, street offices and administrators add resources")
    if not isinstance(payload, Mapping):
        raise Invalid("send a JSON object", {"data": "must be an object"})
    errors = {name: "unknown field" for name in payload if name not in RESOURCE_FIELDS}
    community = _community(session, actor, payload.get("community"), errors)
    kind = _kind(payload.get("kind"), errors)
    texts = {name: _text(payload.get(name), name, *rule, errors) for name, rule in TEXT_FIELDS.items()}
    if errors:
        raise Invalid("some fields need correcting", errors)
    resource = Resource(community_id=community.id, kind=kind, **texts)
    session.add(resource)
    session.flush()
    audit.record(session, "resource_added", actor, summary=f"{community.code} {kind}: {texts['name']}",
                 changes={name: [None, value] for name, value in
                          {"resource_id": resource.id, "community": community.code, "kind": kind, **texts}.items()})
    return resource


def _community(session: Session, actor: User, code, errors: dict) -> Organisation | None:
    if not isinstance(code, str) or not code.strip():
        errors["community"] = "required"
        return None
    found = session.scalars(select(Organisation).where(Organisation.code == code.strip(),
                                                       Organisation.kind == "community")).first()
    if found is None or found.id not in community_ids_in_scope(session, actor):
        errors["community"] = "not one of your communities"
        return None
    return found


def _kind(kind, errors: dict) -> str | None:
    if kind in (None, ""):
        errors["kind"] = "required"
    elif not isinstance(kind, str) or kind not in RESOURCE_KINDS:
        errors["kind"] = "choose one of the offered options"
    return kind


def _text(value, name: str, required: bool, longest: int, errors: dict) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = "wrong type"
        return ""
    value = value.strip()
    if required and not value:
        errors[name] = "required"
    elif len(value) > longest:
        errors[name] = "too long"
    return value
