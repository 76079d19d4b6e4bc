"""Which communities a user may see, derived from where they sit in the organisation tree."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.people.org import DEPARTMENT, Organisation
from app.people.models import User
from app.people.roles import READ_ALL_ROLES


def community_ids_in_scope(session: Session, user: User) -> set[int]:
    """Every community at or below the user's organisation (all of them for auditors and admins)."""
    cache = session.info.setdefault("scope_cache", {})
    if user.id not in cache:
        cache[user.id] = _communities_under(session, None if user.role_ids & READ_ALL_ROLES else user.org)
    return cache[user.id]


def department_of(user: User) -> Organisation | None:
    """The district department the user works in, if they sit in one (they see the cases dispatched to it).

    None for auditors and administrators, who read every case wherever they sit."""
    org = getattr(user, "org", None)
    return org if org is not None and org.kind == DEPARTMENT and not user.role_ids & READ_ALL_ROLES else None


def _communities_under(session: Session, org: Organisation | None) -> set[int]:
    if org is not None and org.kind == DEPARTMENT:
        # A department oversees its district's communities (dashboard, lists); cases only once dispatched to it.
        org = org.parent
        if org is None:
            return set()
    if org is not None and org.kind in ("community", "grid"):
        return {org.id if org.kind == "community" else org.parent_id}
    rows = session.execute(select(Organisation.id, Organisation.parent_id, Organisation.kind)).all()
    if org is None:
        return {r.id for r in rows if r.kind == "community"}
    children: dict[int | None, list] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    found, stack = set(), [org.id]
    while stack:
        for row in children.get(stack.pop(), []):
            if row.kind == "community":
                found.add(row.id)
            stack.append(row.id)
    return found
