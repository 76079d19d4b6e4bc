"""Inbox latency as the ready-task table grows: the same 50 visible tasks among 1k or 100k."""
import statistics
import time
import uuid

from sqlalchemy import insert, select

from app.workflow.models.instance import Instance, ReadyTask
from app.people.org import Organisation
from app.workflow.models.process import ProcessVersion
from app.people.models import User
from app.workflow.queries import inbox

VISIBLE = 50
COMMUNITIES = 200


def inbox_p95_ms(sessions, total: int, samples: int = 200) -> float:
    """p95 ms of worker1's inbox query with `total` ready tasks in the table (50 of them theirs)."""
    with sessions() as session:
        _fill(session, total)
        session.commit()
    timings = []
    for _ in range(samples):
        with sessions() as session:
            worker = session.scalars(select(User).where(User.username == "worker1")).one()
            began = time.perf_counter()
            found = inbox(session, worker)
            timings.append(time.perf_counter() - began)
    assert len(found) >= VISIBLE
    return statistics.quantiles(timings, n=20)[-1] * 1000


def _fill(session, total: int) -> None:
    """Top the table up to `total` rows: other communities' tasks, plus 50 for 南山's workers."""
    have = session.query(ReadyTask).count()
    if have >= total:
        return
    street = session.scalars(select(Organisation).where(Organisation.code == "xingfu")).one()
    others = _other_communities(session, street)
    nanshan = session.scalars(select(Organisation).where(Organisation.code == "nanshan")).one()
    version_id = session.scalar(select(ProcessVersion.id).limit(1))
    mine = max(0, VISIBLE - session.query(ReadyTask).filter(ReadyTask.community_id == nanshan.id).count())
    rows = []
    for n in range(total - have):
        community = nanshan if n < mine else others[n % len(others)]
        rows.append((community.id, f"bench-{uuid.uuid4().hex[:12]}"))
    instance_ids = session.execute(insert(Instance).returning(Instance.id), [
        {"version_id": version_id, "process_id": "need_lifecycle", "business_key": key, "title": "bench",
         "community_id": cid, "state": "{}", "status": "running"} for cid, key in rows]).scalars().all()
    session.execute(insert(ReadyTask), [
        {"id": str(uuid.uuid4()), "instance_id": iid, "process_id": "need_lifecycle",
         "bpmn_id": "assess_reasonableness", "name": "合理性研判", "lane": "社区工作者", "role": "community_worker",
         "community_id": cid} for iid, (cid, _) in zip(instance_ids, rows)])


def _other_communities(session, street) -> list[Organisation]:
    found = session.scalars(select(Organisation).where(Organisation.code.like("bench-%"))).all()
    if not found:
        found = [Organisation(code=f"bench-{n}", name=f"压测社区{n}", kind="community", parent=street)
                 for n in range(COMMUNITIES)]
        session.add_all(found)
        session.flush()
    return list(found)
