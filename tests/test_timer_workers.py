"""Timer workers: two at once never fire a timer twice; timers that fell due while no worker ran
fire exactly once when one starts again."""
import threading
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.cli import fire_due
from app.workflow.models.audit import AuditEvent
from app.workflow.models.instance import Instance, ReadyTask
from factories import assessed_need
from flows import OK
from helpers import WEDNESDAY_MORNING as START

TITLES = ["路面坑洼", "公交站牌倒了", "河道有垃圾", "路灯整夜不亮", "违章搭建", "噪音扰民", "井盖缺失", "下水道堵塞"]

# The app's clock (tokens, records, deadlines) stands still at a fixed Wednesday morning, China time.
pytestmark = pytest.mark.usefixtures("fixed_clock")


def government_needs(api, count: int) -> list[int]:
    """Needs sent to the street, each with a 5-day deadline (street_overdue) waiting."""
    # Titles unlike each other, so the overlap check proposes no merge.
    return [assessed_need(api, "government", assessment=OK, category="government", title=title)["instance_id"]
            for title in TITLES[:count]]


def timer_events(app, ids: list[int]) -> Counter:
    with app.extensions["db_sessions"]() as session:
        rows = session.scalars(select(AuditEvent.instance_id).where(
            AuditEvent.event_type == "timer_fired", AuditEvent.instance_id.in_(ids)))
        return Counter(rows)


def district_tasks(app, ids: list[int]) -> Counter:
    with app.extensions["db_sessions"]() as session:
        rows = session.scalars(select(ReadyTask.instance_id).where(
            ReadyTask.bpmn_id == "district_handle", ReadyTask.instance_id.in_(ids)))
        return Counter(rows)


def run_workers(app, count: int, instant: datetime) -> list[int]:
    """`count` timer workers making one pass each at the same moment; how many instances each fired."""
    barrier, fired, errors = threading.Barrier(count), [], []

    def work() -> None:
        with app.app_context():
            barrier.wait()
            try:
                fired.append(fire_due(instant))
            except Exception as err:  # a worker must never crash on a timer another worker holds
                errors.append(err)
    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return fired


def test_two_timer_workers_never_fire_the_same_timer_twice(app, api):
    ids = government_needs(api, 8)
    due = START + timedelta(days=6)  # past the street's 5 days, before the district's 15
    fired = run_workers(app, 2, due)
    assert sum(fired) == 8, fired  # between them, each instance exactly once
    assert timer_events(app, ids) == Counter({iid: 1 for iid in ids})
    assert district_tasks(app, ids) == Counter({iid: 1 for iid in ids})  # one escalation each, not two
    assert run_workers(app, 2, due) == [0, 0]  # nothing is due any more at that moment
    assert api.get("/api/audit/verify", "auditor1").get_json()["ok"] is True


def test_timers_due_while_no_worker_ran_fire_once_after_restart(app, api):
    ids = government_needs(api, 3)
    # Every worker was down for 20 days: the street's deadline (5 days) and the district's (15) both passed.
    restart = START + timedelta(days=20)
    with app.app_context():
        assert fire_due(restart) == 3
        assert fire_due(restart) == 0  # a second pass at the same moment finds nothing due
    assert timer_events(app, ids) == Counter({iid: 1 for iid in ids})
    assert district_tasks(app, ids) == Counter({iid: 1 for iid in ids})
    with app.extensions["db_sessions"]() as session:
        waiting = session.scalar(select(func.count()).select_from(Instance).where(
            Instance.id.in_(ids), Instance.next_timer_at <= restart))
        assert waiting == 0
    assert api.get("/api/audit/verify", "auditor1").get_json()["ok"] is True
