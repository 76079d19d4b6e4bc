"""Community registers (members on record per body), maintained by administrators and audited."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.modules.decision.models import CommunityRegister
from app.people.org import Organisation
from app.people.models import User
from app.modules.decision.models import REGISTER_BODIES
from app.workflow import audit
from app.errors import Invalid


def registers_table(session: Session) -> list[tuple[Organisation, dict[str, int | None]]]:
    """Each community with its members on record per body (None where not recorded)."""
    rows = session.scalars(select(CommunityRegister)).all()
    counts = {(r.community_id, r.body): r.members for r in rows}
    communities = session.scalars(select(Organisation).where(Organisation.kind == "community")
                                  .order_by(Organisation.code)).all()
    return [(c, {b: counts.get((c.id, b)) for b in REGISTER_BODIES}) for c in communities]


def set_register(session: Session, actor: User, community: str, body: str, value) -> None:
    """Record how many members a body has; audited with before and after."""
    if body not in REGISTER_BODIES:
        raise Invalid("unknown body %(body)s", params={"body": body})
    try:
        members = int(value)
    except (TypeError, ValueError):
        raise Invalid("members on record must be whole numbers") from None
    if not 0 < members <= 100000:
        raise Invalid("members on record must be between 1 and 100000")
    org = session.scalars(select(Organisation).where(Organisation.code == community,
                                                     Organisation.kind == "community")).first()
    if org is None:
        raise Invalid("unknown community")
    row = session.scalars(select(CommunityRegister).where(CommunityRegister.community_id == org.id,
                                                          CommunityRegister.body == body)).first()
    before = row.members if row else None
    if before == members:
        return
    if row is None:
        session.add(CommunityRegister(community_id=org.id, body=body, members=members))
    else:
        row.members, row.updated_at = members, utcnow()
    audit.record(session, "register_changed", actor, summary=f"{community} {body}",
                 changes={"community": community, "body": body, "members": [before, members]})
