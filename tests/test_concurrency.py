"""Sixteen people complete the same task at once: exactly one wins, fifteen get 409, nothing half-written."""
import threading

from sqlalchemy import func, select

from app.workflow.models.audit import AuditEvent
from app.workflow.models.instance import Instance, ReadyTask


def test_sixteen_parallel_completions_of_one_task(app, api):
    need = api.record_need()
    task = api.task_for("worker1", "assess_reasonableness")
    token = api.token("worker1")
    barrier = threading.Barrier(16)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit(n: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(f"/api/tasks/{task['id']}/complete", headers={"Authorization": f"Bearer {token}"},
                               json={"data": {"reasonable": True, "basis": f"submission {n}"}})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [200] + [409] * 15

    sessions = app.extensions["db_sessions"]
    with sessions() as session:
        instance = session.get(Instance, need["instance_id"])
        completions = session.scalars(select(AuditEvent).where(
            AuditEvent.instance_id == instance.id, AuditEvent.event_type == "task_completed")).all()
        ready = session.scalars(select(ReadyTask.bpmn_id).where(ReadyTask.instance_id == instance.id)).all()
        assert len(completions) == 1
        assert ready == ["assess_responsibility"]
        assert instance.lock_version == 2  # started, then one completion
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == session.scalar(select(func.max(AuditEvent.seq)))
    verdict = api.get("/api/audit/verify", "auditor1").get_json()
    assert verdict["ok"] is True
    winner = completions[0].data_changes["basis"][1]
    data = api.get(f"/api/instances/{need['instance_id']}", "worker1").get_json()["data"]
    assert data["basis"] == winner
