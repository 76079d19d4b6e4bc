"""The trial community (试用社区): where designers' trial instances run, apart from every real case.

Its kind is "trial", not "community": every list, dashboard, scope and annual review that takes
the communities by kind leaves it out by construction, and the public pages leave it out by name."""
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.people.org import Organisation
from app.people.policy import TRIAL_PLAYERS, TRIAL_VIEWERS  # noqa: F401 (imported from here elsewhere)

TRIAL_CODE, TRIAL_KIND, TRIAL_NAME = "TRIAL", "trial", "试用社区"


def trial_community(session: Session) -> Organisation | None:
    """The trial community, if this database has it."""
    return session.scalars(select(Organisation).where(Organisation.code == TRIAL_CODE,
                                                      Organisation.kind == TRIAL_KIND)).first()


def trial_community_id(session: Session) -> int | None:
    """The trial community's id (looked up once per session), or None."""
    if "trial_community_id" not in session.info:
        found = trial_community(session)
        session.info["trial_community_id"] = found.id if found else None
    return session.info["trial_community_id"]


def plays_trials(user) -> bool:
    """Whether the user acts on trial tasks in every lane (a designer trying a process out)."""
    return bool(user.role_ids & TRIAL_PLAYERS)


def ensure_trial_community(session: Session) -> Organisation:
    """The trial community, created (with no parent, so no office's scope reaches it) when missing."""
    found = trial_community(session)
    if found is None:
        found = Organisation(code=TRIAL_CODE, name=TRIAL_NAME, kind=TRIAL_KIND, parent=None)
        session.add(found)
        session.flush()
    return found


def trial_key() -> str:
    """A fresh business key for a trial instance (never a tracking code of a real need)."""
    return f"{TRIAL_CODE}-{secrets.token_hex(5).upper()}"


def is_public(org_kind_column):
    """A SQL condition keeping the trial community out of what the public sees."""
    return org_kind_column != TRIAL_KIND
