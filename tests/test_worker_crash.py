"""kill -9 of an app worker in the middle of load: every acknowledged completion is kept, no task is
half done, and the audit chain still verifies."""
import os
import signal
import sys
import uuid
from pathlib import Path

from sqlalchemy import func, select

from app.config import ROOT
from app.workflow.models.audit import AuditEvent
from app.workflow.models.instance import Instance, ReadyTask, TaskSpan
from flows import OK

sys.path.insert(0, str(ROOT))
from bench.http_load import complete_tasks, free_port, gunicorn, token_for, wait_until_up  # noqa: E402

NEEDS = 80


def recorded_tasks(api) -> list[str]:
    ids = []
    for _ in range(NEEDS):
        need = api.record_need(title=uuid.uuid4().hex, category="legal")  # unlike each other: no merge proposed
        ids.append(api.task_for("worker1", "assess_reasonableness", need["instance_id"])["id"])
    return ids


def completion_counts(app) -> dict:
    with app.extensions["db_sessions"]() as session:
        return dict(session.execute(select(AuditEvent.task_id, func.count()).where(
            AuditEvent.event_type == "task_completed").group_by(AuditEvent.task_id)).all())


def workers_of(master: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{master}\n" in status:
                found.append(int(entry.name))
    return found


def complete_all(port: int, token: str, task_ids: list[str], kill) -> tuple[set, set]:
    """Eight clients complete the tasks; `kill()` runs once a quarter are done. (acknowledged, failed) ids."""
    def after_each(results: dict) -> None:
        if sum(ms is not None for ms in results.values()) == len(task_ids) // 4:
            kill()
    results, _ = complete_tasks(port, token, task_ids, 8, data=OK, after_each=after_each)
    return {t for t, ms in results.items() if ms is not None}, {t for t, ms in results.items() if ms is None}


def test_kill_9_of_a_worker_under_load_loses_nothing_acknowledged(app, api, database_url):
    task_ids = recorded_tasks(api)
    port = free_port()
    server = gunicorn(database_url, port, 2)
    killed = []
    try:
        wait_until_up(port)
        token = token_for(port)

        def kill() -> None:
            victims = workers_of(server.pid)
            if victims and not killed:
                os.kill(victims[0], signal.SIGKILL)
                killed.append(victims[0])
        acknowledged, failed = complete_all(port, token, task_ids, kill)
        retried, _ = complete_all(port, token, sorted(failed), lambda: None)  # gunicorn started a new worker
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert killed, "no worker was killed"
    assert len(acknowledged) + len(failed) == NEEDS
    with app.extensions["db_sessions"]() as session:
        completed = set(session.scalars(select(AuditEvent.task_id).where(AuditEvent.event_type == "task_completed")))
        still_ready = set(session.scalars(select(ReadyTask.id).where(ReadyTask.bpmn_id == "assess_reasonableness")))
        spans = dict(session.execute(select(TaskSpan.id, TaskSpan.outcome).where(TaskSpan.id.in_(task_ids))).all())
        per_instance = session.execute(select(ReadyTask.instance_id, func.count()).group_by(ReadyTask.instance_id)
                                       .where(ReadyTask.process_id == "need_lifecycle")).all()
        running = session.scalar(select(func.count()).select_from(Instance).where(Instance.status == "running"))
    assert acknowledged <= completed and acknowledged.isdisjoint(still_ready)  # every acknowledged one is there
    assert completed | still_ready == set(task_ids) and not completed & still_ready  # none half done
    assert all(spans[t] == "completed" for t in completed)
    assert all(count == 1 for _, count in per_instance) and len(per_instance) == running == NEEDS
    # A request cut off by the kill either never committed (its retry succeeds now) or committed just
    # before the worker died (its retry gets 409): it is never lost and never done twice.
    assert completed - acknowledged - retried <= failed
    assert all(n == 1 for n in completion_counts(app).values())
    assert api.get("/api/audit/verify", "auditor1").get_json()["ok"] is True
