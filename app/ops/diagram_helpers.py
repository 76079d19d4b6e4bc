"""Functions diagrams may call. They run inside an operation's transaction, bound by `bound_to`."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..engine import clock
from ..models import Instance, Organisation, User
from . import audit
from .notifications import notify, users_for

CHINA = timezone(timedelta(hours=8))
HANDLING_WEEKDAY, HANDLING_TIME = 0, time(9, 0)  # 一般事项定期办: Mondays at 09:00, China time
_context: ContextVar[tuple[Session, User | None] | None] = ContextVar("diagram_helpers", default=None)
_after_run: ContextVar[list | None] = ContextVar("diagram_helpers_after_run", default=None)


@contextmanager
def bound_to(session: Session, actor: User | None):
    """Let diagram functions reach this transaction while the engine runs.

    Work a function defers with `after_run` happens once the engine has stopped, still inside
    this transaction: starting another instance from inside a running one would nest engines."""
    token, deferred = _context.set((session, actor)), _after_run.set([])
    try:
        yield
        pending = _after_run.get()
    finally:
        _context.reset(token)
        _after_run.reset(deferred)
    for action in pending:
        action()


def bound() -> tuple[Session, User | None]:
    """The session and actor of the operation running the engine now."""
    bound = _context.get()
    if bound is None:
        raise RuntimeError("this function can only run inside an operation")
    return bound


def after_run(action) -> None:
    """Run `action()` when the engine run in progress has stopped (same transaction)."""
    pending = _after_run.get()
    if pending is None:
        raise RuntimeError("this function can only run inside an operation")
    pending.append(action)


def find_overlaps(community, category, grid, title, tracking_code) -> list[dict]:
    """Open needs of the same community and category with the same grid or a similar title."""
    session, _ = bound()
    rows = session.execute(
        select(Instance.business_key, Instance.title, Instance.grid, Instance.supporters)
        .join(Organisation, Instance.community_id == Organisation.id)
        .where(Organisation.code == community, Instance.process_id == "need_lifecycle",
               Instance.status == "running", Instance.category == category,
               Instance.business_key != tracking_code)
        .order_by(Instance.priority.desc(), Instance.created_at).limit(200)).all()
    similar = [r for r in rows if (grid and r.grid == grid) or _similar(str(title), r.title)]
    return [{"const": r.business_key, "title": f"{r.title}（{r.business_key}，附议{r.supporters}人）"}
            for r in similar[:5]]


def merge_need(merge_into, tracking_code) -> bool:
    """This need joins `merge_into`: that need's supporters count and priority rise."""
    session, actor = bound()
    source = session.scalars(select(Instance).where(Instance.business_key == tracking_code)).one()
    target = session.scalars(select(Instance).where(
        Instance.business_key == str(merge_into), Instance.status == "running",
        Instance.community_id == source.community_id)).first()
    if target is None or target.id == source.id:
        raise ValueError(f"{merge_into} is not an open need of this community")
    # A plain UPDATE: supporters are a projection, not engine state, so no optimistic version bump.
    session.execute(update(Instance.__table__).where(Instance.id == target.id).values(
        supporters=Instance.supporters + 1, priority=Instance.priority + 1))
    source.merged_into = target.business_key
    audit.record(session, "need_merged", actor, instance=target, summary=f"{tracking_code} → {target.business_key}",
                 changes={"supporters": [target.supporters, target.supporters + 1], "merged_need": tracking_code})
    return True


def next_handling_day(community) -> str:
    """The next scheduled handling day (一般事项定期办) after now, as an ISO instant."""
    now = clock.now().astimezone(CHINA)
    days_ahead = (HANDLING_WEEKDAY - now.weekday()) % 7
    candidate = datetime.combine(now.date() + timedelta(days=days_ahead), HANDLING_TIME, CHINA)
    if candidate <= now:
        candidate += timedelta(days=7)
    return candidate.isoformat()


def notify_role(role, community, message) -> bool:
    """Notify everyone holding `role` for the community (in-app and SMS outbox)."""
    session, _ = bound()
    found = session.scalars(select(Organisation).where(Organisation.code == community)).first()
    if found is None:
        raise ValueError(f"unknown community {community}")
    notify(session, users_for(session, str(role), found.id), str(message))
    return True


def now() -> str:
    """The engine clock's current instant in China time, ISO 8601 (so now()[:10] is today's date here)."""
    return clock.now().astimezone(CHINA).isoformat()


def _similar(a: str, b: str) -> bool:
    """Whether two short texts share most of their character pairs (works for Chinese)."""
    pairs_a, pairs_b = _bigrams(a), _bigrams(b)
    if not pairs_a or not pairs_b:
        return False
    return len(pairs_a & pairs_b) / len(pairs_a | pairs_b) >= 0.5


def _bigrams(text: str) -> set[str]:
    text = "".join(text.split())
    return {text[i:i + 2] for i in range(len(text) - 1)}


NEED_HELPERS = {f.__name__: f for f in (find_overlaps, merge_need, next_handling_day, notify_role, now)}
