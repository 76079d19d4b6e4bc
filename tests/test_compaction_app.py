"""A long case stays small in the database, and its history still shows every step it took."""
from sqlalchemy import func, select

from app.workflow.models.instance import Instance, InstanceTrail, ReadyTask, TaskSpan
from app.people.org import Organisation
from app.people.models import User
from app.workflow import tasks
from app.modules.audit.history import instance_trace
from app.workflow.instances import start_process
from app.workflow.versions import deploy

ROUNDS = 60


def loop_case(app, repo_root) -> int:
    """The bench's loop process (one user task done again and again), completed ROUNDS times."""
    files = {p.name: p.read_text(encoding="utf-8") for p in (repo_root / "bench" / "loop").iterdir()}
    sizes = []
    with app.app_context():
        sessions = app.extensions["db_sessions"]
        with sessions() as session:
            deploy(session, files, None)
            community = session.scalars(select(Organisation).where(Organisation.code == "nanshan")).one()
            instance_id = start_process(session, "bench_loop", {"title": "反复"}, community, None).id
            session.commit()
        for turn in range(ROUNDS):
            with sessions() as session:
                worker = session.scalars(select(User).where(User.username == "worker1")).one()
                task_id = session.scalars(select(ReadyTask.id).where(ReadyTask.instance_id == instance_id)).one()
                tasks.complete(session, task_id, worker, {"more": turn < ROUNDS - 1, "note": f"第{turn}次"})
                session.commit()
                sizes.append(len(session.get(Instance, instance_id).state))
    return instance_id, sizes


def test_a_long_case_keeps_its_state_small_and_its_whole_path(app, client, repo_root):
    instance_id, sizes = loop_case(app, repo_root)
    assert max(sizes[10:-1]) <= max(sizes[:10]) * 1.1  # no growth with history
    with app.app_context(), app.extensions["db_sessions"]() as session:
        instance = session.get(Instance, instance_id)
        assert instance.status == "completed" and instance.outcome == "end"
        assert session.scalar(select(func.count()).select_from(InstanceTrail)
                              .where(InstanceTrail.instance_id == instance_id)) > 0
        traced = instance_trace(session, instance)
        assert session.scalar(select(func.count()).select_from(TaskSpan)
                              .where(TaskSpan.instance_id == instance_id, TaskSpan.outcome == "completed")) == ROUNDS
    steps = [s["bpmn_id"] for s in traced["path"]]
    assert steps.count("step") == ROUNDS and steps.count("again") == ROUNDS
    assert steps[0] == "start" and steps[-1] == "end"
    assert sorted(traced["flows"]) == [["again", "end"], ["again", "step"], ["start", "step"], ["step", "again"]]
    assert [s["at"] for s in traced["path"]] == sorted(s["at"] for s in traced["path"])


def test_the_history_page_draws_the_trail(app, client, api, repo_root):
    instance_id, _ = loop_case(app, repo_root)
    trace = api.get(f"/api/instances/{instance_id}/trace", "auditor1")
    assert trace.status_code == 200
    assert [s["bpmn_id"] for s in trace.get_json()["path"]].count("step") == ROUNDS
