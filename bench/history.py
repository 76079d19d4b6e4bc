"""The cost of one completion on an instance with a long history, over the same on a fresh one."""
import statistics
import time
from pathlib import Path

from sqlalchemy import select

from app.people.org import Organisation
from app.workflow.models.instance import ReadyTask
from app.people.models import User
from app.workflow import tasks
from app.workflow.instances import start_process
from app.workflow.versions import deploy

LOOP = Path(__file__).parent / "loop"
STEP = {"more": True, "note": "按时办理"}


def history_vs_fresh(sessions, history: int = 200, samples: int = 20) -> tuple[float, float]:
    """(median ms of a completion after `history` completed user tasks, median ms on fresh instances)."""
    with sessions() as session:
        deploy(session, {p.name: p.read_text(encoding="utf-8") for p in LOOP.iterdir()}, None)
        session.commit()
    fresh = [_timed_completions(sessions, _started(sessions), 1)[0] for _ in range(samples)]
    long_one = _started(sessions)
    _timed_completions(sessions, long_one, history)
    late = _timed_completions(sessions, long_one, samples)
    return statistics.median(late), statistics.median(fresh)


def _started(sessions) -> int:
    with sessions() as session:
        community = session.scalars(select(Organisation).where(Organisation.code == "nanshan")).one()
        instance = start_process(session, "bench_loop", {"title": "压测"}, community, None)
        session.commit()
        return instance.id


def _timed_completions(sessions, instance_id: int, count: int) -> list[float]:
    """Complete the instance's ready step `count` times; ms of each (operation and commit)."""
    timings = []
    for _ in range(count):
        with sessions() as session:
            worker = session.scalars(select(User).where(User.username == "worker1")).one()
            task_id = session.scalars(select(ReadyTask.id).where(ReadyTask.instance_id == instance_id)).one()
            began = time.perf_counter()
            tasks.complete(session, task_id, worker, dict(STEP))
            session.commit()
            timings.append((time.perf_counter() - began) * 1000)
    return timings
