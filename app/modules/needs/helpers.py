"""Diagram functions for needs: overlapping needs, merging one into another, the next handling day."""
from datetime import datetime, timedelta

from sqlalchemy import select, update

from app import clock
from app.workflow.models.instance import Instance, InstanceStatus
from app.workflow import audit
from app.errors import Refusal
from app.workflow.helpers import (CHINA, HANDLING_TIME, HANDLING_WEEKDAY, bound, case, own_community, own_key,
                                  record_write)


def find_overlaps(community, category, grid, title, tracking_code) -> list[dict]:
    """Open needs of the same community and category with the same grid or a similar title."""
    session, _ = bound()
    own_community(community)
    own_key(tracking_code)
    rows = session.execute(
        select(Instance.business_key, Instance.title, Instance.grid, Instance.supporters)
        .where(Instance.community_id == case().community.id, Instance.process_id == "need_lifecycle",
               Instance.status == InstanceStatus.RUNNING, Instance.category == category,
               Instance.business_key != tracking_code)
        .order_by(Instance.priority.desc(), Instance.created_at).limit(200)).all()
    similar = [r for r in rows if (grid and r.grid == grid) or _similar(str(title), r.title)]
    return [{"const": r.business_key, "title": f"{r.title}（{r.business_key}，附议{r.supporters}人）"}
            for r in similar[:5]]


def merge_need(merge_into, tracking_code) -> bool:
    """This need joins `merge_into`: that need's supporters count and priority rise."""
    session, actor = bound()
    own_key(tracking_code)
    source = case().instance
    target = session.scalars(select(Instance).where(
        Instance.business_key == str(merge_into), Instance.status == InstanceStatus.RUNNING,
        Instance.process_id == source.process_id, Instance.community_id == case().community.id)).first()
    if target is None or target.id == source.id:
        raise Refusal("%(key)s is not an open need of this community", key=merge_into)
    # A plain UPDATE: supporters are a projection, not engine state, so no optimistic version bump.
    session.execute(update(Instance.__table__).where(Instance.id == target.id).values(
        supporters=Instance.supporters + 1, priority=Instance.priority + 1))
    source.merged_into = target.business_key
    changes = {"supporters": [target.supporters, target.supporters + 1], "merged_need": tracking_code}
    audit.record(session, "need_merged", actor, instance=target, summary=f"{tracking_code} → {target.business_key}",
                 changes=changes)
    record_write("need_merged", summary=f"{tracking_code} → {target.business_key}",
                 changes={"merged_into": [None, target.business_key]})
    return True


def next_handling_day(community) -> str:
    """The next scheduled handling day (一般事项定期办) after now, as an ISO instant."""
    now = clock.now().astimezone(CHINA)
    days_ahead = (HANDLING_WEEKDAY - now.weekday()) % 7
    candidate = datetime.combine(now.date() + timedelta(days=days_ahead), HANDLING_TIME, CHINA)
    if candidate <= now:
        candidate += timedelta(days=7)
    return candidate.isoformat()


def _similar(a: str, b: str) -> bool:
    """Whether two short texts share most of their character pairs (works for Chinese)."""
    pairs_a, pairs_b = _bigrams(a), _bigrams(b)
    if not pairs_a or not pairs_b:
        return False
    return len(pairs_a & pairs_b) / len(pairs_a | pairs_b) >= 0.5


def _bigrams(text: str) -> set[str]:
    text = "".join(text.split())
    return {text[i:i + 2] for i in range(len(text) - 1)}


HELPERS = {f.__name__: f for f in (find_overlaps, merge_need, next_handling_day)}
